#include "util/regex.hpp"

#include <regex>
#include <stdexcept>
#include <string>

namespace sextant::util {

struct Regex::Impl {
  std::regex re;
};

Regex::Regex(std::string_view pattern) : impl_(std::make_unique<Impl>()) {
  try {
    impl_->re = std::regex(std::string(pattern));
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(e.what());
  }
}

Regex::~Regex() = default;

bool Regex::search(std::string_view text) const {
  return std::regex_search(text.begin(), text.end(), impl_->re);
}

}  // namespace sextant::util
