// The executable subset of a GraphQL document (operations and fragments; no type-system
// definitions) as the parser produces it. Plain values, no behaviour.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sextant::graphql {

// A type reference: `Name`, `[T]` or `T!`.
struct TypeRef {
  enum class Kind { Named, List, NonNull } kind = Kind::Named;
  std::string name;                   // Named
  std::shared_ptr<const TypeRef> of;  // List, NonNull

  // "[String!]!" etc.
  std::string to_string() const;
  // The named type at the bottom of the wrappers.
  const std::string& base_name() const;
};

std::shared_ptr<const TypeRef> named_type(std::string name);
std::shared_ptr<const TypeRef> list_type(std::shared_ptr<const TypeRef> of);
std::shared_ptr<const TypeRef> non_null_type(std::shared_ptr<const TypeRef> of);

// An input value as written: `$var`, 1, 1.5, "s", true, null, ENUM, [..], {k: v}.
struct Value {
  enum class Kind { Variable, Int, Float, String, Boolean, Null, Enum, List, Object } kind = Kind::Null;
  std::string text;                // variable name, number text, string contents, enum name, true/false
  std::vector<Value> items;        // List items; Object field values (names in `keys`)
  std::vector<std::string> keys;   // Object field names, parallel to items
};

struct Argument {
  std::string name;
  Value value;
};

struct Directive {
  std::string name;
  std::vector<Argument> arguments;
};

struct Selection {
  enum class Kind { Field, FragmentSpread, InlineFragment } kind = Kind::Field;
  std::string alias;           // Field: "" when none
  std::string name;            // Field name or fragment name
  std::string type_condition;  // InlineFragment: "" when none
  std::vector<Argument> arguments;
  std::vector<Directive> directives;
  bool has_selection_set = false;
  std::vector<Selection> selections;

  const std::string& response_key() const { return alias.empty() ? name : alias; }
};

struct VariableDefinition {
  std::string name;
  std::shared_ptr<const TypeRef> type;
  std::optional<Value> default_value;
};

struct Operation {
  std::string type = "query";  // query | mutation | subscription
  std::string name;            // "" when anonymous
  std::vector<VariableDefinition> variables;
  std::vector<Directive> directives;
  std::vector<Selection> selections;
};

struct Fragment {
  std::string name;
  std::string type_condition;
  std::vector<Directive> directives;
  std::vector<Selection> selections;
};

struct Document {
  std::vector<Operation> operations;
  std::vector<Fragment> fragments;
};

}  // namespace sextant::graphql
