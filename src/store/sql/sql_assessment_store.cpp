// SqlTraceStore: assessments (see sql_trace_store.hpp). Placeholder until implemented.
#include "core/error.hpp"
#include "store/sql/sql_trace_store.hpp"

namespace sextant::store::sql {

namespace {
[[noreturn]] void not_yet() { throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "not implemented yet"); }
}  // namespace


core::Assessment SqlTraceStore::create_assessment(const core::Assessment&) { not_yet(); }
core::Assessment SqlTraceStore::get_assessment(const std::string&, const std::string&) { not_yet(); }
core::Assessment SqlTraceStore::update_assessment(const core::Assessment&, const std::vector<std::string>&) {
  not_yet();
}
void SqlTraceStore::delete_assessment(const std::string&, const std::string&) { not_yet(); }

}  // namespace sextant::store::sql
