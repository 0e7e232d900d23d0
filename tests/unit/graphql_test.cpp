// Unit tests for src/graphql: the parser (valid and invalid documents, its limits), MLflow's
// query limits, validation against MLflow's schema, input coercion and the `test` field's
// execution (no REST route involved).
#include <gtest/gtest.h>

#include <string>

#include "api/graphql_schema.hpp"
#include "graphql/error.hpp"
#include "graphql/executor.hpp"
#include "graphql/parser.hpp"
#include "graphql/query_limits.hpp"
#include "graphql/validation.hpp"

namespace sextant::graphql {
namespace {

using nlohmann::json;

std::string parse_error(const std::string& source, const ParseLimits& limits = {}) {
  try {
    parse(source, limits);
  } catch (const GraphqlError& e) {
    return e.what();
  }
  return "";
}

const Schema& mlflow_schema() {
  static const Schema schema = api::build_mlflow_graphql_schema();
  return schema;
}

std::vector<std::string> errors_of(const std::string& source) { return validate(mlflow_schema(), parse(source)); }

struct NoRpc : api::MlflowRpc {
  json call(const std::string&, const std::string& path, const json&) override {
    throw std::runtime_error("no route in unit tests: " + path);
  }
};

ExecutionResult run(const std::string& source, const json& variables = nullptr,
                    std::optional<std::string> operation = std::nullopt) {
  NoRpc rpc;
  return execute(mlflow_schema(), parse(source), operation, variables, rpc);
}

TEST(GraphqlParser, FullSyntax) {
  auto doc = parse(R"(
    # a comment
    query Q($a: String = "x", $b: [Int!]!) @component(name: "T") {
      alias: test(inputString: $a) { output, ...F }
      ... on Query { __typename }
      ... @component(name: "y") { test(inputString: """
          block "quoted" \""" string
        """) { output } }
    }
    fragment F on Test { output }
    mutation { testMutation(inputString: "\u00e9\uD83D\uDE00\u{1F600}\n") { output } }
    { test(inputString: null) { output } }
  )");
  ASSERT_EQ(doc.operations.size(), 3u);
  ASSERT_EQ(doc.fragments.size(), 1u);
  const auto& q = doc.operations[0];
  EXPECT_EQ(q.name, "Q");
  ASSERT_EQ(q.variables.size(), 2u);
  EXPECT_EQ(q.variables[1].type->to_string(), "[Int!]!");
  EXPECT_EQ(q.variables[0].default_value->text, "x");
  EXPECT_EQ(q.directives[0].name, "component");
  ASSERT_EQ(q.selections.size(), 3u);
  EXPECT_EQ(q.selections[0].alias, "alias");
  EXPECT_EQ(q.selections[0].name, "test");
  EXPECT_EQ(q.selections[0].arguments[0].value.kind, Value::Kind::Variable);
  EXPECT_EQ(q.selections[0].selections[1].kind, Selection::Kind::FragmentSpread);
  EXPECT_EQ(q.selections[1].kind, Selection::Kind::InlineFragment);
  EXPECT_EQ(q.selections[1].type_condition, "Query");
  EXPECT_EQ(q.selections[2].selections[0].arguments[0].value.text, "block \"quoted\" \"\"\" string");
  EXPECT_EQ(doc.operations[1].type, "mutation");
  EXPECT_EQ(doc.operations[1].selections[0].arguments[0].value.text, "\xC3\xA9\xF0\x9F\x98\x80\xF0\x9F\x98\x80\n");
  EXPECT_EQ(doc.operations[2].selections[0].arguments[0].value.kind, Value::Kind::Null);
}

TEST(GraphqlParser, SyntaxErrors) {
  EXPECT_EQ(parse_error(""), "Syntax Error: Unexpected <EOF>.");
  EXPECT_EQ(parse_error("{ test(inputString: \"abc\") { output  }"), "Syntax Error: Expected Name, found <EOF>.");
  EXPECT_EQ(parse_error("{ a % }"), "Syntax Error: Unexpected character: '%'.");
  EXPECT_EQ(parse_error("{ a(x: \"open) }"), "Syntax Error: Unterminated string.");
  EXPECT_EQ(parse_error("{ a(x: \"\\q\") }"), "Syntax Error: Invalid character escape sequence.");
  EXPECT_EQ(parse_error("{ a(x: \"\\uD800\") }"), "Syntax Error: Invalid Unicode escape sequence.");
  EXPECT_EQ(parse_error("{ a(x: 01) }"), "Syntax Error: Invalid number, unexpected digit after 0: '1'.");
  EXPECT_EQ(parse_error("{ a(x: 1.) }"), "Syntax Error: Invalid number, expected digit but got: ')'.");
  EXPECT_EQ(parse_error("{ a(x: $v) }").empty(), true);
  EXPECT_EQ(parse_error("query Q($v: Int = $w) { a }"), "Syntax Error: Unexpected '$'.");
  EXPECT_EQ(parse_error("type Foo { a: Int }"), "Syntax Error: Unexpected Name 'type'.");
  EXPECT_EQ(parse_error("fragment on on T { a }"), "Syntax Error: Unexpected Name 'on'.");
  EXPECT_EQ(parse_error("{ }"), "Syntax Error: Expected Name, found '}'.");
  EXPECT_EQ(parse_error("{ a } }"), "Syntax Error: Unexpected '}'.");
  EXPECT_EQ(parse_error("{ a(x: [1, 2) }"), "Syntax Error: Unexpected ')'.");
  EXPECT_EQ(parse_error(std::string("{ a(x: \"\x01\") }")), "Syntax Error: Invalid character within String: U+0001.");
}

TEST(GraphqlParser, Limits) {
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "a {";
  deep += "b";
  for (int i = 0; i < 40; ++i) deep += "}";
  EXPECT_EQ(parse_error("{" + deep + "}"), "Query exceeds maximum nesting of 32 levels");
  std::string list(1'000'000, '[');
  EXPECT_EQ(parse_error("{ a(x: " + list + ") }"), "Query exceeds maximum length of 262144 bytes");
  EXPECT_EQ(parse_error("{ a(x: " + std::string(100, '[') + ") }"), "Query exceeds maximum nesting of 32 levels");
  std::string many = "{";
  for (int i = 0; i < 60'000; ++i) many += " a";
  many += "}";
  EXPECT_EQ(parse_error(many), "Query exceeds maximum of 50000 tokens");
  std::string ops;
  for (int i = 0; i < 101; ++i) ops += "query q" + std::to_string(i) + " { a } ";
  EXPECT_EQ(parse_error(ops), "Query exceeds maximum of 100 definitions");
  ParseLimits small;
  small.max_length = 10;
  EXPECT_EQ(parse_error("{ test { output } }", small), "Query exceeds maximum length of 10 bytes");
}

TEST(GraphqlQueryLimits, MlflowLimitsAndMessages) {
  QueryLimits limits;
  std::string roots = "query testQuery {";
  for (int i = 0; i < 12; ++i) roots += " key_" + std::to_string(i) + ": test(inputString: \"abc\") { output }";
  roots += "}";
  EXPECT_EQ(check_query_limits(parse(roots), limits),
            "GraphQL queries should have at most 10 root fields, got 12 root fields. To increase the limit, set the "
            "MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS environment variable.");

  std::string aliases = "{ mlflowGetExperiment(input: {experimentId: \"1\"}) {";
  for (int i = 0; i < 12; ++i) aliases += " e" + std::to_string(i) + ": experiment { name }";
  aliases += "} }";
  EXPECT_EQ(check_query_limits(parse(aliases), limits),
            "GraphQL queries should have at most 10 aliases, got 12 aliases. To increase the limit, set the "
            "MLFLOW_SERVER_GRAPHQL_MAX_ALIASES environment variable.");

  std::string inner = "name";
  for (int i = 0; i < 12; ++i) inner = "name { " + inner + " }";
  EXPECT_EQ(check_query_limits(parse("{ a { experiment { " + inner + " } } }"), limits),
            "Query exceeds maximum depth of 10");

  std::string wide = "{ a { experiment {";
  for (int i = 0; i < 1002; ++i) wide += " f" + std::to_string(i) + " { name }";
  wide += "} } }";
  EXPECT_EQ(check_query_limits(parse(wide), limits), "Query exceeds maximum total selections of 1000");

  EXPECT_EQ(check_query_limits(parse("{ a { b { c } } d }"), limits), "");
}

TEST(GraphqlQueryLimits, FragmentsCannotMultiplyWork) {
  QueryLimits limits;
  // Each fragment doubles the one below it: 2^20 fields once expanded, 2 fields per definition.
  std::string doc = "{ ...F0 }";
  for (int i = 0; i < 20; ++i) {
    doc += " fragment F" + std::to_string(i) + " on Query { ...F" + std::to_string(i + 1) + " ...F" +
           std::to_string(i + 1) + " }";
  }
  doc += " fragment F20 on Query { test(inputString: \"x\") { output } }";
  EXPECT_EQ(check_query_limits(parse(doc), limits), "Query exceeds maximum total selections of 1000");
  // Depth through fragments counts.
  std::string chain = "{ a { ...G0 } }";
  for (int i = 0; i < 12; ++i) chain += " fragment G" + std::to_string(i) + " on T { a { ...G" + std::to_string(i + 1) + " } }";
  chain += " fragment G12 on T { b }";
  EXPECT_EQ(check_query_limits(parse(chain), limits), "Query exceeds maximum depth of 10");
  // Root fields and aliases spread in from a fragment count as the operation's.
  std::string spread_roots = "{ ...R }  fragment R on Query {";
  for (int i = 0; i < 11; ++i) spread_roots += " t" + std::to_string(i) + ": test(inputString: \"x\") { output }";
  spread_roots += " }";
  EXPECT_NE(check_query_limits(parse(spread_roots), limits).find("at most 10 root fields, got 11"), std::string::npos);
  // A cycle is not followed (validation reports it).
  EXPECT_EQ(check_query_limits(parse("{ ...A } fragment A on Query { ...A }"), limits), "");
}

TEST(GraphqlValidation, MlflowSchemaRules) {
  EXPECT_TRUE(errors_of("query Q($d: MlflowGetRunInput!) @component(name: \"x\") { mlflowGetRun(input: $d) { "
                        "run { info { runId status } data { metrics { key value } } experiment { name } "
                        "modelVersions { name } } apiError { code } __typename } }")
                  .empty());
  EXPECT_EQ(errors_of("{ test(inputString: \"a\") { output nope } }"),
            std::vector<std::string>{"Cannot query field 'nope' on type 'Test'."});
  EXPECT_EQ(errors_of("{ test(inputString: \"a\") }"),
            std::vector<std::string>{"Field 'test' of type 'Test' must have a selection of subfields. Did you mean "
                                     "'test { ... }'?"});
  EXPECT_EQ(errors_of("{ test(inputString: \"a\") { output { x } } }"),
            std::vector<std::string>{"Field 'output' must not have a selection since type 'String' has no subfields."});
  EXPECT_EQ(errors_of("{ test(inputString: \"a\") { output @skip(if: true) } }"),
            std::vector<std::string>{"Unknown directive '@skip'."});
  EXPECT_EQ(errors_of("{ test(inputString: 5) { output } }"),
            std::vector<std::string>{"String cannot represent a non string value: 5"});
  EXPECT_EQ(errors_of("{ test(inputString: \"a\", x: 1) { output } }"),
            std::vector<std::string>{"Unknown argument 'x' on field 'Query.test'."});
  EXPECT_EQ(errors_of("{ mlflowSearchRuns(input: {runViewType: \"ALL\"}) { nextPageToken } }"),
            std::vector<std::string>{"Enum 'MlflowViewType' cannot represent non-enum value: \"ALL\"."});
  EXPECT_EQ(errors_of("{ mlflowSearchRuns(input: {runViewType: SOME}) { nextPageToken } }"),
            std::vector<std::string>{"Value 'SOME' does not exist in 'MlflowViewType' enum."});
  EXPECT_EQ(errors_of("{ mlflowGetRun(input: {runId: \"a\", nope: 1}) { run { info { runId } } } }"),
            std::vector<std::string>{"Field 'nope' is not defined by type 'MlflowGetRunInput'."});
  EXPECT_EQ(errors_of("{ mlflowSearchDatasets(input: {}) { apiError { code } } }"),
            std::vector<std::string>{"Cannot query field 'mlflowSearchDatasets' on type 'Query'."});
  EXPECT_EQ(errors_of("query A { test(inputString: \"a\") { output } } query A { __typename }"),
            std::vector<std::string>{"There can be only one operation named 'A'."});
  EXPECT_EQ(errors_of("{ __typename } query B { __typename }"),
            std::vector<std::string>{"This anonymous operation must be the only defined operation."});
  EXPECT_EQ(errors_of("{ ...Missing }"), std::vector<std::string>{"Unknown fragment 'Missing'."});
  EXPECT_EQ(errors_of("{ __typename } fragment U on Query { __typename }"),
            std::vector<std::string>{"Fragment 'U' is never used."});
  EXPECT_EQ(errors_of("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            (std::vector<std::string>{"Cannot spread fragment 'A' within itself via 'B'."}));
  EXPECT_EQ(errors_of("{ ...T } fragment T on Test { output }"),
            std::vector<std::string>{"Fragment 'T' cannot be spread here as objects of type 'Query' can never be of "
                                     "type 'Test'."});
  EXPECT_EQ(errors_of("query Q($x: String) { __typename }"),
            std::vector<std::string>{"Variable '$x' is never used in operation 'Q'."});
  EXPECT_EQ(errors_of("query Q { test(inputString: $y) { output } }"),
            std::vector<std::string>{"Variable '$y' is not defined by operation 'Q'."});
  EXPECT_EQ(errors_of("query Q($x: Int) { test(inputString: $x) { output } }"),
            std::vector<std::string>{"Variable '$x' of type 'Int' used in position expecting type 'String'."});
  EXPECT_EQ(errors_of("query Q($x: Test) { test(inputString: $x) { output } }"),
            std::vector<std::string>{"Variable '$x' cannot be non-input type 'Test'."});
  EXPECT_EQ(errors_of("{ a: test(inputString: \"x\") { output } a: test(inputString: \"y\") { output } }"),
            std::vector<std::string>{"Fields 'a' conflict because they have differing arguments. Use different "
                                     "aliases on the fields to fetch both if this was intentional."});
  EXPECT_EQ(errors_of("{ test(inputString: \"a\") @component(name: \"x\") { output } }"),
            std::vector<std::string>{"Directive '@component' may not be used on field."});
  EXPECT_EQ(errors_of("query @component { __typename }"),
            std::vector<std::string>{"Directive '@component' argument 'name' of type 'String!' is required, but it "
                                     "was not provided."});
  EXPECT_EQ(errors_of("subscription { __typename }"),
            std::vector<std::string>{"Schema is not configured to execute subscription operation."});
}

TEST(GraphqlExecution, TestFieldVariablesAndOperations) {
  auto r = run("query testQuery { test(inputString: \"abc\") { output } }");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(r.data, json::parse(R"({"test": {"output": "abc"}})"));

  r = run("query Q($s: String = \"dflt\") { a: test(inputString: $s) { output __typename } }");
  EXPECT_EQ(r.data, json::parse(R"({"a": {"output": "dflt", "__typename": "Test"}})"));
  r = run("query Q($s: String = \"dflt\") { a: test(inputString: $s) { output } }", json{{"s", "given"}});
  EXPECT_EQ(r.data["a"]["output"], "given");
  r = run("query Q($s: String!) { test(inputString: $s) { output } }", json::object());
  EXPECT_TRUE(r.data.is_null());
  EXPECT_EQ(r.errors, std::vector<std::string>{"Variable '$s' of required type 'String!' was not provided."});
  r = run("query Q($i: MlflowGetRunInput) { mlflowGetRun(input: $i) { run { info { runId } } } }",
          json{{"i", {{"runId", 5}}}});
  EXPECT_EQ(r.errors, std::vector<std::string>{"Variable '$i' got invalid value 5 at 'i.runId'; String "
                                               "cannot represent a non string value: 5"});
  r = run("{ test { output } }");
  EXPECT_EQ(r.data, json::parse(R"({"test": null})"));
  EXPECT_EQ(r.errors,
            std::vector<std::string>{"Query.resolve_test() missing 1 required positional argument: 'input_string'"});
  r = run("{ test(inputString: null) { output } }");
  EXPECT_EQ(r.data, json::parse(R"({"test": {"output": null}})"));
  r = run("query A { test(inputString: \"a\") { output } } query B { test(inputString: \"b\") { output } }");
  EXPECT_EQ(r.errors, std::vector<std::string>{"Must provide operation name if query contains multiple operations."});
  r = run("query A { test(inputString: \"a\") { output } } query B { test(inputString: \"b\") { output } }", nullptr, "B");
  EXPECT_EQ(r.data["test"]["output"], "b");
  r = run("query A { __typename }", nullptr, "C");
  EXPECT_EQ(r.errors, std::vector<std::string>{"Unknown operation named 'C'."});
  r = run("mutation { testMutation(inputString: \"m\") { output } __typename }");
  EXPECT_EQ(r.data, json::parse(R"({"testMutation": null, "__typename": "Mutation"})"));
  r = run("{ ...F ... on Query { t2: test(inputString: \"i\") { output } } } fragment F on Query { test(inputString: \"f\") { output } }");
  EXPECT_EQ(r.data, json::parse(R"({"test": {"output": "f"}, "t2": {"output": "i"}})"));
  // A resolver failure is that field's error only.
  r = run("{ test(inputString: \"a\") { output } mlflowGetRun(input: {runId: \"r\"}) { run { info { runId } } } }");
  EXPECT_EQ(r.data, json::parse(R"({"test": {"output": "a"}, "mlflowGetRun": null})"));
  EXPECT_EQ(r.errors, std::vector<std::string>{"no route in unit tests: /runs/get"});
  r = run("{ mlflowGetRun { run { info { runId } } } }");
  EXPECT_EQ(r.errors, std::vector<std::string>{"QueryType.resolve_mlflow_get_run() missing 1 required positional argument: 'input'"});
}

TEST(GraphqlExecution, Introspection) {
  auto r = run("{ __schema { queryType { name } mutationType { name } subscriptionType { name } "
               "directives { name locations args { name type { kind ofType { name } } } } } }");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.data["__schema"]["queryType"]["name"], "Query");
  EXPECT_EQ(r.data["__schema"]["mutationType"]["name"], "Mutation");
  EXPECT_TRUE(r.data["__schema"]["subscriptionType"].is_null());
  EXPECT_EQ(r.data["__schema"]["directives"], json::parse(R"([{"name": "component", "locations": ["QUERY", "MUTATION"],
      "args": [{"name": "name", "type": {"kind": "NON_NULL", "ofType": {"name": "String"}}}]}])"));
  r = run("{ __type(name: \"Query\") { kind name fields { name } } }");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  std::vector<std::string> fields;
  for (const auto& f : r.data["__type"]["fields"]) fields.push_back(f["name"]);
  EXPECT_EQ(fields, (std::vector<std::string>{"mlflowGetExperiment", "mlflowGetMetricHistoryBulkInterval", "mlflowGetRun",
                                              "mlflowListArtifacts", "mlflowSearchModelVersions", "test",
                                              "mlflowSearchRuns"}));
  r = run("{ __type(name: \"MlflowViewType\") { kind enumValues { name } fields { name } } "
          "i: __type(name: \"MlflowGetRunInput\") { inputFields { name type { name kind } } } "
          "m: __type(name: \"MlflowRunData\") { fields { name type { kind ofType { kind ofType { name kind } } } } } "
          "none: __type(name: \"Nope\") { name } }");
  ASSERT_TRUE(r.errors.empty()) << r.errors.front();
  EXPECT_EQ(r.data["__type"], json::parse(R"({"kind": "ENUM", "fields": null,
      "enumValues": [{"name": "ACTIVE_ONLY"}, {"name": "DELETED_ONLY"}, {"name": "ALL"}]})"));
  EXPECT_EQ(r.data["i"]["inputFields"][0], json::parse(R"({"name": "runId", "type": {"name": "String", "kind": "SCALAR"}})"));
  EXPECT_EQ(r.data["m"]["fields"][0], json::parse(R"({"name": "metrics", "type": {"kind": "LIST",
      "ofType": {"kind": "NON_NULL", "ofType": {"name": "MlflowMetricExtension", "kind": "OBJECT"}}}})"));
  EXPECT_TRUE(r.data["none"].is_null());
  EXPECT_EQ(errors_of("mutation { __schema { queryType { name } } }"),
            std::vector<std::string>{"Cannot query field '__schema' on type 'Mutation'."});
}

}  // namespace
}  // namespace sextant::graphql
