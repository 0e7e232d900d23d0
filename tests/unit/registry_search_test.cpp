// Unit tests for the registry search grammars (mlflow-api.md §3.4, §3.5, §3.8) and their SQL.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "search/filter_parser.hpp"
#include "store/sql/registry_search_sql.hpp"

namespace sextant::search {
namespace {

using core::MlflowError;

Filter models(std::string_view s) { return parse_filter(s, Grammar::RegisteredModels); }
Filter versions(std::string_view s) { return parse_filter(s, Grammar::ModelVersions); }

std::string error_of(std::string_view s, Grammar g) {
  try {
    parse_filter(s, g);
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE) << s;
    return e.what();
  }
  ADD_FAILURE() << "expected an error for: " << s;
  return {};
}

std::string order_error_of(std::string_view s, Grammar g) {
  try {
    parse_order_by(s, g);
  } catch (const MlflowError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error for order_by: " << s;
  return {};
}

#define EXPECT_CONTAINS(haystack, needle) EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << haystack

TEST(RegistryFilter, ModelNameAndTags) {
  auto f = models("name = 'm1' and tags.`k 1` LIKE 'v%' AND tag.x != \"y\"");
  ASSERT_EQ(f.size(), 3u);
  EXPECT_EQ(f[0].entity, EntityKind::Attribute);
  EXPECT_EQ(f[0].key, "name");
  EXPECT_EQ(f[0].op, Comparator::Eq);
  EXPECT_EQ(f[0].value.text, "m1");
  EXPECT_EQ(f[1].entity, EntityKind::Tag);
  EXPECT_EQ(f[1].key, "k 1");
  EXPECT_EQ(f[1].op, Comparator::Like);
  EXPECT_EQ(f[2].key, "x");
  EXPECT_EQ(f[2].value.text, "y");
  EXPECT_EQ(models("attribute.name ILIKE '%M%'")[0].op, Comparator::ILike);
  EXPECT_TRUE(models("  ").empty());
}

TEST(RegistryFilter, ModelErrors) {
  auto g = Grammar::RegisteredModels;
  EXPECT_CONTAINS(error_of("run_id = 'x'", g), "Invalid attribute key 'run_id' specified. Valid keys are '{'name'}'");
  EXPECT_CONTAINS(error_of("\"name\" = 'x'", g), "Invalid attribute key '\"name\"' specified");
  EXPECT_CONTAINS(error_of("params.a = 'x'", g),
                  "Invalid entity type 'params'. Valid entity types are ('attribute', 'tag', 'tags')");
  EXPECT_CONTAINS(error_of("name = 1", g), "Expected a quoted string value or a list of quoted string values for "
                                           "attributes. Got value 1");
  EXPECT_CONTAINS(error_of("name IN ('a')", g), "Only the 'run_id' attribute supports comparison with a list");
  EXPECT_CONTAINS(error_of("name > 'a'", g), "Invalid comparator for attribute: >");
  EXPECT_CONTAINS(error_of("tags.a > 'a'", g), "Invalid comparator for tag: >");
  EXPECT_CONTAINS(error_of("tags.a = 1", g), "Expected a quoted string value for tag (e.g. 'my-value'). Got value 1");
  EXPECT_CONTAINS(error_of("name = abc", g), "Parameter value is either not quoted");
  EXPECT_CONTAINS(error_of("name = 'a' OR name = 'b'", g), "Invalid clause(s) in filter string");
  EXPECT_CONTAINS(error_of("name = 'a'; name = 'b'", g), "Search filter contained multiple expression");
}

TEST(RegistryFilter, VersionAttributes) {
  auto f = versions("name='m' AND version_number >= 2 AND run_id IN ('abc', 'DEF', 'e1') AND source_path LIKE 's3%'");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[1].key, "version_number");
  EXPECT_EQ(f[1].op, Comparator::Ge);
  EXPECT_EQ(f[1].value.kind, Value::Kind::Number);
  EXPECT_DOUBLE_EQ(f[1].value.number, 2);
  EXPECT_EQ(f[2].op, Comparator::In);
  EXPECT_EQ(f[2].value.list, (std::vector<std::string>{"abc", "e1"}));  // not islower() -> dropped
  EXPECT_EQ(f[3].key, "source_path");
  // A quoted number is accepted for version_number (SQLite compares it numerically).
  EXPECT_EQ(versions("version_number = '3'")[0].value.text, "3");
  EXPECT_EQ(versions("tags.`mlflow.prompt.is_prompt` = 'true'")[0].key, "mlflow.prompt.is_prompt");
}

TEST(RegistryFilter, VersionErrors) {
  auto g = Grammar::ModelVersions;
  EXPECT_CONTAINS(error_of("status = 'x'", g), "Invalid attribute key 'status' specified. Valid keys are '{'name', "
                                               "'version_number', 'run_id', 'source_path'}'");
  EXPECT_CONTAINS(error_of("name = 3", g), "attributes support comparison with numeric values.");
  EXPECT_CONTAINS(error_of("version_number LIKE '1'", g), "Invalid comparator for attribute version_number: LIKE");
  EXPECT_CONTAINS(error_of("run_id NOT IN ('a')", g), "Invalid comparator for attribute: NOT IN");
  EXPECT_CONTAINS(error_of("name IN ('a')", g), "Only the 'run_id' attribute supports comparison with a list");
  EXPECT_CONTAINS(error_of("run_id IN ()", g), "expected a non-empty list of string values, but got empty list");
  EXPECT_CONTAINS(error_of("run_id = ('a')", g), "Invalid clause(s) in filter string: run_id = ('a')");
  EXPECT_CONTAINS(error_of("tags.k IN ('a')", g), "Expected a quoted string value for tag");
  EXPECT_CONTAINS(error_of("tags.k IN 'a'", g), "Invalid comparator for tag: IN");
  EXPECT_CONTAINS(error_of("metrics.x > 1", g), "Invalid entity type 'metrics'");
}

TEST(RegistryOrderBy, Models) {
  auto g = Grammar::RegisteredModels;
  EXPECT_EQ(parse_order_by("name", g).key, "name");
  EXPECT_TRUE(parse_order_by("name", g).ascending);
  auto ts = parse_order_by("timestamp DESC", g);
  EXPECT_EQ(ts.key, "last_updated_timestamp");
  EXPECT_FALSE(ts.ascending);
  EXPECT_EQ(parse_order_by("last_updated_timestamp asc", g).key, "last_updated_timestamp");
  EXPECT_EQ(parse_order_by("`name` DESC", g).key, "name");
  EXPECT_CONTAINS(order_error_of("creation_timestamp", g),
                  "Invalid order by key 'creation_timestamp' specified. Valid keys are '{'name', 'timestamp'}'");
  EXPECT_CONTAINS(order_error_of("attribute.name", g), "Invalid order by key 'attribute.name' specified");
  EXPECT_CONTAINS(order_error_of("name sideways", g), "Invalid ordering key in order_by clause 'name sideways'.");
  EXPECT_CONTAINS(order_error_of("name DESC extra", g), "Could not be parsed.");
}

TEST(RegistryOrderBy, Versions) {
  auto g = Grammar::ModelVersions;
  EXPECT_EQ(parse_order_by("version_number DESC", g).key, "version_number");
  EXPECT_EQ(parse_order_by("attribute.creation_timestamp", g).key, "creation_timestamp");
  EXPECT_EQ(parse_order_by("last_updated_timestamp", g).key, "last_updated_timestamp");
  EXPECT_CONTAINS(order_error_of("run_id", g), "Invalid attribute key 'run_id' specified. Valid keys are");
  EXPECT_CONTAINS(order_error_of("tags.x", g), "Invalid order by key 'x' specified.");
  EXPECT_CONTAINS(order_error_of("metrics.x", g), "Invalid entity type 'metrics'");
}

TEST(RegistryOrderBy, RunsAndExperimentsUnchanged) {
  EXPECT_EQ(parse_order_by("metrics.`m 1` DESC", Grammar::Runs).entity, EntityKind::Metric);
  EXPECT_EQ(parse_order_by("name", Grammar::Experiments).key, "name");
  EXPECT_EQ(parse_filter("name = 'x'", Grammar::Experiments).size(), 1u);
}

// --- SQL ---

store::RegistrySearchQuery query(Filter f) {
  store::RegistrySearchQuery q;
  q.filter = std::move(f);
  q.max_results = 10;
  q.offset = 20;
  return q;
}

TEST(RegistrySql, ModelsBindUserText) {
  auto sql = store::sql::compile_registered_model_search(query(models("name = 'x'' OR 1=1 --' AND tags.k = 'v'")));
  EXPECT_EQ(sql.text.find("OR 1=1"), std::string::npos) << sql.text;
  EXPECT_CONTAINS(sql.text, "rm.name = ?");
  EXPECT_CONTAINS(sql.text, "NOT EXISTS (SELECT 1 FROM registered_model_tags p");  // prompts excluded
  EXPECT_CONTAINS(sql.text, "ORDER BY rm.name ASC LIMIT ? OFFSET ?");
  ASSERT_EQ(sql.binds.size(), 5u);
  EXPECT_EQ(std::get<std::string>(sql.binds[0]), "x'' OR 1=1 --");
  EXPECT_EQ(std::get<std::int64_t>(sql.binds[3]), 11);  // max_results + 1
  EXPECT_EQ(std::get<std::int64_t>(sql.binds[4]), 20);
}

TEST(RegistrySql, PromptFilterSwitchesExclusionOff) {
  auto asked = store::sql::compile_registered_model_search(query(models("tags.`mlflow.prompt.is_prompt` = 'TRUE'")));
  EXPECT_EQ(asked.text.find("NOT EXISTS"), std::string::npos) << asked.text;
  EXPECT_CONTAINS(asked.text, "EXISTS (SELECT 1 FROM registered_model_tags t");
  // Any other clause on the prompt tag is dropped and prompts stay excluded.
  auto other = store::sql::compile_registered_model_search(query(models("tags.`mlflow.prompt.is_prompt` = 'false'")));
  EXPECT_CONTAINS(other.text, "NOT EXISTS");
  EXPECT_EQ(other.text.find("registered_model_tags t "), std::string::npos) << other.text;
}

TEST(RegistrySql, VersionsDefaultOrderAndDeletedExcluded) {
  auto sql = store::sql::compile_model_version_search(query(versions("run_id IN ('a', 'b')")));
  EXPECT_CONTAINS(sql.text, "mv.current_stage != 'Deleted_Internal'");
  EXPECT_CONTAINS(sql.text, "mv.run_id IN (?, ?)");
  EXPECT_CONTAINS(sql.text, "ORDER BY mv.last_updated_time IS NULL, mv.last_updated_time DESC, mv.name ASC, mv.version DESC");
  auto q = query(versions("version_number > 1"));
  q.order_by.push_back(parse_order_by("creation_timestamp", Grammar::ModelVersions));
  auto ordered = store::sql::compile_model_version_search(q);
  EXPECT_CONTAINS(ordered.text, "ORDER BY mv.creation_time IS NULL DESC, mv.creation_time ASC, mv.name ASC, mv.version DESC");
  EXPECT_DOUBLE_EQ(std::get<double>(ordered.binds[0]), 1.0);
}

// On a workspace schema (SchemaProfile::workspaces) only the default workspace's rows match, and
// tag rows join on the workspace-qualified key; the binds are the same as without.
TEST(RegistrySql, WorkspaceSchemaConfinesToDefaultWorkspace) {
  auto q = query(models("name LIKE 'a%' AND tags.k = 'v'"));
  auto plain = store::sql::compile_registered_model_search(q);
  auto scoped = store::sql::compile_registered_model_search(q, db::sqlite_dialect(), true);
  EXPECT_EQ(plain.text.find("workspace"), std::string::npos) << plain.text;
  EXPECT_CONTAINS(scoped.text, "WHERE 1 = 1 AND rm.workspace = 'default'");
  EXPECT_CONTAINS(scoped.text, "t.workspace = rm.workspace AND t.name = rm.name");
  EXPECT_CONTAINS(scoped.text, "p.workspace = rm.workspace AND p.name = rm.name");
  EXPECT_EQ(scoped.binds, plain.binds);

  auto vq = query(versions("name = 'm' AND tags.k = 'v'"));
  auto vplain = store::sql::compile_model_version_search(vq);
  auto vscoped = store::sql::compile_model_version_search(vq, db::sqlite_dialect(), true);
  EXPECT_EQ(vplain.text.find("workspace"), std::string::npos) << vplain.text;
  EXPECT_CONTAINS(vscoped.text, "mv.current_stage != 'Deleted_Internal' AND mv.workspace = 'default'");
  EXPECT_CONTAINS(vscoped.text, "t.workspace = mv.workspace AND t.name = mv.name AND t.version = mv.version");
  EXPECT_CONTAINS(vscoped.text, "p.value = 'true' AND p.workspace = 'default')");
  EXPECT_EQ(vscoped.binds, vplain.binds);
}

}  // namespace
}  // namespace sextant::search
