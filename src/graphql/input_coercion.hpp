// Input values (argument literals and variable values) -> the JSON the resolvers get: input
// objects keyed by their fields' `key`s, enums by name, LongString as an integer; a list type
// given one value gets a one-item list. Errors are GraphqlError with graphql-core's wording.
// Recursion follows the type, whose nesting the parser bounds.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "graphql/ast.hpp"
#include "graphql/schema.hpp"

namespace sextant::graphql {

// A literal as written in the document. `variables` holds the coerced variable values by name;
// a variable missing from it leaves the value absent (nullopt), as does every variable when
// `variables` is null (validation, before variables are known).
std::optional<nlohmann::json> coerce_literal(const Schema& schema, const Value& value, const TypeRef& type,
                                             const nlohmann::json* variables);

// A variable's JSON value. `path` names the value in messages ("i", then "i.experimentId").
// The message of the error thrown is the part after "...got invalid value X at 'path'; ".
nlohmann::json coerce_json(const Schema& schema, const nlohmann::json& value, const TypeRef& type, std::string& path,
                           std::string& error_path);

// How graphql-core prints a literal in messages: 5, "s", ENUM, [1, 2], {a: 1}, $v.
std::string print_value(const Value& value);

}  // namespace sextant::graphql
