#include "store/sql/logged_model_search_sql.hpp"

#include "core/error.hpp"
#include "core/logged_model.hpp"

namespace sextant::store::sql {

namespace {

using search::LoggedModelComparison;
using search::LoggedModelEntity;
using search::LoggedModelOp;
using search::LoggedModelOrderBy;

// Column names the AST may name (search/logged_model_filter.cpp validates against the same set).
const char* column_sql(const std::string& column) {
  static const char* kColumns[] = {"model_id",       "experiment_id",     "name",
                                   "artifact_location", "creation_timestamp_ms", "last_updated_timestamp_ms",
                                   "status",         "lifecycle_stage",   "model_type",
                                   "source_run_id",  "status_message"};
  for (const char* c : kColumns)
    if (column == c) return c;
  core::throw_invalid("Invalid attribute key '" + column + "' specified.");
}

const char* op_sql(LoggedModelOp op) {
  switch (op) {
    case LoggedModelOp::Eq: return "=";
    case LoggedModelOp::NotEq: return "!=";
    case LoggedModelOp::Gt: return ">";
    case LoggedModelOp::Ge: return ">=";
    case LoggedModelOp::Lt: return "<";
    case LoggedModelOp::Le: return "<=";
    case LoggedModelOp::Like:
    case LoggedModelOp::ILike: return "LIKE";  // comparison() renders these through the dialect
    case LoggedModelOp::In: return "IN";
    case LoggedModelOp::NotIn: return "NOT IN";
  }
  return "=";
}

using Builder = SqlBuilder;

// The status column holds the enum number; accept the proto names in filters too.
std::string status_value(const std::string& text) {
  if (auto s = core::parse_logged_model_status(text)) return std::to_string(static_cast<int>(*s));
  return text;
}

bool is_integer(const std::string& s) {
  return !s.empty() && s.find_first_not_of("0123456789", s[0] == '-' ? 1 : 0) == std::string::npos && s != "-";
}

// "<column> <op> <value>": LIKE is case-sensitive, ILIKE not (db::Dialect), IN lists are
// expanded (IN () is false, NOT IN () true). The integer status column is compared as text when
// a value is neither a status name nor a number, or with LIKE: what SQLite does by itself, and
// what PostgreSQL would refuse (MLflow's server answers 400 there).
void comparison(Builder& b, std::string column, const LoggedModelComparison& c, bool status) {
  auto text_of = [&](const std::string& v) { return status ? status_value(v) : v; };
  if (status && c.kind != LoggedModelComparison::Kind::Number) {
    bool numeric = c.op != LoggedModelOp::Like && c.op != LoggedModelOp::ILike;
    for (const auto& v : c.list) numeric = numeric && is_integer(text_of(v));
    if (c.op != LoggedModelOp::In && c.op != LoggedModelOp::NotIn) numeric = numeric && is_integer(text_of(c.text));
    if (!numeric) column = b.dialect->cast_text(column);
  }
  if (c.op == LoggedModelOp::In || c.op == LoggedModelOp::NotIn) {
    if (c.list.empty()) {
      b.empty_list(c.op == LoggedModelOp::In);
      return;
    }
    b.add(column + " " + op_sql(c.op) + " (");
    for (std::size_t i = 0; i < c.list.size(); ++i) {
      if (i) b.add(", ");
      b.value(text_of(c.list[i]));
    }
    b.add(")");
    return;
  }
  if (c.op == LoggedModelOp::Like || c.op == LoggedModelOp::ILike) {
    b.like(column, c.text, c.op == LoggedModelOp::ILike);
    return;
  }
  b.add(column + " " + op_sql(c.op) + " ");
  if (c.kind == LoggedModelComparison::Kind::Number) {
    b.value(c.number);
  } else {
    b.value(text_of(c.text));
  }
}

// "(x.dataset_name = ? AND x.dataset_digest = ?) OR (...)" over the request's datasets.
void dataset_condition(Builder& b, const std::vector<LoggedModelDataset>& datasets) {
  b.add("(");
  for (std::size_t i = 0; i < datasets.size(); ++i) {
    if (i) b.add(" OR ");
    b.add("(x.dataset_name = ");
    b.value(datasets[i].name);
    if (datasets[i].digest) {
      b.add(" AND x.dataset_digest = ");
      b.value(*datasets[i].digest);
    }
    b.add(")");
  }
  b.add(")");
}

// The model's most recent value of a metric (latest timestamp, then step), optionally on one dataset.
void latest_metric_value(Builder& b, const LoggedModelOrderBy& o) {
  b.add("(SELECT x.metric_value FROM logged_model_metrics x WHERE x.model_id = m.model_id AND x.metric_name = ");
  b.value(o.key);
  if (o.dataset_name) {
    b.add(" AND x.dataset_name = ");
    b.value(*o.dataset_name);
  }
  if (o.dataset_digest) {
    b.add(" AND x.dataset_digest = ");
    b.value(*o.dataset_digest);
  }
  b.add(" ORDER BY x.metric_timestamp_ms DESC, x.metric_step DESC LIMIT 1)");
}

}  // namespace

SqlQuery compile_logged_model_search(const LoggedModelQuery& query, const db::Dialect& d) {
  Builder b(d);
  b.add("SELECT m.model_id FROM logged_models m WHERE m.lifecycle_stage != 'deleted' AND m.experiment_id IN (");
  std::size_t ids = 0;
  for (const auto& id : query.experiment_ids) {
    auto parsed = parse_experiment_id(id);
    if (!parsed) continue;
    if (ids++) b.add(", ");
    b.value(*parsed);
  }
  if (ids == 0) b.add("NULL");
  b.add(")");

  bool has_metric_filter = false;
  for (const auto& c : query.filter) {
    b.add(" AND ");
    switch (c.entity) {
      case LoggedModelEntity::Attribute:
        comparison(b, std::string("m.") + column_sql(c.key), c, c.key == "status");
        break;
      case LoggedModelEntity::Metric:
        has_metric_filter = true;
        b.add("EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_id = m.model_id AND x.metric_name = ");
        b.value(c.key);
        b.add(" AND ");
        comparison(b, "x.metric_value", c, false);
        if (!query.datasets.empty()) {
          b.add(" AND ");
          dataset_condition(b, query.datasets);
        }
        b.add(")");
        break;
      case LoggedModelEntity::Param:
        b.add("EXISTS (SELECT 1 FROM logged_model_params x WHERE x.model_id = m.model_id AND x.param_key = ");
        b.value(c.key);
        b.add(" AND ");
        comparison(b, "x.param_value", c, false);
        b.add(")");
        break;
      case LoggedModelEntity::Tag:
        b.add("EXISTS (SELECT 1 FROM logged_model_tags x WHERE x.model_id = m.model_id AND x.tag_key = ");
        b.value(c.key);
        b.add(" AND ");
        comparison(b, "x.tag_value", c, false);
        b.add(")");
        break;
    }
  }
  // Datasets without a metric clause: models with at least one metric on those datasets.
  if (!query.datasets.empty() && !has_metric_filter) {
    b.add(" AND EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_id = m.model_id AND ");
    dataset_condition(b, query.datasets);
    b.add(")");
  }

  b.add(" ORDER BY ");
  bool has_creation = false;
  for (const auto& o : query.order_by) {
    const char* dir = o.ascending ? " ASC, " : " DESC, ";
    if (o.kind == LoggedModelOrderBy::Kind::Attribute) {
      std::string column = std::string("m.") + column_sql(o.key);
      if (o.key == "creation_timestamp_ms") has_creation = true;
      b.add(column + " IS NULL, " + column + dir);
    } else {
      latest_metric_value(b, o);
      b.add(" IS NULL, ");
      latest_metric_value(b, o);
      b.add(dir);
    }
  }
  if (!has_creation) b.add("m.creation_timestamp_ms DESC, ");
  b.add("m.model_id ASC LIMIT ");  // model_id: a stable order for equal keys, so pages do not overlap
  b.value(query.max_results + 1);
  b.add(" OFFSET ");
  b.value(query.offset);
  return {std::move(b.text), std::move(b.binds)};
}

}  // namespace sextant::store::sql
