// The trace store: MLflow 3 traces (trace_info, trace_tags, trace_request_metadata, spans,
// entity_associations) and their assessments, in MLflow's semantics
// (docs/design/tracing/rest-traces.md, otlp-ingest.md). Implementations are thread-safe; every
// method is one transaction (all or nothing); writes of one trace go through one writer (the
// trace id is the write affinity). Errors: core::MlflowError (RESOURCE_DOES_NOT_EXIST with
// MLflow's texts, INVALID_PARAMETER_VALUE, TEMPORARILY_UNAVAILABLE when the database is busy).
// Request-shape validation is the caller's (api/); rules that need the database are here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/trace.hpp"

namespace sextant::store {

// SearchTracesV3 / SearchTraces (v2). The filter and order_by strings are MLflow's trace
// grammar (rest-traces.md §6), parsed by the store (search/trace_filter); a bad one is
// INVALID_PARAMETER_VALUE with the parser's message.
struct TraceQuery {
  std::vector<std::string> experiment_ids;
  std::string filter;
  std::vector<std::string> order_by;  // default: timestamp_ms DESC, request_id ASC
  std::int64_t max_results = 100;
  std::int64_t offset = 0;
};

struct TraceSearchPage {
  std::vector<core::TraceInfo> traces;  // with tags, metadata, assessments
  bool full = false;                    // len == max_results: the caller emits a next-page token
};

// CalculateTraceFilterCorrelation's counts (rest-traces.md §4.9).
struct TraceFilterCounts {
  std::int64_t total = 0, filter1 = 0, filter2 = 0, joint = 0;
};

// DeleteTraces: presence matters (absent != 0); the API checks the combinations.
struct TraceDeletion {
  std::string experiment_id;
  std::optional<std::int64_t> max_timestamp_millis;
  std::optional<std::int64_t> max_traces;
  std::vector<std::string> trace_ids;
};

// Spans of one trace received by OTLP ingest, already converted to rows (otlp/span_conversion).
using TraceSpans = core::TraceSpanBatch;

// A trace the retention (sextant gc) may delete, with what locating its artifacts needs.
struct ExpiredTrace {
  std::string trace_id;
  std::string experiment_id;
  std::string experiment_artifact_location;     // experiments.artifact_location
  std::optional<std::string> artifact_location;  // its tag mlflow.artifactLocation, if any
};

class TraceStore {
 public:
  virtual ~TraceStore() = default;

  // --- traces ---
  // StartTraceV3: creates the trace or overwrites an existing one's columns (kept: its spans,
  // and tags/metadata the request does not name); adds mlflow.artifactLocation and
  // mlflow.trace.spansLocation=TRACKING_STORE. Experiment must exist and be active.
  virtual core::TraceInfo start_trace(const core::TraceInfo& info) = 0;
  // RESOURCE_DOES_NOT_EXIST "Trace with ID '<id>' not found." when unknown.
  virtual core::TraceInfo get_trace_info(const std::string& trace_id) = 0;
  // The traces that exist, in the order asked for (unknown ids dropped).
  virtual std::vector<core::TraceInfo> get_trace_infos(const std::vector<std::string>& trace_ids) = 0;
  // Calls `sink` for each stored span of the trace, root(s) first then by start time, one row
  // at a time (a trace of 10,000 spans is never held whole). Returns how many.
  virtual std::size_t read_spans(const std::string& trace_id,
                                 const std::function<void(const core::SpanRow&)>& sink) = 0;
  // How many spans of the trace are stored (GetTrace's completeness rule).
  virtual std::size_t count_spans(const std::string& trace_id) = 0;
  // Legacy StartTrace (v2): a new trace (id: 32 hex, no "tr-"), IN_PROGRESS, no execution time,
  // with the request's tags plus mlflow.artifactLocation (no spansLocation: v2 traces keep their
  // spans in artifacts) and metadata. Experiment must exist and be active.
  virtual core::TraceInfo start_trace_v2(const core::TraceInfo& info) = 0;
  // Legacy EndTrace (v2): execution_time_ms = timestamp_ms - the stored timestamp, state set,
  // metadata and tags upserted. RESOURCE_DOES_NOT_EXIST "Trace with ID '<id>' not found.".
  virtual core::TraceInfo end_trace_v2(const std::string& trace_id, std::int64_t timestamp_ms, const std::string& state,
                                       const std::vector<core::Tag>& metadata, const std::vector<core::Tag>& tags) = 0;
  // Upsert; the trace must exist (RESOURCE_DOES_NOT_EXIST "Trace with ID '<id>' not found.").
  virtual void set_trace_tag(const std::string& trace_id, const core::Tag& tag) = 0;
  virtual void delete_trace_tag(const std::string& trace_id, const std::string& key) = 0;
  // Returns the number of trace_info rows deleted (children cascade).
  virtual std::int64_t delete_traces(const TraceDeletion& deletion) = 0;
  // The run must exist; unknown trace ids are skipped; idempotent.
  virtual void link_traces_to_run(const std::vector<std::string>& trace_ids, const std::string& run_id) = 0;
  virtual TraceSearchPage search_traces(const TraceQuery& query) = 0;
  // Counts over the experiments' traces (filters as in search; `base_filter` may be empty).
  virtual TraceFilterCounts count_trace_filters(const std::vector<std::string>& experiment_ids,
                                                const std::string& filter1, const std::string& filter2,
                                                const std::string& base_filter) = 0;

  // --- OTLP ingest ---
  // Stores the spans (a re-sent span replaces its row) and creates or widens each trace's
  // trace_info (otlp-ingest.md §3.6), all in one transaction: any failure stores nothing.
  // As in MLflow, the experiment is only looked at when a trace is created (it must exist; a
  // deleted one is accepted); spans of an existing trace go to that trace's experiment.
  // Errors other than TEMPORARILY_UNAVAILABLE name the trace as MLflow's handler does:
  // message "Trace <trace id>: <MLflow's message>".
  virtual void log_spans(const std::string& experiment_id, const std::vector<TraceSpans>& traces) = 0;

  // --- retention (sextant gc, docs/operations.md) ---
  // Up to `limit` traces with timestamp_ms < before_ms, of `experiment_ids` (every experiment
  // when empty), oldest first.
  virtual std::vector<ExpiredTrace> expired_traces(const std::vector<std::string>& experiment_ids,
                                                   std::int64_t before_ms, std::size_t limit) = 0;
  // Deletes the traces with their spans, tags, request metadata, assessments and entity
  // associations in one short write; unknown ids are skipped. Returns how many traces went.
  virtual std::int64_t purge_traces(const std::vector<std::string>& trace_ids) = 0;

  // --- assessments (rest-traces.md §7) ---
  virtual core::Assessment create_assessment(const core::Assessment& assessment) = 0;
  virtual core::Assessment get_assessment(const std::string& trace_id, const std::string& assessment_id) = 0;
  // `fields` names the columns to replace (MLflow's FieldMask, already mapped by the API).
  virtual core::Assessment update_assessment(const core::Assessment& assessment,
                                             const std::vector<std::string>& fields) = 0;
  virtual void delete_assessment(const std::string& trace_id, const std::string& assessment_id) = 0;
};

}  // namespace sextant::store
