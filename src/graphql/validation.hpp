// GraphQL validation (spec section 5) of a parsed document against a schema: the rules that can
// fail for this fixed schema, with graphql-core's messages: operations (lone anonymous, unique
// names, supported type), fields exist and leaf/object selections, arguments known, unique and
// of the right type, directives known and in their location, fragments known, used, on the
// right type and acyclic, variables unique, of input types, defined, used and in compatible
// positions, fields with one response key mergeable. Each operation is walked with its
// fragments expanded; call it after check_query_limits, which bounds that walk.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "graphql/ast.hpp"
#include "graphql/schema.hpp"

namespace sextant::graphql {

// The errors, without duplicates, at most `max_errors`; empty when the document is valid.
std::vector<std::string> validate(const Schema& schema, const Document& document, std::size_t max_errors = 50);

}  // namespace sextant::graphql
