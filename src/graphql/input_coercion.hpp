// Input values (argument literals and variable values) -> the JSON the resolvers get: input
// objects keyed by their fields' `key`s, enums by name, LongString as an integer; a list type
// given one value gets a one-item list. Errors are GraphqlError with graphql-core's wording.
// Recursion follows the type, whose nesting the parser bounds.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "graphql/ast.hpp"
#include "graphql/error.hpp"
#include "graphql/schema.hpp"

namespace sextant::graphql {

// A literal as written in the document. `variables` holds the coerced variable values by name;
// a variable missing from it leaves the value absent (nullopt), as does every variable when
// `variables` is null (validation, before variables are known).
std::optional<nlohmann::json> coerce_literal(const Schema& schema, const Value& value, const TypeRef& type,
                                             const nlohmann::json* variables);

// A variable value that does not fit its type: the part of it that does not (`value`, at
// `path`: "i.runViewType") and why (what()).
class InvalidInput : public GraphqlError {
 public:
  InvalidInput(const std::string& message, std::string where, nlohmann::json what)
      : GraphqlError(message), path(std::move(where)), value(std::move(what)) {}
  std::string path;
  nlohmann::json value;
};

// A variable's JSON value; `path` starts as the variable's name. Throws InvalidInput.
nlohmann::json coerce_json(const Schema& schema, const nlohmann::json& value, const TypeRef& type, std::string& path);

// How graphql-core's inspect() shows a value in messages: 'text', 1.5, None, True, [..], {'k': v}.
std::string inspect(const nlohmann::json& value);

// How graphql-core prints a literal in messages: 5, "s", ENUM, [1, 2], {a: 1}, $v.
std::string print_value(const Value& value);

}  // namespace sextant::graphql
