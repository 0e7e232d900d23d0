// Compiles SearchTraces' AST (search/trace_filter.hpp) into parameterised SQL for a db::Dialect,
// with MLflow's semantics (docs/design/tracing/rest-traces.md §6). User text only reaches SQL as
// bound values; identifiers come from fixed tables. Pure functions.
//
// Every clause on another table is a correlated EXISTS on that table's (trace, key) index, so
// a search walks trace_info's (experiment_id, timestamp_ms) index in order and stops at the page
// end; two span (or assessment) clauses may be met by different spans, as in MLflow.
#pragma once

#include <cstdint>
#include <vector>

#include "search/trace_filter.hpp"
#include "store/sql/search_sql.hpp"

namespace sextant::store::sql {

// SELECT of request_id rows (column 0) of the experiments' traces that match, ordered as asked
// (NULLs last in both directions), then timestamp_ms DESC and request_id ASC unless ordered on,
// LIMIT max_results OFFSET offset. RLIKE on SQLite is INVALID_PARAMETER_VALUE (no regular
// expression function there).
SqlQuery compile_trace_search(const std::vector<std::int64_t>& experiment_ids, const search::TraceFilter& filter,
                              const std::vector<search::TraceOrderBy>& order_by, std::int64_t max_results,
                              std::int64_t offset, const db::Dialect& d = db::sqlite_dialect());

// One row: total, filter1, filter2, joint counts over the experiments' traces matching `base`
// (CalculateTraceFilterCorrelation).
SqlQuery compile_trace_filter_counts(const std::vector<std::int64_t>& experiment_ids, const search::TraceFilter& base,
                                     const search::TraceFilter& filter1, const search::TraceFilter& filter2,
                                     const db::Dialect& d = db::sqlite_dialect());

}  // namespace sextant::store::sql
