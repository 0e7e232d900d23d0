// Reading the trace tables' rows, shared by the trace store's files (sql_trace_store,
// sql_trace_search, sql_span_ingest, sql_assessment_store). Functions run on a connection the
// caller holds (inside its read transaction or write savepoint).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/trace.hpp"
#include "db/connection.hpp"

namespace sextant::store::sql {

// RESOURCE_DOES_NOT_EXIST "Trace with ID '<id>' not found." (GetTraceInfoV3, tags, assessments).
[[noreturn]] void trace_not_found(const std::string& trace_id);

// "SELECT <the trace_info columns read_trace_info_row expects> FROM trace_info"
extern const char* const kTraceInfoColumns;
// One trace_info row (columns as kTraceInfoColumns, from column `first` on), without children.
core::TraceInfo read_trace_info_row(const db::Statement& st, int first = 0);

// Fills tags, request metadata (both ordered by key) and assessments (by created_timestamp, then
// as created) of `infos`, a chunk of traces at a time.
void load_trace_children(db::Connection& conn, std::vector<core::TraceInfo>& infos);

// The traces among `trace_ids` that exist, with their children, in the order asked for (unknown
// ids dropped; a repeated id comes once, at its first place).
std::vector<core::TraceInfo> load_trace_infos(db::Connection& conn, const std::vector<std::string>& trace_ids);
std::optional<core::TraceInfo> load_trace_info(db::Connection& conn, const std::string& trace_id);
// The trace's experiment id when the trace exists (no children read).
std::optional<std::int64_t> trace_experiment(db::Connection& conn, const std::string& trace_id);

// "SELECT <the assessments columns read_assessment_row expects> FROM assessments"
extern const char* const kAssessmentColumns;
core::Assessment read_assessment_row(const db::Statement& st, int first = 0);

// "SELECT <the spans columns read_span_row expects> FROM spans"
extern const char* const kSpanColumns;
core::SpanRow read_span_row(const db::Statement& st, int first = 0);

}  // namespace sextant::store::sql
