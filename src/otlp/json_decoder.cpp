#include "otlp/json_decoder.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "otlp/decode_budget.hpp"
#include "otlp/otlp_error.hpp"
#include "util/base64.hpp"

namespace sextant::otlp {

namespace {

using json = nlohmann::ordered_json;

class Walker {
 public:
  explicit Walker(DecodeBudget& budget) : budget_(budget) {}

  [[noreturn]] static void bad(const std::string& path, const std::string& problem) {
    malformed("Invalid OTLP/JSON: " + path + ": " + problem);
  }

  // The member `camel` (or its snake_case twin); null when absent or null.
  static const json* member(const json& obj, const char* camel, const char* snake) {
    auto it = obj.find(camel);
    if (it == obj.end() && snake) it = obj.find(snake);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }

  static void require_object(const json& v, const std::string& path) {
    if (!v.is_object()) bad(path, "expected an object");
  }

  // The array member's elements (none when absent).
  const json* array(const json& obj, const char* camel, const char* snake, const std::string& path) {
    const json* v = member(obj, camel, snake);
    if (v && !v->is_array()) bad(path + "." + camel, "expected an array");
    return v;
  }

  std::string text(const json& obj, const char* camel, const char* snake, const std::string& path) {
    const json* v = member(obj, camel, snake);
    if (!v) return {};
    if (!v->is_string()) bad(path + "." + camel, "expected a string");
    budget_.charge(v->get_ref<const std::string&>().size());
    return v->get<std::string>();
  }

  // A hex id ("" when absent); any length (span_conversion checks it).
  std::string hex_id(const json& obj, const char* camel, const char* snake, const std::string& path) {
    std::string hex = text(obj, camel, snake, path);
    if (hex.size() % 2) bad(path + "." + camel, "expected an even number of hex digits");
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
      if (hi < 0 || lo < 0) bad(path + "." + camel, "expected hex digits");
      out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
  }

  static int nibble(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // A 64-bit integer as a JSON number or a decimal string; `is_signed` for int64.
  static std::uint64_t integer(const json& v, const std::string& path, bool is_signed) {
    if (v.is_number_unsigned()) {
      auto u = v.get<std::uint64_t>();
      if (is_signed && u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) bad(path, "out of range");
      return u;
    }
    if (v.is_number_integer()) {
      auto i = v.get<std::int64_t>();
      if (!is_signed && i < 0) bad(path, "expected a non-negative integer");
      return static_cast<std::uint64_t>(i);
    }
    if (v.is_number_float()) {
      double d = v.get<double>();
      if (!std::isfinite(d) || d != std::floor(d)) bad(path, "expected an integer");
      if (is_signed ? (d < -9223372036854775808.0 || d >= 9223372036854775808.0) : (d < 0 || d >= 18446744073709551616.0))
        bad(path, "out of range");
      return is_signed ? static_cast<std::uint64_t>(static_cast<std::int64_t>(d)) : static_cast<std::uint64_t>(d);
    }
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      const char* b = s.data();
      const char* e = b + s.size();
      if (is_signed) {
        std::int64_t i = 0;
        auto [p, ec] = std::from_chars(b, e, i);
        if (s.empty() || ec != std::errc() || p != e) bad(path, "expected an integer");
        return static_cast<std::uint64_t>(i);
      }
      std::uint64_t u = 0;
      auto [p, ec] = std::from_chars(b, e, u);
      if (s.empty() || ec != std::errc() || p != e) bad(path, "expected a non-negative integer");
      return u;
    }
    bad(path, "expected an integer");
  }

  std::uint64_t uint_member(const json& obj, const char* camel, const char* snake, const std::string& path) {
    const json* v = member(obj, camel, snake);
    return v ? integer(*v, path + "." + camel, false) : 0;
  }

  // An int32 enum as an integer or one of `names` (index = value).
  static std::int64_t enumeration(const json& obj, const char* camel, const std::string& path,
                                  std::initializer_list<const char*> names) {
    const json* v = member(obj, camel, nullptr);
    if (!v) return 0;
    if (v->is_string()) {
      std::int64_t i = 0;
      for (const char* n : names) {
        if (v->get_ref<const std::string&>() == n) return i;
        ++i;
      }
    }
    auto raw = static_cast<std::int64_t>(integer(*v, path + "." + camel, true));
    if (raw < std::numeric_limits<std::int32_t>::min() || raw > std::numeric_limits<std::int32_t>::max())
      bad(path + "." + camel, "out of range");
    return raw;
  }

  void any_value(const json& v, AnyValue& out, const std::string& path) {
    require_object(v, path);
    int set = 0;
    if (const json* s = member(v, "stringValue", "string_value")) {
      if (!s->is_string()) bad(path + ".stringValue", "expected a string");
      out.kind = AnyValue::Kind::String;
      out.text = s->get<std::string>();
      budget_.charge(out.text.size());
      ++set;
    }
    if (const json* b = member(v, "boolValue", "bool_value")) {
      if (!b->is_boolean()) bad(path + ".boolValue", "expected true or false");
      out.kind = AnyValue::Kind::Bool;
      out.boolean = b->get<bool>();
      ++set;
    }
    if (const json* i = member(v, "intValue", "int_value")) {
      out.kind = AnyValue::Kind::Int;
      out.integer = static_cast<std::int64_t>(integer(*i, path + ".intValue", true));
      ++set;
    }
    if (const json* d = member(v, "doubleValue", "double_value")) {
      out.kind = AnyValue::Kind::Double;
      out.number = number(*d, path + ".doubleValue");
      ++set;
    }
    if (const json* a = member(v, "arrayValue", "array_value")) {
      require_object(*a, path + ".arrayValue");
      out.kind = AnyValue::Kind::Array;
      if (const json* values = array(*a, "values", nullptr, path + ".arrayValue")) {
        for (std::size_t k = 0; k < values->size(); ++k) {
          any_value((*values)[k], budget_.push(out.array), path + ".arrayValue.values[" + std::to_string(k) + "]");
        }
      }
      ++set;
    }
    if (const json* kv = member(v, "kvlistValue", "kvlist_value")) {
      require_object(*kv, path + ".kvlistValue");
      out.kind = AnyValue::Kind::KvList;
      key_values(*kv, "values", out.kvlist, path + ".kvlistValue");
      ++set;
    }
    if (const json* b = member(v, "bytesValue", "bytes_value")) {
      if (!b->is_string()) bad(path + ".bytesValue", "expected base64 text");
      auto decoded = util::base64_decode(b->get_ref<const std::string&>());
      if (!decoded) bad(path + ".bytesValue", "expected base64 text");
      out.kind = AnyValue::Kind::Bytes;
      out.text = std::move(*decoded);
      budget_.charge(out.text.size());
      ++set;
    }
    if (set > 1) bad(path, "more than one value is set");
  }

  static double number(const json& v, const std::string& path) {
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      const auto& s = v.get_ref<const std::string&>();
      if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
      if (s == "Infinity") return std::numeric_limits<double>::infinity();
      if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
      double d = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
      if (!s.empty() && ec == std::errc() && p == s.data() + s.size()) return d;
    }
    bad(path, "expected a number");
  }

  void key_values(const json& obj, const char* camel, std::vector<KeyValue>& out, const std::string& path) {
    const json* items = array(obj, camel, nullptr, path);
    if (!items) return;
    for (std::size_t k = 0; k < items->size(); ++k) {
      std::string at = path + "." + camel + "[" + std::to_string(k) + "]";
      const json& item = (*items)[k];
      require_object(item, at);
      auto& kv = budget_.push(out);
      kv.key = text(item, "key", nullptr, at);
      if (const json* value = member(item, "value", nullptr)) any_value(*value, kv.value, at + ".value");
    }
  }

  void span(const json& v, Span& s, const std::string& path) {
    require_object(v, path);
    s.trace_id = hex_id(v, "traceId", "trace_id", path);
    s.span_id = hex_id(v, "spanId", "span_id", path);
    s.parent_span_id = hex_id(v, "parentSpanId", "parent_span_id", path);
    s.trace_state = text(v, "traceState", "trace_state", path);
    s.name = text(v, "name", nullptr, path);
    if (const json* f = member(v, "flags", nullptr)) {
      auto flags = integer(*f, path + ".flags", false);
      if (flags > 0xffffffffu) bad(path + ".flags", "out of range");
      s.flags = static_cast<std::uint32_t>(flags);
    }
    s.kind = enumeration(v, "kind", path,
                         {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
                          "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"});
    s.start_time_unix_nano = uint_member(v, "startTimeUnixNano", "start_time_unix_nano", path);
    s.end_time_unix_nano = uint_member(v, "endTimeUnixNano", "end_time_unix_nano", path);
    key_values(v, "attributes", s.attributes, path);
    if (const json* events = array(v, "events", nullptr, path)) {
      for (std::size_t k = 0; k < events->size(); ++k) {
        std::string at = path + ".events[" + std::to_string(k) + "]";
        const json& e = (*events)[k];
        require_object(e, at);
        auto& ev = budget_.push(s.events);
        ev.time_unix_nano = uint_member(e, "timeUnixNano", "time_unix_nano", at);
        ev.name = text(e, "name", nullptr, at);
        key_values(e, "attributes", ev.attributes, at);
      }
    }
    if (const json* links = array(v, "links", nullptr, path)) {
      for (std::size_t k = 0; k < links->size(); ++k) {
        std::string at = path + ".links[" + std::to_string(k) + "]";
        const json& l = (*links)[k];
        require_object(l, at);
        auto& link = budget_.push(s.links);
        link.trace_id = hex_id(l, "traceId", "trace_id", at);
        link.span_id = hex_id(l, "spanId", "span_id", at);
        link.trace_state = text(l, "traceState", "trace_state", at);
        key_values(l, "attributes", link.attributes, at);
      }
    }
    if (const json* st = member(v, "status", nullptr)) {
      require_object(*st, path + ".status");
      s.status.message = text(*st, "message", nullptr, path + ".status");
      s.status.code = enumeration(*st, "code", path + ".status", {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"});
    }
  }

  ExportRequest request(const json& root) {
    ExportRequest out;
    require_object(root, "$");
    const json* rss = array(root, "resourceSpans", "resource_spans", "$");
    if (!rss) return out;
    for (std::size_t i = 0; i < rss->size(); ++i) {
      std::string at = "resourceSpans[" + std::to_string(i) + "]";
      const json& r = (*rss)[i];
      require_object(r, at);
      auto& rs = budget_.push(out.resource_spans);
      if (const json* res = member(r, "resource", nullptr)) {
        require_object(*res, at + ".resource");
        key_values(*res, "attributes", rs.resource_attributes, at + ".resource");
      }
      const json* sss = array(r, "scopeSpans", "scope_spans", at);
      if (!sss) continue;
      for (std::size_t j = 0; j < sss->size(); ++j) {
        std::string sat = at + ".scopeSpans[" + std::to_string(j) + "]";
        const json& s = (*sss)[j];
        require_object(s, sat);
        auto& ss = budget_.push(rs.scope_spans);
        if (const json* scope = member(s, "scope", nullptr)) {
          require_object(*scope, sat + ".scope");
          ss.scope.name = text(*scope, "name", nullptr, sat + ".scope");
          ss.scope.version = text(*scope, "version", nullptr, sat + ".scope");
          key_values(*scope, "attributes", ss.scope.attributes, sat + ".scope");
        }
        const json* spans = array(s, "spans", nullptr, sat);
        if (!spans) continue;
        for (std::size_t k = 0; k < spans->size(); ++k) {
          span((*spans)[k], budget_.push(ss.spans), sat + ".spans[" + std::to_string(k) + "]");
        }
      }
    }
    return out;
  }

 private:
  DecodeBudget& budget_;
};

}  // namespace

ExportRequest decode_json(std::string_view body, const DecodeLimits& limits) {
  // The document itself counts against the budget too, and its depth is bounded while parsing
  // (nlohmann's parser is iterative; the walk above recurses once per AnyValue level).
  DecodeBudget budget(limits.max_model_bytes);
  json root;
  try {
    root = json::parse(body.begin(), body.end(), [&](int depth, json::parse_event_t event, json& parsed) {
      if (depth > limits.max_depth) malformed("Invalid OTLP/JSON: nesting too deep");
      if (event == json::parse_event_t::value || event == json::parse_event_t::key) {
        budget.charge(sizeof(json) + (parsed.is_string() ? parsed.get_ref<const std::string&>().size() : 0));
      }
      return true;
    });
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number too large for a double
    malformed(std::string("not JSON: ") + e.what());
  }
  return Walker(budget).request(root);
}

}  // namespace sextant::otlp
