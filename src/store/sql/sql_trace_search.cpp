// SqlTraceStore: SearchTraces and the filter counts of CalculateTraceFilterCorrelation (see
// sql_trace_store.hpp). The grammar is search/trace_filter, the SQL store/sql/trace_search_sql.
#include "core/error.hpp"
#include "search/trace_filter.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/sql_trace_store.hpp"
#include "store/sql/trace_rows.hpp"
#include "store/sql/trace_search_sql.hpp"

namespace sextant::store::sql {

namespace {

// Experiment ids are integers; one that is not names no experiment (MLflow: a 500 from int()).
std::vector<std::int64_t> experiment_keys(const std::vector<std::string>& experiment_ids) {
  std::vector<std::int64_t> out;
  out.reserve(experiment_ids.size());
  for (const auto& id : experiment_ids) {
    if (auto key = parse_experiment_id(id)) out.push_back(*key);
  }
  return out;
}

}  // namespace

TraceSearchPage SqlTraceStore::search_traces(const TraceQuery& query) {
  if (query.max_results < 1) {
    core::throw_invalid("Invalid value " + std::to_string(query.max_results) +
                        " for parameter 'max_results' supplied. It must be a positive integer");
  }
  if (query.offset < 0) core::throw_invalid("Invalid page token, offset must not be negative");
  const auto filter = search::parse_trace_filter(query.filter);
  const auto order_by = search::parse_trace_order_by_list(query.order_by);
  const auto sql = compile_trace_search(experiment_keys(query.experiment_ids), filter, order_by, query.max_results,
                                        query.offset, db_.dialect());
  TraceSearchPage page;
  db_.read([&](db::Connection& conn) {
    std::vector<std::string> ids;
    {
      auto st = conn.prepare(sql.text);
      bind_all(st, sql.binds);
      while (st.step()) ids.push_back(st.text(0));
    }
    page.full = static_cast<std::int64_t>(ids.size()) == query.max_results;
    page.traces = load_trace_infos(conn, ids);
  });
  return page;
}

TraceFilterCounts SqlTraceStore::count_trace_filters(const std::vector<std::string>& experiment_ids,
                                                     const std::string& filter1, const std::string& filter2,
                                                     const std::string& base_filter) {
  // Parsed in MLflow's order: "<base> and <filter1>", then "<base> and <filter2>".
  const auto base = search::parse_trace_filter(base_filter);
  const auto first = search::parse_trace_filter(filter1);
  const auto second = search::parse_trace_filter(filter2);
  const auto sql = compile_trace_filter_counts(experiment_keys(experiment_ids), base, first, second, db_.dialect());
  TraceFilterCounts counts;
  db_.read([&](db::Connection& conn) {
    auto st = conn.prepare(sql.text);
    bind_all(st, sql.binds);
    if (st.step()) {
      counts.total = st.int64(0);
      counts.filter1 = st.int64(1);
      counts.filter2 = st.int64(2);
      counts.joint = st.int64(3);
    }
  });
  return counts;
}

}  // namespace sextant::store::sql
