#include "graphql/validation.hpp"

#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <utility>

#include "graphql/error.hpp"
#include "graphql/input_coercion.hpp"

namespace sextant::graphql {

namespace {

std::string printed_arguments(const std::vector<Argument>& args) {
  std::string out;
  for (const auto& a : args) out += a.name + ":" + print_value(a.value) + ",";
  return out;
}

// Whether a variable of type `var` (with a default or not) may be used where `loc` is expected.
bool compatible(const TypeRef& var, const TypeRef& loc) {
  if (loc.kind == TypeRef::Kind::NonNull) {
    return var.kind == TypeRef::Kind::NonNull && compatible(*var.of, *loc.of);
  }
  if (var.kind == TypeRef::Kind::NonNull) return compatible(*var.of, loc);
  if (loc.kind == TypeRef::Kind::List) return var.kind == TypeRef::Kind::List && compatible(*var.of, *loc.of);
  return var.kind == TypeRef::Kind::Named && var.name == loc.name;
}

class Validator {
 public:
  Validator(const Schema& schema, const Document& doc, std::size_t max_errors)
      : schema_(schema), doc_(doc), max_errors_(max_errors) {}

  std::vector<std::string> run() {
    operations();
    for (const auto& f : doc_.fragments) {
      if (!fragments_.emplace(f.name, &f).second) error("There can be only one fragment named '" + f.name + "'.");
      const TypeDef* t = schema_.type(f.type_condition);
      if (!t) error("Unknown type '" + f.type_condition + "'.");
      else if (t->kind != TypeDef::Kind::Object)
        error("Fragment '" + f.name + "' cannot condition on non composite type '" + f.type_condition + "'.");
      directives(f.directives, "FRAGMENT_DEFINITION");
    }
    cycles();
    for (const auto& op : doc_.operations) operation(op);
    for (const auto& f : doc_.fragments)
      if (!used_fragments_.count(f.name)) error("Fragment '" + f.name + "' is never used.");
    return std::move(errors_);
  }

 private:
  void error(const std::string& message) {
    if (errors_.size() < max_errors_ && seen_.insert(message).second) errors_.push_back(message);
  }

  void operations() {
    std::set<std::string> names;
    for (const auto& op : doc_.operations) {
      if (op.name.empty() && doc_.operations.size() > 1)
        error("This anonymous operation must be the only defined operation.");
      if (!op.name.empty() && !names.insert(op.name).second)
        error("There can be only one operation named '" + op.name + "'.");
    }
  }

  // Every fragment's direct spreads; a cycle is reported once per fragment that starts it.
  void cycles() {
    std::map<std::string, int> state;  // 0 new, 1 on the path, 2 done
    std::vector<std::string> path;
    std::function<void(const Fragment&)> visit = [&](const Fragment& f) {
      state[f.name] = 1;
      path.push_back(f.name);
      std::vector<std::string> spreads;
      collect_spreads(f.selections, spreads);
      for (const auto& s : spreads) {
        auto it = fragments_.find(s);
        if (it == fragments_.end()) continue;
        if (state[s] == 1) {
          std::string via;
          bool on = false;
          for (const auto& p : path) {
            if (on) via += (via.empty() ? "'" : "', '") + p;
            if (p == s) on = true;
          }
          error("Cannot spread fragment '" + s + "' within itself" + (via.empty() ? "" : " via " + via + "'") + ".");
        } else if (state[s] == 0) {
          visit(*it->second);
        }
      }
      path.pop_back();
      state[f.name] = 2;
    };
    for (const auto& [name, f] : fragments_)
      if (state[name] == 0) visit(*f);
  }

  static void collect_spreads(const std::vector<Selection>& sels, std::vector<std::string>& out) {
    for (const auto& s : sels) {
      if (s.kind == Selection::Kind::FragmentSpread) out.push_back(s.name);
      else collect_spreads(s.selections, out);
    }
  }

  void operation(const Operation& op) {
    usages_.clear();
    const TypeDef* root = nullptr;
    if (op.type == "query") root = schema_.type(schema_.query_type);
    else if (op.type == "mutation" && !schema_.mutation_type.empty()) root = schema_.type(schema_.mutation_type);
    directives(op.directives, op.type == "query" ? "QUERY" : op.type == "mutation" ? "MUTATION" : "SUBSCRIPTION");
    std::map<std::string, const VariableDefinition*> defined;
    for (const auto& v : op.variables) {
      if (!defined.emplace(v.name, &v).second) error("There can be only one variable named '$" + v.name + "'.");
      const TypeDef* t = schema_.type(v.type->base_name());
      if (!t) {
        error("Unknown type '" + v.type->base_name() + "'.");
      } else if (!t->is_input()) {
        error("Variable '$" + v.name + "' cannot be non-input type '" + v.type->to_string() + "'.");
      } else if (v.default_value) {
        value(*v.default_value, *v.type);
      }
    }
    if (!root) {
      error("Schema is not configured to execute " + op.type + " operation.");
      return;
    }
    selection_set(*root, op.selections);
    std::set<std::string> used;
    std::string in_op = op.name.empty() ? "" : " by operation '" + op.name + "'";
    for (const auto& [name, type] : usages_) {
      used.insert(name);
      auto it = defined.find(name);
      if (it == defined.end()) {
        error("Variable '$" + name + "' is not defined" + in_op + ".");
        continue;
      }
      const auto& def = *it->second;
      const TypeDef* var_base = schema_.type(def.type->base_name());
      if (!var_base || !var_base->is_input()) continue;  // reported with the definition
      auto var_type = def.type;
      if (def.default_value && def.default_value->kind != Value::Kind::Null && var_type->kind != TypeRef::Kind::NonNull)
        var_type = non_null_type(var_type);
      if (!compatible(*var_type, *type))
        error("Variable '$" + name + "' of type '" + def.type->to_string() + "' used in position expecting type '" +
              type->to_string() + "'.");
    }
    for (const auto& v : op.variables)
      if (!used.count(v.name))
        error("Variable '$" + v.name + "' is never used" + (op.name.empty() ? "" : " in operation '" + op.name + "'") + ".");
  }

  void directives(const std::vector<Directive>& list, const std::string& location) {
    std::set<std::string> names;
    for (const auto& d : list) {
      const DirectiveDef* def = schema_.directive(d.name);
      if (!def) {
        error("Unknown directive '@" + d.name + "'.");
        continue;
      }
      if (!names.insert(d.name).second) error("The directive '@" + d.name + "' can only be used once at this location.");
      bool allowed = false;
      for (const auto& l : def->locations) allowed = allowed || l == location;
      if (!allowed) {
        std::string where = location;
        for (auto& c : where) c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        error("Directive '@" + d.name + "' may not be used on " + where + ".");
      }
      arguments(d.arguments, def->args, "directive '@" + d.name + "'");
      for (const auto& a : def->args) {
        bool given = false;
        for (const auto& g : d.arguments) given = given || g.name == a.name;
        if (!given && a.type->kind == TypeRef::Kind::NonNull)
          error("Directive '@" + d.name + "' argument '" + a.name + "' of type '" + a.type->to_string() +
                "' is required, but it was not provided.");
      }
    }
  }

  void arguments(const std::vector<Argument>& given, const std::vector<InputValueDef>& defs, const std::string& owner) {
    std::set<std::string> names;
    for (const auto& a : given) {
      if (!names.insert(a.name).second) error("There can be only one argument named '" + a.name + "'.");
      const InputValueDef* def = nullptr;
      for (const auto& d : defs)
        if (d.name == a.name) def = &d;
      if (!def) {
        error("Unknown argument '" + a.name + "' on " + owner + ".");
        continue;
      }
      value(a.value, *def->type);
    }
  }

  // Records the variables a value uses (with the type expected there) and checks its literals.
  void value(const Value& v, const TypeRef& type) {
    record_variables(v, type);
    try {
      coerce_literal(schema_, v, type, nullptr);
    } catch (const GraphqlError& e) {
      error(e.what());
    }
  }

  void record_variables(const Value& v, const TypeRef& type) {
    if (v.kind == Value::Kind::Variable) {
      usages_.emplace_back(v.text, &type);
      return;
    }
    const TypeRef& inner = type.kind == TypeRef::Kind::NonNull ? *type.of : type;
    if (v.kind == Value::Kind::List) {
      for (const auto& item : v.items) record_variables(item, inner.kind == TypeRef::Kind::List ? *inner.of : inner);
    } else if (v.kind == Value::Kind::Object && inner.kind == TypeRef::Kind::Named) {
      const TypeDef* t = schema_.type(inner.name);
      for (std::size_t i = 0; t && i < v.items.size(); ++i)
        if (const auto* f = t->input_field(v.keys[i])) record_variables(v.items[i], *f->type);
    } else if (v.kind != Value::Kind::List && inner.kind == TypeRef::Kind::List) {
      record_variables(v, *inner.of);
    }
  }

  // The fields of one selection set as execution collects them (through fragments), for the
  // response-key merge rule.
  void flatten(const TypeDef& parent, const std::vector<Selection>& sels,
               std::vector<const Selection*>& out, std::set<std::string>& active) {
    for (const auto& s : sels) {
      if (s.kind == Selection::Kind::Field) {
        out.push_back(&s);
      } else if (s.kind == Selection::Kind::InlineFragment) {
        flatten(parent, s.selections, out, active);
      } else {
        auto it = fragments_.find(s.name);
        if (it == fragments_.end() || active.count(s.name)) continue;
        active.insert(s.name);
        flatten(parent, it->second->selections, out, active);
        active.erase(s.name);
      }
    }
  }

  void selection_set(const TypeDef& parent, const std::vector<Selection>& sels) {
    for (const auto& s : sels) {
      switch (s.kind) {
        case Selection::Kind::Field: field(parent, s); break;
        case Selection::Kind::InlineFragment: {
          directives(s.directives, "INLINE_FRAGMENT");
          if (!s.type_condition.empty()) {
            const TypeDef* t = schema_.type(s.type_condition);
            if (!t) {
              error("Unknown type '" + s.type_condition + "'.");
              break;
            }
            if (t->kind != TypeDef::Kind::Object) {
              error("Fragment cannot condition on non composite type '" + s.type_condition + "'.");
              break;
            }
            if (t != &parent) {
              error("Fragment cannot be spread here as objects of type '" + parent.name + "' can never be of type '" +
                    t->name + "'.");
              break;
            }
          }
          selection_set(parent, s.selections);
          break;
        }
        case Selection::Kind::FragmentSpread: {
          directives(s.directives, "FRAGMENT_SPREAD");
          auto it = fragments_.find(s.name);
          if (it == fragments_.end()) {
            error("Unknown fragment '" + s.name + "'.");
            break;
          }
          used_fragments_.insert(s.name);
          const Fragment& f = *it->second;
          const TypeDef* t = schema_.type(f.type_condition);
          if (!t || t->kind != TypeDef::Kind::Object) break;  // reported with the fragment
          if (t != &parent) {
            error("Fragment '" + s.name + "' cannot be spread here as objects of type '" + parent.name +
                  "' can never be of type '" + t->name + "'.");
            break;
          }
          if (active_.count(s.name)) break;  // a cycle, reported by cycles()
          active_.insert(s.name);
          selection_set(parent, f.selections);
          active_.erase(s.name);
          break;
        }
      }
    }
    std::vector<const Selection*> fields;
    std::set<std::string> active;
    flatten(parent, sels, fields, active);
    std::map<std::string, const Selection*> by_key;
    for (const auto* f : fields) {
      auto [it, fresh] = by_key.emplace(f->response_key(), f);
      if (fresh) continue;
      const Selection& other = *it->second;
      if (other.name != f->name) {
        error("Fields '" + f->response_key() + "' conflict because '" + other.name + "' and '" + f->name +
              "' are different fields. Use different aliases on the fields to fetch both if this was intentional.");
      } else if (printed_arguments(other.arguments) != printed_arguments(f->arguments)) {
        error("Fields '" + f->response_key() +
              "' conflict because they have differing arguments. Use different aliases on the fields to fetch both "
              "if this was intentional.");
      }
    }
  }

  void field(const TypeDef& parent, const Selection& s) {
    directives(s.directives, "FIELD");
    if (s.name == "__typename") {
      arguments(s.arguments, {}, "field '" + parent.name + ".__typename'");
      if (s.has_selection_set)
        error("Field '__typename' must not have a selection since type 'String!' has no subfields.");
      return;
    }
    const FieldDef* def = parent.field(s.name);
    if (!def) {
      error("Cannot query field '" + s.name + "' on type '" + parent.name + "'.");
      return;
    }
    arguments(s.arguments, def->args, "field '" + parent.name + "." + s.name + "'");
    const TypeDef* t = schema_.type(def->type->base_name());
    if (!t) return;
    if (t->is_leaf()) {
      if (s.has_selection_set)
        error("Field '" + s.name + "' must not have a selection since type '" + def->type->to_string() +
              "' has no subfields.");
      return;
    }
    if (!s.has_selection_set) {
      error("Field '" + s.name + "' of type '" + def->type->to_string() +
            "' must have a selection of subfields. Did you mean '" + s.name + " { ... }'?");
      return;
    }
    selection_set(*t, s.selections);
  }

  const Schema& schema_;
  const Document& doc_;
  std::size_t max_errors_;
  std::vector<std::string> errors_;
  std::set<std::string> seen_;
  std::map<std::string, const Fragment*> fragments_;
  std::set<std::string> used_fragments_;
  std::set<std::string> active_;
  std::vector<std::pair<std::string, const TypeRef*>> usages_;  // variable, type expected there
};

}  // namespace

std::vector<std::string> validate(const Schema& schema, const Document& document, std::size_t max_errors) {
  return Validator(schema, document, max_errors).run();
}

}  // namespace sextant::graphql
