#include "graphql/executor.hpp"

#include <climits>
#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "graphql/error.hpp"
#include "graphql/input_coercion.hpp"
#include "graphql/validation.hpp"

namespace sextant::graphql {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxErrors = 100;

// A null where the type forbids one: propagates to the nearest nullable position.
struct NullPropagation {};

std::string scalar_text(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

class Executor {
 public:
  Executor(const Schema& schema, const Document& doc, ResolveContext& context, json variables)
      : schema_(schema), context_(context), variables_(std::move(variables)) {
    for (const auto& f : doc.fragments) fragments_.emplace(f.name, &f);
  }

  json run(const TypeDef& root, const std::vector<Selection>& selections) { return object(root, selections, json::object()); }
  std::vector<std::string>& errors() { return errors_; }

 private:
  void error(std::string message) {
    if (errors_.size() < kMaxErrors) errors_.push_back(std::move(message));
  }

  // Fields by response key in first-seen order, through fragments (validated: conditions match).
  void collect(const std::vector<Selection>& sels, std::vector<std::pair<std::string, std::vector<const Selection*>>>& out,
               std::set<std::string>& active) {
    for (const auto& s : sels) {
      if (s.kind == Selection::Kind::Field) {
        bool merged = false;
        for (auto& [key, group] : out) {
          if (key == s.response_key()) {
            group.push_back(&s);
            merged = true;
            break;
          }
        }
        if (!merged) out.push_back({s.response_key(), {&s}});
      } else if (s.kind == Selection::Kind::InlineFragment) {
        collect(s.selections, out, active);
      } else {
        auto it = fragments_.find(s.name);
        if (it == fragments_.end() || active.count(s.name)) continue;
        active.insert(s.name);
        collect(it->second->selections, out, active);
        active.erase(s.name);
      }
    }
  }

  json object(const TypeDef& type, const std::vector<Selection>& sels, const json& source) {
    std::vector<std::pair<std::string, std::vector<const Selection*>>> groups;
    std::set<std::string> active;
    collect(sels, groups, active);
    json out = json::object();
    for (const auto& [key, group] : groups) out[key] = field(type, group, source);
    return out;
  }

  json field(const TypeDef& parent, const std::vector<const Selection*>& group, const json& source) {
    const Selection& first = *group.front();
    if (first.name == "__typename") return parent.name;
    const FieldDef& def = *parent.field(first.name);
    json value;
    try {
      if (def.resolve) {
        json args = json::object();
        for (const auto& a : first.arguments) {
          const auto* ad = def.arg(a.name);
          auto v = coerce_literal(schema_, a.value, *ad->type, &variables_);
          if (v) args[ad->key] = std::move(*v);
        }
        value = def.resolve(source, args, context_);
      } else {
        value = read_member(def, source);
      }
    } catch (const std::exception& e) {
      error(e.what());
      return nullptr;
    }
    std::vector<Selection> merged;
    const std::vector<Selection>* sub = &first.selections;
    if (group.size() > 1) {
      for (const auto* s : group) merged.insert(merged.end(), s->selections.begin(), s->selections.end());
      sub = &merged;
    }
    try {
      return complete(parent, def, *def.type, value, *sub);
    } catch (const NullPropagation&) {
      return nullptr;  // every field of this schema is nullable
    }
  }

  json read_member(const FieldDef& def, const json& source) const {
    if (source.is_object()) {
      auto it = source.find(def.key);
      if (it != source.end() && !it->is_null()) return *it;
    }
    if (!def.proto_default || !source.is_object()) return nullptr;
    const TypeRef& t = def.type->kind == TypeRef::Kind::NonNull ? *def.type->of : *def.type;
    if (t.kind == TypeRef::Kind::List) return json::array();
    const TypeDef* td = schema_.type(t.name);
    switch (td->kind) {
      case TypeDef::Kind::Object: return json::object();
      case TypeDef::Kind::Enum: return td->enum_values.empty() ? json(nullptr) : json(td->enum_values.front());
      case TypeDef::Kind::Scalar:
        switch (td->scalar) {
          case ScalarKind::String: return "";
          case ScalarKind::Boolean: return false;
          case ScalarKind::Float: return 0.0;
          case ScalarKind::Int:
          case ScalarKind::LongString: return 0;
        }
        break;
      case TypeDef::Kind::InputObject: break;
    }
    return nullptr;
  }

  json complete(const TypeDef& parent, const FieldDef& def, const TypeRef& type, const json& value,
                const std::vector<Selection>& sels) {
    if (type.kind == TypeRef::Kind::NonNull) {
      json v = complete(parent, def, *type.of, value, sels);
      if (v.is_null()) {
        error("Cannot return null for non-nullable field " + parent.name + "." + def.name + ".");
        throw NullPropagation{};
      }
      return v;
    }
    if (value.is_null()) return nullptr;
    if (type.kind == TypeRef::Kind::List) {
      if (!value.is_array()) {
        error("Expected Iterable, but did not find one for field '" + parent.name + "." + def.name + "'.");
        return nullptr;
      }
      json out = json::array();
      try {
        for (const auto& item : value) out.push_back(complete(parent, def, *type.of, item, sels));
      } catch (const NullPropagation&) {
        return nullptr;
      }
      return out;
    }
    const TypeDef& t = *schema_.type(type.name);
    try {
      if (t.kind == TypeDef::Kind::Object) return object(t, sels, value);
      if (t.kind == TypeDef::Kind::Enum) return enum_value(t, value);
      return scalar(t.scalar, def, value);
    } catch (const GraphqlError& e) {
      error(e.what());
      return nullptr;
    }
  }

  static json enum_value(const TypeDef& t, const json& v) {
    if (v.is_string())
      for (const auto& e : t.enum_values)
        if (e == v.get_ref<const std::string&>()) return v;
    throw GraphqlError("Enum '" + t.name + "' cannot represent value: " + scalar_text(v));
  }

  static json scalar(ScalarKind kind, const FieldDef& def, const json& v) {
    switch (kind) {
      case ScalarKind::String:
        if (v.is_string()) return v;
        if (v.is_number() || v.is_boolean()) return scalar_text(v);
        throw GraphqlError("String cannot represent value: " + scalar_text(v));
      case ScalarKind::Boolean:
        if (v.is_boolean()) return v;
        throw GraphqlError("Boolean cannot represent a non boolean value: " + scalar_text(v));
      case ScalarKind::Int:
        if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= INT32_MIN &&
            v.get<std::int64_t>() <= INT32_MAX)
          return v;
        if (v.is_number_unsigned() && v.get<std::uint64_t>() <= INT32_MAX) return v;
        throw GraphqlError("Int cannot represent non 32-bit signed integer value: " + scalar_text(v));
      case ScalarKind::Float: {
        double d = 0;
        if (v.is_number()) {
          d = v.get<double>();
        } else if (v.is_string()) {  // MLflow's JSON spells non-finite doubles as strings
          const auto& s = v.get_ref<const std::string&>();
          d = s == "NaN" ? std::nan("") : s == "Infinity" ? HUGE_VAL : s == "-Infinity" ? -HUGE_VAL : 0;
          if (s != "NaN" && s != "Infinity" && s != "-Infinity")
            throw GraphqlError("Float cannot represent non numeric value: " + scalar_text(v));
        } else {
          throw GraphqlError("Float cannot represent non numeric value: " + scalar_text(v));
        }
        if (std::isnan(d) && def.nan_as_null) return nullptr;
        if (std::isnan(d)) throw GraphqlError("Float cannot represent non numeric value: nan");
        if (std::isinf(d)) throw GraphqlError(std::string("Float cannot represent non numeric value: ") + (d > 0 ? "inf" : "-inf"));
        return d;
      }
      case ScalarKind::LongString:
        if (v.is_string()) return v;
        if (v.is_number_integer()) return scalar_text(v);
        if (v.is_number_float() && std::isfinite(v.get<double>()) && std::fabs(v.get<double>()) < 9.2e18)
          return std::to_string(static_cast<std::int64_t>(v.get<double>()));
        throw GraphqlError("LongString cannot represent value: " + scalar_text(v));
    }
    return nullptr;
  }

  const Schema& schema_;
  ResolveContext& context_;
  json variables_;
  std::map<std::string, const Fragment*> fragments_;
  std::vector<std::string> errors_;
};

// The variables' coerced values by name; absent ones (no value, no default) are left out.
json coerce_variables(const Schema& schema, const Operation& op, const json& given) {
  if (!given.is_null() && !given.is_object())
    throw GraphqlError("Variables must be provided as a dictionary where keys are variable names and values are "
                       "variable values.");
  json out = json::object();
  for (const auto& v : op.variables) {
    bool provided = given.is_object() && given.contains(v.name);
    if (!provided) {
      if (v.default_value) {
        auto d = coerce_literal(schema, *v.default_value, *v.type, nullptr);
        if (d) out[v.name] = std::move(*d);
      } else if (v.type->kind == TypeRef::Kind::NonNull) {
        throw GraphqlError("Variable '$" + v.name + "' of required type '" + v.type->to_string() + "' was not provided.");
      }
      continue;
    }
    const json& value = given[v.name];
    if (value.is_null() && v.type->kind == TypeRef::Kind::NonNull)
      throw GraphqlError("Variable '$" + v.name + "' of non-null type '" + v.type->to_string() + "' must not be null.");
    std::string path = v.name;
    try {
      out[v.name] = coerce_json(schema, value, *v.type, path);
    } catch (const InvalidInput& e) {
      std::string at = e.path == v.name ? "" : " at '" + e.path + "'";
      throw GraphqlError("Variable '$" + v.name + "' got invalid value " + inspect(e.value) + at + "; " + e.what());
    }
  }
  return out;
}

}  // namespace

ExecutionResult execute(const Schema& schema, const Document& document, const std::optional<std::string>& operation_name,
                        const json& variables, ResolveContext& context) {
  ExecutionResult result;
  result.data = nullptr;
  result.errors = validate(schema, document);
  if (!result.errors.empty()) return result;

  const Operation* op = nullptr;
  if (operation_name) {
    for (const auto& o : document.operations)
      if (o.name == *operation_name) op = &o;
    if (!op) {
      result.errors.push_back("Unknown operation named '" + *operation_name + "'.");
      return result;
    }
  } else if (document.operations.size() == 1) {
    op = &document.operations.front();
  } else {
    result.errors.push_back(document.operations.empty() ? "Must provide an operation."
                                                       : "Must provide operation name if query contains multiple operations.");
    return result;
  }
  json values;
  try {
    values = coerce_variables(schema, *op, variables);
  } catch (const GraphqlError& e) {
    result.errors.push_back(e.what());
    return result;
  }
  const TypeDef* root = schema.type(op->type == "mutation" ? schema.mutation_type : schema.query_type);
  context.schema = &schema;
  Executor executor(schema, document, context, std::move(values));
  result.data = executor.run(*root, op->selections);
  result.errors = std::move(executor.errors());
  return result;
}

}  // namespace sextant::graphql
