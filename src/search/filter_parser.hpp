// Parsers for MLflow's search filter strings and order_by clauses (mlflow-api.md §3.1-3.5, §3.8).
// Pure functions; thread-safe. On invalid input they throw core::MlflowError with
// ErrorCode::INVALID_PARAMETER_VALUE and a message in MLflow's wording.
#pragma once

#include <string_view>

#include "search/ast.hpp"

namespace sextant::search {

// Parses `filter` for the given grammar. Empty or whitespace-only input gives an empty Filter.
Filter parse_filter(std::string_view filter, Grammar grammar);

// Parses one order_by element such as "metrics.`my metric` DESC" or "name".
OrderBy parse_order_by(std::string_view clause, Grammar grammar);

}  // namespace sextant::search
