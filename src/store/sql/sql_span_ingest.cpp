// SqlTraceStore::log_spans: OTLP span ingest (otlp-ingest.md §3.6), MLflow's
// SqlAlchemyStore.log_spans for several traces in ONE write (the request is all or nothing).
//
// Per trace: create trace_info when missing (insert-or-ignore: a concurrent creator on another
// writer wins and this batch widens its row), with the tags mlflow.trace.spansLocation and
// mlflow.artifactLocation; then one UPDATE that widens the time range, sets the state from the
// root span while the trace is IN_PROGRESS / STATE_UNSPECIFIED and fills NULL previews, all
// computed by the database from the row's current values, so batches of one trace compose in any
// order and on any writer; then the spans are upserted (a re-sent span replaces its row) and the
// batch's token usage is added to mlflow.trace.tokenUsage (read FOR UPDATE; the UPDATE before it
// already holds the trace's row lock on PostgreSQL / MySQL). sizeStats and other metadata are
// untouched.
//
// Write affinity: the request's first trace. A request of one trace (what MLflow's client and
// most SDK batches send) keeps that trace on its writer; a request that mixes traces stays one
// transaction on one writer (all or nothing), so another trace's batch may run on a different
// writer than its earlier ones. That is safe because every trace_info change above is computed
// in SQL under the row lock, not read-modify-written by the client of the lock.
//
// Deviation from MLflow (documented in docs/design/tracing/otlp-ingest.md §5.10): a span whose
// end time is 0 (not ended) does not count for the trace's end, so a trace with no ended span
// keeps execution_time_ms NULL instead of a negative value. Newer MLflow schemas' derived data
// (spans.dimension_attributes, span_metrics, trace_metrics) is not written.
#include <algorithm>
#include <limits>
#include <unordered_map>

#include "core/error.hpp"
#include "core/artifact_uri.hpp"
#include "otlp/python_text.hpp"
#include "otlp/token_usage.hpp"
#include "store/sql/experiment_rows.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/sql_trace_store.hpp"

namespace sextant::store::sql {

namespace {

using core::ErrorCode;
using core::MlflowError;

struct Bounds {
  std::int64_t min_start_ms = std::numeric_limits<std::int64_t>::max();
  std::optional<std::int64_t> max_end_ms;
};

Bounds bounds_of(const TraceSpans& batch) {
  Bounds b;
  for (const auto& s : batch.spans) {
    b.min_start_ms = std::min(b.min_start_ms, s.start_time_unix_nano / 1000000);
    if (s.end_time_unix_nano && *s.end_time_unix_nano > 0) {
      std::int64_t end = *s.end_time_unix_nano / 1000000;
      if (!b.max_end_ms || end > *b.max_end_ms) b.max_end_ms = end;
    }
  }
  return b;
}

// The experiment a new trace goes to: MLflow's get_experiment(header) (any lifecycle stage).
struct ExperimentCache {
  std::optional<std::pair<std::int64_t, std::string>> found;  // id, artifact location

  const std::pair<std::int64_t, std::string>& resolve(db::Connection& conn, const std::string& header) {
    if (found) return *found;
    std::string id = header.empty() ? "0" : header;  // MLflow: experiment_id or DEFAULT_EXPERIMENT_ID
    auto parsed = parse_experiment_id(id);
    if (!parsed) {
      throw MlflowError(ErrorCode::INVALID_PARAMETER_VALUE,
                        "invalid literal for int() with base 10: " + otlp::python_str_repr(id));
    }
    auto e = experiment_by_id(conn, *parsed, /*with_tags=*/false);
    if (!e) experiment_not_found(id);
    found.emplace(*parsed, e->artifact_location);
    return *found;
  }
};

// The trace's experiment, creating its trace_info row when missing.
std::int64_t ensure_trace(db::Connection& conn, const TraceSpans& batch, const Bounds& bounds,
                          const std::string& header, ExperimentCache& experiments) {
  auto& find = conn.cached("SELECT experiment_id FROM trace_info WHERE request_id = ?");
  find.bind(1, batch.trace_id);
  if (find.step()) {
    std::int64_t id = find.int64(0);
    find.reset();
    return id;
  }
  find.reset();
  const auto& [experiment_id, artifact_location] = experiments.resolve(conn, header);
  const auto& d = conn.dialect();
  auto& insert = conn.cached(d.insert_ignore(
      "trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status) VALUES (?, ?, ?, NULL, ?)"));
  insert.bind(1, batch.trace_id).bind(2, experiment_id).bind(3, bounds.min_start_ms).bind(4, core::kTraceStateInProgress);
  insert.run();
  if (conn.changes() == 0) {  // created meanwhile by another writer: use its row
    find.bind(1, batch.trace_id);
    std::int64_t id = find.step() ? find.int64(0) : experiment_id;
    find.reset();
    return id;
  }
  auto& tag = conn.cached(d.insert_ignore("trace_tags (key, value, request_id) VALUES (?, ?, ?)"));
  tag.bind(1, core::kTraceTagSpansLocation).bind(2, core::kTraceSpansInTrackingStore).bind(3, batch.trace_id).run();
  std::string location = core::artifact_uri_join(core::artifact_uri_join(core::artifact_uri_join(artifact_location, "traces"),
                                                                         batch.trace_id),
                                                 "artifacts");
  tag.bind(1, core::kTraceTagArtifactLocation).bind(2, location).bind(3, batch.trace_id).run();
  return experiment_id;
}

// Widens the time range, sets the state from a root span, fills NULL previews. The execution
// time comes first: MySQL evaluates SET assignments left to right with the new values.
void widen_trace(db::Connection& conn, const TraceSpans& batch, const Bounds& bounds) {
  std::string new_ts = "CASE WHEN timestamp_ms > ? THEN ? ELSE timestamp_ms END";
  std::string sql = "UPDATE trace_info SET ";
  // The end (timestamp_ms + execution_time_ms) moves only later; without an ended span in the
  // batch it stays where it was while the start may move earlier.
  if (bounds.max_end_ms) {
    sql += "execution_time_ms = CASE WHEN timestamp_ms + execution_time_ms > ? THEN timestamp_ms + execution_time_ms "
           "ELSE ? END - " + new_ts + ", ";
  } else {
    sql += "execution_time_ms = timestamp_ms + execution_time_ms - " + new_ts + ", ";
  }
  sql += "timestamp_ms = " + new_ts;
  if (batch.root_state) sql += ", status = CASE WHEN status IN ('IN_PROGRESS', 'STATE_UNSPECIFIED') THEN ? ELSE status END";
  if (batch.request_preview) sql += ", request_preview = COALESCE(request_preview, ?)";
  if (batch.response_preview) sql += ", response_preview = COALESCE(response_preview, ?)";
  sql += " WHERE request_id = ?";
  auto& st = conn.cached(sql);
  int i = 1;
  if (bounds.max_end_ms) {
    st.bind(i++, *bounds.max_end_ms);
    st.bind(i++, *bounds.max_end_ms);
  }
  st.bind(i++, bounds.min_start_ms);  // new_ts in execution_time_ms
  st.bind(i++, bounds.min_start_ms);
  st.bind(i++, bounds.min_start_ms);
  st.bind(i++, bounds.min_start_ms);
  if (batch.root_state) st.bind(i++, *batch.root_state);
  if (batch.request_preview) st.bind(i++, *batch.request_preview);
  if (batch.response_preview) st.bind(i++, *batch.response_preview);
  st.bind(i, batch.trace_id).run();
}

// Upserts the spans (a span repeated in the batch: its last copy, as MLflow's merge keeps).
void upsert_spans(db::Connection& conn, const TraceSpans& batch, std::int64_t experiment_id) {
  std::vector<const core::SpanRow*> rows;
  rows.reserve(batch.spans.size());
  std::unordered_map<std::string_view, std::size_t> seen;
  for (const auto& s : batch.spans) {
    auto [it, inserted] = seen.try_emplace(s.span_id, rows.size());
    if (inserted) rows.push_back(&s);
    else rows[it->second] = &s;
  }
  const auto& d = conn.dialect();
  insert_rows(
      conn, rows.size(),
      [&](std::size_t n) {
        return d.upsert("spans (trace_id, experiment_id, span_id, parent_span_id, name, type, status, "
                        "start_time_unix_nano, end_time_unix_nano, content) VALUES " + row_placeholders(n, 10),
                        "trace_id, span_id",
                        "experiment_id = EXCLUDED(experiment_id), parent_span_id = EXCLUDED(parent_span_id), "
                        "name = EXCLUDED(name), type = EXCLUDED(type), status = EXCLUDED(status), "
                        "start_time_unix_nano = EXCLUDED(start_time_unix_nano), "
                        "end_time_unix_nano = EXCLUDED(end_time_unix_nano), content = EXCLUDED(content)");
      },
      [&](db::Statement& st, int i, std::size_t row) {
        const core::SpanRow& s = *rows[row];
        st.bind(i, s.trace_id).bind(i + 1, experiment_id).bind(i + 2, s.span_id).bind(i + 3, s.parent_span_id);
        st.bind(i + 4, s.name).bind(i + 5, s.type).bind(i + 6, s.status).bind_int64(i + 7, s.start_time_unix_nano);
        st.bind(i + 8, s.end_time_unix_nano).bind(i + 9, s.content);
        return i + 10;
      });
}

// mlflow.trace.tokenUsage += the batch's usage.
void add_token_usage(db::Connection& conn, const TraceSpans& batch) {
  if (!batch.token_usage) return;
  const auto& d = conn.dialect();
  auto& read = conn.cached("SELECT value FROM trace_request_metadata WHERE request_id = ? AND key = ?" + d.for_update());
  read.bind(1, batch.trace_id).bind(2, core::kTraceMetaTokenUsage);
  std::optional<std::string> current;
  if (read.step()) current = read.opt_text(0);
  read.reset();
  auto total = otlp::add_token_usage(current, *batch.token_usage);
  if (!total) return;
  auto& write = conn.cached(d.upsert("trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)",
                                     "key, request_id", "value = EXCLUDED(value)"));
  write.bind(1, core::kTraceMetaTokenUsage).bind(2, *total).bind(3, batch.trace_id).run();
}

}  // namespace

void SqlTraceStore::log_spans(const std::string& experiment_id, const std::vector<TraceSpans>& traces) {
  if (traces.empty()) return;
  db_.write(
      [&](db::Connection& conn) {
        ExperimentCache experiments;
        for (const auto& batch : traces) {
          if (batch.spans.empty()) continue;
          try {
            Bounds bounds = bounds_of(batch);
            std::int64_t trace_experiment = ensure_trace(conn, batch, bounds, experiment_id, experiments);
            widen_trace(conn, batch, bounds);
            upsert_spans(conn, batch, trace_experiment);
            add_token_usage(conn, batch);
          } catch (const MlflowError& e) {
            if (e.code() == ErrorCode::TEMPORARILY_UNAVAILABLE) throw;
            throw MlflowError(e.code(), "Trace " + batch.trace_id + ": " + e.what());
          }
        }
      },
      traces.front().trace_id);
}

}  // namespace sextant::store::sql
