#include "otlp/protobuf_decoder.hpp"

#include <cstring>

#include "otlp/decode_budget.hpp"
#include "otlp/otlp_error.hpp"
#include "util/strings.hpp"

namespace sextant::otlp {

namespace {

enum WireType : unsigned { Varint = 0, Fixed64 = 1, Length = 2, Fixed32 = 5 };

class Decoder {
 public:
  explicit Decoder(const DecodeLimits& limits) : limits_(limits), budget_(limits.max_model_bytes) {}

  // One message's bytes; nested messages get their own Cursor over their slice.
  struct Cursor {
    const unsigned char* p;
    const unsigned char* end;
    bool done() const { return p == end; }
  };

  struct Field {
    unsigned number;
    unsigned wire;
  };

  std::uint64_t varint(Cursor& c) {
    std::uint64_t value = 0;
    for (int i = 0; i < 10; ++i) {
      if (c.p == c.end) malformed("Invalid OpenTelemetry protobuf format: truncated varint");
      unsigned char b = *c.p++;
      if (i == 9 && b > 1) malformed("Invalid OpenTelemetry protobuf format: varint overflows 64 bits");
      value |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return value;
    }
    malformed("Invalid OpenTelemetry protobuf format: varint longer than 10 bytes");
  }

  Field tag(Cursor& c) {
    std::uint64_t t = varint(c);
    unsigned wire = static_cast<unsigned>(t & 7);
    std::uint64_t number = t >> 3;
    if (number == 0 || number > 536870911) malformed("Invalid OpenTelemetry protobuf format: bad field number");
    if (wire != Varint && wire != Fixed64 && wire != Length && wire != Fixed32) {
      malformed("Invalid OpenTelemetry protobuf format: unsupported wire type " + std::to_string(wire));
    }
    return {static_cast<unsigned>(number), wire};
  }

  std::uint64_t fixed(Cursor& c, std::size_t n) {
    if (static_cast<std::size_t>(c.end - c.p) < n) malformed("Invalid OpenTelemetry protobuf format: truncated fixed field");
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(c.p[i]) << (8 * i);
    c.p += n;
    return v;
  }

  Cursor slice(Cursor& c) {
    std::uint64_t len = varint(c);
    if (len > static_cast<std::uint64_t>(c.end - c.p)) {
      malformed("Invalid OpenTelemetry protobuf format: length past the end of the message");
    }
    Cursor inner{c.p, c.p + len};
    c.p += len;
    return inner;
  }

  void skip(Cursor& c, unsigned wire) {
    switch (wire) {
      case Varint: varint(c); break;
      case Fixed64: fixed(c, 8); break;
      case Fixed32: fixed(c, 4); break;
      default: slice(c); break;
    }
  }

  void expect(const Field& f, unsigned wire) {
    if (f.wire != wire) {
      malformed("Invalid OpenTelemetry protobuf format: field " + std::to_string(f.number) + " has wire type " +
                std::to_string(f.wire));
    }
  }

  std::string bytes(Cursor& c, const Field& f) {
    expect(f, Length);
    Cursor s = slice(c);
    charge(static_cast<std::size_t>(s.end - s.p));
    return std::string(reinterpret_cast<const char*>(s.p), static_cast<std::size_t>(s.end - s.p));
  }

  std::string text(Cursor& c, const Field& f) {
    std::string s = bytes(c, f);
    if (!util::valid_utf8(s)) malformed("Invalid OpenTelemetry protobuf format: a string field is not valid UTF-8");
    return s;
  }

  std::uint64_t u64(Cursor& c, const Field& f) {
    expect(f, Varint);
    return varint(c);
  }
  std::uint64_t f64(Cursor& c, const Field& f) {
    expect(f, Fixed64);
    return fixed(c, 8);
  }
  // int32 enums: the low 32 bits, sign-extended (negative values travel as 10-byte varints).
  std::int64_t enum32(Cursor& c, const Field& f) {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(u64(c, f)));
  }

  // Enters a nested message: its slice, with the depth limit.
  template <typename Fn>
  void message(Cursor& c, const Field& f, Fn&& fn) {
    expect(f, Length);
    Cursor inner = slice(c);
    if (++depth_ > limits_.max_depth) malformed("Invalid OpenTelemetry protobuf format: nesting too deep");
    fn(inner);
    --depth_;
  }

  template <typename T>
  T& push(std::vector<T>& items) {
    return budget_.push(items);
  }
  void charge(std::size_t n) { budget_.charge(n); }

  // --- messages ---

  void any_value(Cursor c, AnyValue& v) {
    while (!c.done()) {
      Field f = tag(c);
      switch (f.number) {
        case 1: reset(v, AnyValue::Kind::String); v.text = text(c, f); break;
        case 2: reset(v, AnyValue::Kind::Bool); v.boolean = u64(c, f) != 0; break;
        case 3: reset(v, AnyValue::Kind::Int); v.integer = static_cast<std::int64_t>(u64(c, f)); break;
        case 4: {
          reset(v, AnyValue::Kind::Double);
          std::uint64_t bits = f64(c, f);
          std::memcpy(&v.number, &bits, sizeof bits);
          break;
        }
        case 5:
          if (v.kind != AnyValue::Kind::Array) reset(v, AnyValue::Kind::Array);  // a repeated submessage merges
          message(c, f, [&](Cursor m) { array_value(m, v.array); });
          break;
        case 6:
          if (v.kind != AnyValue::Kind::KvList) reset(v, AnyValue::Kind::KvList);
          message(c, f, [&](Cursor m) { key_values(m, v.kvlist); });
          break;
        case 7: reset(v, AnyValue::Kind::Bytes); v.text = bytes(c, f); break;
        default: skip(c, f.wire);
      }
    }
  }

  static void reset(AnyValue& v, AnyValue::Kind kind) {
    v.kind = kind;
    v.text.clear();
    v.array.clear();
    v.kvlist.clear();
  }

  void array_value(Cursor c, std::vector<AnyValue>& values) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) {
        auto& v = push(values);
        message(c, f, [&](Cursor m) { any_value(m, v); });
      } else {
        skip(c, f.wire);
      }
    }
  }

  // KeyValueList.values and every `repeated KeyValue attributes` field: the KeyValue messages
  // of field 1 of `c` are appended.
  void key_values(Cursor c, std::vector<KeyValue>& out) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) {
        auto& kv = push(out);
        message(c, f, [&](Cursor m) { key_value(m, kv); });
      } else {
        skip(c, f.wire);
      }
    }
  }

  void key_value(Cursor c, KeyValue& kv) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) kv.key = text(c, f);
      else if (f.number == 2) message(c, f, [&](Cursor m) { any_value(m, kv.value); });
      else skip(c, f.wire);
    }
  }

  void attribute(Cursor& c, const Field& f, std::vector<KeyValue>& out) {
    auto& kv = push(out);
    message(c, f, [&](Cursor m) { key_value(m, kv); });
  }

  void event(Cursor c, Event& e) {
    while (!c.done()) {
      Field f = tag(c);
      switch (f.number) {
        case 1: e.time_unix_nano = f64(c, f); break;
        case 2: e.name = text(c, f); break;
        case 3: attribute(c, f, e.attributes); break;
        default: skip(c, f.wire);
      }
    }
  }

  void link(Cursor c, Link& l) {
    while (!c.done()) {
      Field f = tag(c);
      switch (f.number) {
        case 1: l.trace_id = bytes(c, f); break;
        case 2: l.span_id = bytes(c, f); break;
        case 3: l.trace_state = text(c, f); break;
        case 4: attribute(c, f, l.attributes); break;
        default: skip(c, f.wire);
      }
    }
  }

  void status(Cursor c, Status& s) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 2) s.message = text(c, f);
      else if (f.number == 3) s.code = enum32(c, f);
      else skip(c, f.wire);
    }
  }

  void span(Cursor c, Span& s) {
    while (!c.done()) {
      Field f = tag(c);
      switch (f.number) {
        case 1: s.trace_id = bytes(c, f); break;
        case 2: s.span_id = bytes(c, f); break;
        case 3: s.trace_state = text(c, f); break;
        case 4: s.parent_span_id = bytes(c, f); break;
        case 5: s.name = text(c, f); break;
        case 6: s.kind = enum32(c, f); break;
        case 7: s.start_time_unix_nano = f64(c, f); break;
        case 8: s.end_time_unix_nano = f64(c, f); break;
        case 9: attribute(c, f, s.attributes); break;
        case 11: {
          auto& e = push(s.events);
          message(c, f, [&](Cursor m) { event(m, e); });
          break;
        }
        case 13: {
          auto& l = push(s.links);
          message(c, f, [&](Cursor m) { link(m, l); });
          break;
        }
        case 15: message(c, f, [&](Cursor m) { status(m, s.status); }); break;
        case 16: expect(f, Fixed32); s.flags = static_cast<std::uint32_t>(fixed(c, 4)); break;
        default: skip(c, f.wire);
      }
    }
  }

  void scope(Cursor c, Scope& s) {
    while (!c.done()) {
      Field f = tag(c);
      switch (f.number) {
        case 1: s.name = text(c, f); break;
        case 2: s.version = text(c, f); break;
        case 3: attribute(c, f, s.attributes); break;
        default: skip(c, f.wire);
      }
    }
  }

  void scope_spans(Cursor c, ScopeSpans& ss) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) {
        message(c, f, [&](Cursor m) { scope(m, ss.scope); });
      } else if (f.number == 2) {
        auto& s = push(ss.spans);
        message(c, f, [&](Cursor m) { span(m, s); });
      } else {
        skip(c, f.wire);
      }
    }
  }

  void resource(Cursor c, ResourceSpans& rs) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) attribute(c, f, rs.resource_attributes);
      else skip(c, f.wire);
    }
  }

  void resource_spans(Cursor c, ResourceSpans& rs) {
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) {
        message(c, f, [&](Cursor m) { resource(m, rs); });
      } else if (f.number == 2) {
        auto& ss = push(rs.scope_spans);
        message(c, f, [&](Cursor m) { scope_spans(m, ss); });
      } else {
        skip(c, f.wire);
      }
    }
  }

  ExportRequest request(std::string_view body) {
    ExportRequest out;
    const auto* data = reinterpret_cast<const unsigned char*>(body.data());
    Cursor c{data, data + body.size()};
    while (!c.done()) {
      Field f = tag(c);
      if (f.number == 1) {
        auto& rs = push(out.resource_spans);
        message(c, f, [&](Cursor m) { resource_spans(m, rs); });
      } else {
        skip(c, f.wire);
      }
    }
    return out;
  }

 private:
  const DecodeLimits& limits_;
  DecodeBudget budget_;
  int depth_ = 0;
};

}  // namespace

ExportRequest decode_protobuf(std::string_view body, const DecodeLimits& limits) {
  return Decoder(limits).request(body);
}

}  // namespace sextant::otlp
