// MLflow 3 GenAI tracing entities as plain values (docs/design/tracing/rest-traces.md §3):
// trace info (trace_info + trace_tags + trace_request_metadata rows), stored spans (the
// `spans` table; `content` is MLflow's span dict JSON text), and assessments. No I/O, no JSON
// encoding here (api/trace_json does that).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/entities.hpp"

namespace sextant::core {

// Trace states as MLflow stores them in trace_info.status.
inline constexpr const char* kTraceStateOk = "OK";
inline constexpr const char* kTraceStateError = "ERROR";
inline constexpr const char* kTraceStateInProgress = "IN_PROGRESS";
inline constexpr const char* kTraceStateUnspecified = "STATE_UNSPECIFIED";

// System tags and metadata keys the server writes or reads.
inline constexpr const char* kTraceTagSpansLocation = "mlflow.trace.spansLocation";
inline constexpr const char* kTraceSpansInTrackingStore = "TRACKING_STORE";
inline constexpr const char* kTraceTagArtifactLocation = "mlflow.artifactLocation";
inline constexpr const char* kTraceMetaSizeStats = "mlflow.trace.sizeStats";  // JSON; num_spans
inline constexpr const char* kTraceMetaTokenUsage = "mlflow.trace.tokenUsage";
inline constexpr const char* kTraceMetaSourceRun = "mlflow.sourceRun";

struct AssessmentSource {
  std::string source_type = "SOURCE_TYPE_UNSPECIFIED";  // HUMAN | LLM_JUDGE | CODE | ...
  std::string source_id;
};

// One row of `assessments` (rest-traces.md §3.4, §7).
struct Assessment {
  std::string assessment_id;  // "a-<32 hex>"
  std::string trace_id;
  std::string name;
  std::string assessment_type;  // "feedback" | "expectation"
  std::string value;            // json.dumps of the value ("null" for None)
  std::optional<std::string> error;  // JSON {"error_code", "error_message", "stack_trace"?}
  std::optional<std::string> span_id, rationale, overrides, run_id;
  std::optional<std::string> metadata;  // JSON object text (string -> string)
  std::int64_t created_timestamp = 0, last_updated_timestamp = 0;  // ms
  AssessmentSource source;
  bool valid = true;
};

// trace_info with its tags, request metadata and assessments.
struct TraceInfo {
  std::string trace_id;  // request_id column: "tr-<32 hex>" (or a client's own id)
  std::string experiment_id;
  std::optional<std::string> client_request_id, request_preview, response_preview;
  std::int64_t timestamp_ms = 0;
  std::optional<std::int64_t> execution_time_ms;
  std::string state = kTraceStateUnspecified;
  std::vector<Tag> metadata;  // ordered by key
  std::vector<Tag> tags;      // ordered by key
  std::vector<Assessment> assessments;  // ordered by created_timestamp, then as created
};

// One row of `spans`.
struct SpanRow {
  std::string trace_id;  // MLflow trace id ("tr-...")
  std::string span_id;   // 16 lowercase hex
  std::optional<std::string> parent_span_id;  // 16 hex, none for a root span
  std::string name;
  std::optional<std::string> type;  // decoded mlflow.spanType
  std::string status;               // "OK" | "ERROR" | "UNSET"
  std::int64_t start_time_unix_nano = 0;
  std::optional<std::int64_t> end_time_unix_nano;
  std::string content;  // MLflow's span dict as JSON text (attribute values JSON-encoded)
};

// The spans of one trace received in one OTLP request (converted by otlp/span_conversion), with
// what they say about the trace (otlp-ingest.md §3.6): the state of its first root span, the
// previews from its root spans' inputs / outputs, the batch's summed token usage.
struct TraceSpanBatch {
  std::string trace_id;  // "tr-<32 hex>" (or the spans' mlflow.traceRequestId)
  std::vector<SpanRow> spans;
  std::optional<std::string> root_state;  // kTraceStateOk / kTraceStateError; none without a root span
  std::optional<std::string> request_preview, response_preview;  // set only where still NULL
  std::optional<std::string> token_usage;  // JSON object text, added to mlflow.trace.tokenUsage
};

}  // namespace sextant::core
