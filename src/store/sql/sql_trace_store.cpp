// SqlTraceStore: traces, tags, spans read, delete, links (see sql_trace_store.hpp). Placeholder until implemented.
#include "core/error.hpp"
#include "store/sql/sql_trace_store.hpp"

namespace sextant::store::sql {

namespace {
[[noreturn]] void not_yet() { throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "not implemented yet"); }
}  // namespace


core::TraceInfo SqlTraceStore::start_trace(const core::TraceInfo&) { not_yet(); }
core::TraceInfo SqlTraceStore::get_trace_info(const std::string&) { not_yet(); }
std::vector<core::TraceInfo> SqlTraceStore::get_trace_infos(const std::vector<std::string>&) { not_yet(); }
std::size_t SqlTraceStore::read_spans(const std::string&, const std::function<void(const core::SpanRow&)>&) { not_yet(); }
void SqlTraceStore::set_trace_tag(const std::string&, const core::Tag&) { not_yet(); }
void SqlTraceStore::delete_trace_tag(const std::string&, const std::string&) { not_yet(); }
std::int64_t SqlTraceStore::delete_traces(const TraceDeletion&) { not_yet(); }
void SqlTraceStore::link_traces_to_run(const std::vector<std::string>&, const std::string&) { not_yet(); }

}  // namespace sextant::store::sql
