// A fixed GraphQL schema as data: object types whose fields read a JSON source value (the
// parent's member `key`, or a resolver), input objects, enums and scalars. Built once at
// start-up, then read-only (shared by all requests). The executor and validator work on it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "graphql/ast.hpp"

namespace sextant::graphql {

// What a resolver may need from the request (the caller's identity, the route table): the
// executor passes it through untouched.
class Schema;
struct ResolveContext {
  virtual ~ResolveContext() = default;
  const Schema* schema = nullptr;  // set by execute(): the schema being executed (introspection)
};

// Returns the field's source value (JSON) for the parent's source value and the coerced
// arguments (object keyed by the arguments' `key`s; absent when not given). Throws
// std::exception on failure: its what() becomes the field's error, the field null.
using Resolver =
    std::function<nlohmann::json(const nlohmann::json& parent, const nlohmann::json& args, ResolveContext& context)>;

enum class ScalarKind { String, Int, Float, Boolean, LongString };

// An argument or input-object field: GraphQL `name`, the JSON `key` it is passed as.
struct InputValueDef {
  std::string name;
  std::string key;
  std::shared_ptr<const TypeRef> type;
};

struct FieldDef {
  std::string name;  // lowerCamelCase as graphene names it
  std::string key;   // the source member it reads by default (snake_case)
  std::shared_ptr<const TypeRef> type;
  std::vector<InputValueDef> args;
  Resolver resolve;  // empty: read parent[key]
  // An absent member reads as the protobuf default of its type ("" / 0 / false / [] / an empty
  // object / the first enum value), as graphene reading a protobuf message does; else null.
  bool proto_default = true;
  bool nan_as_null = false;  // Float: NaN reads as null (MLflow's MlflowMetricExtension.value)
  bool hidden = false;       // not listed by introspection (__schema, __type)

  const InputValueDef* arg(std::string_view n) const;
};

struct TypeDef {
  enum class Kind { Scalar, Enum, Object, InputObject } kind = Kind::Object;
  std::string name;
  ScalarKind scalar = ScalarKind::String;
  std::vector<FieldDef> fields;             // Object
  std::vector<InputValueDef> input_fields;  // InputObject
  std::vector<std::string> enum_values;     // Enum, in declaration order

  const FieldDef* field(std::string_view n) const;
  const InputValueDef* input_field(std::string_view n) const;
  bool is_input() const { return kind != Kind::Object; }
  bool is_leaf() const { return kind == Kind::Scalar || kind == Kind::Enum; }
};

struct DirectiveDef {
  std::string name;
  std::vector<InputValueDef> args;
  std::vector<std::string> locations;  // QUERY, MUTATION, FIELD, ...
};

class Schema {
 public:
  Schema();  // with the built-in scalars String, Int, Float, Boolean
  void add(TypeDef type);
  void add(DirectiveDef directive);
  const TypeDef* type(std::string_view name) const;
  TypeDef* mutable_type(std::string_view name);
  std::vector<const TypeDef*> types() const;  // by name
  std::vector<const DirectiveDef*> directives() const;
  const DirectiveDef* directive(std::string_view name) const;

  std::string query_type = "Query";
  std::string mutation_type;  // "" when none

 private:
  std::map<std::string, TypeDef, std::less<>> types_;
  std::map<std::string, DirectiveDef, std::less<>> directives_;
};

// graphene's name for a snake_case field: "experiment_id" -> "experimentId".
std::string camel_case(std::string_view snake);

}  // namespace sextant::graphql
