// The schema inspection that decides whether Sextant serves a database at an MLflow revision it
// does not know, and the upgrade planner over MLflow's revision chain. Pure logic: catalogs are
// built by hand here; integration.test_schema_revisions reads real ones.
#include <gtest/gtest.h>

#include <algorithm>

#include "store/sql/migrations/migration_ops.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/schema_inspection.hpp"
#include "store/sql/schema_upgrade.hpp"

namespace sextant::store::sql {
namespace {

// The catalog of the schema MLflow 3.6 creates, for the tables Sextant writes (every column
// nullable unless it is part of a unique key; keys as Sextant's upserts name them).
Catalog head_catalog(bool workspaces) {
  Catalog cat;
  const std::vector<std::pair<std::string, std::vector<std::vector<std::string>>>> keys = {
      {"experiments", {{"experiment_id"}, {"name"}}},
      {"experiment_tags", {{"key", "experiment_id"}}},
      {"runs", {{"run_uuid"}}},
      {"tags", {{"key", "run_uuid"}}},
      {"params", {{"key", "run_uuid"}}},
      {"metrics", {}},
      {"latest_metrics", {{"key", "run_uuid"}}},
      {"registered_models", {{"name"}}},
      {"model_versions", {{"name", "version"}}},
      {"registered_model_tags", {{"key", "name"}}},
      {"model_version_tags", {{"key", "name", "version"}}},
      {"registered_model_aliases", {{"name", "alias"}}},
      {"datasets", {{"experiment_id", "name", "digest"}}},
      {"inputs", {{"source_type", "source_id", "destination_type", "destination_id"}}},
      {"input_tags", {{"input_uuid", "name"}}},
      {"logged_models", {{"model_id"}}},
      {"logged_model_metrics", {}},
      {"logged_model_params", {{"model_id", "param_key"}}},
      {"logged_model_tags", {{"model_id", "tag_key"}}},
      {"webhooks", {{"webhook_id"}}},
      {"webhook_events", {{"webhook_id", "entity", "action"}}},
      // GenAI evaluation datasets and scorers (issue 16).
      {"evaluation_datasets", {}},
      {"evaluation_dataset_tags", {{"dataset_id", "key"}}},
      {"evaluation_dataset_records", {}},
      {"entity_associations", {{"source_type", "source_id", "destination_type", "destination_id"}}},
      // MLflow 3 tracing (issue 16).
      {"trace_info", {{"request_id"}}},
      {"trace_tags", {{"key", "request_id"}}},
      {"trace_request_metadata", {{"key", "request_id"}}},
      {"spans", {{"trace_id", "span_id"}}},
      {"assessments", {{"assessment_id"}}},
      {"scorers", {}},
      {"scorer_versions", {}},
  };
  const std::vector<std::string> scoped = {"experiments",           "registered_models",  "model_versions",
                                           "registered_model_tags", "model_version_tags", "registered_model_aliases",
                                           "webhooks",              "evaluation_datasets"};
  for (const auto& [name, table_keys] : keys) {
    CatalogTable t;
    t.name = name;
    for (const auto& col : head_table_columns(name)) t.columns.push_back({col, "text", true, false});
    const bool ws = workspaces && std::find(scoped.begin(), scoped.end(), name) != scoped.end();
    if (ws) t.columns.push_back({"workspace", "varchar(63)", false, true});
    for (auto key : table_keys) {
      if (ws && key != std::vector<std::string>{"experiment_id"} && key != std::vector<std::string>{"webhook_id"}) {
        key.insert(key.begin(), "workspace");
      }
      t.unique_keys.push_back(key);
    }
    cat.tables.emplace(name, std::move(t));
  }
  return cat;
}

SchemaProfile profile(bool workspaces) {
  SchemaProfile p;
  p.workspaces = workspaces;
  return p;
}

bool mentions(const std::vector<std::string>& lines, const std::string& a, const std::string& b) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const auto& l) { return l.find(a) != std::string::npos && l.find(b) != std::string::npos; });
}

TEST(HeadTableColumns, ParsesMlflowsDdl) {
  const auto& metrics = head_table_columns("metrics");
  EXPECT_EQ(metrics, (std::vector<std::string>{"key", "value", "timestamp", "run_uuid", "step", "is_nan"}));
  const auto& spans = head_table_columns("spans");
  EXPECT_NE(std::find(spans.begin(), spans.end(), "duration_ns"), spans.end());
  EXPECT_TRUE(head_table_columns("no_such_table").empty());
}

TEST(CreateTableItems, SplitsTopLevelItemsOnly) {
  constexpr std::string_view ddl =
      "CREATE TABLE t ( \"key\" VARCHAR(250) NOT NULL, note VARCHAR(20) DEFAULT 'a, (b' NOT NULL,\n\tstep "
      "BIGINT, CONSTRAINT t_pk PRIMARY KEY (\"key\", step), CHECK (note IN ('x', 'y')), UNIQUE (note) )";
  EXPECT_EQ(migrations::create_table_items(ddl),
            (std::vector<std::string_view>{"\"key\" VARCHAR(250) NOT NULL", "note VARCHAR(20) DEFAULT 'a, (b' NOT NULL",
                                           "step BIGINT", "CONSTRAINT t_pk PRIMARY KEY (\"key\", step)",
                                           "CHECK (note IN ('x', 'y'))", "UNIQUE (note)"}));
  EXPECT_EQ(migrations::declared_columns(ddl), (std::vector<std::string>{"key", "note", "step"}));
}

TEST(SchemaInspection, HeadSchemaAcceptsSextantsRows) {
  for (bool ws : {false, true}) {
    auto f = inspect_schema(head_catalog(ws), profile(ws));
    EXPECT_TRUE(f.refusals.empty()) << (f.refusals.empty() ? "" : f.refusals[0]);
  }
}

TEST(SchemaInspection, NewNullableOrDefaultedColumnsAndTablesAreNotes) {
  auto cat = head_catalog(true);
  cat.tables["runs"].columns.push_back({"future_note", "text", true, false});
  cat.tables["experiments"].columns.push_back({"future_flag", "integer", false, true});
  cat.tables["future_things"] = CatalogTable{"future_things", {{"id", "integer", false, true}}, {"id"}, {{"id"}}};
  auto f = inspect_schema(cat, profile(true));
  EXPECT_TRUE(f.refusals.empty());
  EXPECT_TRUE(mentions(f.notes, "runs.future_note", "nullable"));
  EXPECT_TRUE(mentions(f.notes, "experiments.future_flag", "default"));
  EXPECT_TRUE(mentions(f.notes, "future_things", "leaves alone"));
}

TEST(SchemaInspection, UnknownNotNullColumnWithoutDefaultIsRefusedByName) {
  auto cat = head_catalog(false);
  cat.tables["metrics"].columns.push_back({"origin", "varchar(20)", false, false});
  auto f = inspect_schema(cat, profile(false));
  ASSERT_EQ(f.refusals.size(), 1u);
  EXPECT_TRUE(mentions(f.refusals, "metrics", "origin"));
}

TEST(SchemaInspection, MissingTablesColumnsAndKeysAreRefused) {
  auto cat = head_catalog(true);
  cat.tables.erase("latest_metrics");
  auto& runs = cat.tables["runs"].columns;
  runs.erase(std::remove_if(runs.begin(), runs.end(), [](const auto& c) { return c.name == "lifecycle_stage"; }),
             runs.end());
  cat.tables["registered_model_tags"].unique_keys = {{"key", "name"}};  // the pre-workspace key only
  auto f = inspect_schema(cat, profile(true));
  EXPECT_TRUE(mentions(f.refusals, "latest_metrics", "missing"));
  EXPECT_TRUE(mentions(f.refusals, "runs", "lifecycle_stage"));
  EXPECT_TRUE(mentions(f.refusals, "registered_model_tags", "workspace, key, name"));
}

TEST(SchemaInspection, PartialWorkspaceColumnsAreRefused) {
  auto cat = head_catalog(false);
  cat.tables["registered_models"].columns.push_back({"workspace", "varchar(63)", false, true});
  auto f = inspect_schema(cat, profile(false));
  EXPECT_TRUE(mentions(f.refusals, "registered_models", "workspace"));
}

TEST(UpgradePlan, RevisionsAndRefusals) {
  auto known = known_revisions();
  EXPECT_EQ(known.front(), "97727af70f4d");
  EXPECT_EQ(known[known.size() - 2], kNewestKnownRevision);
  EXPECT_EQ(known.back(), kForkRevisionName);
  EXPECT_LT(upstream_position("97727af70f4d"), upstream_position("bf29a5ff90ea"));
  EXPECT_LT(upstream_position("bf29a5ff90ea"), upstream_position("1bd49d398cd23"));  // 13 characters
  EXPECT_EQ(upstream_position("deadbeef0000"), -1);
  EXPECT_TRUE(plan_upgrade("7d34483879f0", "").steps.empty());
  EXPECT_THROW(plan_upgrade("7d34483879f0", "bf29a5ff90ea"), UpgradeError);  // no downgrades
  EXPECT_THROW(plan_upgrade("deadbeef0000", ""), UpgradeError);
  EXPECT_THROW(plan_upgrade("bf29a5ff90ea", "deadbeef0000"), UpgradeError);
  EXPECT_THROW(plan_upgrade("1b5f0d9ad7c1", kForkRevisionName), UpgradeError);  // fork only off 3.6 and before
  auto fork = plan_upgrade("bf29a5ff90ea", kForkRevisionName);
  ASSERT_EQ(fork.steps.size(), 1u);
  EXPECT_EQ(fork.steps[0], &migrations::fork_workspaces());
  EXPECT_FALSE(plan_upgrade(kForkRevisionName, "").steps.empty());  // onto upstream's chain
}

TEST(UpgradePlan, StepsFollowTheChainFromMlflow2) {
  auto plan = plan_upgrade("97727af70f4d", "");
  ASSERT_EQ(plan.steps.size(), known_revisions().size() - 2);  // every revision after 2.0's, not the fork
  std::string at = "97727af70f4d";
  for (const auto* m : plan.steps) {
    EXPECT_EQ(at, m->down_revision);
    at = m->revision;
  }
  EXPECT_EQ(at, kNewestKnownRevision);
}

}  // namespace
}  // namespace sextant::store::sql
