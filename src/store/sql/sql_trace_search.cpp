// SqlTraceStore: search and filter counts (see sql_trace_store.hpp). Placeholder until implemented.
#include "core/error.hpp"
#include "store/sql/sql_trace_store.hpp"

namespace sextant::store::sql {

namespace {
[[noreturn]] void not_yet() { throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "not implemented yet"); }
}  // namespace


TraceSearchPage SqlTraceStore::search_traces(const TraceQuery&) { not_yet(); }
TraceFilterCounts SqlTraceStore::count_trace_filters(const std::vector<std::string>&, const std::string&,
                                                     const std::string&, const std::string&) {
  not_yet();
}

}  // namespace sextant::store::sql
