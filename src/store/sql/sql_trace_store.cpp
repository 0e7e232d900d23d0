// SqlTraceStore: traces, tags, spans read, delete, links (see sql_trace_store.hpp).
#include "store/sql/sql_trace_store.hpp"

#include <map>
#include <string_view>
#include <unordered_map>
#include <nlohmann/json.hpp>

#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "store/sql/experiment_rows.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/trace_rows.hpp"
#include "util/random_id.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

namespace {

constexpr std::size_t kDeleteChunk = 500;  // trace ids per DELETE ... IN (...)
constexpr std::size_t kSpanBatch = 256;    // spans per read in read_spans

// The token-usage keys MLflow copies from mlflow.trace.tokenUsage into trace_metrics.
constexpr const char* kTokenUsageKeys[] = {"input_tokens", "output_tokens", "total_tokens",
                                           "cache_read_input_tokens", "cache_creation_input_tokens"};

std::string trace_artifact_location(const core::Experiment& experiment, const std::string& trace_id) {
  return core::artifact_uri_join(experiment.artifact_location, "traces/" + trace_id + "/artifacts");
}

void upsert_key_value(db::Connection& conn, const char* table, const std::string& trace_id, const core::Tag& tag) {
  auto& st = conn.cached(conn.dialect().upsert(std::string(table) + " (key, value, request_id) VALUES (?, ?, ?)",
                                               "key, request_id", "value = EXCLUDED(value)"));
  st.bind(1, tag.key).bind(2, tag.value).bind(3, trace_id).run();
}

void upsert_tag(db::Connection& conn, const std::string& trace_id, const core::Tag& tag) {
  upsert_key_value(conn, "trace_tags", trace_id, tag);
}

void upsert_metadata(db::Connection& conn, const std::string& trace_id, const core::Tag& entry) {
  upsert_key_value(conn, "trace_request_metadata", trace_id, entry);
}

// trace_metrics rows from the metadata's token usage (MLflow from b7c8d9e0f1a2 on), so that
// MLflow's own trace-metrics views see Sextant's traces. A malformed value writes nothing.
void upsert_token_metrics(db::Connection& conn, const std::string& trace_id, const std::vector<core::Tag>& metadata) {
  for (const auto& m : metadata) {
    if (m.key != core::kTraceMetaTokenUsage) continue;
    auto usage = nlohmann::json::parse(m.value, nullptr, /*allow_exceptions=*/false);
    if (!usage.is_object()) return;
    for (const char* key : kTokenUsageKeys) {
      auto it = usage.find(key);
      if (it == usage.end() || !it->is_number()) continue;
      auto& st = conn.cached(conn.dialect().upsert("trace_metrics (request_id, key, value) VALUES (?, ?, ?)",
                                                   "request_id, key", "value = EXCLUDED(value)"));
      st.bind(1, trace_id).bind(2, key).bind(3, it->get<double>()).run();
    }
  }
}

// An assessment that arrives inside a trace (StartTraceV3): stored as MLflow's merge does,
// replacing a row of the same id.
void upsert_assessment(db::Connection& conn, const std::string& trace_id, core::Assessment a) {
  const auto now = util::now_ms();
  if (a.assessment_id.empty()) a.assessment_id = "a-" + util::uuid4_hex();
  if (a.created_timestamp == 0) a.created_timestamp = now;
  if (a.last_updated_timestamp == 0) a.last_updated_timestamp = now;
  auto& st = conn.cached(conn.dialect().upsert(
      "assessments (assessment_id, trace_id, name, assessment_type, value, error, created_timestamp, "
      "last_updated_timestamp, source_type, source_id, run_id, span_id, rationale, overrides, valid, "
      "assessment_metadata) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      "assessment_id",
      "trace_id = EXCLUDED(trace_id), name = EXCLUDED(name), assessment_type = EXCLUDED(assessment_type), "
      "value = EXCLUDED(value), error = EXCLUDED(error), created_timestamp = EXCLUDED(created_timestamp), "
      "last_updated_timestamp = EXCLUDED(last_updated_timestamp), source_type = EXCLUDED(source_type), "
      "source_id = EXCLUDED(source_id), run_id = EXCLUDED(run_id), span_id = EXCLUDED(span_id), "
      "rationale = EXCLUDED(rationale), overrides = EXCLUDED(overrides), valid = EXCLUDED(valid), "
      "assessment_metadata = EXCLUDED(assessment_metadata)"));
  std::optional<std::string> source_id;
  if (!a.source.source_id.empty()) source_id = a.source.source_id;
  st.bind(1, a.assessment_id)
      .bind(2, trace_id)
      .bind(3, a.name)
      .bind(4, a.assessment_type)
      .bind(5, a.value)
      .bind(6, a.error)
      .bind(7, a.created_timestamp)
      .bind(8, a.last_updated_timestamp)
      .bind(9, a.source.source_type)
      .bind(10, source_id)
      .bind(11, a.run_id)
      .bind(12, a.span_id)
      .bind(13, a.rationale)
      .bind(14, a.overrides)
      .bind(15, 1)
      .bind(16, a.metadata)
      .run();
}

core::TraceInfo existing_trace(db::Connection& conn, const std::string& trace_id) {
  auto info = load_trace_info(conn, trace_id);
  if (!info) trace_not_found(trace_id);
  return std::move(*info);
}

void insert_trace_row(db::Connection& conn, const core::TraceInfo& t, std::int64_t experiment_id) {
  auto& st = conn.cached(
      "INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, "
      "request_preview, response_preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  st.bind(1, t.trace_id)
      .bind(2, experiment_id)
      .bind(3, t.timestamp_ms)
      .bind(4, t.execution_time_ms)
      .bind(5, t.state)
      .bind(6, t.client_request_id)
      .bind(7, t.request_preview)
      .bind(8, t.response_preview)
      .run();
}

}  // namespace

core::TraceInfo SqlTraceStore::start_trace(const core::TraceInfo& info) {
  core::TraceInfo result;
  const bool trace_metrics = db_.schema().trace_metrics;
  db_.write(
      [&](db::Connection& conn) {
        auto experiment = active_experiment(conn, info.experiment_id);
        const auto experiment_id = std::stoll(experiment.experiment_id);
        if (trace_experiment(conn, info.trace_id)) {
          // Created by OTLP ingest (or a retried StartTraceV3): the request's columns win; previews
          // the request lacks keep what ingest computed; spans, other tags and metadata stay.
          auto& st = conn.cached(
              "UPDATE trace_info SET experiment_id = ?, timestamp_ms = ?, execution_time_ms = ?, status = ?, "
              "client_request_id = ?, request_preview = COALESCE(?, request_preview), "
              "response_preview = COALESCE(?, response_preview) WHERE request_id = ?");
          st.bind(1, experiment_id)
              .bind(2, info.timestamp_ms)
              .bind(3, info.execution_time_ms)
              .bind(4, info.state)
              .bind(5, info.client_request_id)
              .bind(6, info.request_preview)
              .bind(7, info.response_preview)
              .bind(8, info.trace_id)
              .run();
        } else {
          insert_trace_row(conn, info, experiment_id);
        }
        std::map<std::string, std::string> tags;
        for (const auto& t : info.tags) tags[t.key] = t.value;
        tags[core::kTraceTagArtifactLocation] = trace_artifact_location(experiment, info.trace_id);
        tags[core::kTraceTagSpansLocation] = core::kTraceSpansInTrackingStore;
        for (const auto& [k, v] : tags) upsert_tag(conn, info.trace_id, {k, v});
        for (const auto& m : info.metadata) upsert_metadata(conn, info.trace_id, m);
        if (trace_metrics) upsert_token_metrics(conn, info.trace_id, info.metadata);
        for (const auto& a : info.assessments) upsert_assessment(conn, info.trace_id, a);
        result = existing_trace(conn, info.trace_id);
      },
      info.trace_id);
  return result;
}

core::TraceInfo SqlTraceStore::start_trace_v2(const core::TraceInfo& info) {
  core::TraceInfo result;
  const std::string trace_id = util::uuid4_hex();
  db_.write(
      [&](db::Connection& conn) {
        auto experiment = active_experiment(conn, info.experiment_id);
        core::TraceInfo row = info;
        row.trace_id = trace_id;
        row.state = core::kTraceStateInProgress;
        row.execution_time_ms.reset();
        insert_trace_row(conn, row, std::stoll(experiment.experiment_id));
        std::map<std::string, std::string> tags;
        for (const auto& t : info.tags) tags[t.key] = t.value;
        tags[core::kTraceTagArtifactLocation] = trace_artifact_location(experiment, trace_id);
        for (const auto& [k, v] : tags) upsert_tag(conn, trace_id, {k, v});
        for (const auto& m : info.metadata) upsert_metadata(conn, trace_id, m);
        result = existing_trace(conn, trace_id);
      },
      trace_id);
  return result;
}

core::TraceInfo SqlTraceStore::end_trace_v2(const std::string& trace_id, std::int64_t timestamp_ms,
                                            const std::string& state, const std::vector<core::Tag>& metadata,
                                            const std::vector<core::Tag>& tags) {
  core::TraceInfo result;
  db_.write(
      [&](db::Connection& conn) {
        auto existing = existing_trace(conn, trace_id);
        auto& st = conn.cached("UPDATE trace_info SET execution_time_ms = ?, status = ? WHERE request_id = ?");
        st.bind(1, timestamp_ms - existing.timestamp_ms).bind(2, state).bind(3, trace_id).run();
        for (const auto& m : metadata) upsert_metadata(conn, trace_id, m);
        for (const auto& t : tags) upsert_tag(conn, trace_id, t);
        result = existing_trace(conn, trace_id);
      },
      trace_id);
  return result;
}

core::TraceInfo SqlTraceStore::get_trace_info(const std::string& trace_id) {
  core::TraceInfo result;
  db_.read([&](db::Connection& conn) { result = existing_trace(conn, trace_id); });
  return result;
}

std::vector<core::TraceInfo> SqlTraceStore::get_trace_infos(const std::vector<std::string>& trace_ids) {
  std::vector<core::TraceInfo> result;
  db_.read([&](db::Connection& conn) { result = load_trace_infos(conn, trace_ids); });
  return result;
}

std::size_t SqlTraceStore::count_spans(const std::string& trace_id) {
  std::size_t n = 0;
  db_.read([&](db::Connection& conn) {
    auto& st = conn.cached("SELECT COUNT(*) FROM spans WHERE trace_id = ?");
    st.bind(1, trace_id);
    n = st.step() ? static_cast<std::size_t>(st.int64(0)) : 0;
    st.reset();
  });
  return n;
}

// The span ids in MLflow's order first (root spans, then by start time; span_id keeps ties
// stable), then the rows kSpanBatch at a time, each batch in its own short read: memory holds
// one batch, and no database connection is held while `sink` runs (it may write to a slow client).
std::size_t SqlTraceStore::read_spans(const std::string& trace_id,
                                      const std::function<void(const core::SpanRow&)>& sink) {
  std::vector<std::string> order;
  db_.read([&](db::Connection& conn) {
    order.clear();
    auto& st = conn.cached(
        "SELECT span_id FROM spans WHERE trace_id = ? ORDER BY CASE WHEN parent_span_id IS NULL THEN 0 ELSE 1 END, "
        "start_time_unix_nano, span_id");
    st.bind(1, trace_id);
    while (st.step()) order.push_back(st.text(0));
    st.reset();
  });
  std::size_t n = 0;
  std::vector<std::optional<core::SpanRow>> batch;
  for (std::size_t start = 0; start < order.size(); start += kSpanBatch) {
    const std::size_t count = std::min(kSpanBatch, order.size() - start);
    db_.read([&](db::Connection& conn) {
      batch.assign(count, std::nullopt);
      std::unordered_map<std::string_view, std::size_t> slot;
      for (std::size_t i = 0; i < count; ++i) slot.emplace(order[start + i], i);
      auto& st = conn.cached(std::string(kSpanColumns) + " WHERE trace_id = ? AND span_id IN (" +
                             in_placeholders(kSpanBatch) + ")");
      st.bind(1, trace_id);
      for (std::size_t i = 0; i < kSpanBatch; ++i)  // spare slots repeat the last id
        st.bind(static_cast<int>(i + 2), order[start + std::min(i, count - 1)]);
      while (st.step()) {
        auto row = read_span_row(st);
        auto it = slot.find(row.span_id);
        if (it != slot.end()) batch[it->second] = std::move(row);
      }
      st.reset();
    });
    for (const auto& row : batch) {
      if (!row) continue;  // deleted since the ids were read
      sink(*row);
      ++n;
    }
  }
  return n;
}

void SqlTraceStore::set_trace_tag(const std::string& trace_id, const core::Tag& tag) {
  db_.write(
      [&](db::Connection& conn) {
        if (!trace_experiment(conn, trace_id)) trace_not_found(trace_id);
        upsert_tag(conn, trace_id, tag);
      },
      trace_id);
}

void SqlTraceStore::delete_trace_tag(const std::string& trace_id, const std::string& key) {
  db_.write(
      [&](db::Connection& conn) {
        if (!trace_experiment(conn, trace_id)) trace_not_found(trace_id);
        auto& st = conn.cached("DELETE FROM trace_tags WHERE request_id = ? AND key = ?");
        st.bind(1, trace_id).bind(2, key).run();
        if (conn.changes() == 0) {
          core::throw_not_found("No trace tag with key '" + key + "' for trace with ID '" + trace_id + "'");
        }
      },
      trace_id);
}

std::int64_t SqlTraceStore::delete_traces(const TraceDeletion& d) {
  auto experiment_id = parse_experiment_id(d.experiment_id);
  if (!experiment_id) return 0;  // no trace belongs to a non-integer experiment id
  std::int64_t deleted = 0;
  db_.write([&](db::Connection& conn) {
    deleted = 0;
    // The matching ids first (MySQL cannot LIMIT inside IN (subquery)), oldest first for max_traces.
    SqlBuilder q(conn.dialect());
    q.add("SELECT request_id FROM trace_info WHERE experiment_id = ");
    q.value(*experiment_id);
    if (d.max_timestamp_millis && *d.max_timestamp_millis != 0) {
      q.add(" AND timestamp_ms <= ");
      q.value(*d.max_timestamp_millis);
    }
    if (!d.trace_ids.empty()) {
      q.add(" AND request_id IN (" + in_placeholders(d.trace_ids.size()) + ")");
      for (const auto& id : d.trace_ids) q.binds.emplace_back(id);
    }
    if (d.max_traces && *d.max_traces > 0) {
      q.add(" ORDER BY timestamp_ms, request_id LIMIT ");
      q.value(*d.max_traces);
    }
    std::vector<std::string> ids;
    {
      auto st = conn.prepare(q.text);
      bind_all(st, q.binds);
      while (st.step()) ids.push_back(st.text(0));
    }
    for (std::size_t start = 0; start < ids.size(); start += kDeleteChunk) {
      std::size_t n = std::min(kDeleteChunk, ids.size() - start);
      auto bind = [&](db::Statement& st, int first) {
        for (std::size_t i = 0; i < n; ++i) st.bind(first + static_cast<int>(i), ids[start + i]);
      };
      // Links from the deleted traces go with them (MLflow leaves them behind; nothing reads them).
      auto links = conn.prepare("DELETE FROM entity_associations WHERE source_type = 'trace' AND source_id IN (" +
                                in_placeholders(n) + ")");
      bind(links, 1);
      links.run();
      // Tags, metadata, spans, assessments (and trace_metrics, span_metrics) go by ON DELETE CASCADE.
      auto st = conn.prepare("DELETE FROM trace_info WHERE request_id IN (" + in_placeholders(n) + ")");
      bind(st, 1);
      st.run();
      deleted += conn.changes();
    }
  });
  return deleted;
}

void SqlTraceStore::link_traces_to_run(const std::vector<std::string>& trace_ids, const std::string& run_id) {
  db_.write([&](db::Connection& conn) {
    auto& run = conn.cached("SELECT 1 FROM runs WHERE run_uuid = ?");
    run.bind(1, run_id);
    bool found = run.step();
    run.reset();
    if (!found) core::throw_not_found("Run with id=" + run_id + " not found");
    const auto now = util::now_ms();
    for (const auto& trace_id : trace_ids) {
      if (!trace_experiment(conn, trace_id)) continue;  // unknown traces are skipped
      auto& st = conn.cached(conn.dialect().insert_ignore(
          "entity_associations (association_id, source_type, source_id, destination_type, destination_id, "
          "created_time) VALUES (?, 'trace', ?, 'run', ?, ?)"));
      st.bind(1, util::uuid4_hex()).bind(2, trace_id).bind(3, run_id).bind(4, now).run();
    }
  });
}

}  // namespace sextant::store::sql
