#include "api/params.hpp"

#include <cctype>
#include <cstdlib>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "api/request_json.hpp"
#include "core/error.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

std::string camel_case(std::string_view snake) {
  std::string out;
  bool upper = false;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
      upper = false;
    }
  }
  return out;
}

std::optional<std::int64_t> parse_int64(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

// Protobuf's JSON rules: a decimal literal, or exactly "NaN", "Infinity", "-Infinity".
std::optional<double> parse_double(std::string_view s) {
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  for (char c : s)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
      return std::nullopt;  // strtod would also take "nan", "inf", hex floats
  if (s.empty()) return std::nullopt;
  // strtod (the program keeps the "C" locale) saturates to +-inf like Python's float("1e400").
  std::string text(s);
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

void throw_invalid_type(const json& value, std::string_view name) {
  core::throw_invalid("Invalid value " + excerpt_json(value) + " for parameter '" + std::string(name) +
                      "' supplied:  Hint: Value was of type '" + std::string(python_type_name(value)) +
                      "'. See the API docs for more information about request parameters.");
}

const json& json_list(const json* value, std::string_view name) {
  static const json kEmpty = json::array();
  if (!value) return kEmpty;
  if (!value->is_array()) throw_invalid_type(*value, name);
  return *value;
}

void throw_missing(std::string_view name) {
  core::throw_invalid("Missing value for required parameter '" + std::string(name) +
                      "'. See the API docs for more information about request parameters.");
}

void check_int32(std::int64_t value, std::string_view name) {
  if (value > kMaxInt32) {
    core::throw_invalid("Invalid value " + std::to_string(value) + " for parameter '" + std::string(name) +
                        "' supplied. It must be at most " + std::to_string(kMaxInt32));
  }
}

const json* json_field(const json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(name));
  if (it == obj.end() || it->is_null()) {
    it = obj.find(camel_case(name));
    if (it == obj.end() || it->is_null()) return nullptr;
  }
  return &*it;
}

std::optional<std::string> json_str(const json& obj, std::string_view name) {
  const json* v = json_field(obj, name);
  if (!v) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  // Only experiment ids may arrive as numbers (very old clients); other strings must be strings.
  if ((v->is_number_integer() || v->is_number_unsigned()) && name == "experiment_id") return v->dump();
  throw_invalid_type(*v, name);
}

std::optional<std::int64_t> json_int64(const json& obj, std::string_view name, std::string_view path) {
  const json* v = json_field(obj, name);
  if (!v) return std::nullopt;
  // is_number_integer() is also true for unsigned values, which get<int64_t>() would wrap.
  if (v->is_number_integer() && !v->is_number_unsigned()) return v->get<std::int64_t>();
  if (v->is_number_unsigned()) {
    auto u = v->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(u);
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::floor(d) == d && std::abs(d) < 9.2e18) return static_cast<std::int64_t>(d);
  }
  if (v->is_string()) {
    if (auto parsed = parse_int64(v->get_ref<const std::string&>())) return parsed;
  }
  throw_invalid_type(*v, path);
}

std::optional<double> json_double(const json& obj, std::string_view name, std::string_view path) {
  const json* v = json_field(obj, name);
  if (!v) return std::nullopt;
  if (v->is_number()) return v->get<double>();
  if (v->is_string()) {
    if (auto parsed = parse_double(v->get_ref<const std::string&>())) return parsed;
  }
  throw_invalid_type(*v, path);
}

struct Params::Impl {
  json object = json::object();
  bool from_query = false;  // repeated query keys become arrays; scalar reads take the first
};

Params::Params(const ApiRequest& request) : impl_(std::make_unique<Impl>()) {
  auto parse_body = [&] {
    json parsed = decode_request_json(request.body);
    if (parsed.is_string()) parsed = decode_request_json(parsed.get<std::string>());  // double-encoded
    if (parsed.is_object()) impl_->object = std::move(parsed);
  };
  if (request.method == "GET" || request.method == "HEAD") {
    if (request.query.empty()) {
      parse_body();
    } else {
      impl_->from_query = true;
      for (const auto& [k, v] : request.query) {
        auto it = impl_->object.find(k);
        if (it == impl_->object.end()) {
          impl_->object[k] = v;
        } else if (it->is_array()) {
          it->push_back(v);
        } else {
          json arr = json::array({*it, v});
          *it = std::move(arr);
        }
      }
    }
    return;
  }
  if (request.method == "POST" || request.method == "PUT") {
    if (!request.has_content_type) {
      core::throw_invalid("Bad Request. Content-Type header is missing.");
    }
    auto media = util::to_lower(util::trim(std::string_view(request.content_type).substr(0, request.content_type.find(';'))));
    if (media != "application/json") {
      core::throw_invalid("Bad Request. Content-Type must be one of ['application/json'].");
    }
  }
  parse_body();
}

Params::~Params() = default;

const json& Params::object() const { return impl_->object; }

const json* Params::raw(std::string_view name) const { return json_field(impl_->object, name); }

std::optional<std::string> Params::str(std::string_view name) const {
  const json* v = raw(name);
  if (v && v->is_array() && impl_->from_query) {  // repeated query key for a scalar field: the first wins
    if (v->empty()) return std::nullopt;
    if ((*v)[0].is_string()) return (*v)[0].get<std::string>();
  }
  return json_str(impl_->object, name);
}

std::string Params::required_str(std::string_view name) const {
  auto v = str(name);
  if (!v || v->empty()) throw_missing(name);
  return *v;
}

std::optional<std::int64_t> Params::int64(std::string_view name) const {
  const json* v = raw(name);
  if (v && v->is_array() && !v->empty() && impl_->from_query) {
    json first = json::object({{std::string(name), (*v)[0]}});
    return json_int64(first, name, name);
  }
  return json_int64(impl_->object, name, name);
}

std::optional<double> Params::number(std::string_view name) const { return json_double(impl_->object, name, name); }

std::optional<bool> Params::boolean(std::string_view name) const {
  const json* v = raw(name);
  if (!v) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_array() && !v->empty() && impl_->from_query) v = &(*v)[0];
  if (v->is_string()) {
    auto s = util::to_lower(v->get<std::string>());
    if (s == "true") return true;
    if (s == "false") return false;
    core::throw_invalid("Invalid boolean value: " + excerpt(*v) + ", must be 'true' or 'false'.");
  }
  throw_invalid_type(*v, name);
}

std::vector<std::string> Params::str_list(std::string_view name) const {
  std::vector<std::string> out;
  const json* v = raw(name);
  if (!v) return out;
  auto add = [&](const json& item) {
    if (item.is_string()) {
      out.push_back(item.get<std::string>());
    } else if ((item.is_number_integer() || item.is_number_unsigned()) && name == "experiment_ids") {
      out.push_back(item.dump());
    } else {
      throw_invalid_type(*v, name);
    }
  };
  if (v->is_array()) {
    for (const auto& item : *v) add(item);
  } else {
    add(*v);
  }
  return out;
}

std::string Params::run_id() const {
  auto id = str("run_id");
  if (!id || id->empty()) id = str("run_uuid");
  if (!id || id->empty()) throw_missing("run_id");
  return *id;
}

}  // namespace sextant::api
