#include "api/request_json.hpp"

#include "core/error.hpp"
#include "util/python_format.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

// nlohmann's DOM builder behind a SAX filter that counts before the DOM grows: refusing here
// bounds both the nesting (nlohmann's parser keeps its own state stack, it does not recurse) and
// the DOM. (nlohmann's parser_callback_t DOM builder is not used: its end_object/end_array scan
// the parent container for discarded values, quadratic in a wide array.)
template <class Json>
class LimitedDomBuilder {
 public:
  using json = Json;

  LimitedDomBuilder(json& root, const JsonLimits& limits) : dom_(root, /*allow_exceptions=*/false), limits_(limits) {}

  bool null() { return count() && dom_.null(); }
  bool boolean(bool v) { return count() && dom_.boolean(v); }
  bool number_integer(typename json::number_integer_t v) { return count() && dom_.number_integer(v); }
  bool number_unsigned(typename json::number_unsigned_t v) { return count() && dom_.number_unsigned(v); }
  bool number_float(typename json::number_float_t v, const typename json::string_t& s) { return count() && dom_.number_float(v, s); }
  bool string(typename json::string_t& v) { return count() && dom_.string(v); }
  bool binary(typename json::binary_t& v) { return count() && dom_.binary(v); }
  bool key(typename json::string_t& v) { return count() && dom_.key(v); }
  bool start_object(std::size_t n) { return enter() && dom_.start_object(n); }
  bool end_object() { return leave() && dom_.end_object(); }
  bool start_array(std::size_t n) { return enter() && dom_.start_array(n); }
  bool end_array() { return leave() && dom_.end_array(); }
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& last_token, const Exception& ex) {
    return dom_.parse_error(position, last_token, ex);
  }
  bool is_errored() const { return dom_.is_errored(); }

 private:
  bool count() {
    if (++values_ > limits_.max_values) {
      core::throw_invalid("Invalid request: JSON document with more than " + std::to_string(limits_.max_values) +
                          " values.");
    }
    return true;
  }
  bool enter() {
    if (++depth_ > limits_.max_depth) {
      core::throw_invalid("Invalid request: JSON nested deeper than " + std::to_string(limits_.max_depth) +
                          " levels.");
    }
    return count();
  }
  bool leave() {
    --depth_;
    return true;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  const JsonLimits& limits_;
  std::size_t values_ = 0;
  std::size_t depth_ = 0;
};

template <class Json>
Json decode_limited(std::string_view bytes, const JsonLimits& limits) {
  Json root;
  LimitedDomBuilder<Json> builder(root, limits);
  bool ok = Json::sax_parse(bytes.begin(), bytes.end(), &builder, Json::input_format_t::json, /*strict=*/true);
  if (!ok || builder.is_errored()) return Json(Json::value_t::discarded);
  return root;
}

}  // namespace

json decode_request_json(std::string_view bytes, const JsonLimits& limits) { return decode_limited<json>(bytes, limits); }

nlohmann::ordered_json decode_request_json_ordered(std::string_view bytes, const JsonLimits& limits) {
  return decode_limited<nlohmann::ordered_json>(bytes, limits);
}

namespace {

constexpr std::size_t kExcerptDepth = 4;
constexpr std::size_t kExcerptBytes = 4 * request_json_limits::kMaxExcerpt + 16;

std::string quoted_json_string(const std::string& s) {
  // Only a prefix can be shown; escaping first keeps dump() from throwing on invalid UTF-8.
  std::string head = util::utf8_escape_invalid(std::string_view(s).substr(0, kExcerptBytes));
  return util::python_json_string(head);
}

// Compact JSON of `v`, stopping once `out` is longer than kExcerptBytes.
void render(const json& v, std::size_t depth, std::string& out) {
  if (out.size() > kExcerptBytes) return;
  if (v.is_string()) {
    out += quoted_json_string(v.get_ref<const std::string&>());
  } else if (v.is_array()) {
    if (depth >= kExcerptDepth) {
      out += v.empty() ? "[]" : "[...]";
      return;
    }
    out += '[';
    bool first = true;
    for (const auto& item : v) {
      if (out.size() > kExcerptBytes) return;
      if (!first) out += ',';
      first = false;
      render(item, depth + 1, out);
    }
    out += ']';
  } else if (v.is_object()) {
    if (depth >= kExcerptDepth) {
      out += v.empty() ? "{}" : "{...}";
      return;
    }
    out += '{';
    bool first = true;
    for (const auto& [k, item] : v.items()) {
      if (out.size() > kExcerptBytes) return;
      if (!first) out += ',';
      first = false;
      out += quoted_json_string(k) + ':';
      render(item, depth + 1, out);
    }
    out += '}';
  } else if (v.is_discarded()) {
    out += "<invalid>";
  } else {
    out += v.is_number_float() ? util::python_float_repr(v.get<double>()) : v.dump();  // ints, booleans, null
  }
}

std::string shortened(std::string out) {
  if (util::utf8_length(out) > request_json_limits::kMaxExcerpt || out.size() >= kExcerptBytes) {
    out = util::utf8_truncate(out, request_json_limits::kMaxExcerpt) + "...";
  }
  return out;
}

}  // namespace

std::string excerpt(const json& value) {
  if (!value.is_string()) return excerpt_json(value);
  const auto& s = value.get_ref<const std::string&>();
  return shortened(util::utf8_escape_invalid(std::string_view(s).substr(0, kExcerptBytes)));
}

std::string excerpt_json(const json& value) {
  std::string out;
  render(value, 0, out);
  return shortened(std::move(out));
}

std::string_view python_type_name(const json& value) {
  switch (value.type()) {
    case json::value_t::string: return "str";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "int";
    case json::value_t::number_float: return "float";
    case json::value_t::boolean: return "bool";
    case json::value_t::array: return "list";
    case json::value_t::object: return "dict";
    case json::value_t::null: return "NoneType";
    default: return "unknown";
  }
}

}  // namespace sextant::api
