#include "api/span_json.hpp"

#include <cstdlib>
#include <optional>

#include "core/error.hpp"
#include "core/otel_span_kind.hpp"
#include "util/base64.hpp"
#include "util/utf8_encode.hpp"

namespace sextant::api {

namespace {

struct Malformed {};

// Deeper values are not decoded (Python's json.loads gives up too: RecursionError), the
// attribute is then shown as the string it is stored as.
constexpr int kMaxDepth = 200;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A pull reader over one JSON text: tokens are returned as views of the text (strings with their
// quotes and escapes), so copying a token copies valid JSON. Strict like Python's json.loads
// (control characters inside strings refused), which also takes NaN, Infinity and -Infinity.
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  char peek() {
    skip_ws();
    if (p_ >= s_.size()) throw Malformed{};
    return s_[p_];
  }
  void expect(char c) {
    if (peek() != c) throw Malformed{};
    ++p_;
  }
  bool consume(char c) {
    if (peek() != c) return false;
    ++p_;
    return true;
  }
  bool at_end() {
    skip_ws();
    return p_ == s_.size();
  }

  std::string_view string_token() {
    if (peek() != '"') throw Malformed{};
    const std::size_t start = p_++;
    for (;;) {
      if (p_ >= s_.size()) throw Malformed{};
      const auto c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') break;
      if (c < 0x20) throw Malformed{};
      if (c == '\\') {
        if (++p_ >= s_.size()) throw Malformed{};
        if (s_[p_] == 'u') {
          if (p_ + 4 >= s_.size()) throw Malformed{};
          for (int i = 1; i <= 4; ++i)
            if (hex_digit(s_[p_ + i]) < 0) throw Malformed{};
          p_ += 4;
        } else if (std::string_view("\"\\/bfnrt").find(s_[p_]) == std::string_view::npos) {
          throw Malformed{};
        }
      }
      ++p_;
    }
    ++p_;
    return s_.substr(start, p_ - start);
  }

  // A number (JSON's grammar) or NaN / Infinity / -Infinity.
  std::string_view number_token() {
    skip_ws();
    const std::size_t start = p_;
    for (std::string_view word : {"NaN", "Infinity", "-Infinity"}) {
      if (s_.substr(p_, word.size()) == word) {
        p_ += word.size();
        return word;
      }
    }
    if (p_ < s_.size() && s_[p_] == '-') ++p_;
    if (p_ >= s_.size() || !digit(s_[p_])) throw Malformed{};
    if (s_[p_] == '0') {
      ++p_;
    } else {
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    if (p_ < s_.size() && s_[p_] == '.') {
      ++p_;
      if (p_ >= s_.size() || !digit(s_[p_])) throw Malformed{};
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    if (p_ < s_.size() && (s_[p_] == 'e' || s_[p_] == 'E')) {
      ++p_;
      if (p_ < s_.size() && (s_[p_] == '+' || s_[p_] == '-')) ++p_;
      if (p_ >= s_.size() || !digit(s_[p_])) throw Malformed{};
      while (p_ < s_.size() && digit(s_[p_])) ++p_;
    }
    return s_.substr(start, p_ - start);
  }

  // true, false or null.
  std::string_view literal() {
    skip_ws();
    for (std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(p_, word.size()) == word) {
        p_ += word.size();
        return word;
      }
    }
    throw Malformed{};
  }

  void skip_value(int depth = 0) {
    if (depth > kMaxDepth) throw Malformed{};
    switch (peek()) {
      case '"': string_token(); return;
      case '{':
        ++p_;
        if (consume('}')) return;
        do {
          string_token();
          expect(':');
          skip_value(depth + 1);
        } while (consume(','));
        expect('}');
        return;
      case '[':
        ++p_;
        if (consume(']')) return;
        do skip_value(depth + 1);
        while (consume(','));
        expect(']');
        return;
      case 't': case 'f': case 'n': literal(); return;
      default: number_token(); return;
    }
  }

 private:
  static bool digit(char c) { return c >= '0' && c <= '9'; }
  void skip_ws() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\t')) ++p_;
  }

  std::string_view s_;
  std::size_t p_ = 0;
};

// The text of a string token Reader::string_token returned (escapes decoded; lone surrogates
// become U+FFFD).
std::string unescape(std::string_view token) {
  std::string_view body = token.substr(1, token.size() - 2);
  if (body.find('\\') == std::string_view::npos) return std::string(body);
  std::string out;
  out.reserve(body.size());
  auto hex4 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v * 16 + static_cast<std::uint32_t>(hex_digit(body[at + i]));
    return v;
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') {
      out += body[i];
      continue;
    }
    const char e = body[++i];
    switch (e) {
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        std::uint32_t cp = hex4(i + 1);
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 < body.size() && body[i + 1] == '\\' && body[i + 2] == 'u') {
          const std::uint32_t low = hex4(i + 3);
          if (low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            i += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
        util::append_utf8(out, cp);
        break;
      }
      default: out += e; break;  // " \ /
    }
  }
  return out;
}

bool is_float_token(std::string_view number) { return number.find_first_of(".eEIN") != std::string_view::npos; }

// The next value as an OTel AnyValue, as MLflow's _set_otel_proto_anyvalue sets it from the
// Python value json.loads gives: str, bool, int, float, list -> array_value, dict ->
// kvlist_value, None (and empty lists and dicts, which leave the message unset) -> {}.
void any_value(Reader& r, std::string& out, int depth) {
  if (depth > kMaxDepth) throw Malformed{};
  switch (r.peek()) {
    case '"':
      out += R"({"string_value":)";
      out += r.string_token();
      out += '}';
      return;
    case '{': {
      r.expect('{');
      if (r.consume('}')) {
        out += "{}";
        return;
      }
      out += R"({"kvlist_value":{"values":[)";
      bool first = true;
      do {
        auto key = r.string_token();
        r.expect(':');
        out += first ? R"({"key":)" : R"(,{"key":)";
        out += key;
        out += R"(,"value":)";
        any_value(r, out, depth + 1);
        out += '}';
        first = false;
      } while (r.consume(','));
      r.expect('}');
      out += "]}}";
      return;
    }
    case '[': {
      r.expect('[');
      if (r.consume(']')) {
        out += "{}";
        return;
      }
      out += R"({"array_value":{"values":[)";
      bool first = true;
      do {
        if (!first) out += ',';
        any_value(r, out, depth + 1);
        first = false;
      } while (r.consume(','));
      r.expect(']');
      out += "]}}";
      return;
    }
    case 't': case 'f': case 'n': {
      auto word = r.literal();
      if (word == "null") {
        out += "{}";
      } else {
        out += R"({"bool_value":)";
        out += word;
        out += '}';
      }
      return;
    }
    default: {
      auto number = r.number_token();
      if (number == "NaN" || number == "Infinity" || number == "-Infinity") {
        out += R"({"double_value":")";
        out += number;
        out += "\"}";
      } else {
        out += is_float_token(number) ? R"({"double_value":)" : R"({"int_value":)";
        out += number;
        out += '}';
      }
    }
  }
}

// A span attribute's value: stored JSON-encoded, so decoded first (a value that does not decode
// is shown as the string it is, as MLflow's attribute registry does); a falsy stored value
// ("", 0, false, null) reads as None.
void attribute_value(Reader& r, std::string& out, std::string& scratch) {
  if (r.peek() != '"') {
    const std::size_t mark = out.size();
    any_value(r, out, 0);
    std::string_view written(out.data() + mark, out.size() - mark);
    if (written == R"({"int_value":0})" || written == R"({"bool_value":false})" || written == R"({"double_value":0.0})") {
      out.resize(mark);
      out += "{}";
    }
    return;
  }
  auto token = r.string_token();
  if (token.size() == 2) {
    out += "{}";
    return;
  }
  scratch = unescape(token);
  const std::size_t mark = out.size();
  try {
    Reader inner(scratch);
    any_value(inner, out, 0);
    if (!inner.at_end()) throw Malformed{};
  } catch (const Malformed&) {
    out.resize(mark);
    out += R"({"string_value":)";
    out += token;
    out += '}';
  }
}

// The decoded string an attribute holds (json.loads of its stored text when that is a JSON
// string, else the stored text itself), for the span-kind lookup.
std::optional<std::string> attribute_string(std::string_view token) {
  std::string stored = unescape(token);
  try {
    Reader inner(stored);
    if (inner.peek() == '"') {
      auto t = inner.string_token();
      if (inner.at_end()) return unescape(t);
    }
    return std::nullopt;  // a number, list, ... is no span kind
  } catch (const Malformed&) {
    return stored;
  }
}

// An id as base64 of its raw bytes: stored base64 is copied; hex (MLflow 3.5's dicts: "tr-<32
// hex>" trace ids, 16-hex span ids) is converted.
void id_value(std::string_view token, std::size_t bytes, std::string& out) {
  std::string text = unescape(token);
  std::string_view hex = text;
  if (hex.starts_with("tr-")) hex.remove_prefix(3);
  if (hex.starts_with("0x")) hex.remove_prefix(2);
  std::string raw;
  if (hex.size() == bytes * 2) {
    for (std::size_t i = 0; i < hex.size(); i += 2) {
      int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
      if (hi < 0 || lo < 0) {
        raw.clear();
        break;
      }
      raw += static_cast<char>(hi * 16 + lo);
    }
  }
  if (raw.size() != bytes) {
    out += token;
    return;
  }
  out += '"';
  out += util::base64_encode(raw);
  out += '"';
}

bool zero_or_null(std::string_view number) { return number == "0" || number == "null"; }

// A number, or null (read as absent).
std::string_view number_or_null(Reader& r) { return r.peek() == 'n' ? r.literal() : r.number_token(); }

void events(Reader& r, std::string& out) {
  if (r.peek() == 'n') {
    r.literal();
    return;
  }
  r.expect('[');
  if (r.consume(']')) return;
  out += R"(,"events":[)";
  bool first_event = true;
  do {
    out += first_event ? "{" : ",{";
    first_event = false;
    bool first_field = true;
    auto field = [&](std::string_view name) {
      if (!first_field) out += ',';
      first_field = false;
      out += '"';
      out += name;
      out += "\":";
    };
    r.expect('{');
    if (!r.consume('}')) {
      do {
        auto key = unescape(r.string_token());
        r.expect(':');
        if (key == "name") {
          auto name = r.string_token();
          if (name.size() > 2) field("name"), out += name;
        } else if (key == "time_unix_nano") {
          auto t = number_or_null(r);
          if (!zero_or_null(t)) field("time_unix_nano"), out += t;
        } else if (key == "attributes" && r.peek() == '{') {
          r.expect('{');
          if (!r.consume('}')) {
            field("attributes");
            out += '[';
            bool first = true;
            do {
              auto k = r.string_token();
              r.expect(':');
              out += first ? R"({"key":)" : R"(,{"key":)";
              out += k;
              out += R"(,"value":)";
              any_value(r, out, 0);
              out += '}';
              first = false;
            } while (r.consume(','));
            r.expect('}');
            out += ']';
          }
        } else {
          r.skip_value();
        }
      } while (r.consume(','));
      r.expect('}');
    }
    out += '}';
  } while (r.consume(','));
  r.expect(']');
  out += ']';
}

void status(Reader& r, std::string& out) {
  if (r.peek() == 'n') {
    r.literal();
    return;
  }
  std::string code, message_token;
  r.expect('{');
  if (!r.consume('}')) {
    do {
      auto key = unescape(r.string_token());
      r.expect(':');
      if (key == "code" && r.peek() == '"') {
        code = unescape(r.string_token());
      } else if (key == "message" && r.peek() == '"') {
        message_token = std::string(r.string_token());
      } else {
        r.skip_value();
      }
    } while (r.consume(','));
    r.expect('}');
  }
  out += R"(,"status":{)";
  const char* name = code == "STATUS_CODE_OK" || code == "OK"          ? "STATUS_CODE_OK"
                     : code == "STATUS_CODE_ERROR" || code == "ERROR" ? "STATUS_CODE_ERROR"
                                                                       : nullptr;
  if (name) {
    out += R"("code":")";
    out += name;
    out += '"';
  }
  if (message_token.size() > 2) {
    out += name ? R"(,"message":)" : R"("message":)";
    out += message_token;
  }
  out += '}';
}

void attributes(Reader& r, std::string& out) {
  if (r.peek() == 'n') {
    r.literal();
    return;
  }
  r.expect('{');
  if (r.consume('}')) return;
  out += R"(,"attributes":[)";
  bool first = true, has_type = false;
  std::optional<std::string> kinds[std::size(core::kOtelSpanKindKeys)];
  std::string scratch;
  do {
    auto key_token = r.string_token();
    auto key = unescape(key_token);
    r.expect(':');
    if (key == "mlflow.spanType") has_type = true;
    for (std::size_t i = 0; i < std::size(core::kOtelSpanKindKeys); ++i) {
      if (key == core::kOtelSpanKindKeys[i] && r.peek() == '"') {
        // Read ahead on a copy: the value is still written below.
        Reader ahead = r;
        kinds[i] = attribute_string(ahead.string_token());
      }
    }
    out += first ? R"({"key":)" : R"(,{"key":)";
    out += key_token;
    out += R"(,"value":)";
    attribute_value(r, out, scratch);
    out += '}';
    first = false;
  } while (r.consume(','));
  r.expect('}');
  if (!has_type) {
    auto type = core::mlflow_span_type_from_otel([&](std::string_view key) -> std::optional<std::string> {
      for (std::size_t i = 0; i < std::size(core::kOtelSpanKindKeys); ++i)
        if (key == core::kOtelSpanKindKeys[i]) return kinds[i];
      return std::nullopt;
    });
    if (type) {
      out += R"(,{"key":"mlflow.spanType","value":{"string_value":")";
      out += *type;
      out += "\"}}";
    }
  }
  out += ']';
}

}  // namespace

void append_otel_span_json(std::string& out, std::string_view content) {
  try {
    Reader r(content);
    r.expect('{');
    out += '{';
    // The first member written has no leading comma: ids come first in MLflow's dicts; anything
    // else starts with "," and the opening is patched below.
    const std::size_t open = out.size();
    if (!r.consume('}')) {
      do {
        auto key = unescape(r.string_token());
        r.expect(':');
        if (key == "trace_id" || key == "span_id" || key == "parent_span_id") {
          if (r.peek() == 'n') {
            r.literal();
            continue;
          }
          auto token = r.string_token();
          if (token.size() == 2) continue;
          out += ",\"" + key + "\":";
          id_value(token, key == "trace_id" ? 16 : 8, out);
        } else if (key == "name") {
          auto name = r.string_token();
          if (name.size() > 2) out += R"(,"name":)", out += name;
        } else if (key == "start_time_unix_nano" || key == "end_time_unix_nano") {
          auto t = number_or_null(r);
          if (!zero_or_null(t)) out += ",\"" + key + "\":", out += t;
        } else if (key == "events") {
          events(r, out);
        } else if (key == "status") {
          status(r, out);
        } else if (key == "attributes") {
          attributes(r, out);
        } else {
          r.skip_value();
        }
      } while (r.consume(','));
      r.expect('}');
    }
    if (!r.at_end()) throw Malformed{};
    if (out.size() > open && out[open] == ',') out.erase(open, 1);
    out += '}';
  } catch (const Malformed&) {
    throw core::MlflowError(core::ErrorCode::INTERNAL_ERROR, "A stored span of the trace is not valid span JSON");
  }
}

}  // namespace sextant::api
