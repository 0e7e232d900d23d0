#include "graphql/input_coercion.hpp"

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>

#include "graphql/error.hpp"
#include "util/strings.hpp"

namespace sextant::graphql {

using nlohmann::json;

namespace {

[[noreturn]] void fail(const std::string& message) { throw GraphqlError(message); }
[[noreturn]] void fail_at(const std::string& path, const json& value, const std::string& message) {
  throw InvalidInput(message, path, value);
}

std::optional<std::int64_t> parse_int64(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

const TypeDef& named(const Schema& schema, const TypeRef& type) {
  const TypeDef* t = schema.type(type.name);
  if (!t || !t->is_input()) fail("Unknown type '" + type.name + "'.");
  return *t;
}

// At most 200 bytes of `s`, cut before a UTF-8 sequence rather than inside one, and "..." when
// cut (in place: GCC 12's -O2 -Warray-bounds misfires on substr(...) + "...").
std::string clipped(std::string s) {
  if (s.size() > 200) {
    std::size_t end = 200;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s.resize(end);
    s += "...";
  }
  return s;
}

std::string short_json(const json& v) { return clipped(v.dump(-1, ' ', false, json::error_handler_t::replace)); }

}  // namespace

std::string print_value(const Value& v) {
  switch (v.kind) {
    case Value::Kind::Variable: return "$" + v.text;
    case Value::Kind::String: return json(v.text).dump(-1, ' ', false, json::error_handler_t::replace);
    case Value::Kind::Null: return "null";
    case Value::Kind::List: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.items.size(); ++i) out += (i ? ", " : "") + print_value(v.items[i]);
      return out + "]";
    }
    case Value::Kind::Object: {
      std::string out = "{";
      for (std::size_t i = 0; i < v.items.size(); ++i) out += (i ? ", " : "") + v.keys[i] + ": " + print_value(v.items[i]);
      return out + "}";
    }
    default: return v.text;
  }
}

std::optional<json> coerce_literal(const Schema& schema, const Value& value, const TypeRef& type,
                                   const json* variables) {
  if (value.kind == Value::Kind::Variable) {
    if (!variables || !variables->contains(value.text)) return std::nullopt;
    return (*variables)[value.text];
  }
  if (type.kind == TypeRef::Kind::NonNull) {
    if (value.kind == Value::Kind::Null)
      fail("Expected value of type '" + type.to_string() + "', found null.");
    return coerce_literal(schema, value, *type.of, variables);
  }
  if (value.kind == Value::Kind::Null) return json(nullptr);
  if (type.kind == TypeRef::Kind::List) {
    json out = json::array();
    if (value.kind != Value::Kind::List) {
      auto one = coerce_literal(schema, value, *type.of, variables);
      out.push_back(one ? *one : json(nullptr));
      return out;
    }
    for (const auto& item : value.items) {
      auto one = coerce_literal(schema, item, *type.of, variables);
      out.push_back(one ? *one : json(nullptr));
    }
    return out;
  }
  const TypeDef& t = named(schema, type);
  auto text = print_value(value);
  switch (t.kind) {
    case TypeDef::Kind::InputObject: {
      if (value.kind != Value::Kind::Object) fail("Expected value of type '" + t.name + "', found " + text + ".");
      json out = json::object();
      for (std::size_t i = 0; i < value.items.size(); ++i) {
        const auto* f = t.input_field(value.keys[i]);
        if (!f) fail("Field '" + value.keys[i] + "' is not defined by type '" + t.name + "'.");
        for (std::size_t j = 0; j < i; ++j)
          if (value.keys[j] == value.keys[i]) fail("There can be only one input field named '" + value.keys[i] + "'.");
        auto v = coerce_literal(schema, value.items[i], *f->type, variables);
        if (v && !v->is_null()) out[f->key] = std::move(*v);
      }
      return out;
    }
    case TypeDef::Kind::Enum: {
      if (value.kind != Value::Kind::Enum) fail("Enum '" + t.name + "' cannot represent non-enum value: " + text + ".");
      for (const auto& e : t.enum_values)
        if (e == value.text) return json(e);
      fail("Value '" + value.text + "' does not exist in '" + t.name + "' enum.");
    }
    case TypeDef::Kind::Scalar:
      switch (t.scalar) {
        case ScalarKind::String:
          if (value.kind != Value::Kind::String) fail("String cannot represent a non string value: " + text);
          return json(value.text);
        case ScalarKind::Boolean:
          if (value.kind != Value::Kind::Boolean) fail("Boolean cannot represent a non boolean value: " + text);
          return json(value.text == "true");
        case ScalarKind::Int: {
          if (value.kind != Value::Kind::Int) fail("Int cannot represent non-integer value: " + text);
          auto v = parse_int64(value.text);
          if (!v || *v > INT32_MAX || *v < INT32_MIN)
            fail("Int cannot represent non 32-bit signed integer value: " + text);
          return json(*v);
        }
        case ScalarKind::Float: {
          if (value.kind != Value::Kind::Int && value.kind != Value::Kind::Float)
            fail("Float cannot represent non numeric value: " + text);
          double d = std::strtod(value.text.c_str(), nullptr);
          if (!std::isfinite(d)) fail("Float cannot represent non numeric value: " + text);
          return json(d);
        }
        case ScalarKind::LongString: {
          // MLflow's LongString.parse_literal: an Int literal, anything else reads as null.
          if (value.kind != Value::Kind::Int) return json(nullptr);
          auto v = parse_int64(value.text);
          if (!v) fail("Expected value of type 'LongString', found " + text + ".");
          return json(*v);
        }
      }
      break;
    case TypeDef::Kind::Object: break;
  }
  fail("Unknown type '" + type.name + "'.");
}

json coerce_json(const Schema& schema, const json& value, const TypeRef& type, std::string& path) {
  if (type.kind == TypeRef::Kind::NonNull) {
    if (value.is_null()) {
      fail_at(path, value, "Expected non-nullable type '" + type.to_string() + "' not to be null.");
    }
    return coerce_json(schema, value, *type.of, path);
  }
  if (value.is_null()) return nullptr;
  if (type.kind == TypeRef::Kind::List) {
    json out = json::array();
    if (!value.is_array()) {
      out.push_back(coerce_json(schema, value, *type.of, path));
      return out;
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      auto saved = path.size();
      path += "[" + std::to_string(i) + "]";
      out.push_back(coerce_json(schema, value[i], *type.of, path));
      path.resize(saved);
    }
    return out;
  }
  const TypeDef& t = named(schema, type);
  switch (t.kind) {
    case TypeDef::Kind::InputObject: {
      if (!value.is_object()) fail_at(path, value, "Expected type '" + t.name + "' to be a mapping.");
      json out = json::object();
      for (const auto& [k, v] : value.items()) {
        const auto* f = t.input_field(k);
        if (!f) fail_at(path, value, "Field '" + k + "' is not defined by type '" + t.name + "'.");
        auto saved = path.size();
        path += "." + k;
        auto c = coerce_json(schema, v, *f->type, path);
        path.resize(saved);
        if (!c.is_null()) out[f->key] = std::move(c);
      }
          return out;
    }
    case TypeDef::Kind::Enum:
      if (!value.is_string()) fail_at(path, value, "Enum '" + t.name + "' cannot represent non-string value: " + short_json(value) + ".");
      for (const auto& e : t.enum_values)
        if (e == value.get_ref<const std::string&>()) return value;
      fail_at(path, value, "Value '" + value.get<std::string>() + "' does not exist in '" + t.name + "' enum.");
    case TypeDef::Kind::Scalar:
      switch (t.scalar) {
        case ScalarKind::String:
          if (!value.is_string()) fail_at(path, value, "String cannot represent a non string value: " + short_json(value));
          return value;
        case ScalarKind::Boolean:
          if (!value.is_boolean()) fail_at(path, value, "Boolean cannot represent a non boolean value: " + short_json(value));
          return value;
        case ScalarKind::Int:
          if (!value.is_number_integer()) fail_at(path, value, "Int cannot represent non-integer value: " + short_json(value));
          if (value.is_number_unsigned() ? value.get<std::uint64_t>() > INT32_MAX
                                         : (value.get<std::int64_t>() > INT32_MAX || value.get<std::int64_t>() < INT32_MIN))
            fail_at(path, value, "Int cannot represent non 32-bit signed integer value: " + short_json(value));
          return value;
        case ScalarKind::Float:
          if (!value.is_number()) fail_at(path, value, "Float cannot represent non numeric value: " + short_json(value));
          return json(value.get<double>());
        case ScalarKind::LongString: {
          // MLflow's LongString.parse_value: int(value).
          std::optional<std::int64_t> v;
          if (value.is_number_integer() && !value.is_number_unsigned()) v = value.get<std::int64_t>();
          else if (value.is_number_unsigned() && value.get<std::uint64_t>() <= INT64_MAX) v = static_cast<std::int64_t>(value.get<std::uint64_t>());
          else if (value.is_number_float() && std::isfinite(value.get<double>()) && std::fabs(value.get<double>()) < 9.2e18)
            v = static_cast<std::int64_t>(value.get<double>());
          else if (value.is_string()) v = parse_int64(value.get_ref<const std::string&>());
          if (!v) fail_at(path, value, "Expected type 'LongString'. invalid literal for int() with base 10: " + inspect(value));
          return json(*v);
        }
      }
      break;
    case TypeDef::Kind::Object: break;
  }
  fail_at(path, value, "Unknown type '" + type.name + "'.");
}

std::string inspect(const json& v) {
  std::string out;
  switch (v.type()) {
    case json::value_t::string: out = util::python_repr(v.get_ref<const std::string&>()); break;
    case json::value_t::null: out = "None"; break;
    case json::value_t::boolean: out = v.get<bool>() ? "True" : "False"; break;
    case json::value_t::array: {
      out = "[";
      for (std::size_t i = 0; i < v.size() && out.size() < 200; ++i) out += (i ? ", " : "") + inspect(v[i]);
      out += "]";
      break;
    }
    case json::value_t::object: {
      out = "{";
      bool first = true;
      for (const auto& [k, item] : v.items()) {
        if (out.size() >= 200) break;
        out += (first ? "" : ", ") + util::python_repr(k) + ": " + inspect(item);
        first = false;
      }
      out += "}";
      break;
    }
    default: out = short_json(v);
  }
  return clipped(std::move(out));
}

}  // namespace sextant::graphql
