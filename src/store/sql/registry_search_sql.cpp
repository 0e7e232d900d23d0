#include "store/sql/registry_search_sql.hpp"

// The SQL below spells out core::registry::kPromptTag ('mlflow.prompt.is_prompt') and
// kStageDeletedInternal ('Deleted_Internal') as literals.

#include "core/error.hpp"
#include "core/registry.hpp"
#include "store/sql/workspace_sql.hpp"
#include "util/strings.hpp"

namespace sextant::store::sql {

namespace {

using search::Clause;
using search::Comparator;
using search::EntityKind;

using Builder = SqlBuilder;

void bind_value(Builder& b, const search::Value& v) {
  if (v.kind == search::Value::Kind::Number)
    b.value(v.number);
  else
    b.value(v.text);
}

// "<column> <op> ?": = and LIKE case-sensitive, ILIKE not (db::Dialect).
void comparison(Builder& b, const std::string& column, const Clause& c) {
  switch (c.op) {
    case Comparator::In:
    case Comparator::NotIn: {
      if (c.value.list.empty()) {
        b.empty_list(c.op == Comparator::In);
        return;
      }
      b.add(column + (c.op == Comparator::In ? " IN (" : " NOT IN ("));
      for (std::size_t i = 0; i < c.value.list.size(); ++i) {
        if (i) b.add(", ");
        b.value(c.value.list[i]);
      }
      b.add(")");
      return;
    }
    case Comparator::ILike:
    case Comparator::Like:
      b.like(column, c.value.text, c.op == Comparator::ILike);
      return;
    case Comparator::Eq: b.add(column + " = "); break;
    case Comparator::NotEq: b.add(column + " != "); break;
    case Comparator::Gt: b.add(column + " > "); break;
    case Comparator::Ge: b.add(column + " >= "); break;
    case Comparator::Lt: b.add(column + " < "); break;
    case Comparator::Le: b.add(column + " <= "); break;
  }
  bind_value(b, c.value);
}

// MLflow's _is_querying_prompt: the first clause on the prompt tag decides.
bool querying_prompts(const search::Filter& filter) {
  for (const auto& c : filter) {
    if (c.entity != EntityKind::Tag || c.key != core::registry::kPromptTag) continue;
    auto v = util::to_lower(c.value.text);
    return (c.op == Comparator::Eq && v == "true") || (c.op == Comparator::NotEq && v == "false");
  }
  return false;
}

// Tag clauses: the entity must have the tag and its value must match (several clauses on one
// key all apply to that key's single row). Without the prompt request, clauses on the prompt
// tag are dropped and prompts excluded.
void tag_clauses(Builder& b, const search::Filter& filter, bool prompts, const char* tag_table,
                 const char* correlation) {
  for (const auto& c : filter) {
    if (c.entity != EntityKind::Tag) continue;
    if (!prompts && c.key == core::registry::kPromptTag) continue;
    b.add(std::string(" AND EXISTS (SELECT 1 FROM ") + tag_table + " t WHERE " + correlation + " AND t.key = ");
    b.value(c.key);
    b.add(" AND ");
    comparison(b, "t.value", c);
    b.add(")");
  }
}

// "<column> ASC" with NULLs first, "<column> DESC" with NULLs last (SQLite's order); names and
// version numbers are never NULL.
std::string ordered(const std::string& column, bool ascending) {
  bool nullable = column.ends_with("_time");
  std::string nulls = nullable ? column + (ascending ? " IS NULL DESC, " : " IS NULL, ") : "";
  return nulls + column + (ascending ? " ASC" : " DESC");
}

void page(Builder& b, const RegistrySearchQuery& q) {
  b.add(" LIMIT ");
  b.value(q.max_results + 1);
  b.add(" OFFSET ");
  b.value(q.offset);
}

}  // namespace

SqlQuery compile_registered_model_search(const RegistrySearchQuery& query, const db::Dialect& d, bool workspaces) {
  Builder b(d);
  WorkspaceSql ws(workspaces);
  // Tag rows join on the model's key: (workspace, name) with workspaces.
  std::string same_model = workspaces ? "t.workspace = rm.workspace AND t.name = rm.name" : "t.name = rm.name";
  bool prompts = querying_prompts(query.filter);
  b.add("SELECT rm.name FROM registered_models rm WHERE 1 = 1" + ws.and_in("rm"));
  for (const auto& c : query.filter) {
    if (c.entity != EntityKind::Attribute) continue;
    if (c.key != "name") core::throw_invalid("Invalid attribute name: " + c.key);
    b.add(" AND ");
    comparison(b, "rm.name", c);
  }
  tag_clauses(b, query.filter, prompts, "registered_model_tags", same_model.c_str());
  if (!prompts) {
    b.add(std::string(" AND NOT EXISTS (SELECT 1 FROM registered_model_tags p WHERE ") +
          (workspaces ? "p.workspace = rm.workspace AND " : "") +
          "p.name = rm.name AND p.key = 'mlflow.prompt.is_prompt' AND p.value = 'true')");
  }
  // Order: as given, then name ASC. SQLite's NULL placement (first ASC, last DESC) as MLflow on
  // SQLite, on every dialect.
  std::string order;
  bool has_name = false;
  for (const auto& o : query.order_by) {
    const char* column = o.key == "name" ? "rm.name" : "rm.last_updated_time";
    if (o.key == "name") has_name = true;
    if (!order.empty()) order += ", ";
    order += ordered(column, o.ascending);
  }
  if (!has_name) order += std::string(order.empty() ? "" : ", ") + "rm.name ASC";
  b.add(" ORDER BY " + order);
  page(b, query);
  return {std::move(b.text), std::move(b.binds)};
}

SqlQuery compile_model_version_search(const RegistrySearchQuery& query, const db::Dialect& d, bool workspaces) {
  Builder b(d);
  WorkspaceSql ws(workspaces);
  std::string same_version = workspaces ? "t.workspace = mv.workspace AND t.name = mv.name AND t.version = mv.version"
                                        : "t.name = mv.name AND t.version = mv.version";
  bool prompts = querying_prompts(query.filter);
  b.add("SELECT ");
  b.add(kModelVersionSearchColumns);
  b.add(" FROM model_versions mv WHERE mv.current_stage != 'Deleted_Internal'" + ws.and_in("mv"));
  for (const auto& c : query.filter) {
    if (c.entity != EntityKind::Attribute) continue;
    const char* column = c.key == "name"             ? "mv.name"
                         : c.key == "run_id"         ? "mv.run_id"
                         : c.key == "source_path"    ? "mv.source"
                         : c.key == "version_number" ? "mv.version"
                                                     : nullptr;
    if (!column) core::throw_invalid("Invalid attribute name: " + c.key);
    b.add(" AND ");
    comparison(b, column, c);
  }
  tag_clauses(b, query.filter, prompts, "model_version_tags", same_version.c_str());
  if (!prompts) {  // MLflow excludes every version of a model any of whose versions is a prompt
    b.add(" AND mv.name NOT IN (SELECT p.name FROM model_version_tags p WHERE p.key = 'mlflow.prompt.is_prompt' "
          "AND p.value = 'true'" + ws.and_in("p") + ")");
  }
  std::vector<search::OrderBy> order_by = query.order_by;
  if (order_by.empty()) {
    order_by = {{EntityKind::Attribute, "last_updated_timestamp", false},
                {EntityKind::Attribute, "name", true},
                {EntityKind::Attribute, "version_number", false}};
  }
  std::string order;
  bool has_name = false, has_version = false;
  for (const auto& o : order_by) {
    const char* column = o.key == "name"                 ? "mv.name"
                         : o.key == "version_number"     ? "mv.version"
                         : o.key == "creation_timestamp" ? "mv.creation_time"
                                                         : "mv.last_updated_time";
    has_name = has_name || o.key == "name";
    has_version = has_version || o.key == "version_number";
    if (!order.empty()) order += ", ";
    order += ordered(column, o.ascending);
  }
  if (!has_name) order += ", mv.name ASC";
  if (!has_version) order += ", mv.version DESC";
  b.add(" ORDER BY " + order);
  page(b, query);
  return {std::move(b.text), std::move(b.binds)};
}

}  // namespace sextant::store::sql
