#include "otlp/span_conversion.hpp"

#include <limits>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "otlp/decode_budget.hpp"
#include "otlp/genai_translation.hpp"
#include "otlp/otlp_error.hpp"
#include "otlp/python_text.hpp"
#include "otlp/span_attributes.hpp"
#include "otlp/token_usage.hpp"
#include "otlp/trace_preview.hpp"
#include "util/base64.hpp"
#include "util/python_format.hpp"
#include "util/python_json_loads.hpp"

namespace sextant::otlp {

namespace {

constexpr const char* kRequestIdKey = "mlflow.traceRequestId";
constexpr const char* kSpanTypeKey = "mlflow.spanType";
constexpr const char* kInputsKey = "mlflow.spanInputs";
constexpr const char* kOutputsKey = "mlflow.spanOutputs";
constexpr const char* kTokenUsageKey = "mlflow.chat.tokenUsage";
constexpr std::size_t kMaxTraceIdLength = 50;  // trace_info.request_id is VARCHAR(50)

[[noreturn]] void unconvertible() {
  throw OtlpError(OtlpError::Kind::Unconvertible, "Cannot convert OpenTelemetry span to MLflow span");
}

void append_string(std::string& out, std::string_view utf8, bool ensure_ascii) {
  if (ensure_ascii) out += util::python_json_string(utf8);
  else append_json_string_raw(out, utf8);
}

// json.dumps of the Python value MLflow decodes an AnyValue into (_decode_otel_proto_anyvalue):
// a kvlist is a dict (a repeated key keeps its first place and its last value), bytes are their
// str().
void append_dict(std::string& out, const std::vector<KeyValue>& items, bool ensure_ascii);

void append_any(std::string& out, const AnyValue& v, bool ensure_ascii) {
  switch (v.kind) {
    case AnyValue::Kind::None: out += "null"; return;
    case AnyValue::Kind::String: append_string(out, v.text, ensure_ascii); return;
    case AnyValue::Kind::Bool: out += v.boolean ? "true" : "false"; return;
    case AnyValue::Kind::Int: out += std::to_string(v.integer); return;
    case AnyValue::Kind::Double: out += util::python_float_repr(v.number); return;
    case AnyValue::Kind::Bytes: append_string(out, python_bytes_repr(v.text), ensure_ascii); return;
    case AnyValue::Kind::Array: {
      out += '[';
      for (std::size_t i = 0; i < v.array.size(); ++i) {
        if (i) out += ", ";
        append_any(out, v.array[i], ensure_ascii);
      }
      out += ']';
      return;
    }
    case AnyValue::Kind::KvList: append_dict(out, v.kvlist, ensure_ascii); return;
  }
}

// A dict from key-value pairs: the first position of each key, its last value.
void append_dict(std::string& out, const std::vector<KeyValue>& items, bool ensure_ascii) {
  std::vector<std::size_t> order;  // index of the value each slot shows
  std::unordered_map<std::string_view, std::size_t> slot;
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto [it, inserted] = slot.try_emplace(items[i].key, order.size());
    if (inserted) order.push_back(i);
    else order[it->second] = i;
  }
  out += '{';
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k) out += ", ";
    const KeyValue& kv = items[order[k]];
    append_string(out, kv.key, ensure_ascii);
    out += ": ";
    append_any(out, kv.value, ensure_ascii);
  }
  out += '}';
}

std::string dump_any(const AnyValue& v, bool ensure_ascii) {
  std::string out;
  append_any(out, v, ensure_ascii);
  return out;
}

// sanitize_attributes: a str attribute whose text is itself JSON for a str or a dict is stored as
// sent instead of dumped a second time. Only a str attribute's dump json.loads to a str.
bool stored_as_sent(const AnyValue& v) {
  if (v.kind != AnyValue::Kind::String) return false;
  std::string_view t = v.text;
  std::size_t i = t.find_first_not_of(" \t\n\r");
  if (i == std::string_view::npos || (t[i] != '"' && t[i] != '{')) return false;
  auto r = util::python_json_loads(t);
  if (r.status == util::PythonJsonLoad::Status::TooDeep) {
    throw OtlpError(OtlpError::Kind::TraceFailed, "maximum recursion depth exceeded while decoding a JSON document");
  }
  return r.status == util::PythonJsonLoad::Status::Ok && (r.value.is_string() || r.value.is_object());
}

std::string hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto b = static_cast<unsigned char>(c);
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

bool all_zero(std::string_view bytes) { return bytes.find_first_not_of('\0') == std::string_view::npos; }

std::int64_t nanos(std::uint64_t v) {
  if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) unconvertible();
  return static_cast<std::int64_t>(v);
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// One span, converted (Span.from_otel_proto); the storing half (translation, content) follows
// in store_form() once the trace is known, since its failures name the trace.
struct ConvertedSpan {
  const Span* span;
  core::SpanRow row;
  SpanAttributes attributes;
  bool root = false;
  bool error = false;
};

ConvertedSpan from_otel(const Span& s) {
  // All-zero ids are invalid for W3C but MLflow stores them (and its tests send them).
  if (s.trace_id.size() != 16 || s.span_id.size() != 8) unconvertible();
  bool root = s.parent_span_id.empty() || (s.parent_span_id.size() == 8 && all_zero(s.parent_span_id));
  if (!root && s.parent_span_id.size() != 8) unconvertible();
  ConvertedSpan c;
  c.span = &s;
  c.root = root;
  c.row.span_id = hex(s.span_id);
  if (!root) c.row.parent_span_id = hex(s.parent_span_id);
  c.row.name = s.name;
  c.row.start_time_unix_nano = nanos(s.start_time_unix_nano);
  c.row.end_time_unix_nano = nanos(s.end_time_unix_nano);  // 0 when unset, as MLflow stores it
  c.error = s.status.code == 2;
  c.row.status = s.status.code == 1 ? "OK" : s.status.code == 2 ? "ERROR" : "UNSET";

  // {"mlflow.traceRequestId": dumps("tr-<hex>"), **{key: dumps(decoded value)}}
  std::string default_id = "tr-" + hex(s.trace_id);
  std::string dumped_id;
  append_json_string_raw(dumped_id, default_id);
  c.attributes.set(kRequestIdKey, std::move(dumped_id));
  const AnyValue* request_id = nullptr;
  const AnyValue* span_type = nullptr;
  for (const auto& kv : s.attributes) {
    if (kv.key == kRequestIdKey) request_id = &kv.value;
    if (kv.key == kSpanTypeKey) span_type = &kv.value;
  }
  // Span.trace_id reads mlflow.traceRequestId back: a client's own value wins.
  if (!request_id) {
    c.row.trace_id = default_id;
  } else if (request_id->kind != AnyValue::Kind::String || request_id->text.empty() ||
             code_points(request_id->text) > kMaxTraceIdLength) {
    unconvertible();
  } else {
    c.row.trace_id = request_id->text;
  }
  // Span.span_type: json.loads of the attribute (before translation).
  if (span_type && span_type->kind == AnyValue::Kind::String) c.row.type = span_type->text;
  else if (span_type && span_type->kind != AnyValue::Kind::None) c.row.type = dump_any(*span_type, false);
  return c;
}

// translate_span_when_storing + json.dumps(span_dict, cls=TraceJSONEncoder).
void store_form(ConvertedSpan& c) {
  const Span& s = *c.span;
  for (const auto& kv : s.attributes) {
    c.attributes.set(kv.key, stored_as_sent(kv.value) ? kv.value.text : dump_any(kv.value, false));
  }
  SpanAttributes& a = c.attributes;
  if (!a.contains(kInputsKey))
    if (auto v = translated_inputs(a)) a.set(kInputsKey, std::move(*v));
  if (!a.contains(kOutputsKey))
    if (auto v = translated_outputs(a)) a.set(kOutputsKey, std::move(*v));
  if (!a.contains(kTokenUsageKey))
    if (auto v = translated_token_usage(a)) a.set(kTokenUsageKey, std::move(*v));
  if (!a.contains(kSpanTypeKey))
    if (auto v = translated_span_type(a)) a.set(kSpanTypeKey, util::python_json_string(*v));

  std::string& out = c.row.content;
  out.reserve(256 + s.name.size());
  out += "{\"trace_id\": \"";
  out += util::base64_encode(s.trace_id);
  out += "\", \"span_id\": \"";
  out += util::base64_encode(s.span_id);
  out += "\", \"parent_span_id\": ";
  if (c.root) {
    out += "null";
  } else {
    out += '"';
    out += util::base64_encode(s.parent_span_id);
    out += '"';
  }
  out += ", \"name\": ";
  out += util::python_json_string(s.name);
  out += ", \"start_time_unix_nano\": " + std::to_string(s.start_time_unix_nano);
  out += ", \"end_time_unix_nano\": " + std::to_string(s.end_time_unix_nano);
  out += ", \"events\": [";
  for (std::size_t i = 0; i < s.events.size(); ++i) {
    const Event& e = s.events[i];
    if (i) out += ", ";
    out += "{\"name\": ";
    out += util::python_json_string(e.name);
    out += ", \"time_unix_nano\": " + std::to_string(e.time_unix_nano);
    out += ", \"attributes\": ";
    append_dict(out, e.attributes, true);
    out += '}';
  }
  out += "], \"status\": {\"code\": \"";
  out += c.row.status == "OK" ? "STATUS_CODE_OK" : c.row.status == "ERROR" ? "STATUS_CODE_ERROR" : "STATUS_CODE_UNSET";
  out += "\", \"message\": ";
  // OTel's Status keeps a description only for ERROR.
  out += util::python_json_string(c.error ? s.status.message : std::string());
  out += "}, \"attributes\": {";
  bool first = true;
  for (const auto& [k, v] : a.items()) {
    if (!first) out += ", ";
    first = false;
    out += util::python_json_string(k);
    out += ": ";
    out += util::python_json_string(v);
  }
  out += "}}";
}

// _update_trace_info_attributes for a root span: a later root span's previews replace an
// earlier one's; a preview that cannot be made ends this span's update.
void root_previews(core::TraceSpanBatch& batch, const SpanAttributes& a) {
  if (const std::string* in = a.get(kInputsKey); in && !in->empty()) {
    auto p = truncated_preview(*in, "user");
    if (!p) return;
    batch.request_preview = std::move(p);
  }
  if (const std::string* outputs = a.get(kOutputsKey); outputs && !outputs->empty()) {
    if (auto p = truncated_preview(*outputs, "assistant")) batch.response_preview = std::move(p);
  }
}

// What one trace's batch says about its trace_info (SqlAlchemyStore.log_spans).
void summarize(core::TraceSpanBatch& batch, const std::vector<ConvertedSpan>& spans) {
  std::optional<std::string> usage;
  for (const auto& c : spans) {
    if (c.root) {
      if (!batch.root_state) batch.root_state = c.error ? core::kTraceStateError : core::kTraceStateOk;
      root_previews(batch, c.attributes);
    }
    if (const std::string* u = c.attributes.get(kTokenUsageKey); u && !u->empty()) {
      if (auto sum = add_token_usage(usage, *u)) usage = std::move(sum);
    }
  }
  batch.token_usage = std::move(usage);
}

}  // namespace

std::vector<core::TraceSpanBatch> convert_request(const ExportRequest& request, std::size_t max_output_bytes) {
  // Every span is converted before anything is stored (MLflow: 422 for any span).
  std::vector<std::vector<ConvertedSpan>> groups;
  std::unordered_map<std::string, std::size_t> group_of;
  for (const auto& rs : request.resource_spans)
    for (const auto& ss : rs.scope_spans)
      for (const auto& s : ss.spans) {
        ConvertedSpan c = from_otel(s);
        auto [it, inserted] = group_of.try_emplace(c.row.trace_id, groups.size());
        if (inserted) groups.emplace_back();
        groups[it->second].push_back(std::move(c));
      }

  DecodeBudget budget(max_output_bytes, "converted");
  std::vector<core::TraceSpanBatch> out;
  std::string failures;
  for (auto& group : groups) {
    core::TraceSpanBatch batch;
    batch.trace_id = group.front().row.trace_id;
    try {
      for (auto& c : group) {
        store_form(c);
        budget.charge(c.row.content.size() + c.row.name.size() + 128);
      }
      summarize(batch, group);
    } catch (const OtlpError& e) {
      if (e.kind() != OtlpError::Kind::TraceFailed) throw;
      if (!failures.empty()) failures += '\n';
      failures += "Trace " + batch.trace_id + ": " + e.what();
      continue;
    }
    batch.spans.reserve(group.size());
    for (auto& c : group) batch.spans.push_back(std::move(c.row));
    out.push_back(std::move(batch));
  }
  if (!failures.empty()) throw OtlpError(OtlpError::Kind::TraceFailed, failures);
  return out;
}

}  // namespace sextant::otlp
