// MLflow's GraphQL query-safety limits (mlflow/server/graphql/graphql_no_batching.py), checked
// after parsing and before validation, with MLflow's messages: selection depth 10, 1000 field
// selections in all, at most MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS root fields and
// MLFLOW_SERVER_GRAPHQL_MAX_ALIASES aliases in one selection set (both 10 by default).
// MLflow scans each definition on its own and does not follow fragment spreads; Sextant also
// applies the same limits to every operation with its fragments expanded (spreads and inline
// fragments count as selections there), so fragments cannot multiply the work.
#pragma once

#include <cstddef>
#include <string>

#include "graphql/ast.hpp"

namespace sextant::graphql {

struct QueryLimits {
  std::size_t max_depth = 10;
  std::size_t max_selections = 1000;
  std::size_t max_root_fields = 10;
  std::size_t max_aliases = 10;
};

// "" when the document is within the limits, else the message for the response's errors.
std::string check_query_limits(const Document& document, const QueryLimits& limits);

}  // namespace sextant::graphql
