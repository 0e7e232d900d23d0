#include "graphql/introspection.hpp"

#include <stdexcept>
#include <utility>

namespace sextant::graphql {

using nlohmann::json;

namespace {

// A __Type source value: {"ref": name} for a named type, {"kind": LIST|NON_NULL, "of": ...}.
json type_json(const TypeRef& t) {
  if (t.kind == TypeRef::Kind::Named) return json{{"ref", t.name}};
  return json{{"kind", t.kind == TypeRef::Kind::List ? "LIST" : "NON_NULL"}, {"of", type_json(*t.of)}};
}

json input_values(const std::vector<InputValueDef>& values) {
  json out = json::array();
  for (const auto& v : values)
    out.push_back({{"name", v.name}, {"description", nullptr}, {"type", type_json(*v.type)}, {"defaultValue", nullptr},
                   {"isDeprecated", false}, {"deprecationReason", nullptr}});
  return out;
}

FieldDef plain(const char* name, std::shared_ptr<const TypeRef> type) {
  FieldDef f;
  f.name = name;
  f.key = name;
  f.type = std::move(type);
  f.proto_default = false;
  return f;
}

std::shared_ptr<const TypeRef> N(const char* name) { return named_type(name); }
std::shared_ptr<const TypeRef> NN(std::shared_ptr<const TypeRef> t) { return non_null_type(std::move(t)); }
std::shared_ptr<const TypeRef> LNN(const char* name) { return NN(list_type(NN(N(name)))); }

const Schema& schema_of(ResolveContext& ctx) {
  if (!ctx.schema) throw std::runtime_error("introspection without a schema");
  return *ctx.schema;
}

// The named type a __Type source value refers to, null for wrappers.
const TypeDef* referred(const json& t, ResolveContext& ctx) {
  if (!t.is_object() || !t.contains("ref")) return nullptr;
  return schema_of(ctx).type(t["ref"].get<std::string>());
}

FieldDef type_field(const char* name, std::shared_ptr<const TypeRef> type,
                    std::function<json(const json&, const TypeDef*)> read, bool include_deprecated_arg = false) {
  auto f = plain(name, std::move(type));
  if (include_deprecated_arg) f.args = {{"includeDeprecated", "includeDeprecated", N("Boolean")}};
  f.resolve = [read = std::move(read)](const json& parent, const json&, ResolveContext& ctx) -> json {
    return read(parent, referred(parent, ctx));
  };
  return f;
}

const char* kind_name(const TypeDef& t) {
  switch (t.kind) {
    case TypeDef::Kind::Scalar: return "SCALAR";
    case TypeDef::Kind::Enum: return "ENUM";
    case TypeDef::Kind::Object: return "OBJECT";
    case TypeDef::Kind::InputObject: return "INPUT_OBJECT";
  }
  return "SCALAR";
}

TypeDef object(const char* name, std::vector<FieldDef> fields) {
  TypeDef t;
  t.name = name;
  t.fields = std::move(fields);
  return t;
}

}  // namespace

void add_introspection(Schema& s) {
  TypeDef kinds;
  kinds.kind = TypeDef::Kind::Enum;
  kinds.name = "__TypeKind";
  kinds.enum_values = {"SCALAR", "OBJECT", "INTERFACE", "UNION", "ENUM", "INPUT_OBJECT", "LIST", "NON_NULL"};
  s.add(std::move(kinds));
  TypeDef locations;
  locations.kind = TypeDef::Kind::Enum;
  locations.name = "__DirectiveLocation";
  locations.enum_values = {"QUERY", "MUTATION", "SUBSCRIPTION", "FIELD", "FRAGMENT_DEFINITION", "FRAGMENT_SPREAD",
                           "INLINE_FRAGMENT", "VARIABLE_DEFINITION"};
  s.add(std::move(locations));

  s.add(object("__InputValue", {plain("name", NN(N("String"))), plain("description", N("String")),
                                plain("type", NN(N("__Type"))), plain("defaultValue", N("String")),
                                plain("isDeprecated", NN(N("Boolean"))), plain("deprecationReason", N("String"))}));
  s.add(object("__EnumValue", {plain("name", NN(N("String"))), plain("description", N("String")),
                               plain("isDeprecated", NN(N("Boolean"))), plain("deprecationReason", N("String"))}));
  {
    auto args = plain("args", LNN("__InputValue"));
    args.args = {{"includeDeprecated", "includeDeprecated", N("Boolean")}};
    s.add(object("__Field", {plain("name", NN(N("String"))), plain("description", N("String")), args,
                             plain("type", NN(N("__Type"))), plain("isDeprecated", NN(N("Boolean"))),
                             plain("deprecationReason", N("String"))}));
    s.add(object("__Directive", {plain("name", NN(N("String"))), plain("description", N("String")),
                                 plain("isRepeatable", NN(N("Boolean"))), plain("locations", LNN("__DirectiveLocation")),
                                 args}));
  }
  s.add(object(
      "__Type",
      {type_field("kind", NN(N("__TypeKind")),
                  [](const json& t, const TypeDef* d) -> json { return d ? json(kind_name(*d)) : t.value("kind", json()); }),
       type_field("name", N("String"), [](const json&, const TypeDef* d) -> json { return d ? json(d->name) : json(); }),
       type_field("description", N("String"), [](const json&, const TypeDef*) -> json { return nullptr; }),
       type_field("specifiedByURL", N("String"), [](const json&, const TypeDef*) -> json { return nullptr; }),
       type_field("fields", list_type(NN(N("__Field"))),
                  [](const json&, const TypeDef* d) -> json {
                    if (!d || d->kind != TypeDef::Kind::Object) return nullptr;
                    json out = json::array();
                    for (const auto& f : d->fields) {
                      if (f.hidden) continue;
                      out.push_back({{"name", f.name}, {"description", nullptr}, {"args", input_values(f.args)},
                                     {"type", type_json(*f.type)}, {"isDeprecated", false},
                                     {"deprecationReason", nullptr}});
                    }
                    return out;
                  },
                  true),
       type_field("interfaces", list_type(NN(N("__Type"))),
                  [](const json&, const TypeDef* d) -> json {
                    return d && d->kind == TypeDef::Kind::Object ? json::array() : json();
                  }),
       type_field("possibleTypes", list_type(NN(N("__Type"))), [](const json&, const TypeDef*) -> json { return nullptr; }),
       type_field("enumValues", list_type(NN(N("__EnumValue"))),
                  [](const json&, const TypeDef* d) -> json {
                    if (!d || d->kind != TypeDef::Kind::Enum) return nullptr;
                    json out = json::array();
                    for (const auto& v : d->enum_values)
                      out.push_back({{"name", v}, {"description", nullptr}, {"isDeprecated", false},
                                     {"deprecationReason", nullptr}});
                    return out;
                  },
                  true),
       type_field("inputFields", list_type(NN(N("__InputValue"))),
                  [](const json&, const TypeDef* d) -> json {
                    return d && d->kind == TypeDef::Kind::InputObject ? input_values(d->input_fields) : json();
                  },
                  true),
       type_field("ofType", N("__Type"), [](const json& t, const TypeDef*) -> json { return t.value("of", json()); })}));
  s.add(object("__Schema", {plain("description", N("String")), plain("types", LNN("__Type")),
                            plain("queryType", NN(N("__Type"))), plain("mutationType", N("__Type")),
                            plain("subscriptionType", N("__Type")), plain("directives", LNN("__Directive"))}));

  TypeDef* query = s.mutable_type(s.query_type);
  if (!query) throw std::logic_error("add_introspection: no query type");
  auto schema_field = plain("__schema", NN(N("__Schema")));
  schema_field.hidden = true;
  schema_field.resolve = [](const json&, const json&, ResolveContext& ctx) -> json {
    const Schema& schema = schema_of(ctx);
    json types = json::array();
    for (const auto* t : schema.types()) types.push_back({{"ref", t->name}});
    json directives = json::array();
    for (const auto* d : schema.directives())
      directives.push_back({{"name", d->name}, {"description", nullptr}, {"isRepeatable", false},
                            {"locations", d->locations}, {"args", input_values(d->args)}});
    return {{"description", nullptr},
            {"types", std::move(types)},
            {"queryType", {{"ref", schema.query_type}}},
            {"mutationType", schema.mutation_type.empty() ? json() : json{{"ref", schema.mutation_type}}},
            {"subscriptionType", nullptr},
            {"directives", std::move(directives)}};
  };
  auto type_by_name = plain("__type", N("__Type"));
  type_by_name.hidden = true;
  type_by_name.args = {{"name", "name", NN(N("String"))}};
  type_by_name.resolve = [](const json&, const json& args, ResolveContext& ctx) -> json {
    auto name = args.value("name", std::string());
    return schema_of(ctx).type(name) ? json{{"ref", name}} : json();
  };
  query->fields.push_back(std::move(schema_field));
  query->fields.push_back(std::move(type_by_name));
}

}  // namespace sextant::graphql
