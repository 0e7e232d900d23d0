// The decoded OTLP trace export request (opentelemetry-proto trace/v1, common/v1, resource/v1;
// field numbers in docs/design/tracing/otlp-ingest.md §1), whatever the wire encoding
// (protobuf_decoder, json_decoder). Ids are raw bytes as sent (their lengths are checked by
// span_conversion, not here). Plain values, no I/O.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sextant::otlp {

struct KeyValue;

// AnyValue: a oneof; `kind` None when no value field was set (MLflow decodes it as null).
struct AnyValue {
  enum class Kind { None, String, Bool, Int, Double, Array, KvList, Bytes };
  Kind kind = Kind::None;
  std::string text;  // String (UTF-8) or Bytes (raw)
  bool boolean = false;
  std::int64_t integer = 0;
  double number = 0.0;
  std::vector<AnyValue> array;   // Array
  std::vector<KeyValue> kvlist;  // KvList (in wire order; duplicate keys kept)
};

struct KeyValue {
  std::string key;
  AnyValue value;
};

struct Event {
  std::uint64_t time_unix_nano = 0;
  std::string name;
  std::vector<KeyValue> attributes;
};

struct Link {
  std::string trace_id, span_id, trace_state;
  std::vector<KeyValue> attributes;
};

struct Status {
  std::string message;
  std::int64_t code = 0;  // 0 UNSET, 1 OK, 2 ERROR; other values kept (open enum)
};

struct Span {
  std::string trace_id;        // bytes (16 expected)
  std::string span_id;         // bytes (8 expected)
  std::string parent_span_id;  // bytes (empty for a root)
  std::string trace_state;
  std::uint32_t flags = 0;
  std::string name;
  std::int64_t kind = 0;
  std::uint64_t start_time_unix_nano = 0;
  std::uint64_t end_time_unix_nano = 0;  // 0 when not set
  std::vector<KeyValue> attributes;
  std::vector<Event> events;
  std::vector<Link> links;
  Status status;
};

struct Scope {
  std::string name, version;
  std::vector<KeyValue> attributes;
};

struct ScopeSpans {
  Scope scope;
  std::vector<Span> spans;
};

struct ResourceSpans {
  std::vector<KeyValue> resource_attributes;
  std::vector<ScopeSpans> scope_spans;
};

struct ExportRequest {
  std::vector<ResourceSpans> resource_spans;
  std::size_t span_count() const {
    std::size_t n = 0;
    for (const auto& r : resource_spans)
      for (const auto& s : r.scope_spans) n += s.spans.size();
    return n;
  }
};

// Bounds every decoder applies: message / value nesting (libprotobuf's default recursion limit
// is 100) and the decoded model's approximate size in bytes (node sizes + string bytes), so a
// small body of many empty messages cannot expand into unbounded memory.
struct DecodeLimits {
  int max_depth = 100;
  std::size_t max_model_bytes = 256u << 20;
};

}  // namespace sextant::otlp
