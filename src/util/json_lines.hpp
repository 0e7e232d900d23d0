// One JSON object per line on stderr or appended to a file: the access log, the audit log and
// error logs. Lines are written whole (one fwrite + fflush under a mutex), invalid UTF-8 is
// replaced. Thread-safe.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace sextant::util {

class JsonLines {
 public:
  // "" or "-" = stderr. Throws std::runtime_error when the file cannot be opened.
  explicit JsonLines(const std::string& path = "");
  ~JsonLines();
  JsonLines(const JsonLines&) = delete;
  JsonLines& operator=(const JsonLines&) = delete;

  void write(const nlohmann::json& line);

 private:
  std::mutex mutex_;
  std::FILE* out_;
  bool owned_ = false;
};

}  // namespace sextant::util
