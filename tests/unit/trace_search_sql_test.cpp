// SearchTraces' SQL (store/sql/trace_search_sql) run on a real SQLite database with MLflow's
// schema: what each clause kind matches, the order (NULLs last, tie-breakers), paging, the
// correlation counts, and that user text only ever travels as bound values.
#include "store/sql/trace_search_sql.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "db/open.hpp"
#include "search/trace_filter.hpp"
#include "store/sql/schema.hpp"
#include "util/random_id.hpp"

using namespace sextant;
using store::sql::compile_trace_filter_counts;
using store::sql::compile_trace_search;

namespace {

class TraceSearchSql : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() / ("sextant-trace-search-" + util::uuid4_hex() + ".db");
    conn_ = db::open_connection(db::parse_database_uri("sqlite:///" + path_.string()));
    store::sql::ensure_schema(*conn_, "/tmp/sextant-test-artifacts");
    conn_->exec("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) "
                "VALUES (1, 'one', '/tmp/a/1', 'active')");
    // t1: OK, 1000 ms, exec 5, tag env=prod, name 'alpha', source run r1; span 'retrieve' (RETRIEVER)
    // t2: OK, 2000 ms, exec NULL, tag env=dev, linked to run r1 (entity_associations)
    // t3: ERROR, 3000 ms, exec 1, no tags; span 'llm' (LLM) with attribute model "gpt"; feedback
    // t4: OK, 3000 ms (tie with t3), exec 9, in experiment 0
    trace("t1", 1, 1000, "5", "OK");
    trace("t2", 1, 2000, "NULL", "OK");
    trace("t3", 1, 3000, "1", "ERROR");
    trace("t4", 0, 3000, "9", "OK");
    conn_->exec("INSERT INTO trace_tags (key, value, request_id) VALUES ('env', 'prod', 't1'), ('env', 'dev', 't2'), "
                "('mlflow.traceName', 'alpha', 't1')");
    conn_->exec("INSERT INTO trace_request_metadata (key, value, request_id) VALUES ('mlflow.sourceRun', 'r1', 't1')");
    conn_->exec("INSERT INTO entity_associations (association_id, source_type, source_id, destination_type, "
                "destination_id, created_time) VALUES ('a1', 'trace', 't2', 'run', 'r1', 0)");
    conn_->exec(R"(INSERT INTO spans (trace_id, experiment_id, span_id, name, type, status, start_time_unix_nano,
      content) VALUES ('t1', 1, 's1', 'retrieve', 'RETRIEVER', 'OK', 1, '{"name": "retrieve", "attributes": {}}'),
      ('t3', 1, 's3', 'llm', 'LLM', 'ERROR', 1,
       '{"name": "llm", "attributes": {"model": "\"gpt\"", "mlflow.spanType": "\"LLM\""}}'))");
    conn_->exec("INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, created_timestamp, "
                "last_updated_timestamp, source_type, valid) VALUES ('a-1', 't3', 'correct', 'feedback', '\"yes\"', 1, "
                "1, 'HUMAN', 1)");
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove(path_);
  }

  void trace(const std::string& id, int experiment, int ts, const std::string& exec, const std::string& status) {
    conn_->exec("INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status) VALUES ('" +
                id + "', " + std::to_string(experiment) + ", " + std::to_string(ts) + ", " + exec + ", '" + status +
                "')");
  }

  std::vector<std::string> run(const store::sql::SqlQuery& q) {
    EXPECT_EQ(static_cast<std::size_t>(std::count(q.text.begin(), q.text.end(), '?')), q.binds.size()) << q.text;
    auto st = conn_->prepare(q.text);
    store::sql::bind_all(st, q.binds);
    std::vector<std::string> out;
    while (st.step()) out.push_back(st.text(0));
    return out;
  }

  std::vector<std::string> search(const std::string& filter, const std::vector<std::string>& order = {},
                                  std::vector<std::int64_t> experiments = {1}, std::int64_t max = 100,
                                  std::int64_t offset = 0) {
    return run(compile_trace_search(experiments, search::parse_trace_filter(filter),
                                    search::parse_trace_order_by_list(order), max, offset));
  }

  std::filesystem::path path_;
  std::unique_ptr<db::Connection> conn_;
};

using Ids = std::vector<std::string>;

}  // namespace

TEST_F(TraceSearchSql, DefaultOrderIsNewestFirstThenId) {
  EXPECT_EQ(search(""), (Ids{"t3", "t2", "t1"}));
  EXPECT_EQ(search("", {}, {0, 1}), (Ids{"t3", "t4", "t2", "t1"}));  // tie on 3000 ms: request_id ASC
  EXPECT_EQ(search("", {"timestamp ASC"}), (Ids{"t1", "t2", "t3"}));
  EXPECT_EQ(search("", {}, {}), Ids{});
}

TEST_F(TraceSearchSql, Attributes) {
  EXPECT_EQ(search("trace.status = 'OK'"), (Ids{"t2", "t1"}));
  EXPECT_EQ(search("status IN ('ERROR', 'X')"), (Ids{"t3"}));
  EXPECT_EQ(search("status NOT IN ('ERROR')"), (Ids{"t2", "t1"}));
  EXPECT_EQ(search("status ILIKE 'er%'"), (Ids{"t3"}));
  EXPECT_EQ(search("status LIKE 'er%'"), Ids{});  // LIKE is case-sensitive
  EXPECT_EQ(search("timestamp > 1000 AND timestamp_ms <= 3000"), (Ids{"t3", "t2"}));
  EXPECT_EQ(search("execution_time >= 1"), (Ids{"t3", "t1"}));  // NULL matches nothing
  EXPECT_EQ(search("end_time = 2000"), (Ids{"t2"}));             // timestamp + COALESCE(exec, 0)
  EXPECT_EQ(search("end_time > 1004.5"), (Ids{"t3", "t2", "t1"}));
  EXPECT_EQ(search("request_id = 't1'"), (Ids{"t1"}));
}

TEST_F(TraceSearchSql, TagsMetadataAndRunLinks) {
  EXPECT_EQ(search("tags.env = 'prod'"), (Ids{"t1"}));
  EXPECT_EQ(search("tags.env != 'prod'"), (Ids{"t2"}));  // only traces that have the tag
  EXPECT_EQ(search("tags.env LIKE '%d%'"), (Ids{"t2", "t1"}));
  EXPECT_EQ(search("name = 'alpha'"), (Ids{"t1"}));
  EXPECT_EQ(search("tags.env = 'prod' AND status = 'OK'"), (Ids{"t1"}));
  EXPECT_EQ(search("run_id = 'r1'"), (Ids{"t2", "t1"}));  // metadata or the link
  EXPECT_EQ(search("metadata.mlflow.sourceRun = 'r1'"), (Ids{"t2", "t1"}));
  EXPECT_EQ(search("run_id != 'r2'"), (Ids{"t1"}));  // a plain metadata comparison
  EXPECT_EQ(search("run_id = 'r2'"), Ids{});
}

TEST_F(TraceSearchSql, SpansAndAssessments) {
  EXPECT_EQ(search("span.name = 'llm'"), (Ids{"t3"}));
  EXPECT_EQ(search("span.type IN ('LLM', 'RETRIEVER')"), (Ids{"t3", "t1"}));
  EXPECT_EQ(search("span.status != 'OK'"), (Ids{"t3"}));
  EXPECT_EQ(search("trace.text LIKE '%retrieve%'"), (Ids{"t1"}));
  EXPECT_EQ(search("trace.text ILIKE '%GPT%'"), (Ids{"t3"}));
  EXPECT_EQ(search("span.attributes.model LIKE '%gpt%'"), (Ids{"t3"}));
  EXPECT_EQ(search("span.attributes.model LIKE '%claude%'"), Ids{});
  EXPECT_EQ(search("feedback.correct = '\"yes\"'"), (Ids{"t3"}));
  EXPECT_EQ(search("feedback.correct = 'yes'"), Ids{});  // the value is stored JSON-encoded
  EXPECT_EQ(search("expectation.correct = '\"yes\"'"), Ids{});
}

TEST_F(TraceSearchSql, OrderByNullsLastTagsAndPaging) {
  EXPECT_EQ(search("", {"execution_time ASC"}), (Ids{"t3", "t1", "t2"}));
  EXPECT_EQ(search("", {"execution_time DESC"}), (Ids{"t1", "t3", "t2"}));
  EXPECT_EQ(search("", {"tags.env"}), (Ids{"t2", "t1", "t3"}));  // missing tag last
  EXPECT_EQ(search("", {"tags.env DESC"}), (Ids{"t1", "t2", "t3"}));
  EXPECT_EQ(search("", {"run_id"}), (Ids{"t1", "t3", "t2"}));  // then timestamp DESC
  EXPECT_EQ(search("", {"end_time DESC"}), (Ids{"t3", "t2", "t1"}));
  EXPECT_EQ(search("", {"request_id DESC"}), (Ids{"t3", "t2", "t1"}));
  EXPECT_EQ(search("", {}, {1}, 2, 0), (Ids{"t3", "t2"}));
  EXPECT_EQ(search("", {}, {1}, 2, 2), (Ids{"t1"}));
}

TEST_F(TraceSearchSql, UserTextOnlyInBinds) {
  auto q = compile_trace_search({1}, search::parse_trace_filter("tags.`x'; DROP TABLE t; --` = 'a'' OR 1=1 --' AND "
                                                                "span.attributes.k LIKE '%evil%'"),
                                search::parse_trace_order_by_list({"tags.`o'; DELETE FROM t` DESC"}), 10, 0);
  EXPECT_EQ(q.text.find("DROP"), std::string::npos);
  EXPECT_EQ(q.text.find("DELETE"), std::string::npos);
  EXPECT_EQ(q.text.find("evil"), std::string::npos);
  EXPECT_EQ(run(q), Ids{});
}

TEST_F(TraceSearchSql, RlikeIsRefusedOnSqlite) {
  try {
    search("status RLIKE '^O'");
    FAIL() << "accepted";
  } catch (const core::MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE);
  }
  auto pg = compile_trace_search({1}, search::parse_trace_filter("span.attributes.model RLIKE '^gpt$'"), {}, 10, 0,
                                 db::postgres_dialect());
  EXPECT_NE(pg.text.find(".content ~ ?"), std::string::npos);
  auto* pattern = std::get_if<std::string>(&pg.binds[1]);
  ASSERT_NE(pattern, nullptr);
  EXPECT_EQ(*pattern, "\"model\": \"\\\\\"gpt\\\\\"");  // MLflow's "<attr>": "\\"<value>\\"
}

TEST_F(TraceSearchSql, FilterCounts) {
  auto counts = [&](const std::string& base, const std::string& f1, const std::string& f2) {
    auto q = compile_trace_filter_counts({1}, search::parse_trace_filter(base), search::parse_trace_filter(f1),
                                         search::parse_trace_filter(f2));
    auto st = conn_->prepare(q.text);
    store::sql::bind_all(st, q.binds);
    EXPECT_TRUE(st.step());
    return std::vector<std::int64_t>{st.int64(0), st.int64(1), st.int64(2), st.int64(3)};
  };
  EXPECT_EQ(counts("", "status = 'OK'", "tags.env = 'prod'"), (std::vector<std::int64_t>{3, 2, 1, 1}));
  EXPECT_EQ(counts("timestamp > 1000", "status = 'OK'", "span.name = 'llm'"), (std::vector<std::int64_t>{2, 1, 1, 0}));
  EXPECT_EQ(counts("", "status = 'NONE'", "status = 'OK'"), (std::vector<std::int64_t>{3, 0, 2, 0}));
}
