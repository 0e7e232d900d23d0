// Unit tests for the SearchLoggedModels grammar (search/logged_model_filter, mlflow-api.md §3.6)
// and its SQL compilation (store/sql/logged_model_search_sql).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "core/error.hpp"
#include "search/logged_model_filter.hpp"
#include "store/sql/logged_model_search_sql.hpp"

namespace sextant::search {
namespace {

using core::ErrorCode;
using core::MlflowError;
using Kind = LoggedModelComparison::Kind;

LoggedModelComparison one(std::string_view s) {
  auto f = parse_logged_model_filter(s);
  EXPECT_EQ(f.size(), 1u) << s;
  return f.empty() ? LoggedModelComparison{} : f.front();
}

std::string filter_error(std::string_view s) {
  try {
    parse_logged_model_filter(s);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE) << s;
    return e.what();
  }
  ADD_FAILURE() << "expected an error for: " << s;
  return {};
}

std::string order_error(std::string_view field) {
  try {
    parse_logged_model_order_by(field, true, std::nullopt, std::nullopt);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE) << field;
    return e.what();
  }
  ADD_FAILURE() << "expected an error for: " << field;
  return {};
}

TEST(LoggedModelFilter, EmptyIsNoFilter) {
  EXPECT_TRUE(parse_logged_model_filter("").empty());
  EXPECT_TRUE(parse_logged_model_filter("   \t").empty());
}

TEST(LoggedModelFilter, Entities) {
  auto c = one("metrics.accuracy > 0.9");
  EXPECT_EQ(c.entity, LoggedModelEntity::Metric);
  EXPECT_EQ(c.key, "accuracy");
  EXPECT_EQ(c.op, LoggedModelOp::Gt);
  EXPECT_EQ(c.kind, Kind::Number);
  EXPECT_DOUBLE_EQ(c.number, 0.9);

  c = one("params.lr = '0.01'");
  EXPECT_EQ(c.entity, LoggedModelEntity::Param);
  EXPECT_EQ(c.key, "lr");
  EXPECT_EQ(c.kind, Kind::String);
  EXPECT_EQ(c.text, "0.01");

  c = one("tags.`mlflow.user` = 'alice'");
  EXPECT_EQ(c.entity, LoggedModelEntity::Tag);
  EXPECT_EQ(c.key, "mlflow.user");
  EXPECT_EQ(c.text, "alice");

  c = one("attributes.name = 'model'");
  EXPECT_EQ(c.entity, LoggedModelEntity::Attribute);
  EXPECT_EQ(c.key, "name");

  c = one("name != 'x'");
  EXPECT_EQ(c.entity, LoggedModelEntity::Attribute);
  EXPECT_EQ(c.key, "name");
  EXPECT_EQ(c.op, LoggedModelOp::NotEq);
}

TEST(LoggedModelFilter, KeysKeepDotsAndSpacesInQuotes) {
  EXPECT_EQ(one("metrics.`my metric` > 1").key, "my metric");
  EXPECT_EQ(one("tags.a.b = 'x'").key, "a.b");
  EXPECT_EQ(one("tags.\"a b\" = 'x'").key, "a b");  // MLflow keeps the quotes (never matches)
}

TEST(LoggedModelFilter, AttributeAliases) {
  auto c = one("creation_time > 5");
  EXPECT_EQ(c.key, "creation_timestamp_ms");
  EXPECT_EQ(c.kind, Kind::Number);
  EXPECT_EQ(one("creation_timestamp >= 1").key, "creation_timestamp_ms");
  EXPECT_EQ(one("last_updated_timestamp < 1").key, "last_updated_timestamp_ms");
  EXPECT_EQ(one("attributes.creation_time > 1").key, "creation_timestamp_ms");  // MLflow: 500
  for (const char* a : {"model_id", "experiment_id", "name", "artifact_location", "status", "lifecycle_stage",
                        "model_type", "source_run_id", "status_message"}) {
    auto cmp = one(std::string(a) + " = 'x'");
    EXPECT_EQ(cmp.key, a);
    EXPECT_EQ(cmp.kind, Kind::String) << a;
  }
}

TEST(LoggedModelFilter, Values) {
  EXPECT_EQ(one("name = foo").text, "foo");       // a bare word is taken as the string
  EXPECT_EQ(one("params.lr = 0.01").text, "0.01");  // numbers too (MLflow's own example)
  EXPECT_EQ(one("name = \"quoted\"").text, "quoted");
  EXPECT_EQ(one("name = 'it''s'").text, "it''s");  // no escape processing, like MLflow
  EXPECT_EQ(one("name = ''").text, "");
  EXPECT_DOUBLE_EQ(one("metrics.m >= -1.5e3").number, -1500.0);
  EXPECT_DOUBLE_EQ(one("metrics.m < .5").number, 0.5);
  EXPECT_DOUBLE_EQ(one("creation_time > 1700000000000").number, 1700000000000.0);
  EXPECT_TRUE(std::isinf(one("metrics.m < inf").number));
  EXPECT_TRUE(std::isnan(one("metrics.m = nan").number));
}

TEST(LoggedModelFilter, Lists) {
  auto c = one("tags.release IN ('v1.0', 'v1.1')");
  EXPECT_EQ(c.op, LoggedModelOp::In);
  EXPECT_EQ(c.kind, Kind::List);
  EXPECT_EQ(c.list, (std::vector<std::string>{"v1.0", "v1.1"}));
  c = one("name not in ('a')");
  EXPECT_EQ(c.op, LoggedModelOp::NotIn);
  EXPECT_EQ(c.list, std::vector<std::string>{"a"});
  EXPECT_EQ(one("name IN ('a',)").list, std::vector<std::string>{"a"});
  EXPECT_TRUE(one("name IN ()").list.empty());
  EXPECT_EQ(one("params.p IN (1, 2.5, \"x\")").list, (std::vector<std::string>{"1", "2.5", "x"}));
  EXPECT_EQ(one("name IN ('a,b', 'c)')").list, (std::vector<std::string>{"a,b", "c)"}));
}

TEST(LoggedModelFilter, OperatorsAreCaseInsensitive) {
  EXPECT_EQ(one("name like 'a%'").op, LoggedModelOp::Like);
  EXPECT_EQ(one("name ILIKE 'A%'").op, LoggedModelOp::ILike);
  EXPECT_EQ(one("name Not In ('a')").op, LoggedModelOp::NotIn);
}

TEST(LoggedModelFilter, AndJoinsComparisons) {
  auto f = parse_logged_model_filter(
      "name = 'model' AND metrics.acc > 0.5 and params.C = '1.0' AND tags.t != 'x' AND creation_time <= 9");
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[0].entity, LoggedModelEntity::Attribute);
  EXPECT_EQ(f[1].entity, LoggedModelEntity::Metric);
  EXPECT_EQ(f[2].entity, LoggedModelEntity::Param);
  EXPECT_EQ(f[3].entity, LoggedModelEntity::Tag);
  EXPECT_EQ(f[4].op, LoggedModelOp::Le);
  // AND inside a quoted value is part of the value.
  auto g = parse_logged_model_filter("name = 'a AND b'");
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].text, "a AND b");
}

TEST(LoggedModelFilter, StructureErrors) {
  const std::string expected = "Expected a list of comparisons separated by 'AND'";
  for (const char* bad : {"name", "name =", "name = 'a' OR name = 'b'", "name = 'a' AND", "AND name = 'a'",
                          "name = 'a' name = 'b'", "name = 'a';", "(name = 'a')", "name = 'unterminated",
                          "name IN 'a'", "name = ('a', 'b')", "name IN ('a'", "= 'a'", "name = 'a',"}) {
    EXPECT_NE(filter_error(bad).find(expected), std::string::npos) << bad;
  }
  EXPECT_EQ(filter_error("name = 'a' OR name = 'b'"),
            "Invalid filter string: \"name = 'a' OR name = 'b'\". Expected a list of comparisons separated by 'AND' "
            "(e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').");
  EXPECT_EQ(filter_error("name = 'a'; name = 'b'"),
            "Invalid filter string: \"name = 'a'; name = 'b'\". Expected a single SQL expression.");
}

TEST(LoggedModelFilter, EntityAndAttributeErrors) {
  EXPECT_EQ(filter_error("foo.bar = 'x'"),
            "Invalid entity type: 'foo'. Expected one of ['attributes', 'metrics', 'params', 'tags'].");
  EXPECT_NE(filter_error("metric.x > 1").find("Invalid entity type: 'metric'"), std::string::npos);
  EXPECT_NE(filter_error("Name = 'x'").find("Invalid attribute key 'Name' specified."), std::string::npos);
  EXPECT_NE(filter_error("attributes.tags = 'x'").find("Invalid attribute key 'tags'"), std::string::npos);
}

TEST(LoggedModelFilter, OperatorErrors) {
  EXPECT_EQ(filter_error("metrics.x LIKE 1"),
            "Invalid comparison operator for metrics.x: 'LIKE'. Expected one of ('<', '<=', '>', '>=', '=', '!=').");
  EXPECT_EQ(filter_error("name > 'a'"),
            "Invalid comparison operator for attributes.name: '>'. Expected one of ('=', '!=', 'LIKE', 'ILIKE', "
            "'IN', 'NOT IN').");
  EXPECT_NE(filter_error("creation_time IN (1, 2)").find("for attributes.creation_timestamp_ms: 'IN'"),
            std::string::npos);
  EXPECT_NE(filter_error("name == 'a'").find("'=='"), std::string::npos);
  EXPECT_NE(filter_error("name <> 'a'").find("'<>'"), std::string::npos);
}

TEST(LoggedModelFilter, NumericValueErrors) {
  EXPECT_EQ(filter_error("metrics.x = 'abc'"), "Invalid value \"'abc'\" for metrics.x: expected a number.");
  EXPECT_NE(filter_error("creation_time > yesterday").find("expected a number"), std::string::npos);
  EXPECT_NE(filter_error("name IN ('a' 'b')").find("expected a parenthesised list"), std::string::npos);
  EXPECT_NE(filter_error("name IN (a)").find("expected a parenthesised list"), std::string::npos);
}

TEST(LoggedModelOrderBy, Fields) {
  auto o = parse_logged_model_order_by("creation_time", false, std::nullopt, std::nullopt);
  EXPECT_EQ(o.kind, LoggedModelOrderBy::Kind::Attribute);
  EXPECT_EQ(o.key, "creation_timestamp_ms");
  EXPECT_FALSE(o.ascending);
  o = parse_logged_model_order_by("name", true, std::nullopt, std::nullopt);
  EXPECT_EQ(o.key, "name");
  o = parse_logged_model_order_by("metrics.val.acc", true, std::string("ds"), std::string("d1"));
  EXPECT_EQ(o.kind, LoggedModelOrderBy::Kind::Metric);
  EXPECT_EQ(o.key, "val.acc");
  EXPECT_EQ(o.dataset_name, "ds");
  EXPECT_EQ(o.dataset_digest, "d1");
}

TEST(LoggedModelOrderBy, Errors) {
  EXPECT_EQ(order_error("nope"), "Invalid order by field name: nope");
  EXPECT_EQ(order_error(""), "Invalid order by field name: ");
  EXPECT_EQ(order_error("params.x"), "Invalid order by field name: params.x. Only metrics are supported.");
  EXPECT_EQ(order_error("attributes.name"), "Invalid order by field name: attributes.name. Only metrics are supported.");
}

}  // namespace
}  // namespace sextant::search

namespace sextant::store::sql {
namespace {

std::size_t count_placeholders(const std::string& sql) { return static_cast<std::size_t>(std::count(sql.begin(), sql.end(), '?')); }

TEST(LoggedModelSearchSql, UserTextOnlyInBinds) {
  LoggedModelQuery q;
  q.experiment_ids = {"1", "abc", "2"};
  q.filter = search::parse_logged_model_filter(
      "name = 'x''; DROP TABLE logged_models; --' AND metrics.`evil'key` > 1 AND params.p IN ('a', 'b') AND "
      "tags.t LIKE '%z%' AND status = 'LOGGED_MODEL_READY'");
  q.datasets = {{"train", std::nullopt}, {"test", std::string("d1")}};
  q.order_by = {search::parse_logged_model_order_by("metrics.evil'order", false, std::string("ds"), std::nullopt),
                search::parse_logged_model_order_by("name", true, std::nullopt, std::nullopt)};
  q.max_results = 10;
  q.offset = 20;
  auto sql = compile_logged_model_search(q);
  EXPECT_EQ(sql.text.find("DROP"), std::string::npos);
  EXPECT_EQ(sql.text.find("evil"), std::string::npos);
  EXPECT_EQ(sql.text.find("%z%"), std::string::npos);
  EXPECT_EQ(count_placeholders(sql.text), sql.binds.size());
  EXPECT_NE(sql.text.find("m.lifecycle_stage != 'deleted'"), std::string::npos);
  EXPECT_NE(sql.text.find("m.creation_timestamp_ms DESC"), std::string::npos);
  // Non-numeric experiment ids are dropped; the status name is bound as its number.
  EXPECT_EQ(std::get<std::int64_t>(sql.binds[0]), 1);
  EXPECT_EQ(std::get<std::int64_t>(sql.binds[1]), 2);
  bool status_bound = false;
  for (const auto& b : sql.binds)
    if (auto* s = std::get_if<std::string>(&b); s && *s == "2") status_bound = true;
  EXPECT_TRUE(status_bound);
  EXPECT_EQ(std::get<std::int64_t>(sql.binds[sql.binds.size() - 2]), 11);  // max_results + 1 (peek-ahead)
  EXPECT_EQ(std::get<std::int64_t>(sql.binds.back()), 20);
}

TEST(LoggedModelSearchSql, CreationTimeOrderIsNotRepeated) {
  LoggedModelQuery q;
  q.experiment_ids = {"1"};
  q.order_by = {search::parse_logged_model_order_by("creation_timestamp", true, std::nullopt, std::nullopt)};
  auto sql = compile_logged_model_search(q);
  EXPECT_NE(sql.text.find("m.creation_timestamp_ms ASC"), std::string::npos);
  EXPECT_EQ(sql.text.find("m.creation_timestamp_ms DESC"), std::string::npos);
}

TEST(LoggedModelSearchSql, NoExperimentsMatchesNothing) {
  LoggedModelQuery q;
  q.experiment_ids = {"x"};
  auto sql = compile_logged_model_search(q);
  EXPECT_NE(sql.text.find("IN (NULL)"), std::string::npos);
}

}  // namespace
}  // namespace sextant::store::sql
