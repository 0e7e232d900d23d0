// Executes one operation of a validated document (spec section 6): picks the operation,
// coerces the variables, resolves the fields (serially), completes the values against the
// schema's types. A failing field is null with its message in `errors`; request errors
// (operation selection, variables, validation) leave `data` null.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "graphql/ast.hpp"
#include "graphql/schema.hpp"

namespace sextant::graphql {

struct ExecutionResult {
  nlohmann::json data;              // null when the request failed as a whole
  std::vector<std::string> errors;  // at most a bounded number of messages
};

// `document` must have passed check_query_limits; execute() validates it first.
ExecutionResult execute(const Schema& schema, const Document& document, const std::optional<std::string>& operation_name,
                        const nlohmann::json& variables, ResolveContext& context);

}  // namespace sextant::graphql
