#include "util/python_json.hpp"

namespace sextant::util {

namespace {
std::string scalar(const nlohmann::ordered_json& v) {
  return v.dump(-1, ' ', /*ensure_ascii=*/true, nlohmann::ordered_json::error_handler_t::replace);
}
}  // namespace

std::string python_json_dumps(const nlohmann::ordered_json& v) {
  if (v.is_object()) {
    std::string out = "{";
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      out += first ? "" : ", ";
      first = false;
      out += scalar(nlohmann::ordered_json(k)) + ": " + python_json_dumps(item);
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + python_json_dumps(v[i]);
    return out + "]";
  }
  return scalar(v);
}

}  // namespace sextant::util
