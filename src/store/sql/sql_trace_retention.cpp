// SqlTraceStore: trace retention (sextant gc): the expired traces, oldest first, and their purge.
#include "core/error.hpp"
#include "core/trace.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/sql_trace_store.hpp"

namespace sextant::store::sql {

namespace {
constexpr std::size_t kPurgeChunk = 500;  // ids per IN (...) list
}  // namespace

std::vector<ExpiredTrace> SqlTraceStore::expired_traces(const std::vector<std::string>& experiment_ids,
                                                        std::int64_t before_ms, std::size_t limit) {
  std::vector<std::int64_t> experiments;
  for (const auto& id : experiment_ids) {
    auto parsed = parse_experiment_id(id);
    if (!parsed) core::throw_invalid("Invalid experiment id '" + id + "': experiment ids are integers.");
    experiments.push_back(*parsed);
  }
  std::vector<ExpiredTrace> out;
  if (limit == 0) return out;
  std::string sql =
      "SELECT t.request_id, t.experiment_id, e.artifact_location, g.value FROM trace_info t "
      "JOIN experiments e ON e.experiment_id = t.experiment_id "
      "LEFT JOIN trace_tags g ON g.request_id = t.request_id AND g.key = ? WHERE t.timestamp_ms < ?";
  if (!experiments.empty()) sql += " AND t.experiment_id IN (" + in_placeholders(experiments.size()) + ")";
  sql += " ORDER BY t.timestamp_ms, t.request_id LIMIT " + std::to_string(limit);
  db_.read([&](db::Connection& conn) {
    out.clear();
    auto st = conn.prepare(sql);
    st.bind(1, core::kTraceTagArtifactLocation).bind(2, before_ms);
    for (std::size_t i = 0; i < experiments.size(); ++i) st.bind(static_cast<int>(i + 3), experiments[i]);
    while (st.step()) {
      out.push_back({st.text(0), std::to_string(st.int64(1)), st.opt_text(2).value_or(""), st.opt_text(3)});
    }
  });
  return out;
}

std::int64_t SqlTraceStore::purge_traces(const std::vector<std::string>& trace_ids) {
  std::int64_t deleted = 0;
  if (trace_ids.empty()) return deleted;
  db_.write([&](db::Connection& conn) {
    deleted = 0;
    for (std::size_t start = 0; start < trace_ids.size(); start += kPurgeChunk) {
      std::size_t n = std::min(kPurgeChunk, trace_ids.size() - start);
      std::string ids = in_placeholders(n);
      auto run = [&](const std::string& sql, int copies) {
        auto st = conn.prepare(sql);
        int index = 1;
        for (int c = 0; c < copies; ++c)
          for (std::size_t i = 0; i < n; ++i) st.bind(index++, trace_ids[start + i]);
        st.run();
        return conn.changes();
      };
      // The children first (the foreign keys cascade too; entity_associations has none).
      run("DELETE FROM spans WHERE trace_id IN (" + ids + ")", 1);
      run("DELETE FROM assessments WHERE trace_id IN (" + ids + ")", 1);
      run("DELETE FROM trace_tags WHERE request_id IN (" + ids + ")", 1);
      run("DELETE FROM trace_request_metadata WHERE request_id IN (" + ids + ")", 1);
      run("DELETE FROM entity_associations WHERE (source_type = 'trace' AND source_id IN (" + ids +
              ")) OR (destination_type = 'trace' AND destination_id IN (" + ids + "))",
          2);
      deleted += run("DELETE FROM trace_info WHERE request_id IN (" + ids + ")", 1);
    }
  });
  return deleted;
}

}  // namespace sextant::store::sql
