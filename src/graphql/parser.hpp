// GraphQL documents -> AST (ast.hpp): the executable definitions only (operations, fragments);
// a type-system definition is a syntax error here. Bounded: the source length, the number of
// tokens and the nesting of selection sets, values and types are limited before any work grows
// with them, so a hostile document costs at most a fixed amount. Pure and thread-safe (fuzzed).
#pragma once

#include <cstddef>
#include <string_view>

#include "graphql/ast.hpp"

namespace sextant::graphql {

struct ParseLimits {
  std::size_t max_length = 256 * 1024;  // bytes of the document
  std::size_t max_tokens = 50'000;
  std::size_t max_nesting = 32;          // selection sets, list/object values and type wrappers
  std::size_t max_definitions = 100;     // operations and fragments
};

// Throws GraphqlError: "Syntax Error: ..." for malformed documents, "Query exceeds ..." when a
// limit is passed.
Document parse(std::string_view source, const ParseLimits& limits = {});

}  // namespace sextant::graphql
