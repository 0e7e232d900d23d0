#include "util/json_lines.hpp"

#include <stdexcept>

namespace sextant::util {

JsonLines::JsonLines(const std::string& path) : out_(stderr) {
  if (!path.empty() && path != "-") {
    out_ = std::fopen(path.c_str(), "a");
    if (!out_) throw std::runtime_error("cannot open log file '" + path + "'");
    owned_ = true;
  }
}

JsonLines::~JsonLines() {
  if (owned_) std::fclose(out_);
}

void JsonLines::write(const nlohmann::json& line) {
  auto text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace sextant::util
