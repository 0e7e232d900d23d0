#include "store/sql/search_sql.hpp"

#include <map>
#include <set>

#include "core/error.hpp"
#include "store/sql/workspace_sql.hpp"

namespace sextant::store::sql {

namespace {

using search::Clause;
using search::Comparator;
using search::EntityKind;

const char* sql_operator(Comparator op) {
  switch (op) {
    case Comparator::Eq: return "=";
    case Comparator::NotEq: return "!=";
    case Comparator::Gt: return ">";
    case Comparator::Ge: return ">=";
    case Comparator::Lt: return "<";
    case Comparator::Le: return "<=";
    case Comparator::Like:
    case Comparator::ILike: return "LIKE";  // comparison() renders these through the dialect
    case Comparator::In: return "IN";
    case Comparator::NotIn: return "NOT IN";
  }
  return "=";
}

using Builder = SqlBuilder;

// "<column> <op> ?" with MLflow's semantics: LIKE case-sensitive, ILIKE not (db::Dialect), IN
// lists expanded.
void comparison(Builder& b, const std::string& column, const Clause& c) {
  if (c.op == Comparator::In || c.op == Comparator::NotIn) {
    if (c.value.list.empty()) {
      b.empty_list(c.op == Comparator::In);
      return;
    }
    b.add(column + " " + sql_operator(c.op) + " (");
    for (std::size_t i = 0; i < c.value.list.size(); ++i) {
      if (i) b.add(", ");
      b.value(c.value.list[i]);
    }
    b.add(")");
    return;
  }
  if (c.op == Comparator::Like || c.op == Comparator::ILike) {
    b.like(column, c.value.text, c.op == Comparator::ILike);
    return;
  }
  b.add(column + " " + sql_operator(c.op) + " ");
  if (c.value.kind == search::Value::Kind::Number)
    b.value(c.value.number);
  else
    b.value(c.value.text);
}

// Would the numeric comparison "stored op literal" hold?
bool compares_true(double stored, Comparator op, double literal) {
  switch (op) {
    case Comparator::Eq: return stored == literal;
    case Comparator::NotEq: return stored != literal;
    case Comparator::Gt: return stored > literal;
    case Comparator::Ge: return stored >= literal;
    case Comparator::Lt: return stored < literal;
    case Comparator::Le: return stored <= literal;
    default: return true;  // not numeric: assume it may match
  }
}

const char* run_attribute_column(const std::string& key) {
  if (key == "run_id") return "r.run_uuid";
  if (key == "status") return "r.status";
  if (key == "user_id") return "r.user_id";
  if (key == "artifact_uri") return "r.artifact_uri";
  if (key == "start_time") return "r.start_time";
  if (key == "end_time") return "r.end_time";
  if (key == "run_name") return "r.name";
  if (key == "lifecycle_stage") return "r.lifecycle_stage";
  core::throw_invalid("Invalid attribute key '" + key + "' specified.");
}

void lifecycle_condition(Builder& b, const std::string& column, core::ViewType view) {
  if (view == core::ViewType::ActiveOnly) b.add(" AND " + column + " = 'active'");
  if (view == core::ViewType::DeletedOnly) b.add(" AND " + column + " = 'deleted'");
}

}  // namespace

SqlQuery compile_run_search(const RunQuery& query, const db::Dialect& d) {
  Builder joins(d), where(d), order(d);
  // Inner-joined filter aliases by (entity, key): an order_by on the same key reuses the row
  // (it always exists there), which saves a join per candidate run.
  std::map<std::pair<EntityKind, std::string>, std::string> filter_alias;
  // Metric keys whose filter cannot match a NaN value (stored as 0 with is_nan = 1): ordering
  // on them needs no NaN term, which lets SQLite read the index in order and stop early.
  std::set<std::string> nan_excluded;
  // Filters: one-row-per-run tables are joined (their keys are unique per run), multi-row
  // relations (dataset inputs) are EXISTS subqueries.
  for (const Clause& c : query.filter) {
    switch (c.entity) {
      case EntityKind::Metric: {
        auto a = joins.alias("fm");
        filter_alias.emplace(std::make_pair(c.entity, c.key), a);
        if (!compares_true(0.0, c.op, c.value.number)) nan_excluded.insert(c.key);
        joins.add(" JOIN latest_metrics " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = ");
        joins.value(c.key);
        joins.add(" AND ");
        comparison(joins, a + ".value", c);
        break;
      }
      case EntityKind::Param:
      case EntityKind::Tag: {
        bool is_param = c.entity == EntityKind::Param;
        auto a = joins.alias(is_param ? "fp" : "ft");
        filter_alias.emplace(std::make_pair(c.entity, c.key), a);
        // For equality the (key, value, run_uuid) index answers the join from the index alone;
        // SQLite would otherwise prefer the unique (key, run_uuid) index and read every row.
        std::string hint = c.op != Comparator::Eq ? ""
                           : is_param             ? d.index_hint("sextant_params_key_value_run")
                                                  : d.index_hint("sextant_tags_key_value_run");
        joins.add(std::string(" JOIN ") + (is_param ? "params " : "tags ") + a + hint + " ON " + a +
                  ".run_uuid = r.run_uuid AND " + a + ".key = ");
        joins.value(c.key);
        joins.add(" AND ");
        comparison(joins, a + ".value", c);
        break;
      }
      case EntityKind::Attribute: {
        if (c.key == "run_name") {  // compared with the mlflow.runName tag, as MLflow does
          auto a = joins.alias("fn");
          joins.add(" JOIN tags " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = 'mlflow.runName' AND ");
          comparison(joins, a + ".value", c);
        } else {
          where.add(" AND ");
          comparison(where, run_attribute_column(c.key), c);
        }
        break;
      }
      case EntityKind::Dataset: {
        where.add(" AND EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id");
        if (c.key == "context") {
          where.add(" JOIN input_tags it ON it.input_uuid = i.input_uuid AND it.name = 'mlflow.data.context'");
        }
        where.add(" WHERE i.source_type = 'DATASET' AND i.destination_type = 'RUN' AND i.destination_id = r.run_uuid AND ");
        const char* column = c.key == "context" ? "it.value" : c.key == "digest" ? "d.digest" : "d.name";
        comparison(where, column, c);
        where.add(")");
        break;
      }
    }
  }
  // Order: NULLs (missing keys) last in both directions; NaN metrics after numbers.
  bool has_start_time = false;
  for (const auto& o : query.order_by) {
    const char* dir = o.ascending ? " ASC" : " DESC";
    if (!order.text.empty()) order.add(", ");
    auto reused = filter_alias.find(std::make_pair(o.entity, o.key));
    if (reused != filter_alias.end() && o.entity == EntityKind::Metric && nan_excluded.count(o.key)) {
      order.add(reused->second + ".value" + dir);
    } else if (reused != filter_alias.end() && o.entity == EntityKind::Metric) {
      order.add("CASE WHEN " + reused->second + ".is_nan THEN 1 ELSE 0 END, " + reused->second + ".value" + dir);
    } else if (reused != filter_alias.end()) {
      order.add(reused->second + ".value" + dir);
    } else if (o.entity == EntityKind::Metric) {
      auto a = joins.alias("om");
      joins.add(" LEFT JOIN latest_metrics " + a + " ON " + a + ".run_uuid = r.run_uuid AND " + a + ".key = ");
      joins.value(o.key);
      order.add("CASE WHEN " + a + ".run_uuid IS NULL THEN 2 WHEN " + a + ".is_nan THEN 1 ELSE 0 END, " + a +
                ".value" + dir);
    } else if (o.entity == EntityKind::Param || o.entity == EntityKind::Tag) {
      auto a = joins.alias("oo");
      joins.add(std::string(" LEFT JOIN ") + (o.entity == EntityKind::Param ? "params " : "tags ") + a + " ON " + a +
                ".run_uuid = r.run_uuid AND " + a + ".key = ");
      joins.value(o.key);
      order.add(a + ".value IS NULL, " + a + ".value" + dir);
    } else {
      std::string column = run_attribute_column(o.key);
      if (o.key == "start_time") has_start_time = true;
      order.add(column + " IS NULL, " + column + dir);
    }
  }
  if (!order.text.empty()) order.add(", ");
  if (!has_start_time) order.add("r.start_time IS NULL, r.start_time DESC, ");
  order.add("r.run_uuid ASC");

  Builder out(d);
  out.add("SELECT r.run_uuid FROM runs r");
  out.add(joins.text);
  out.binds = joins.binds;
  out.add(" WHERE r.experiment_id IN (");
  for (std::size_t i = 0; i < query.experiment_ids.size(); ++i) {
    if (i) out.add(", ");
    auto id = parse_experiment_id(query.experiment_ids[i]);
    out.value(id ? SqlValue(*id) : SqlValue(query.experiment_ids[i]));
  }
  if (query.experiment_ids.empty()) out.add("NULL");
  out.add(")");
  lifecycle_condition(out, "r.lifecycle_stage", query.view_type);
  out.add(where.text);
  out.binds.insert(out.binds.end(), where.binds.begin(), where.binds.end());
  out.add(" ORDER BY " + order.text + " LIMIT ");
  out.value(query.max_results);
  out.add(" OFFSET ");
  out.value(query.offset);
  return {std::move(out.text), std::move(out.binds)};
}

SqlQuery compile_experiment_search(const ExperimentQuery& query, const db::Dialect& d, bool workspaces) {
  Builder b(d);
  b.add("SELECT e.experiment_id FROM experiments e WHERE 1 = 1" + WorkspaceSql(workspaces).and_in("e"));
  lifecycle_condition(b, "e.lifecycle_stage", query.view_type);
  for (const Clause& c : query.filter) {
    if (c.entity == EntityKind::Tag) {
      b.add(" AND EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ");
      b.value(c.key);
      b.add(" AND ");
      comparison(b, "t.value", c);
      b.add(")");
    } else {
      const char* column = c.key == "name"               ? "e.name"
                           : c.key == "creation_time"    ? "e.creation_time"
                           : c.key == "last_update_time" ? "e.last_update_time"
                                                         : nullptr;
      if (!column) core::throw_invalid("Invalid attribute key '" + c.key + "' specified.");
      b.add(" AND ");
      comparison(b, column, c);
    }
  }
  std::string order;
  bool has_id = false;
  for (const auto& o : query.order_by) {
    const char* column = o.key == "name"               ? "e.name"
                         : o.key == "experiment_id"    ? "e.experiment_id"
                         : o.key == "creation_time"    ? "e.creation_time"
                         : o.key == "last_update_time" ? "e.last_update_time"
                                                       : nullptr;
    if (!column) core::throw_invalid("Invalid order_by key '" + o.key + "' for experiments.");
    if (o.key == "experiment_id") has_id = true;
    if (!order.empty()) order += ", ";
    order += std::string(column) + " IS NULL, " + column + (o.ascending ? " ASC" : " DESC");
  }
  if (query.order_by.empty()) {
    order = "e.creation_time IS NULL, e.creation_time DESC, e.experiment_id ASC";
  } else if (!has_id) {
    order += ", e.experiment_id DESC";
  }
  b.add(" ORDER BY " + order + " LIMIT ");
  b.value(query.max_results + 1);
  b.add(" OFFSET ");
  b.value(query.offset);
  return {std::move(b.text), std::move(b.binds)};
}

}  // namespace sextant::store::sql
