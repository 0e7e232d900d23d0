#include "store/sql/trace_rows.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "store/sql/sql_helpers.hpp"

namespace sextant::store::sql {

namespace {

constexpr std::size_t kInChunk = 512;  // ids per IN (...) list

// Calls `fn(first, n, slots)` for each chunk of at most kInChunk of `count` items; `slots` (a power
// of two >= n) is the IN list's length, so a connection caches few statements per query. The
// caller binds the chunk's last id into the spare slots (repeats change nothing in an IN list).
template <typename Fn>
void for_chunks(std::size_t count, Fn&& fn) {
  for (std::size_t start = 0; start < count; start += kInChunk) {
    std::size_t n = std::min(kInChunk, count - start), slots = 1;
    while (slots < n) slots *= 2;
    fn(start, n, slots);
  }
}

// Binds ids[start, start + n) to placeholders 1..slots, repeating the last.
void bind_ids(db::Statement& st, const std::vector<std::string>& ids, std::size_t start, std::size_t n,
              std::size_t slots) {
  for (std::size_t i = 0; i < slots; ++i) st.bind(static_cast<int>(i + 1), ids[start + std::min(i, n - 1)]);
}

}  // namespace

void trace_not_found(const std::string& trace_id) {
  core::throw_not_found("Trace with ID '" + trace_id + "' not found.");
}

const char* const kTraceInfoColumns =
    "SELECT request_id, experiment_id, timestamp_ms, execution_time_ms, status, client_request_id, request_preview, "
    "response_preview FROM trace_info";

core::TraceInfo read_trace_info_row(const db::Statement& st, int first) {
  core::TraceInfo t;
  t.trace_id = st.text(first);
  t.experiment_id = std::to_string(st.int64(first + 1));
  t.timestamp_ms = st.int64(first + 2);
  t.execution_time_ms = st.opt_int64(first + 3);
  t.state = st.text(first + 4);
  t.client_request_id = st.opt_text(first + 5);
  t.request_preview = st.opt_text(first + 6);
  t.response_preview = st.opt_text(first + 7);
  return t;
}

const char* const kAssessmentColumns =
    "SELECT assessment_id, trace_id, name, assessment_type, value, error, created_timestamp, last_updated_timestamp, "
    "source_type, source_id, run_id, span_id, rationale, overrides, valid, assessment_metadata FROM assessments";

core::Assessment read_assessment_row(const db::Statement& st, int first) {
  core::Assessment a;
  a.assessment_id = st.text(first);
  a.trace_id = st.text(first + 1);
  a.name = st.text(first + 2);
  a.assessment_type = st.text(first + 3);
  a.value = st.text(first + 4);
  a.error = st.opt_text(first + 5);
  a.created_timestamp = st.int64(first + 6);
  a.last_updated_timestamp = st.int64(first + 7);
  a.source.source_type = st.text(first + 8);
  a.source.source_id = st.opt_text(first + 9).value_or("");
  a.run_id = st.opt_text(first + 10);
  a.span_id = st.opt_text(first + 11);
  a.rationale = st.opt_text(first + 12);
  a.overrides = st.opt_text(first + 13);
  a.valid = st.int64(first + 14) != 0;
  a.metadata = st.opt_text(first + 15);
  return a;
}

const char* const kSpanColumns =
    "SELECT trace_id, span_id, parent_span_id, name, type, status, start_time_unix_nano, end_time_unix_nano, content "
    "FROM spans";

core::SpanRow read_span_row(const db::Statement& st, int first) {
  core::SpanRow s;
  s.trace_id = st.text(first);
  s.span_id = st.text(first + 1);
  s.parent_span_id = st.opt_text(first + 2);
  s.name = st.opt_text(first + 3).value_or("");
  s.type = st.opt_text(first + 4);
  s.status = st.text(first + 5);
  s.start_time_unix_nano = st.int64(first + 6);
  s.end_time_unix_nano = st.opt_int64(first + 7);
  s.content = st.text(first + 8);
  return s;
}

void load_trace_children(db::Connection& conn, std::vector<core::TraceInfo>& infos) {
  std::unordered_map<std::string, core::TraceInfo*> by_id;
  std::vector<std::string> trace_ids;
  for (auto& t : infos) {
    by_id[t.trace_id] = &t;
    trace_ids.push_back(t.trace_id);
  }
  for_chunks(trace_ids.size(), [&](std::size_t start, std::size_t n, std::size_t slots) {
    auto ids = in_placeholders(slots);
    // `row(st, trace)` for each row; column `id_col` holds the trace id.
    auto query = [&](const std::string& sql, int id_col, auto&& row) {
      auto& st = conn.cached(sql);
      bind_ids(st, trace_ids, start, n, slots);
      while (st.step()) row(st, *by_id.at(st.text(id_col)));
      st.reset();
    };
    query("SELECT request_id, key, value FROM trace_tags WHERE request_id IN (" + ids + ") ORDER BY request_id, key",
          0, [](db::Statement& st, core::TraceInfo& t) { t.tags.push_back({st.text(1), st.opt_text(2).value_or("")}); });
    query("SELECT request_id, key, value FROM trace_request_metadata WHERE request_id IN (" + ids +
              ") ORDER BY request_id, key",
          0, [](db::Statement& st, core::TraceInfo& t) {
            t.metadata.push_back({st.text(1), st.opt_text(2).value_or("")});
          });
    // MLflow lists a trace's assessments in the database's order (as created): ties of
    // created_timestamp (several in one millisecond) keep it by SQLite's rowid; PostgreSQL and
    // MySQL have no such order, so there the tie-break is the id, which Sextant makes
    // time-ordered (UUIDv7, sql_assessment_store.cpp).
    const char* ties = conn.dialect().backend == db::Backend::Sqlite ? ", rowid" : ", assessment_id";
    query(std::string(kAssessmentColumns) + " WHERE trace_id IN (" + ids + ") ORDER BY trace_id, created_timestamp" +
              ties,
          1, [](db::Statement& st, core::TraceInfo& t) { t.assessments.push_back(read_assessment_row(st)); });
  });
}

std::vector<core::TraceInfo> load_trace_infos(db::Connection& conn, const std::vector<std::string>& trace_ids) {
  std::vector<std::string> unique;
  {
    std::unordered_set<std::string> seen;
    for (const auto& id : trace_ids)
      if (seen.insert(id).second) unique.push_back(id);
  }
  std::unordered_map<std::string, core::TraceInfo> found;
  for_chunks(unique.size(), [&](std::size_t start, std::size_t n, std::size_t slots) {
    auto& st = conn.cached(std::string(kTraceInfoColumns) + " WHERE request_id IN (" + in_placeholders(slots) + ")");
    bind_ids(st, unique, start, n, slots);
    while (st.step()) {
      auto t = read_trace_info_row(st);
      found.emplace(t.trace_id, std::move(t));
    }
    st.reset();
  });
  std::vector<core::TraceInfo> out;
  out.reserve(found.size());
  for (const auto& id : unique) {
    auto it = found.find(id);
    if (it != found.end()) out.push_back(std::move(it->second));
  }
  load_trace_children(conn, out);
  return out;
}

std::optional<core::TraceInfo> load_trace_info(db::Connection& conn, const std::string& trace_id) {
  auto infos = load_trace_infos(conn, {trace_id});
  if (infos.empty()) return std::nullopt;
  return std::move(infos.front());
}

std::optional<std::int64_t> trace_experiment(db::Connection& conn, const std::string& trace_id) {
  auto& st = conn.cached("SELECT experiment_id FROM trace_info WHERE request_id = ?");
  st.bind(1, trace_id);
  std::optional<std::int64_t> id;
  if (st.step()) id = st.int64(0);
  st.reset();
  return id;
}

}  // namespace sextant::store::sql
