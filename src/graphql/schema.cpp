#include "graphql/schema.hpp"

#include <cctype>

namespace sextant::graphql {

const InputValueDef* FieldDef::arg(std::string_view n) const {
  for (const auto& a : args)
    if (a.name == n) return &a;
  return nullptr;
}

const FieldDef* TypeDef::field(std::string_view n) const {
  for (const auto& f : fields)
    if (f.name == n) return &f;
  return nullptr;
}

const InputValueDef* TypeDef::input_field(std::string_view n) const {
  for (const auto& f : input_fields)
    if (f.name == n) return &f;
  return nullptr;
}

Schema::Schema() {
  for (auto [name, kind] : {std::pair{"String", ScalarKind::String}, std::pair{"Int", ScalarKind::Int},
                            std::pair{"Float", ScalarKind::Float}, std::pair{"Boolean", ScalarKind::Boolean}}) {
    TypeDef t;
    t.kind = TypeDef::Kind::Scalar;
    t.name = name;
    t.scalar = kind;
    add(std::move(t));
  }
}

void Schema::add(TypeDef type) {
  auto name = type.name;
  types_[name] = std::move(type);
}

void Schema::add(DirectiveDef directive) {
  auto name = directive.name;
  directives_[name] = std::move(directive);
}

const TypeDef* Schema::type(std::string_view name) const {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

TypeDef* Schema::mutable_type(std::string_view name) {
  auto it = types_.find(name);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<const TypeDef*> Schema::types() const {
  std::vector<const TypeDef*> out;
  for (const auto& [name, t] : types_) out.push_back(&t);
  return out;
}

std::vector<const DirectiveDef*> Schema::directives() const {
  std::vector<const DirectiveDef*> out;
  for (const auto& [name, d] : directives_) out.push_back(&d);
  return out;
}

const DirectiveDef* Schema::directive(std::string_view name) const {
  auto it = directives_.find(name);
  return it == directives_.end() ? nullptr : &it->second;
}

std::string camel_case(std::string_view snake) {
  std::string out;
  bool upper = false;
  bool first = true;
  for (char c : snake) {
    if (c == '_' && !first) {
      if (upper) out += '_';  // "a__b": graphene keeps one underscore
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
    first = false;
  }
  return out;
}

}  // namespace sextant::graphql
