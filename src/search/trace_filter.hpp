// SearchTraces' filter and order_by grammar (MLflow 3.6's SearchTraceUtils and the checks its SQL
// store adds; docs/design/tracing/rest-traces.md §6) parsed into plain data. The lexical layer
// is the runs grammar's (search/filter_scanner.hpp); store/sql/trace_search_sql compiles the
// AST to parameterised SQL. Pure functions, thread-safe. Invalid input throws
// core::MlflowError(INVALID_PARAMETER_VALUE) with MLflow's wording (its Python sets are printed
// in a fixed order here), checked in MLflow's order: clause structure, then per clause the
// identifier, the value and span keys, then per clause the comparators.
//
// Identifiers: <entity>.<key> split at the first '.', or a bare attribute key. Entities:
// attribute | attributes | trace (attributes), tag | tags, metadata | request_metadata, span,
// feedback, expectation. Attribute keys: request_id, client_request_id, status, timestamp(_ms),
// execution_time(_ms), end_time(_ms) (= timestamp_ms + COALESCE(execution_time_ms, 0)), and the
// mapped keys name (tag mlflow.traceName), run_id (metadata mlflow.sourceRun), text (the spans'
// content). As in MLflow the mapping applies to the key of every entity but span,
// case-insensitively (tags.NAME is the trace name). MLflow's lexer refuses a bare `timestamp`
// or `text` (SQL keywords) in some sqlparse versions; they are accepted here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "search/ast.hpp"

namespace sextant::search {

enum class TraceTarget {
  Attribute,      // a trace_info column: request_id, client_request_id, status, timestamp_ms,
                  // execution_time_ms, or end_time_ms (computed)
  Tag,            // trace_tags row with this key
  Metadata,       // trace_request_metadata row with this key
  RunLink,        // run_id = 'X': metadata mlflow.sourceRun = X, or the trace is linked to run X
                  // (entity_associations); key is mlflow.sourceRun
  SpanColumn,     // some span's spans.name | type | status (key)
  SpanContent,    // some span's spans.content (LIKE / ILIKE only)
  SpanAttribute,  // span.attributes.<key>: matched inside some span's content text
  Feedback,       // an assessment of type 'feedback' named key, compared on its JSON value
  Expectation,    // the same for 'expectation'
};

enum class TraceComparator { Eq, NotEq, Gt, Ge, Lt, Le, Like, ILike, RLike, In, NotIn };

struct TraceClause {
  TraceTarget target = TraceTarget::Attribute;
  std::string key;
  TraceComparator op = TraceComparator::Eq;
  // String, Number (numeric attributes; may also be compared with a string as in MLflow) or a
  // non-empty List (In / NotIn only).
  Value value;
};

// AND of clauses; empty = no filter.
using TraceFilter = std::vector<TraceClause>;

struct TraceOrderBy {
  enum class Kind { Attribute, Tag, Metadata } kind = Kind::Attribute;
  // Attribute: experiment_id | timestamp_ms | execution_time_ms | end_time_ms | status |
  // request_id. Tag / Metadata: the key (name -> tag mlflow.traceName, run_id -> metadata
  // mlflow.sourceRun).
  std::string key;
  bool ascending = true;
};

TraceFilter parse_trace_filter(std::string_view filter);

// One order_by element such as "timestamp DESC" or "tags.`my tag`".
TraceOrderBy parse_trace_order_by(std::string_view clause);

// The whole order_by list: at most limits::kMaxOrderByKeys elements, no key twice (MLflow: 500
// "`order_by` contains duplicate fields: [...]"; here the same text as a 400).
std::vector<TraceOrderBy> parse_trace_order_by_list(const std::vector<std::string>& clauses);

}  // namespace sextant::search
