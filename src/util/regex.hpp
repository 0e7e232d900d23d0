// A compiled ECMAScript regular expression behind a small interface, so that <regex> is built in
// one translation unit (GCC 12 reports false -Wmaybe-uninitialized warnings inside libstdc++'s
// <regex> under the sanitizers; that file is compiled without them). Immutable after
// construction; search() is thread-safe.
#pragma once

#include <memory>
#include <string_view>

namespace sextant::util {

class Regex {
 public:
  // Throws std::invalid_argument with the library's message for a bad pattern.
  explicit Regex(std::string_view pattern);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Does the pattern match anywhere in `text` (Python's re.search)?
  bool search(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sextant::util
