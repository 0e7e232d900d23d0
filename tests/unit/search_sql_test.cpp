#include "store/sql/search_sql.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "search/filter_parser.hpp"

using namespace sextant;
using store::sql::compile_experiment_search;
using store::sql::compile_run_search;

namespace {
std::size_t placeholders(const std::string& sql) { return static_cast<std::size_t>(std::count(sql.begin(), sql.end(), '?')); }

store::RunQuery run_query(const std::string& filter, std::vector<std::string> order = {}) {
  store::RunQuery q;
  q.experiment_ids = {"1", "2"};
  q.filter = search::parse_filter(filter, search::Grammar::Runs);
  for (const auto& o : order) q.order_by.push_back(search::parse_order_by(o, search::Grammar::Runs));
  q.max_results = 100;
  return q;
}
}  // namespace

TEST(SearchSql, UserTextOnlyInBinds) {
  auto q = run_query("params.`x'; DROP TABLE runs; --` = 'a''); DELETE FROM runs; --' AND tags.t LIKE '%evil%'",
                     {"metrics.`m\"; --` DESC"});
  auto sql = compile_run_search(q);
  EXPECT_EQ(sql.text.find("DROP"), std::string::npos);
  EXPECT_EQ(sql.text.find("DELETE"), std::string::npos);
  EXPECT_EQ(sql.text.find("evil"), std::string::npos);
  EXPECT_EQ(placeholders(sql.text), sql.binds.size());
  bool found = std::any_of(sql.binds.begin(), sql.binds.end(), [](const store::sql::SqlValue& v) {
    auto* s = std::get_if<std::string>(&v);
    return s && s->find("DROP TABLE") != std::string::npos;
  });
  EXPECT_TRUE(found);
}

TEST(SearchSql, PlaceholdersMatchBindsForEveryClauseKind) {
  for (const char* f :
       {"metrics.acc > 0.9 AND params.lr = '0.01'", "tags.a != 'x' AND attributes.status = 'FINISHED'",
        "run_name ILIKE 'r%'", "attributes.run_id IN ('abc', 'def')", "attributes.run_id NOT IN ('ABC')",
        "datasets.name = 'd' AND datasets.context = 'training' AND datasets.digest LIKE 'ab%'",
        "start_time >= 10 AND end_time < 20", ""}) {
    auto sql = compile_run_search(run_query(f, {"metrics.acc DESC", "params.lr", "tags.t DESC", "start_time"}));
    EXPECT_EQ(placeholders(sql.text), sql.binds.size()) << f;
  }
}

TEST(SearchSql, OrderReusesFilterJoinAndAddsTieBreakers) {
  auto sql = compile_run_search(run_query("metrics.acc > 0.9", {"metrics.acc DESC"}));
  EXPECT_EQ(sql.text.find("LEFT JOIN"), std::string::npos);  // the filter's row is reused
  EXPECT_NE(sql.text.find("r.start_time DESC"), std::string::npos);
  EXPECT_NE(sql.text.find("r.run_uuid ASC"), std::string::npos);
  // "> 0.9" cannot match NaN (stored as 0), so no NaN ordering term is needed; "< 1" can.
  EXPECT_EQ(sql.text.find("is_nan"), std::string::npos);
  auto may_be_nan = compile_run_search(run_query("metrics.acc < 1", {"metrics.acc DESC"}));
  EXPECT_NE(may_be_nan.text.find("is_nan THEN 1"), std::string::npos);
  auto other = compile_run_search(run_query("metrics.acc > 0.9", {"metrics.loss"}));
  EXPECT_NE(other.text.find("LEFT JOIN latest_metrics"), std::string::npos);
}

TEST(SearchSql, EmptyInListsMatchNothingOrEverything) {
  // Upper-case ids are dropped from run_id lists, leaving them empty.
  auto in = compile_run_search(run_query("attributes.run_id IN ('ABC')"));
  EXPECT_NE(in.text.find(" AND 1 = 0"), std::string::npos);
  auto not_in = compile_run_search(run_query("attributes.run_id NOT IN ('ABC')"));
  EXPECT_NE(not_in.text.find(" AND 1 = 1"), std::string::npos);
}

TEST(SearchSql, ExperimentsOfTheDefaultWorkspaceOnWorkspaceSchemas) {
  store::ExperimentQuery q;
  q.max_results = 10;
  q.filter = search::parse_filter("name = 'a'", search::Grammar::Experiments);
  auto plain = compile_experiment_search(q);
  auto scoped = compile_experiment_search(q, db::sqlite_dialect(), true);
  EXPECT_EQ(plain.text.find("workspace"), std::string::npos) << plain.text;
  EXPECT_NE(scoped.text.find("WHERE 1 = 1 AND e.workspace = 'default'"), std::string::npos) << scoped.text;
  EXPECT_EQ(scoped.binds, plain.binds);
}

TEST(SearchSql, ExperimentsPeekOneAhead) {
  store::ExperimentQuery q;
  q.max_results = 10;
  q.filter = search::parse_filter("name LIKE 'a%' AND tags.k = 'v'", search::Grammar::Experiments);
  auto sql = compile_experiment_search(q);
  EXPECT_EQ(placeholders(sql.text), sql.binds.size());
  ASSERT_GE(sql.binds.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(sql.binds[sql.binds.size() - 2]), 11);
  EXPECT_NE(sql.text.find("e.experiment_id ASC"), std::string::npos);  // default tie-breaker
}
