// Unit tests for search/filter_parser (MLflow filter and order_by grammars, mlflow-api.md §3).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "search/filter_parser.hpp"

namespace sextant::search {
namespace {

using core::ErrorCode;
using core::MlflowError;

Filter runs(std::string_view s) { return parse_filter(s, Grammar::Runs); }
Filter exps(std::string_view s) { return parse_filter(s, Grammar::Experiments); }

// Parses and returns the single clause of `s`.
Clause one(std::string_view s, Grammar g = Grammar::Runs) {
  Filter f = parse_filter(s, g);
  EXPECT_EQ(f.size(), 1u) << s;
  return f.empty() ? Clause{} : f.front();
}

// Returns the error message of parsing `s`; fails the test if it parses or throws otherwise.
std::string filter_error(std::string_view s, Grammar g = Grammar::Runs) {
  try {
    parse_filter(s, g);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE) << s;
    return e.what();
  }
  ADD_FAILURE() << "expected an error for: " << s;
  return {};
}

std::string order_error(std::string_view s, Grammar g = Grammar::Runs) {
  try {
    parse_order_by(s, g);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE) << s;
    return e.what();
  }
  ADD_FAILURE() << "expected an error for order_by: " << s;
  return {};
}

#define EXPECT_FILTER_ERROR(s, substr) \
  EXPECT_NE(filter_error(s).find(substr), std::string::npos) << filter_error(s)
#define EXPECT_EXP_FILTER_ERROR(s, substr)                                    \
  EXPECT_NE(filter_error(s, Grammar::Experiments).find(substr), std::string::npos) \
      << filter_error(s, Grammar::Experiments)
#define EXPECT_ORDER_ERROR(s, substr) \
  EXPECT_NE(order_error(s).find(substr), std::string::npos) << order_error(s)
#define EXPECT_EXP_ORDER_ERROR(s, substr)                                    \
  EXPECT_NE(order_error(s, Grammar::Experiments).find(substr), std::string::npos) \
      << order_error(s, Grammar::Experiments)

// ---- empty input and AND handling --------------------------------------------------------------

TEST(SearchFilter, EmptyAndWhitespaceMeanNoFilter) {
  EXPECT_TRUE(runs("").empty());
  EXPECT_TRUE(runs("   ").empty());
  EXPECT_TRUE(runs(" \t\r\n ").empty());
  EXPECT_TRUE(exps("").empty());
  EXPECT_TRUE(exps("\n").empty());
}

TEST(SearchFilter, AndIsCaseInsensitive) {
  for (const char* f : {"metrics.a > 1 AND params.b = 'c'", "metrics.a > 1 and params.b = 'c'",
                        "metrics.a > 1 AnD params.b = 'c'", "metrics.a > 1\n\tand\n params.b = 'c'"}) {
    Filter r = runs(f);
    ASSERT_EQ(r.size(), 2u) << f;
    EXPECT_EQ(r[0].entity, EntityKind::Metric);
    EXPECT_EQ(r[1].entity, EntityKind::Param);
    EXPECT_EQ(r[1].value.text, "c");
  }
}

TEST(SearchFilter, AndDirectlyAfterQuotedValue) {
  Filter r = runs("params.a = 'x'AND params.b = \"y\"and tags.c='z'");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].value.text, "x");
  EXPECT_EQ(r[1].value.text, "y");
  EXPECT_EQ(r[2].key, "c");
}

// MLflow (sqlparse) tolerates stray ANDs and adjacent comparisons; so do we.
TEST(SearchFilter, StrayAndsAreToleratedLikeMlflow) {
  EXPECT_TRUE(runs("AND").empty());
  EXPECT_TRUE(runs(" and AND ").empty());
  EXPECT_EQ(runs("AND metrics.a > 1").size(), 1u);
  EXPECT_EQ(runs("metrics.a > 1 AND").size(), 1u);
  EXPECT_EQ(runs("metrics.a > 1 AND AND metrics.b < 2").size(), 2u);
  EXPECT_EQ(runs("metrics.a > 1 metrics.b < 2").size(), 2u);
}

TEST(SearchFilter, AndPrefixedWordIsNotAnd) {
  // "ANDROID" is an identifier (here an unknown attribute), not the AND keyword.
  EXPECT_FILTER_ERROR("ANDROID = 'x'", "Invalid attribute key 'ANDROID' specified");
  // "AND.x" is an identifier with entity "AND".
  EXPECT_FILTER_ERROR("AND.x = 'y'", "Invalid entity type 'AND'");
}

// ---- runs entities -------------------------------------------------------------------------------

TEST(SearchFilter, MetricSpellings) {
  for (const char* f : {"metric.acc > 0.5", "metrics.acc > 0.5", "`metrics`.acc > 0.5",
                        "`metric`.acc > 0.5"}) {
    Clause c = one(f);
    EXPECT_EQ(c.entity, EntityKind::Metric) << f;
    EXPECT_EQ(c.key, "acc");
    EXPECT_EQ(c.op, Comparator::Gt);
    EXPECT_EQ(c.value.kind, Value::Kind::Number);
    EXPECT_DOUBLE_EQ(c.value.number, 0.5);
  }
}

TEST(SearchFilter, ParamSpellings) {
  for (const char* f : {"param.lr = '0.1'", "params.lr = '0.1'", "parameter.lr = '0.1'",
                        "parameters.lr = '0.1'", "`params`.lr = '0.1'"}) {
    Clause c = one(f);
    EXPECT_EQ(c.entity, EntityKind::Param) << f;
    EXPECT_EQ(c.key, "lr");
    EXPECT_EQ(c.op, Comparator::Eq);
    EXPECT_EQ(c.value.kind, Value::Kind::String);
    EXPECT_EQ(c.value.text, "0.1");
  }
}

TEST(SearchFilter, TagSpellings) {
  for (const char* f : {"tag.team = 'ml'", "tags.team = 'ml'", "`tags`.team = 'ml'"}) {
    Clause c = one(f);
    EXPECT_EQ(c.entity, EntityKind::Tag) << f;
    EXPECT_EQ(c.key, "team");
    EXPECT_EQ(c.value.text, "ml");
  }
}

TEST(SearchFilter, AttributeSpellings) {
  for (const char* f : {"status = 'FINISHED'", "attribute.status = 'FINISHED'",
                        "attributes.status = 'FINISHED'", "attr.status = 'FINISHED'",
                        "run.status = 'FINISHED'", "`attributes`.status = 'FINISHED'"}) {
    Clause c = one(f);
    EXPECT_EQ(c.entity, EntityKind::Attribute) << f;
    EXPECT_EQ(c.key, "status");
    EXPECT_EQ(c.value.text, "FINISHED");
  }
}

TEST(SearchFilter, DatasetSpellingsAndKeys) {
  for (const char* key : {"name", "digest", "context"}) {
    for (const char* ent : {"dataset", "datasets"}) {
      const std::string f = std::string(ent) + "." + key + " = 'v'";
      Clause c = one(f);
      EXPECT_EQ(c.entity, EntityKind::Dataset) << f;
      EXPECT_EQ(c.key, key);
      EXPECT_EQ(c.value.text, "v");
    }
  }
  EXPECT_FILTER_ERROR("datasets.foo = 'x'",
                      "Invalid dataset key 'foo' specified. Valid keys are '");
}

TEST(SearchFilter, DatasetComparators) {
  EXPECT_EQ(one("datasets.name != 'a'").op, Comparator::NotEq);
  EXPECT_EQ(one("datasets.name LIKE 'a%'").op, Comparator::Like);
  EXPECT_EQ(one("datasets.context ILIKE 'TRAIN%'").op, Comparator::ILike);
  Clause in = one("datasets.digest IN ('abc', 'def')");
  EXPECT_EQ(in.op, Comparator::In);
  EXPECT_EQ(in.value.list, (std::vector<std::string>{"abc", "def"}));
  EXPECT_EQ(one("datasets.name NOT IN ('x')").op, Comparator::NotIn);
  EXPECT_FILTER_ERROR("datasets.name > 'x'", "Invalid comparator '>' not one of");
  EXPECT_FILTER_ERROR("datasets.name = 1",
                      "Expected a quoted string value for dataset attributes. Got value 1");
}

// MLflow reuses its run-id list parser for dataset lists, so the lowercase filter applies too.
TEST(SearchFilter, DatasetListsAreLowercaseFilteredLikeMlflow) {
  Clause c = one("datasets.name IN ('Abc', 'def')");
  EXPECT_EQ(c.value.list, (std::vector<std::string>{"def"}));
}

TEST(SearchFilter, EntityIsCaseSensitive) {
  EXPECT_FILTER_ERROR("Metrics.a > 1", "Invalid entity type 'Metrics'");
  EXPECT_FILTER_ERROR("TAGS.a = 'x'", "Invalid entity type 'TAGS'");
}

TEST(SearchFilter, InvalidEntityMessage) {
  EXPECT_EQ(filter_error("bar.foo = 'x'"),
            "Invalid entity type 'bar'. Valid values are ['metric', 'parameter', 'tag', "
            "'attribute', 'dataset']");
  // Backticks are removed before the check and in the message.
  EXPECT_FILTER_ERROR("`bar`.foo = 'x'", "Invalid entity type 'bar'.");
}

// ---- run attributes ------------------------------------------------------------------------------

TEST(SearchFilter, StringAttributes) {
  for (const char* key : {"run_id", "run_name", "status", "user_id", "artifact_uri"}) {
    for (const char* op : {"=", "!=", "LIKE", "ILIKE", "like", "ilike"}) {
      const std::string f = std::string(key) + " " + op + " 'v%'";
      Clause c = one(f);
      EXPECT_EQ(c.entity, EntityKind::Attribute) << f;
      EXPECT_EQ(c.key, key);
      EXPECT_EQ(c.value.kind, Value::Kind::String);
      EXPECT_EQ(c.value.text, "v%");
    }
  }
}

TEST(SearchFilter, NumericAttributes) {
  const std::vector<std::pair<const char*, Comparator>> ops = {
      {"=", Comparator::Eq}, {"!=", Comparator::NotEq}, {">", Comparator::Gt},
      {">=", Comparator::Ge}, {"<", Comparator::Lt},    {"<=", Comparator::Le}};
  for (const char* key : {"start_time", "end_time"}) {
    for (const auto& [op, cmp] : ops) {
      const std::string f = std::string("attributes.") + key + " " + op + " 1700000000000";
      Clause c = one(f);
      EXPECT_EQ(c.key, key) << f;
      EXPECT_EQ(c.op, cmp) << f;
      EXPECT_EQ(c.value.kind, Value::Kind::Number);
      EXPECT_EQ(c.value.number, 1700000000000.0);
      EXPECT_EQ(c.value.text, "1700000000000");
    }
  }
}

TEST(SearchFilter, CreatedAliases) {
  EXPECT_EQ(one("created > 5").key, "start_time");
  EXPECT_EQ(one("Created > 5").key, "start_time");
  EXPECT_EQ(one("attributes.created <= 5").key, "start_time");
  // The raw alias appears in the type error, like MLflow.
  EXPECT_EQ(filter_error("created > 'x'"),
            "Expected numeric value type for numeric attribute: created. Found 'x'");
}

TEST(SearchFilter, RunNameAliases) {
  EXPECT_EQ(one("\"run name\" = 'x'").key, "run_name");
  EXPECT_EQ(one("`Run name` = 'x'").key, "run_name");
  EXPECT_EQ(one("attributes.\"Run Name\" LIKE 'x%'").key, "run_name");
  EXPECT_EQ(one("attr.`run name` = 'x'").key, "run_name");
  EXPECT_EQ(one("run_name = 'x'").key, "run_name");
  EXPECT_FILTER_ERROR("\"RUN NAME\" = 'x'", "Invalid attribute key 'RUN NAME' specified");
}

TEST(SearchFilter, InvalidAttributeKeyMessage) {
  const std::string msg = filter_error("foo = 'x'");
  EXPECT_EQ(msg.rfind("Invalid attribute key 'foo' specified. Valid keys are '{", 0), 0u) << msg;
  EXPECT_NE(msg.find("'run_id'"), std::string::npos);
  EXPECT_NE(msg.find("'Run Name'"), std::string::npos);
  EXPECT_FILTER_ERROR("attributes.experiment_id = '1'", "Invalid attribute key 'experiment_id'");
}

TEST(SearchFilter, AttributeValueTypeErrors) {
  EXPECT_EQ(filter_error("start_time > 'x'"),
            "Expected numeric value type for numeric attribute: start_time. Found 'x'");
  EXPECT_EQ(filter_error("end_time < \"1\""),
            "Expected numeric value type for numeric attribute: end_time. Found \"1\"");
  EXPECT_EQ(filter_error("run_id = 1"),
            "Expected a quoted string value for attributes. Got value 1");
  EXPECT_FILTER_ERROR("status = FINISHED",
                      "Parameter value is either not quoted or unidentified quote types used "
                      "for string value FINISHED. Use either single or double quotes.");
}

TEST(SearchFilter, AttributeComparatorErrors) {
  EXPECT_EQ(filter_error("status > 'x'"),
            "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}'");
  EXPECT_EQ(filter_error("start_time like 1"),
            "Invalid comparator 'LIKE' not one of '{'=', '!=', '>', '>=', '<', '<='}'");
}

// ---- comparators and operators -------------------------------------------------------------------

TEST(SearchFilter, AllMetricComparators) {
  const std::vector<std::pair<const char*, Comparator>> ops = {
      {"=", Comparator::Eq}, {"!=", Comparator::NotEq}, {">", Comparator::Gt},
      {">=", Comparator::Ge}, {"<", Comparator::Lt},    {"<=", Comparator::Le}};
  for (const auto& [op, cmp] : ops) {
    EXPECT_EQ(one(std::string("metrics.m ") + op + " 1").op, cmp) << op;
    EXPECT_EQ(one(std::string("metrics.m") + op + "1").op, cmp) << op;  // no spaces
  }
}

TEST(SearchFilter, MetricComparatorErrors) {
  EXPECT_EQ(filter_error("metrics.a LIKE 1"),
            "Invalid comparator 'LIKE' not one of '{'=', '!=', '>', '>=', '<', '<='}'");
  EXPECT_FILTER_ERROR("metrics.a == 1", "Invalid comparator '==' not one of");
  EXPECT_FILTER_ERROR("metrics.a <> 1", "Invalid comparator '<>' not one of");
  EXPECT_FILTER_ERROR("metrics.a =! 1", "Invalid comparator '=!' not one of");
}

TEST(SearchFilter, ParamAndTagComparators) {
  EXPECT_EQ(one("params.a != 'x'").op, Comparator::NotEq);
  EXPECT_EQ(one("params.a LIKE '%x'").op, Comparator::Like);
  EXPECT_EQ(one("params.a Like '%x'").op, Comparator::Like);
  EXPECT_EQ(one("tags.a ILIKE '%X'").op, Comparator::ILike);
  EXPECT_EQ(one("tags.a iLiKe '%X'").op, Comparator::ILike);
  EXPECT_EQ(one("tags.a LIKE'x'").op, Comparator::Like);
  EXPECT_EQ(filter_error("tags.a > 'x'"),
            "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE'}'");
  EXPECT_FILTER_ERROR("params.a IN ('x')",
                      "Expected a quoted string value for parameter (e.g. 'my-value'). Got "
                      "value ('x')");
  EXPECT_FILTER_ERROR("params.a RLIKE 'x'", "Invalid comparator 'RLIKE' not one of");
  EXPECT_FILTER_ERROR("params.a NOT LIKE 'x'", "Invalid comparator 'NOT LIKE' not one of");
}

TEST(SearchFilter, InAndNotInSpellings) {
  for (const char* f : {"run_id IN ('a')", "run_id in ('a')", "run_id IN('a')",
                        "attributes.run_id iN   (  'a'  )"}) {
    Clause c = one(f);
    EXPECT_EQ(c.op, Comparator::In) << f;
    EXPECT_EQ(c.value.kind, Value::Kind::List);
    EXPECT_EQ(c.value.list, std::vector<std::string>{"a"});
  }
  for (const char* f : {"run_id NOT IN ('a')", "run_id not in ('a')", "run_id NOT \t  IN ('a')"}) {
    EXPECT_EQ(one(f).op, Comparator::NotIn) << f;
  }
}

TEST(SearchFilter, ListValueNeedsInAndInNeedsList) {
  EXPECT_FILTER_ERROR("run_id IN 'a'", "Invalid clause(s) in filter string: 'run_id IN 'a''");
  EXPECT_FILTER_ERROR("run_id NOT IN \"a\"", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("run_id = ('a')", "Invalid clause(s) in filter string: 'run_id = ('a')'");
  EXPECT_FILTER_ERROR("run_id LIKE ('a')", "Invalid clause(s) in filter string");
}

// ---- identifiers and quoting ---------------------------------------------------------------------

TEST(SearchFilter, KeyQuotingStyles) {
  EXPECT_EQ(one("tags.\"user-name\" = 'Tomas'").key, "user-name");
  EXPECT_EQ(one("tags.`mlflow.source.type` = 'LOCAL'").key, "mlflow.source.type");
  EXPECT_EQ(one("tags.mlflow.source.type = 'LOCAL'").key, "mlflow.source.type");
  EXPECT_EQ(one("metrics.`my metric` > 1").key, "my metric");
  EXPECT_EQ(one("params.\"a b:c/d\" = 'x'").key, "a b:c/d");
  EXPECT_EQ(one("metrics.loss_1 < 1").key, "loss_1");
  EXPECT_EQ(one("tags.1a = 'x'").key, "1a");
  EXPECT_EQ(one("tags.caf\xc3\xa9 = 'x'").key, "caf\xc3\xa9");  // UTF-8 letters are bare
}

TEST(SearchFilter, EmptyKeysAreAcceptedLikeMlflow) {
  EXPECT_EQ(one("tags. = 'x'").key, "");
  EXPECT_EQ(one("tags.`` = 'x'").key, "");
  EXPECT_EQ(one("tags.\"\" = 'x'").key, "");
}

TEST(SearchFilter, BareKeysNeedQuotingForSpecialChars) {
  EXPECT_FILTER_ERROR("tags.user-name = 'x'",
                      "Invalid clause(s) in filter string: 'tags.user-name = 'x''");
  EXPECT_FILTER_ERROR("tags.a:b = 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("tags.a b = 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("tags.'a b' = 'x'", "Invalid clause(s) in filter string");
}

TEST(SearchFilter, WholeIdentifierInBackticksIsAKey) {
  // `metrics.a` is a single (attribute) key, not entity + key.
  EXPECT_FILTER_ERROR("`metrics.a` > 1", "Invalid attribute key 'metrics.a' specified");
}

// ---- values --------------------------------------------------------------------------------------

TEST(SearchFilter, StringValuesHaveNoEscapeProcessing) {
  EXPECT_EQ(one("params.a = 'it''s'").value.text, "it''s");
  EXPECT_EQ(one("params.a = \"a\"\"b\"").value.text, "a\"\"b");
  EXPECT_EQ(one("params.a = 'a\\nb'").value.text, "a\\nb");
  EXPECT_EQ(one("params.a = \"it's\"").value.text, "it's");
  EXPECT_EQ(one("params.a = 'say \"hi\"'").value.text, "say \"hi\"");
  EXPECT_EQ(one("params.a = ''").value.text, "");
  EXPECT_EQ(one("params.a = \"\"").value.text, "");
  EXPECT_EQ(one("params.a = 'x;y AND z'").value.text, "x;y AND z");
  EXPECT_EQ(one("params.a = '  spaced  '").value.text, "  spaced  ");
}

// A backslash before a quote does not end the literal (sqlparse's lexer), but one at the very end
// of the content does (regex backtracking). The content is kept verbatim either way.
TEST(SearchFilter, BackslashQuoteFollowsSqlparseLexer) {
  EXPECT_EQ(one("params.a = 'a\\'b'").value.text, "a\\'b");
  EXPECT_EQ(one("params.a = 'C:\\'").value.text, "C:\\");
  // Greedy like the regex: a later quote extends the literal past the backslash-quote ...
  EXPECT_EQ(one("params.a = 'C:\\' OR x'").value.text, "C:\\' OR x");
  // ... so here the first literal swallows " AND params.b = " and the rest is garbage.
  EXPECT_FILTER_ERROR("params.a = 'C:\\' AND params.b = 'x'",
                      "Invalid clause(s) in filter string: 'x''");
}

TEST(SearchFilter, Numbers) {
  struct Case {
    const char* lit;
    double value;
  };
  for (const Case& c : std::vector<Case>{{"1", 1},       {"-2", -2},       {"0.5", 0.5},
                                         {"-0.25", -0.25}, {".5", 0.5},      {"5.", 5},
                                         {"1e3", 1000},  {"1E3", 1000},    {"1e-3", 0.001},
                                         {"-1.5e-3", -0.0015}, {"2e+2", 200}, {"007", 7}}) {
    Clause cl = one(std::string("metrics.m > ") + c.lit);
    EXPECT_EQ(cl.value.kind, Value::Kind::Number) << c.lit;
    EXPECT_DOUBLE_EQ(cl.value.number, c.value) << c.lit;
    EXPECT_EQ(cl.value.text, c.lit);
  }
}

// Issue 13: an overflowing literal is a 400, not an infinity the database may refuse.
TEST(SearchFilter, HugeNumbersAreOutOfRange) {
  EXPECT_FILTER_ERROR("metrics.m < 1e999", "out of range");
  EXPECT_FILTER_ERROR("metrics.m > -1e999", "out of range");
  EXPECT_EQ(one("metrics.m > 1e-999").value.number, 0.0);
  EXPECT_EQ(one("start_time > 9007199254740993").value.kind, Value::Kind::Number);
}

TEST(SearchFilter, MalformedNumbers) {
  EXPECT_EQ(filter_error("metrics.m > 1e"), "Expected numeric value type for metric. Found 1e");
  EXPECT_EQ(filter_error("metrics.m > 1.2.3"),
            "Expected numeric value type for metric. Found 1.2.3");
  EXPECT_FILTER_ERROR("metrics.m > 1AND metrics.b > 2", "Found 1AND");
  EXPECT_FILTER_ERROR("metrics.m > +1", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("metrics.m > - 1", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("metrics.m > -", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("metrics.m > .", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("metrics.m > nan", "Expected numeric value type for metric. Found nan");
}

TEST(SearchFilter, MetricValueTypeErrors) {
  EXPECT_EQ(filter_error("metrics.a = 'x'"), "Expected numeric value type for metric. Found 'x'");
  EXPECT_EQ(filter_error("metrics.a = \"1\""),
            "Expected numeric value type for metric. Found \"1\"");
  EXPECT_EQ(filter_error("metrics.a IN ('a')"),
            "Expected numeric value type for metric. Found ('a')");
}

TEST(SearchFilter, ParamAndTagValueTypeErrors) {
  EXPECT_EQ(filter_error("tags.a = 1"),
            "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1");
  EXPECT_EQ(filter_error("params.a = -1.5"),
            "Expected a quoted string value for parameter (e.g. 'my-value'). Got value -1.5");
  EXPECT_EQ(filter_error("params.a = abc"),
            "Parameter value is either not quoted or unidentified quote types used for string "
            "value abc. Use either single or double quotes.");
  EXPECT_FILTER_ERROR("tags.a = `abc`", "string value `abc`. Use either single or double quotes.");
  // SQL keywords are not identifiers for MLflow, hence the other message.
  EXPECT_EQ(filter_error("params.a = NULL"),
            "Expected a quoted string value for parameter (e.g. 'my-value'). Got value NULL");
  EXPECT_EQ(filter_error("status != null"),
            "Expected a quoted string value for attributes. Got value null");
  EXPECT_EQ(filter_error("metrics.a = TRUE"), "Expected numeric value type for metric. Found TRUE");
}

// ---- lists ---------------------------------------------------------------------------------------

TEST(SearchFilter, ListForms) {
  EXPECT_EQ(one("run_id IN ('a')").value.list, std::vector<std::string>{"a"});
  EXPECT_EQ(one("run_id IN ('a', \"b\")").value.list, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(one("run_id IN ('a', 'b',)").value.list, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(one("run_id IN ( 'a' ,\n'b' , )").value.list, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(one("run_id IN ('a,b', 'c)d')").value.list,
            (std::vector<std::string>{"a,b", "c)d"}));
  // Adjacent literals concatenate like Python's ('a' 'b'), before the lowercase filter.
  EXPECT_EQ(one("run_id IN ('a' \"b\", 'c'  'D', 'e')").value.list,
            (std::vector<std::string>{"ab", "e"}));
}

TEST(SearchFilter, RunIdListDropsNonLowercaseEntries) {
  Clause c = one("run_id IN ('abc123', 'ABC123', 'Abc', '123', '', 'a-b', 'x')");
  EXPECT_EQ(c.value.list, (std::vector<std::string>{"abc123", "a-b", "x"}));
  // Every entry dropped: an empty list, not an error.
  Clause empty = one("run_id NOT IN ('A', '1')");
  EXPECT_EQ(empty.op, Comparator::NotIn);
  EXPECT_EQ(empty.value.kind, Value::Kind::List);
  EXPECT_TRUE(empty.value.list.empty());
}

TEST(SearchFilter, LowercaseFilterHandlesUtf8) {
  Clause c = one("run_id IN ('\xc3\xa9t\xc3\xa9', '\xc3\x89t\xc3\xa9', '\xce\xb1\xce\xb2', "
                 "'\xd0\x96', '\xe4\xb8\xad')");
  // "été" kept, "Été" dropped, Greek "αβ" kept, Cyrillic "Ж" dropped, CJK (uncased) dropped.
  EXPECT_EQ(c.value.list, (std::vector<std::string>{"\xc3\xa9t\xc3\xa9", "\xce\xb1\xce\xb2"}));
  // Invalid UTF-8 bytes are uncased and do not crash.
  EXPECT_EQ(one("run_id IN ('a\xff\xfe')").value.list, std::vector<std::string>{"a\xff\xfe"});
}

TEST(SearchFilter, ListErrors) {
  EXPECT_EQ(filter_error("run_id IN ()"),
            "While parsing a list in the query, expected a non-empty list of string values, but "
            "got empty list");
  EXPECT_FILTER_ERROR("run_id IN (  )", "but got empty list");
  for (const char* f : {"run_id IN (,)", "run_id IN ('a',,)", "run_id IN (, 'a')",
                        "run_id IN ('a', b)", "run_id IN (('a'))", "run_id IN ('a' b)",
                        "run_id IN (`a`)"}) {
    EXPECT_EQ(filter_error(f),
              "While parsing a list in the query, expected a non-empty list of string values, "
              "but got ill-formed list.")
        << f;
  }
  EXPECT_EQ(filter_error("run_id IN (1, 2)"),
            "While parsing a list in the query, expected string value, punctuation, or "
            "whitespace, but got different type in list: (1, 2)");
  EXPECT_FILTER_ERROR("run_id IN ('a', -1.5)", "but got different type in list: ('a', -1.5)");
  EXPECT_FILTER_ERROR("run_id IN ('a'", "Invalid clause(s) in filter string: 'run_id IN ('a''");
}

TEST(SearchFilter, ListsOnlyForRunIdAttribute) {
  const char* msg =
      "Only the 'run_id' attribute supports comparison with a list of quoted string values.";
  EXPECT_EQ(filter_error("status IN ('RUNNING')"), msg);
  EXPECT_EQ(filter_error("run_name NOT IN ('x')"), msg);
  EXPECT_EQ(filter_error("start_time IN ('1')"),
            "Expected numeric value type for numeric attribute: start_time. Found ('1')");
}

// ---- unsupported syntax --------------------------------------------------------------------------

TEST(SearchFilter, UnsupportedSyntaxIsAnInvalidClause) {
  EXPECT_EQ(filter_error("metrics.a > 1 OR metrics.b < 2"),
            "Invalid clause(s) in filter string: 'OR metrics.b < 2'");
  EXPECT_EQ(filter_error("NOT metrics.a > 1"),
            "Invalid clause(s) in filter string: 'NOT metrics.a > 1'");
  EXPECT_EQ(filter_error("(metrics.a > 1)"),
            "Invalid clause(s) in filter string: '(metrics.a > 1)'");
  EXPECT_EQ(filter_error("metrics.a > 1 AND (metrics.b < 2)"),
            "Invalid clause(s) in filter string: '(metrics.b < 2)'");
  EXPECT_EQ(filter_error("metrics.a IS NULL"),
            "Invalid clause(s) in filter string: 'metrics.a IS NULL'");
  EXPECT_FILTER_ERROR("tags.a IS NOT NULL", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("lower(params.a) = 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("metrics.a BETWEEN 1 AND 2", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("params.a NOT 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("params.a = 'x' -- comment", "Invalid clause(s) in filter string: '-- comment'");
  EXPECT_FILTER_ERROR("metrics.a > 1 AND OR", "Invalid clause(s) in filter string: 'OR'");
  EXPECT_FILTER_ERROR("params.a = AND", "Invalid clause(s) in filter string");
}

TEST(SearchFilter, IncompleteClauses) {
  EXPECT_EQ(filter_error("metrics.a"), "Invalid clause(s) in filter string: 'metrics.a'");
  EXPECT_EQ(filter_error("metrics.a >  "), "Invalid clause(s) in filter string: 'metrics.a >'");
  EXPECT_EQ(filter_error("= 1"), "Invalid clause(s) in filter string: '= 1'");
  EXPECT_EQ(filter_error("'x' = params.a"), "Invalid clause(s) in filter string: ''x' = params.a'");
  EXPECT_FILTER_ERROR("metrics.", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR(".", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("params.a = 'x' 'y'", "Invalid clause(s) in filter string: ''y''");
}

TEST(SearchFilter, UnterminatedQuotes) {
  EXPECT_EQ(filter_error("params.a = 'abc"),
            "Invalid clause(s) in filter string: 'params.a = 'abc'");
  EXPECT_FILTER_ERROR("params.a = \"abc", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("tags.`abc = 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("tags.\"abc = 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("`tags.abc = 'x'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("'", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("\"", "Invalid clause(s) in filter string");
  EXPECT_FILTER_ERROR("`", "Invalid clause(s) in filter string");
}

TEST(SearchFilter, MultipleStatements) {
  EXPECT_EQ(filter_error("metrics.a > 1; params.b = 'x'"),
            "Search filter contained multiple expression \"metrics.a > 1; params.b = 'x'\". "
            "Provide AND-ed expression list.");
  EXPECT_EQ(filter_error("metrics.a > 1; metrics.b > 2"),
            "Search filter contained multiple expression 'metrics.a > 1; metrics.b > 2'. "
            "Provide AND-ed expression list.");
  EXPECT_FILTER_ERROR("metrics.a > ; 1", "Search filter contained multiple expression");
  // A trailing ';' alone is one statement with a stray token.
  EXPECT_EQ(filter_error("metrics.a > 1 ;  "), "Invalid clause(s) in filter string: ';'");
  // ';' inside literals does not split.
  EXPECT_EQ(one("params.a = 'x; y'").value.text, "x; y");
  EXPECT_EQ(one("tags.`a;b` = 'x'").key, "a;b");
}

TEST(SearchFilter, StructuralErrorsComeBeforeSemanticOnes) {
  // Like MLflow: all clauses are scanned before any identifier is validated ...
  EXPECT_FILTER_ERROR("foo = 'x' OR bar = 'y'", "Invalid clause(s) in filter string: 'OR");
  // ... and all identifiers and values before any comparator.
  EXPECT_FILTER_ERROR("tags.a > 'x' AND metrics.b = 'y'",
                      "Expected numeric value type for metric. Found 'y'");
}

// ---- experiments ---------------------------------------------------------------------------------

TEST(SearchExperimentsFilter, Attributes) {
  Clause c = one("name = 'Default'", Grammar::Experiments);
  EXPECT_EQ(c.entity, EntityKind::Attribute);
  EXPECT_EQ(c.key, "name");
  EXPECT_EQ(c.value.text, "Default");
  EXPECT_EQ(one("attribute.name like 'x%'", Grammar::Experiments).op, Comparator::Like);
  EXPECT_EQ(one("name ILIKE \"%X%\"", Grammar::Experiments).op, Comparator::ILike);
  EXPECT_EQ(one("name != 'x'", Grammar::Experiments).op, Comparator::NotEq);
  EXPECT_EQ(one("\"name\" = 'x'", Grammar::Experiments).key, "name");
  for (const char* key : {"creation_time", "last_update_time"}) {
    for (const char* op : {"=", "!=", "<", "<=", ">", ">="}) {
      const std::string f = std::string(key) + " " + op + " 1000";
      Clause n = one(f, Grammar::Experiments);
      EXPECT_EQ(n.key, key) << f;
      EXPECT_EQ(n.value.kind, Value::Kind::Number);
      EXPECT_EQ(n.value.number, 1000);
    }
  }
}

TEST(SearchExperimentsFilter, Tags) {
  for (const char* f : {"tags.k = 'v'", "tag.k = 'v'", "tags.`a.b` LIKE 'v%'",
                        "tags.\"a b\" ILIKE 'V'", "tag.k != 'v'"}) {
    Clause c = one(f, Grammar::Experiments);
    EXPECT_EQ(c.entity, EntityKind::Tag) << f;
  }
  Filter f = exps("name LIKE 'a%' AND tags.k = 'v' and creation_time > 5");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[1].key, "k");
}

TEST(SearchExperimentsFilter, Errors) {
  EXPECT_EQ(filter_error("attributes.name = 'x'", Grammar::Experiments),
            "Invalid entity type 'attributes'. Valid entity types are ('attribute', 'tag', "
            "'tags')");
  EXPECT_EXP_FILTER_ERROR("`tags`.a = 'x'", "Invalid entity type '`tags`'");
  EXPECT_EXP_FILTER_ERROR("metrics.a > 1", "Invalid entity type 'metrics'");
  EXPECT_EXP_FILTER_ERROR("experiment_id = '1'",
                          "Invalid attribute key 'experiment_id' specified. Valid keys are '");
  EXPECT_EXP_FILTER_ERROR("name IN ('a')", "Only the 'run_id' attribute supports comparison");
  EXPECT_EXP_FILTER_ERROR("name > 'x'", "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', "
                                        "'ILIKE'}'");
  EXPECT_EXP_FILTER_ERROR("creation_time LIKE 1", "Invalid comparator 'LIKE' not one of");
  EXPECT_EXP_FILTER_ERROR("creation_time > 'a'",
                          "Expected numeric value type for numeric attribute: creation_time. "
                          "Found 'a'");
  EXPECT_EXP_FILTER_ERROR("name = 1", "Expected a quoted string value for attributes. Got value 1");
  EXPECT_EXP_FILTER_ERROR("tags.a = 1",
                          "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1");
  EXPECT_EXP_FILTER_ERROR("tags.a > 'x'", "Invalid comparator '>' not one of");
  // MLflow's experiment variant does not quote the offending fragment.
  EXPECT_EQ(filter_error("name = 'a' OR name = 'b'", Grammar::Experiments),
            "Invalid clause(s) in filter string: OR name = 'b'");
}

// ---- order_by ------------------------------------------------------------------------------------

TEST(SearchOrderBy, RunAttributes) {
  for (const char* key : {"run_id", "run_name", "status", "user_id", "artifact_uri", "start_time",
                          "end_time"}) {
    OrderBy o = parse_order_by(key, Grammar::Runs);
    EXPECT_EQ(o.entity, EntityKind::Attribute);
    EXPECT_EQ(o.key, key);
    EXPECT_TRUE(o.ascending);
    OrderBy p = parse_order_by(std::string("attributes.") + key + " DESC", Grammar::Runs);
    EXPECT_EQ(p.key, key);
    EXPECT_FALSE(p.ascending);
  }
  EXPECT_EQ(parse_order_by("created", Grammar::Runs).key, "start_time");
  EXPECT_EQ(parse_order_by("attribute.Created DESC", Grammar::Runs).key, "start_time");
  EXPECT_EQ(parse_order_by("`run_name`", Grammar::Runs).key, "run_name");
}

TEST(SearchOrderBy, RunMetricsParamsTags) {
  OrderBy m = parse_order_by("metrics.`my metric` DESC", Grammar::Runs);
  EXPECT_EQ(m.entity, EntityKind::Metric);
  EXPECT_EQ(m.key, "my metric");
  EXPECT_FALSE(m.ascending);
  OrderBy p = parse_order_by("params.\"lr\" ASC", Grammar::Runs);
  EXPECT_EQ(p.entity, EntityKind::Param);
  EXPECT_EQ(p.key, "lr");
  EXPECT_TRUE(p.ascending);
  OrderBy t = parse_order_by("tags.mlflow.runName", Grammar::Runs);
  EXPECT_EQ(t.entity, EntityKind::Tag);
  EXPECT_EQ(t.key, "mlflow.runName");
  EXPECT_EQ(parse_order_by("metric.m", Grammar::Runs).entity, EntityKind::Metric);
  EXPECT_EQ(parse_order_by("parameters.m", Grammar::Runs).entity, EntityKind::Param);
  EXPECT_EQ(parse_order_by("`tags`.x", Grammar::Runs).entity, EntityKind::Tag);
}

TEST(SearchOrderBy, DirectionIsCaseInsensitive) {
  EXPECT_FALSE(parse_order_by("metrics.a desc", Grammar::Runs).ascending);
  EXPECT_FALSE(parse_order_by("metrics.a DeSc", Grammar::Runs).ascending);
  EXPECT_TRUE(parse_order_by("metrics.a asc", Grammar::Runs).ascending);
  EXPECT_TRUE(parse_order_by("metrics.a   ASC", Grammar::Runs).ascending);
  EXPECT_FALSE(parse_order_by("metrics.a\tDESC", Grammar::Runs).ascending);
}

TEST(SearchOrderBy, RunErrors) {
  EXPECT_EQ(order_error("a b c"), "Invalid order_by clause 'a b c'. Could not be parsed.");
  EXPECT_ORDER_ERROR("metrics.a DESC ASC", "Could not be parsed.");
  EXPECT_EQ(order_error("metrics.a foo"), "Invalid ordering key in order_by clause 'metrics.a foo'.");
  EXPECT_ORDER_ERROR("", "Invalid order_by clause ''. Could not be parsed.");
  EXPECT_ORDER_ERROR("   ", "Could not be parsed.");
  EXPECT_ORDER_ERROR(" start_time", "Could not be parsed.");
  EXPECT_ORDER_ERROR("start_time DESC ", "Could not be parsed.");
  EXPECT_ORDER_ERROR("metrics.`a DESC", "Could not be parsed.");
  EXPECT_ORDER_ERROR("tags.a-b", "Could not be parsed.");
  EXPECT_ORDER_ERROR("metrics.a,metrics.b", "Could not be parsed.");
  EXPECT_ORDER_ERROR("metrics.a 'DESC'", "Could not be parsed.");
  EXPECT_ORDER_ERROR("foo", "Invalid attribute key 'foo' specified. Valid keys are '");
  // The run-name aliases exist only for filters.
  EXPECT_ORDER_ERROR("\"run name\"", "Invalid attribute key 'run name' specified");
  EXPECT_ORDER_ERROR("run name", "Invalid ordering key in order_by clause 'run name'.");
  EXPECT_ORDER_ERROR("bar.x", "Invalid entity type 'bar'. Valid values are [");
  EXPECT_ORDER_ERROR("datasets.name", "Invalid identifier type 'dataset'");
  EXPECT_ORDER_ERROR("datasets.foo", "Invalid dataset key 'foo' specified");
}

TEST(SearchOrderBy, Experiments) {
  for (const char* key : {"name", "experiment_id", "creation_time", "last_update_time"}) {
    OrderBy o = parse_order_by(key, Grammar::Experiments);
    EXPECT_EQ(o.entity, EntityKind::Attribute);
    EXPECT_EQ(o.key, key);
    EXPECT_TRUE(o.ascending);
    OrderBy d = parse_order_by(std::string("attribute.") + key + " desc", Grammar::Experiments);
    EXPECT_EQ(d.key, key);
    EXPECT_FALSE(d.ascending);
  }
  EXPECT_EXP_ORDER_ERROR("tags.a", "Invalid order_by entity: tag");
  EXPECT_EXP_ORDER_ERROR("tag.a DESC", "Invalid order_by entity: tag");
  EXPECT_EXP_ORDER_ERROR("attributes.name", "Invalid entity type 'attributes'");
  EXPECT_EXP_ORDER_ERROR("run_id", "Invalid attribute key 'run_id' specified");
  EXPECT_EXP_ORDER_ERROR("name sideways", "Invalid ordering key in order_by clause");
}

// ---- robustness ----------------------------------------------------------------------------------

// Any outcome other than success or MlflowError(INVALID_PARAMETER_VALUE) fails the test.
void expect_graceful(std::string_view s) {
  for (Grammar g : {Grammar::Runs, Grammar::Experiments}) {
    try {
      parse_filter(s, g);
    } catch (const MlflowError& e) {
      ASSERT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE);
    }
    try {
      parse_order_by(s, g);
    } catch (const MlflowError& e) {
      ASSERT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE);
    }
  }
}

TEST(SearchRobustness, EveryPrefixOfValidFilters) {
  const std::vector<std::string> samples = {
      "metrics.rmse < 1 and params.model = 'LogisticRegression'",
      "tags.\"user-name\" = 'Tomas' AND tags.`mlflow.source.type` = 'LOCAL'",
      "attributes.run_id NOT IN ('0f3c', \"a1b2\",) AND created > -1.5e-3",
      "datasets.context = 'training' AND run_name LIKE 'bright-%'",
      "params.a = 'it''s' AND params.b = 'a\\'b' AND tags.c = \"x\"\"y\"",
  };
  for (const auto& s : samples) {
    EXPECT_NO_THROW(runs(s)) << s;
    for (size_t i = 0; i <= s.size(); ++i) {
      expect_graceful(std::string_view(s).substr(0, i));
      expect_graceful(std::string_view(s).substr(i));
    }
  }
}

TEST(SearchRobustness, RandomInputs) {
  static const char kAlphabet[] = "ab_.09-+eE '\"`(),;=!<>~ \t\nANDORNOTINLIKEmetricstag\\\xc3\xff";
  std::mt19937 rng(12345);
  std::uniform_int_distribution<size_t> len_dist(0, 40);
  std::uniform_int_distribution<size_t> ch_dist(0, sizeof(kAlphabet) - 2);
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const size_t len = len_dist(rng);
    for (size_t k = 0; k < len; ++k) s += kAlphabet[ch_dist(rng)];
    expect_graceful(s);
  }
}

TEST(SearchRobustness, EmbeddedNulAndControlBytes) {
  const std::string nul("params.a = 'x\0y'", 16);
  EXPECT_EQ(one(nul).value.text, std::string("x\0y", 3));
  expect_graceful(std::string("metrics.a\0 > 1", 14));
  expect_graceful("\x01\x02\x7f");
  // repr() escapes control characters in the multiple-statement message.
  EXPECT_FILTER_ERROR("a\n; b", "multiple expression 'a\\n; b'.");
}

TEST(SearchRobustness, LongInputs) {
  auto many = [](int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? " AND " : "") + ("metrics.m" + std::to_string(i)) + " > " + std::to_string(i);
    return out;
  };
  Filter f = runs(many(40));  // the most comparisons on metrics/params/tags (search/limits.hpp)
  ASSERT_EQ(f.size(), 40u);
  EXPECT_EQ(f.back().key, "m39");
  EXPECT_EQ(f.back().value.number, 39);
  EXPECT_FILTER_ERROR(many(5000), "at most 100");
  EXPECT_FILTER_ERROR(many(41), "at most 40");

  expect_graceful(std::string(100000, '('));
  expect_graceful(std::string(100000, '\''));
  expect_graceful("params.a = '" + std::string(100000, 'x'));
  expect_graceful("run_id IN (" + std::string(50000, ',') + ")");
  EXPECT_EQ(one("params.a = '" + std::string(100000, 'x') + "'").value.text.size(), 100000u);
}

}  // namespace
}  // namespace sextant::search
