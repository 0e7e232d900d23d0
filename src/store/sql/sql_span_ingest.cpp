// SqlTraceStore: OTLP span ingest (log_spans) (see sql_trace_store.hpp). Placeholder until implemented.
#include "core/error.hpp"
#include "store/sql/sql_trace_store.hpp"

namespace sextant::store::sql {

namespace {
[[noreturn]] void not_yet() { throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "not implemented yet"); }
}  // namespace


void SqlTraceStore::log_spans(const std::string&, const std::vector<TraceSpans>&) { not_yet(); }

}  // namespace sextant::store::sql
