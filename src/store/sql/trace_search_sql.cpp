#include "store/sql/trace_search_sql.hpp"

#include <cmath>
#include <string>

#include "core/error.hpp"

namespace sextant::store::sql {

namespace {

using search::TraceClause;
using search::TraceComparator;
using search::TraceOrderBy;
using search::TraceTarget;
using search::Value;

// A number as the column wants it: integers bound as integers (PostgreSQL then compares bigint
// with bigint and uses its indexes), the rest as doubles.
SqlValue number(double v) {
  if (std::floor(v) == v && std::fabs(v) <= 9007199254740992.0) return static_cast<std::int64_t>(v);
  return v;
}

const char* sql_operator(TraceComparator op) {
  switch (op) {
    case TraceComparator::Eq: return "=";
    case TraceComparator::NotEq: return "!=";
    case TraceComparator::Gt: return ">";
    case TraceComparator::Ge: return ">=";
    case TraceComparator::Lt: return "<";
    case TraceComparator::Le: return "<=";
    case TraceComparator::In: return "IN";
    case TraceComparator::NotIn: return "NOT IN";
    case TraceComparator::Like:
    case TraceComparator::ILike:
    case TraceComparator::RLike: break;  // rendered by compare()
  }
  return "=";
}

// "<column> RLIKE ?" per dialect (MLflow: PostgreSQL '~', MySQL a binary REGEXP).
void regex_match(SqlBuilder& b, const std::string& column, const std::string& pattern) {
  switch (b.dialect->backend) {
    case db::Backend::Postgres: b.add(column + " ~ "); break;
    case db::Backend::Mysql: b.add("CAST(" + column + " AS BINARY) REGEXP BINARY "); break;
    case db::Backend::Sqlite:
      core::throw_invalid("RLIKE operator is not supported on the SQLite database. Consider using LIKE or ILIKE "
                          "operators instead.");
  }
  b.value(pattern);
}

// "<column> <op> <value>" with MLflow's semantics; `text` is the string operand (for span
// attributes a pattern built from the value), lists are expanded.
void compare(SqlBuilder& b, const std::string& column, TraceComparator op, const Value& value) {
  switch (op) {
    case TraceComparator::In:
    case TraceComparator::NotIn:
      b.add(column + " " + sql_operator(op) + " (");
      for (std::size_t i = 0; i < value.list.size(); ++i) {
        if (i) b.add(", ");
        b.value(value.list[i]);
      }
      if (value.list.empty()) b.add("NULL");  // the parser refuses "()"; kept valid SQL anyway
      b.add(")");
      return;
    case TraceComparator::Like:
    case TraceComparator::ILike: b.like(column, value.text, op == TraceComparator::ILike); return;
    case TraceComparator::RLike: regex_match(b, column, value.text); return;
    default: break;
  }
  b.add(column + " " + sql_operator(op) + " ");
  if (value.kind == Value::Kind::Number) {
    b.value(number(value.number));
  } else {
    b.value(value.text);
  }
}

std::string attribute_column(const std::string& key) {
  if (key == "request_id") return "t.request_id";
  if (key == "client_request_id") return "t.client_request_id";
  if (key == "status") return "t.status";
  if (key == "timestamp_ms") return "t.timestamp_ms";
  if (key == "execution_time_ms") return "t.execution_time_ms";
  if (key == "end_time_ms") return "(t.timestamp_ms + COALESCE(t.execution_time_ms, 0))";
  if (key == "experiment_id") return "t.experiment_id";
  core::throw_invalid("Invalid attribute key '" + key + "' specified.");
}

// MLflow's patterns for span.attributes.<key>: content holds "<key>": "<JSON-encoded value>".
Value span_attribute_pattern(const TraceClause& c) {
  Value out = c.value;
  auto like_pattern = [&](const std::string& v) { return "%\"" + c.key + "\"" + v + "%"; };
  if (c.op == TraceComparator::RLike) {
    std::string v = c.value.text;
    std::string prefix = "\"\\\\\".*";
    std::string suffix;
    if (!v.empty() && v.front() == '^') {
      v.erase(0, 1);
      prefix = "\"\\\\\"";
    }
    if (!v.empty() && v.back() == '$') {
      v.pop_back();
      suffix = "\\\\\"";
    }
    out.text = "\"" + c.key + "\": " + prefix + v + suffix;
  } else if (c.value.kind == Value::Kind::List) {
    for (auto& item : out.list) item = like_pattern(item);
  } else {
    out.text = like_pattern(c.value.text);
  }
  return out;
}

// One clause as a boolean SQL expression over trace_info t.
void condition(SqlBuilder& b, const TraceClause& c) {
  switch (c.target) {
    case TraceTarget::Attribute: compare(b, attribute_column(c.key), c.op, c.value); return;
    case TraceTarget::Tag:
    case TraceTarget::Metadata: {
      const auto a = b.alias(c.target == TraceTarget::Tag ? "tt" : "tm");
      b.add(std::string("EXISTS (SELECT 1 FROM ") + (c.target == TraceTarget::Tag ? "trace_tags " : "trace_request_metadata ") +
            a + " WHERE " + a + ".key = ");
      b.value(c.key);
      b.add(" AND " + a + ".request_id = t.request_id AND ");
      compare(b, a + ".value", c.op, c.value);
      b.add(")");
      return;
    }
    case TraceTarget::RunLink: {
      const auto m = b.alias("rm");
      const auto e = b.alias("re");
      b.add("(EXISTS (SELECT 1 FROM trace_request_metadata " + m + " WHERE " + m + ".key = ");
      b.value(c.key);
      b.add(" AND " + m + ".request_id = t.request_id AND " + m + ".value = ");
      b.value(c.value.text);
      b.add(") OR EXISTS (SELECT 1 FROM entity_associations " + e + " WHERE " + e + ".source_type = 'trace' AND " + e +
            ".source_id = t.request_id AND " + e + ".destination_type = 'run' AND " + e + ".destination_id = ");
      b.value(c.value.text);
      b.add("))");
      return;
    }
    case TraceTarget::SpanColumn:
    case TraceTarget::SpanContent:
    case TraceTarget::SpanAttribute: {
      const auto s = b.alias("sp");
      b.add("EXISTS (SELECT 1 FROM spans " + s + " WHERE " + s + ".trace_id = t.request_id AND ");
      if (c.target == TraceTarget::SpanAttribute) {
        compare(b, s + ".content", c.op, span_attribute_pattern(c));
      } else {
        const std::string column = c.target == TraceTarget::SpanContent ? "content"
                                   : c.key == "name"                    ? "name"
                                   : c.key == "type"                    ? "type"
                                                                        : "status";
        compare(b, s + "." + column, c.op, c.value);
      }
      b.add(")");
      return;
    }
    case TraceTarget::Feedback:
    case TraceTarget::Expectation: {
      const auto a = b.alias("as");
      b.add("EXISTS (SELECT 1 FROM assessments " + a + " WHERE " + a + ".trace_id = t.request_id AND " + a +
            ".assessment_type = ");
      b.value(std::string(c.target == TraceTarget::Feedback ? "feedback" : "expectation"));
      b.add(" AND " + a + ".name = ");
      b.value(c.key);
      b.add(" AND ");
      compare(b, a + ".value", c.op, c.value);
      b.add(")");
      return;
    }
  }
}

// " AND <clause>" for each clause.
void conditions(SqlBuilder& b, const search::TraceFilter& filter) {
  for (const auto& c : filter) {
    b.add(" AND ");
    condition(b, c);
  }
}

void experiment_condition(SqlBuilder& b, const std::vector<std::int64_t>& experiment_ids) {
  b.add("t.experiment_id IN (");
  for (std::size_t i = 0; i < experiment_ids.size(); ++i) {
    if (i) b.add(", ");
    b.value(experiment_ids[i]);
  }
  if (experiment_ids.empty()) b.add("NULL");
  b.add(")");
}

// Columns that are never NULL need no NULLs-last term (which would keep an index from giving
// the order).
bool never_null(const std::string& key) { return key != "execution_time_ms"; }

}  // namespace

SqlQuery compile_trace_search(const std::vector<std::int64_t>& experiment_ids, const search::TraceFilter& filter,
                              const std::vector<search::TraceOrderBy>& order_by, std::int64_t max_results,
                              std::int64_t offset, const db::Dialect& d) {
  SqlBuilder joins(d), where(d), order(d);
  // Aliases of the conditions and the order joins come from separate builders: keep them apart.
  where.alias_counter = 1000;
  bool has_timestamp = false, has_request_id = false;
  for (const auto& o : order_by) {
    const char* dir = o.ascending ? " ASC" : " DESC";
    if (!order.text.empty()) order.add(", ");
    if (o.kind == TraceOrderBy::Kind::Attribute) {
      const std::string column = attribute_column(o.key);
      if (o.key == "timestamp_ms") has_timestamp = true;
      if (o.key == "request_id") has_request_id = true;
      if (!never_null(o.key)) order.add("CASE WHEN " + column + " IS NULL THEN 1 ELSE 0 END, ");
      order.add(column + dir);
    } else {
      const auto a = joins.alias("ob");
      joins.add(std::string(" LEFT JOIN ") + (o.kind == TraceOrderBy::Kind::Tag ? "trace_tags " : "trace_request_metadata ") +
                a + " ON " + a + ".key = ");
      joins.value(o.key);
      joins.add(" AND " + a + ".request_id = t.request_id");
      order.add("CASE WHEN " + a + ".value IS NULL THEN 1 ELSE 0 END, " + a + ".value" + dir);
    }
  }
  if (!has_timestamp) order.add(std::string(order.text.empty() ? "" : ", ") + "t.timestamp_ms DESC");
  if (!has_request_id) order.add(", t.request_id ASC");

  conditions(where, filter);
  SqlBuilder out(d);
  out.add("SELECT t.request_id FROM trace_info t");
  out.append(joins);
  out.add(" WHERE ");
  experiment_condition(out, experiment_ids);
  out.append(where);
  out.add(" ORDER BY " + order.text + " LIMIT ");
  out.value(max_results);
  out.add(" OFFSET ");
  out.value(offset);
  return {std::move(out.text), std::move(out.binds)};
}

SqlQuery compile_trace_filter_counts(const std::vector<std::int64_t>& experiment_ids, const search::TraceFilter& base,
                                     const search::TraceFilter& filter1, const search::TraceFilter& filter2,
                                     const db::Dialect& d) {
  // Each filter once, as a 0/1 column of a derived table; the outer query counts (COUNT is an
  // integer on every backend, SUM a decimal on MySQL).
  SqlBuilder b(d);
  auto flag = [&](const search::TraceFilter& f) {
    b.add("CASE WHEN 1 = 1");
    conditions(b, f);
    b.add(" THEN 1 ELSE 0 END");
  };
  b.add("SELECT COUNT(*), COUNT(CASE WHEN f1 = 1 THEN 1 END), COUNT(CASE WHEN f2 = 1 THEN 1 END), "
        "COUNT(CASE WHEN f1 = 1 AND f2 = 1 THEN 1 END) FROM (SELECT ");
  flag(filter1);
  b.add(" AS f1, ");
  flag(filter2);
  b.add(" AS f2 FROM trace_info t WHERE ");
  experiment_condition(b, experiment_ids);
  conditions(b, base);
  b.add(") matched");
  return {std::move(b.text), std::move(b.binds)};
}

}  // namespace sextant::store::sql
