// SearchTraces' filter and order_by grammar (search/trace_filter). Expected ASTs and error texts
// are MLflow 3.6's (SearchTraceUtils + the SQL store's comparator checks), probed with its code.
#include "search/trace_filter.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"

using namespace sextant;
using search::parse_trace_filter;
using search::parse_trace_order_by;
using search::parse_trace_order_by_list;
using search::TraceComparator;
using search::TraceOrderBy;
using search::TraceTarget;
using search::Value;

namespace {

std::string error_of(const std::string& filter) {
  try {
    parse_trace_filter(filter);
  } catch (const core::MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE) << filter;
    return e.what();
  }
  return "(accepted)";
}

std::string order_error_of(const std::vector<std::string>& order_by) {
  try {
    parse_trace_order_by_list(order_by);
  } catch (const core::MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  return "(accepted)";
}

search::TraceClause one(const std::string& filter) {
  auto f = parse_trace_filter(filter);
  EXPECT_EQ(f.size(), 1u) << filter;
  return f.empty() ? search::TraceClause{} : f.front();
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST(TraceFilter, EmptyFilterIsNoFilter) {
  EXPECT_TRUE(parse_trace_filter("").empty());
  EXPECT_TRUE(parse_trace_filter("  \t ").empty());
}

TEST(TraceFilter, AttributesAndTheirAliases) {
  auto c = one("trace.status = 'OK'");
  EXPECT_EQ(c.target, TraceTarget::Attribute);
  EXPECT_EQ(c.key, "status");
  EXPECT_EQ(c.op, TraceComparator::Eq);
  EXPECT_EQ(c.value.text, "OK");
  EXPECT_EQ(one("attributes.status = \"OK\"").value.text, "OK");
  EXPECT_EQ(one("attribute.request_id != 'x'").op, TraceComparator::NotEq);
  c = one("trace.timestamp >= 1");
  EXPECT_EQ(c.key, "timestamp_ms");
  EXPECT_EQ(c.value.kind, Value::Kind::Number);
  EXPECT_EQ(c.value.number, 1);
  EXPECT_EQ(one("timestamp > 123").key, "timestamp_ms");  // a bare SQL keyword, accepted
  EXPECT_EQ(one("execution_time = 1e3").value.number, 1000);
  EXPECT_EQ(one("execution_time_ms != -5").value.number, -5);
  EXPECT_EQ(one("end_time < 10").key, "end_time_ms");
  // A quoted number compares numerically; other text is refused.
  c = one("execution_time > '5'");
  EXPECT_EQ(c.value.kind, Value::Kind::Number);
  EXPECT_EQ(c.value.number, 5);
  EXPECT_TRUE(starts_with(error_of("timestamp_ms > 'abc'"), "Expected numeric value type for numeric attribute"));
  c = one("status IN ('OK', \"ERROR\",)");
  EXPECT_EQ(c.op, TraceComparator::In);
  EXPECT_EQ(c.value.list, (std::vector<std::string>{"OK", "ERROR"}));
  EXPECT_EQ(one("status NOT IN ('a' 'b')").value.list, (std::vector<std::string>{"ab"}));
  EXPECT_EQ(one("client_request_id IN ('Upper')").value.list, (std::vector<std::string>{"Upper"}));  // kept
  EXPECT_EQ(one("status RLIKE '^O'").op, TraceComparator::RLike);
  EXPECT_EQ(one("status ilike 'ok'").op, TraceComparator::ILike);
}

TEST(TraceFilter, MappedKeysApplyToEveryEntityButSpan) {
  auto c = one("name = 'a'");
  EXPECT_EQ(c.target, TraceTarget::Tag);
  EXPECT_EQ(c.key, "mlflow.traceName");
  EXPECT_EQ(one("tags.NAME = 'x'").key, "mlflow.traceName");
  EXPECT_EQ(one("feedback.name = 'x'").target, TraceTarget::Tag);
  c = one("tags.text LIKE '%a%'");
  EXPECT_EQ(c.target, TraceTarget::SpanContent);
  c = one("trace.text ILIKE '%x%'");
  EXPECT_EQ(c.target, TraceTarget::SpanContent);
  EXPECT_EQ(c.op, TraceComparator::ILike);
  EXPECT_EQ(one("text LIKE '%x%'").target, TraceTarget::SpanContent);
  c = one("run_id = 'abc'");
  EXPECT_EQ(c.target, TraceTarget::RunLink);
  EXPECT_EQ(c.key, "mlflow.sourceRun");
  EXPECT_EQ(one("metadata.mlflow.sourceRun = 'r'").target, TraceTarget::RunLink);
  c = one("run_id != 'a'");
  EXPECT_EQ(c.target, TraceTarget::Metadata);
  EXPECT_EQ(c.key, "mlflow.sourceRun");
  EXPECT_EQ(one("trace.name LIKE 'a%'").key, "mlflow.traceName");
  EXPECT_EQ(one("span.name = 'x'").target, TraceTarget::SpanColumn);  // span keys are not mapped
}

TEST(TraceFilter, TagsMetadataSpansAndAssessments) {
  auto c = one("tags.`a b` = 'c'");
  EXPECT_EQ(c.target, TraceTarget::Tag);
  EXPECT_EQ(c.key, "a b");
  EXPECT_EQ(one("`tags`.x = 'a'").key, "x");
  EXPECT_EQ(one("tag.x RLIKE 'a'").op, TraceComparator::RLike);
  c = one("request_metadata.x = 'y'");
  EXPECT_EQ(c.target, TraceTarget::Metadata);
  EXPECT_EQ(c.key, "x");
  EXPECT_EQ(one("metadata.\"k.e.y\" LIKE 'y%'").key, "k.e.y");
  c = one("span.attributes.a.b LIKE 'x'");
  EXPECT_EQ(c.target, TraceTarget::SpanAttribute);
  EXPECT_EQ(c.key, "a.b");
  c = one("span.name IN ('a')");
  EXPECT_EQ(c.target, TraceTarget::SpanColumn);
  EXPECT_EQ(c.key, "name");
  EXPECT_EQ(one("span.status != 'OK'").key, "status");
  EXPECT_EQ(one("span.type = \"LLM\"").value.text, "LLM");
  EXPECT_EQ(one("span.content ILIKE '%x%'").target, TraceTarget::SpanContent);
  c = one("feedback.`my q` = '\"yes\"'");
  EXPECT_EQ(c.target, TraceTarget::Feedback);
  EXPECT_EQ(c.key, "my q");
  EXPECT_EQ(c.value.text, "\"yes\"");
  EXPECT_EQ(one("expectation.score LIKE '4%'").target, TraceTarget::Expectation);
  auto f = parse_trace_filter("AND trace.status = 'OK' and tags.a = 'b' AND timestamp_ms > 1 timestamp_ms < 5 AND");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[1].target, TraceTarget::Tag);
}

TEST(TraceFilter, MlflowErrorTexts) {
  EXPECT_EQ(error_of("x.y = 'a'"),
            "Invalid entity type 'x'. Valid values are {'attribute', 'attributes', 'trace', 'tag', 'tags', 'metadata', "
            "'request_metadata', 'span', 'feedback', 'expectation'}");
  EXPECT_TRUE(starts_with(error_of("\"a.b\" = 'a'"), "Invalid entity type '\"a'."));
  EXPECT_TRUE(starts_with(error_of("invalid.filter = 'test'"), "Invalid entity type 'invalid'."));
  EXPECT_TRUE(starts_with(error_of("Status = 'OK'"), "Invalid attribute key 'Status' specified. Valid keys are '{"));
  EXPECT_EQ(error_of("span.foo = 'a'"),
            "Invalid span attribute 'foo'. Supported attributes: name, status, type, attributes.<attribute_name>.");
  EXPECT_EQ(error_of("span.NAME = 'x'"),
            "Invalid span attribute 'NAME'. Supported attributes: name, status, type, attributes.<attribute_name>.");
  EXPECT_EQ(error_of("span.content = 'a'"), "span.content comparator '=' not one of '{'LIKE', 'ILIKE'}'");
  EXPECT_EQ(error_of("trace.text = 'x'"), "span.content comparator '=' not one of '{'LIKE', 'ILIKE'}'");
  EXPECT_EQ(error_of("span.attributes. = 'a'"), "Span attribute name cannot be empty after 'attributes.'");
  EXPECT_TRUE(starts_with(error_of("span.name > 'a'"), "span.name comparator '>' not one of '{"));
  EXPECT_EQ(error_of("status = OK"),
            "Parameter value is either not quoted or unidentified quote types used for string value OK. Use either "
            "single or double quotes.");
  EXPECT_EQ(error_of("request_id = 5"),
            "Only the '{'timestamp', 'timestamp_ms', 'execution_time', 'execution_time_ms', 'end_time', "
            "'end_time_ms'}' attributes support comparison with numeric values.");
  EXPECT_EQ(error_of("tags.x = 5"), "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5");
  EXPECT_EQ(error_of("tag.k = NULL"), "Expected a quoted string value for tag (e.g. 'my-value'). Got value NULL");
  EXPECT_EQ(error_of("metadata.x IN ('a')"),
            "Expected a quoted string value for request_metadata (e.g. 'my-value'). Got value ('a')");
  EXPECT_EQ(error_of("feedback.x IN ('a','b')"),
            "Expected a quoted string value for feedback (e.g. 'my-value'). Got value ('a','b')");
  EXPECT_EQ(error_of("span.type = 5"), "Expected a quoted string value for span (e.g. 'my-value'). Got value 5");
  EXPECT_EQ(error_of("status = TRUE"),
            "Expected a quoted string value or a list of quoted string values for attributes. Got value TRUE");
  EXPECT_TRUE(starts_with(error_of("timestamp_ms IN ('1')"), "Only attributes in {'name', 'status'"));
  EXPECT_TRUE(starts_with(error_of("tags.x IN ('a')"), "Invalid comparator 'IN' not one of '{"));
  // IN passes the parser on name and run_id, then the tag / metadata comparator check refuses it.
  EXPECT_TRUE(starts_with(error_of("name IN ('a','b')"), "Invalid comparator 'IN' not one of '{"));
  EXPECT_TRUE(starts_with(error_of("run_id IN ('a')"), "Invalid comparator 'IN' not one of '{"));
  EXPECT_TRUE(starts_with(error_of("status > 'a'"), "Invalid comparator '>' not one of '{"));
  EXPECT_TRUE(starts_with(error_of("timestamp_ms LIKE 'a'"), "Invalid comparator 'LIKE' not one of '{"));
  EXPECT_TRUE(starts_with(error_of("status == 'OK'"), "Invalid comparator '==' not one of '{"));
  EXPECT_TRUE(starts_with(error_of("status NOT LIKE 'x'"), "Invalid comparator 'NOT LIKE' not one of '{"));
  EXPECT_TRUE(starts_with(error_of("feedback.x > 'a'"), "assessment.x comparator '>' not one of '{"));
  EXPECT_EQ(error_of("expectation. = 'a'"), "Assessment field name cannot be empty");
  EXPECT_EQ(error_of("status = 'OK' OR status = 'x'"), "Invalid clause(s) in filter string: 'OR status = 'x''");
  EXPECT_EQ(error_of("request_id = 'a'; x"),
            "Search filter contained multiple expression \"request_id = 'a'; x\". Provide AND-ed expression list.");
  EXPECT_EQ(error_of("client_request_id IN ()"),
            "While parsing a list in the query, expected a non-empty list of string values, but got empty list");
  EXPECT_EQ(error_of("status IN (1, 2)"),
            "While parsing a list in the query, expected string value, punctuation, or whitespace, but got different "
            "type in list: (1, 2)");
  // A list needs IN and IN needs a list.
  EXPECT_TRUE(starts_with(error_of("status = ('a')"), "Invalid clause(s) in filter string:"));
  EXPECT_TRUE(starts_with(error_of("status IN 'OK'"), "Invalid clause(s) in filter string:"));
  EXPECT_TRUE(starts_with(error_of("timestamp_ms > 1e999"), "Invalid number"));
}

TEST(TraceFilter, ChecksRunInMlflowsOrder) {
  // Identifiers and values of every clause before any comparator.
  EXPECT_TRUE(starts_with(error_of("status > 'a' AND x.y = 'b'"), "Invalid entity type 'x'"));
  // Structure before anything else.
  EXPECT_TRUE(starts_with(error_of("x.y = 'a' OR"), "Invalid clause(s)"));
}

TEST(TraceFilter, Limits) {
  std::string many;
  for (int i = 0; i < 41; ++i) many += " AND tags.k" + std::to_string(i) + " = 'v'";
  EXPECT_TRUE(starts_with(error_of(many), "Invalid search filter: 41 comparisons on tags"));
  std::string attrs;
  for (int i = 0; i < 101; ++i) attrs += " AND status = 'OK'";
  EXPECT_TRUE(starts_with(error_of(attrs), "Invalid search filter: more than 100 comparisons"));
  EXPECT_TRUE(starts_with(error_of(std::string((1 << 20) + 1, ' ')), "Invalid search expression: longer than"));
}

TEST(TraceOrderBy, KeysAliasesAndDirections) {
  auto o = parse_trace_order_by("timestamp ASC");
  EXPECT_EQ(o.kind, TraceOrderBy::Kind::Attribute);
  EXPECT_EQ(o.key, "timestamp_ms");
  EXPECT_TRUE(o.ascending);
  o = parse_trace_order_by("execution_time desc");
  EXPECT_EQ(o.key, "execution_time_ms");
  EXPECT_FALSE(o.ascending);
  EXPECT_EQ(parse_trace_order_by("end_time").key, "end_time_ms");
  EXPECT_EQ(parse_trace_order_by("experiment_id").key, "experiment_id");
  o = parse_trace_order_by("name DESC");
  EXPECT_EQ(o.kind, TraceOrderBy::Kind::Tag);
  EXPECT_EQ(o.key, "mlflow.traceName");
  o = parse_trace_order_by("run_id");
  EXPECT_EQ(o.kind, TraceOrderBy::Kind::Metadata);
  EXPECT_EQ(o.key, "mlflow.sourceRun");
  o = parse_trace_order_by("tags.`my tag` DESC");
  EXPECT_EQ(o.kind, TraceOrderBy::Kind::Tag);
  EXPECT_EQ(o.key, "my tag");
  EXPECT_EQ(parse_trace_order_by("metadata.k").kind, TraceOrderBy::Kind::Metadata);
}

TEST(TraceOrderBy, MlflowErrorTexts) {
  EXPECT_EQ(order_error_of({"span.name"}), "Invalid identifier type 'span'");
  EXPECT_EQ(order_error_of({"feedback.x"}), "Invalid identifier type 'feedback'");
  EXPECT_EQ(order_error_of({"tags.text"}), "Invalid identifier type 'span'");
  EXPECT_TRUE(starts_with(order_error_of({"text"}), "Invalid attribute key 'text' specified. Valid keys are '{"));
  EXPECT_TRUE(starts_with(order_error_of({"client_request_id"}), "Invalid attribute key 'client_request_id'"));
  EXPECT_EQ(order_error_of({"timestamp sideways"}), "Invalid ordering key in order_by clause 'timestamp sideways'.");
  EXPECT_EQ(order_error_of({" timestamp"}), "Invalid order_by clause ' timestamp'. Could not be parsed.");
  EXPECT_EQ(order_error_of({"timestamp", "timestamp_ms DESC"}),
            "`order_by` contains duplicate fields: ['timestamp', 'timestamp_ms DESC']");
  std::vector<std::string> many(17, "status");
  EXPECT_EQ(order_error_of(many), "Invalid order_by: 17 keys; at most 16 are allowed.");
  EXPECT_EQ(order_error_of({}), "(accepted)");
}
