// Protobuf wire encoding of the OTLP trace messages loadgen sends to POST /v1/traces
// (application/x-protobuf). Field numbers from the OpenTelemetry protos, as listed in
// docs/design/tracing/otlp-ingest.md §1. Encoding only: loadgen never decodes OTLP.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace loadgen::otlp {

enum Wire : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

inline void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline void put_tag(std::string& out, uint32_t field, Wire wire) { put_varint(out, (uint64_t{field} << 3) | wire); }
inline void put_len(std::string& out, uint32_t field, std::string_view bytes) {
  put_tag(out, field, kLen);
  put_varint(out, bytes.size());
  out.append(bytes);
}
inline void put_fixed64(std::string& out, uint32_t field, uint64_t v) {
  put_tag(out, field, kFixed64);
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
inline void put_uint(std::string& out, uint32_t field, uint64_t v) {
  put_tag(out, field, kVarint);
  put_varint(out, v);
}

// AnyValue (common/v1): a oneof; each function returns the encoded message body.
inline std::string any_string(std::string_view s) { std::string o; put_len(o, 1, s); return o; }
inline std::string any_bool(bool b) { std::string o; put_uint(o, 2, b ? 1 : 0); return o; }
inline std::string any_int(int64_t v) { std::string o; put_uint(o, 3, static_cast<uint64_t>(v)); return o; }
inline std::string any_double(double d) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  std::string o;
  put_fixed64(o, 4, bits);
  return o;
}

// KeyValue {1: key, 2: AnyValue}.
inline std::string key_value(std::string_view key, std::string_view any_value) {
  std::string o;
  put_len(o, 1, key);
  put_len(o, 2, any_value);
  return o;
}

// A JSON value as the AnyValue the MLflow client sends for it (object -> kvlist_value,
// array -> array_value, scalars typed; null -> an empty AnyValue).
template <class Json>
std::string any_from_json(const Json& j) {
  std::string o;
  if (j.is_string()) return any_string(j.template get_ref<const std::string&>());
  if (j.is_boolean()) return any_bool(j.template get<bool>());
  if (j.is_number_integer()) return any_int(j.template get<int64_t>());
  if (j.is_number()) return any_double(j.template get<double>());
  if (j.is_array()) {
    std::string arr;
    for (const auto& e : j) put_len(arr, 1, any_from_json(e));  // ArrayValue.values
    put_len(o, 5, arr);
  } else if (j.is_object()) {
    std::string kvl;
    for (const auto& [k, v] : j.items()) put_len(kvl, 1, key_value(k, any_from_json(v)));  // KeyValueList.values
    put_len(o, 6, kvl);
  }
  return o;
}

// One Span (trace/v1). `attributes` is a run of already encoded `9: KeyValue` fields (see
// append_attribute), so that loadgen can pre-encode the parts that do not change per trace.
struct Span {
  std::array<uint8_t, 16> trace_id{};
  uint64_t span_id = 0;
  uint64_t parent_span_id = 0;  // 0 = root (field left out)
  std::string_view name;
  uint64_t start_ns = 0, end_ns = 0;
  int status_code = 1;  // STATUS_CODE_OK
  std::string_view attributes;
};

inline void append_attribute(std::string& attrs, std::string_view key, std::string_view any_value) {
  put_len(attrs, 9, key_value(key, any_value));
}

inline void put_id(std::string& out, uint32_t field, uint64_t id) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((id >> (8 * (7 - i))) & 0xFF);  // big-endian
  put_len(out, field, std::string_view(b, 8));
}

inline void append_span(std::string& scope_spans, const Span& s) {
  std::string m;
  m.reserve(s.attributes.size() + 128);
  put_len(m, 1, std::string_view(reinterpret_cast<const char*>(s.trace_id.data()), 16));
  put_id(m, 2, s.span_id);
  if (s.parent_span_id) put_id(m, 4, s.parent_span_id);
  put_len(m, 5, s.name);
  put_uint(m, 6, 1);  // SPAN_KIND_INTERNAL
  put_fixed64(m, 7, s.start_ns);
  put_fixed64(m, 8, s.end_ns);
  m.append(s.attributes);
  std::string status;
  put_uint(status, 3, static_cast<uint64_t>(s.status_code));
  put_len(m, 15, status);
  put_len(scope_spans, 2, m);  // ScopeSpans.spans
}

// ExportTraceServiceRequest {1: ResourceSpans {1: Resource, 2: ScopeSpans {1: scope, 2: spans}}}.
// `spans` is the output of append_span calls.
inline std::string export_request(std::string_view service_name, std::string_view spans) {
  std::string resource;
  put_len(resource, 1, key_value("service.name", any_string(service_name)));
  put_len(resource, 1, key_value("telemetry.sdk.language", any_string("python")));
  std::string scope;
  put_len(scope, 1, "mlflow.tracing");
  put_len(scope, 2, "3.6.1");
  std::string scope_spans;
  scope_spans.reserve(spans.size() + 64);
  put_len(scope_spans, 1, scope);
  scope_spans.append(spans);
  std::string rs;
  rs.reserve(scope_spans.size() + 96);
  put_len(rs, 1, resource);
  put_len(rs, 2, scope_spans);
  std::string req;
  req.reserve(rs.size() + 8);
  put_len(req, 1, rs);
  return req;
}

}  // namespace loadgen::otlp
