#include "util/python_json.hpp"

#include <cstdint>

#include "util/python_format.hpp"

namespace sextant::util {

namespace {

void append_value(std::string& out, const nlohmann::ordered_json& v, int indent, int level) {
  switch (v.type()) {
    case nlohmann::ordered_json::value_t::object:
    case nlohmann::ordered_json::value_t::array: {
      bool object = v.is_object();
      out += object ? '{' : '[';
      if (v.empty()) {
        out += object ? '}' : ']';
        return;
      }
      // Python: ", " between items without indent; "," and a new line with one.
      std::string inner = indent < 0 ? "" : "\n" + std::string(static_cast<std::size_t>(indent * (level + 1)), ' ');
      bool first = true;
      for (const auto& [key, item] : v.items()) {
        out += first ? inner : (indent < 0 ? ", " : "," + inner);
        first = false;
        if (object) {
          out += python_json_string(key);
          out += ": ";
        }
        append_value(out, item, indent, level + 1);
      }
      if (indent >= 0) out += "\n" + std::string(static_cast<std::size_t>(indent * level), ' ');
      out += object ? '}' : ']';
      return;
    }
    case nlohmann::ordered_json::value_t::string: out += python_json_string(v.get_ref<const std::string&>()); return;
    case nlohmann::ordered_json::value_t::boolean: out += v.get<bool>() ? "true" : "false"; return;
    case nlohmann::ordered_json::value_t::number_integer: out += std::to_string(v.get<std::int64_t>()); return;
    case nlohmann::ordered_json::value_t::number_unsigned: out += std::to_string(v.get<std::uint64_t>()); return;
    case nlohmann::ordered_json::value_t::number_float: out += python_float_repr(v.get<double>()); return;
    default: out += "null"; return;
  }
}

}  // namespace

std::optional<std::string> python_str(const nlohmann::ordered_json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "True" : "False";
  if (value.is_null()) return "None";
  if (value.is_number_float()) return python_float_repr(value.get<double>());
  if (value.is_number()) return value.dump();
  return std::nullopt;
}

bool python_truthy(const nlohmann::ordered_json& value) {
  if (value.is_null()) return false;
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number()) return value.get<double>() != 0.0;
  if (value.is_string()) return !value.get_ref<const std::string&>().empty();
  return !value.empty();  // arrays and objects
}

std::string python_json_dumps(const nlohmann::ordered_json& value, int indent) {
  std::string out;
  append_value(out, value, indent, 0);
  return out;
}

}  // namespace sextant::util
