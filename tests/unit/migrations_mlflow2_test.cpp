// MLflow 2.0's database (tests/compat/fixtures/mlflow-97727af70f4d.sqlite.sql, dumped from a
// database MLflow's own alembic made) upgraded by Sextant's chain mlflow2_to_mlflow36() must have
// the catalog MLflow 3.6's alembic gives it (mlflow-bf29a5ff90ea-from-97727af70f4d.sqlite.sql,
// dumped the same way), and keep its rows through SQLite's table rebuilds.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "db/sqlite.hpp"
#include "store/sql/migrations/migration.hpp"
#include "store/sql/migrations/migration_ops.hpp"

namespace {

using sextant::db::Connection;
using sextant::db::SqliteConnection;
namespace mig = sextant::store::sql::migrations;

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(SEXTANT_SOURCE_DIR) + "/tests/compat/fixtures/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every row `sql` returns, its columns joined by '|'.
std::vector<std::string> rows(Connection& conn, const std::string& sql, int columns) {
  auto st = conn.prepare(sql);
  std::vector<std::string> out;
  while (st.step()) {
    std::string row;
    for (int c = 0; c < columns; ++c) row += (c ? "|" : "") + (st.is_null(c) ? std::string("NULL") : st.text(c));
    out.push_back(row);
  }
  return out;
}

std::string collapse_spaces(const std::string& sql) {
  std::string out;
  for (char c : sql) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ' || out.back() == '(')) continue;
    if ((c == ')' || c == ',') && !out.empty() && out.back() == ' ') out.pop_back();
    out += space ? ' ' : c;
  }
  return out;
}

// The catalog as SQLite's pragmas describe it, one entry per line, plus each table's and index's
// SQL text with white space collapsed.
std::map<std::string, std::vector<std::string>> catalog(Connection& conn) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& entry :
       rows(conn, "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name", 3)) {
    auto bar = entry.find('|'), bar2 = entry.find('|', bar + 1);
    const std::string type = entry.substr(0, bar), name = entry.substr(bar + 1, bar2 - bar - 1);
    auto& lines = out[type + " " + name];
    lines.push_back(collapse_spaces(entry.substr(bar2 + 1)));
    if (type != "table") continue;
    for (auto& r : rows(conn, "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo('" +
                                  name + "')",
                        7)) {
      lines.push_back("column " + r);
    }
    for (auto& r : rows(conn, "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete FROM "
                              "pragma_foreign_key_list('" + name + "')",
                        7)) {
      lines.push_back("foreign key " + r);
    }
    for (auto& r : rows(conn, "SELECT il.name, il.\"unique\", il.origin, il.partial, group_concat(ii.name, ',') FROM "
                              "pragma_index_list('" + name + "') il, pragma_index_info(il.name) ii GROUP BY il.name "
                              "ORDER BY il.origin, il.name",
                        5)) {
      // sqlite_autoindex_<table>_<n> names are SQLite's own; keep the rest of the entry.
      lines.push_back("index " + (r.starts_with("sqlite_autoindex_") ? r.substr(r.find('|')) : r));
    }
  }
  return out;
}

void apply_chain(Connection& conn) {
  conn.exec("PRAGMA foreign_keys=OFF");
  conn.exec("BEGIN");
  for (const auto& m : mig::mlflow2_to_mlflow36()) m.upgrade(conn);
  conn.exec("COMMIT");
  conn.exec("PRAGMA foreign_keys=ON");
}

TEST(MigrationsMlflow2, ChainRunsFromMlflow20HeadToMlflow36HeadInMlflowsOrder) {
  auto chain = mig::mlflow2_to_mlflow36();
  ASSERT_EQ(chain.size(), 21u);
  EXPECT_STREQ(chain.front().down_revision, "97727af70f4d");
  EXPECT_STREQ(chain.front().revision, "3500859a5d39");
  EXPECT_STREQ(chain.back().revision, "bf29a5ff90ea");
  for (std::size_t i = 1; i < chain.size(); ++i) EXPECT_STREQ(chain[i].down_revision, chain[i - 1].revision) << i;
}

TEST(MigrationsMlflow2, UpgradedSqliteCatalogIsMlflowsOwn) {
  SqliteConnection upgraded(":memory:");
  upgraded.exec(fixture("mlflow-97727af70f4d.sqlite.sql"));
  apply_chain(upgraded);
  upgraded.exec("UPDATE alembic_version SET version_num = 'bf29a5ff90ea'");
  SqliteConnection mlflow(":memory:");
  mlflow.exec(fixture("mlflow-bf29a5ff90ea-from-97727af70f4d.sqlite.sql"));

  const auto got = catalog(upgraded), want = catalog(mlflow);
  for (const auto& [name, lines] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      ADD_FAILURE() << "missing after the upgrade: " << name;
      continue;
    }
    EXPECT_EQ(it->second, lines) << name;
  }
  for (const auto& [name, lines] : got) EXPECT_TRUE(want.contains(name)) << "not in MLflow's: " << name;
  EXPECT_GT(want.size(), 50u);
  EXPECT_TRUE(rows(upgraded, "PRAGMA foreign_key_check", 4).empty());
}

TEST(MigrationsMlflow2, RowsSurviveTheTableRebuilds) {
  SqliteConnection conn(":memory:");
  conn.exec(fixture("mlflow-97727af70f4d.sqlite.sql"));
  mig::exec_all(
      conn,
      {"INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (1, 'e', 'active')",
       "INSERT INTO runs (run_uuid, experiment_id, lifecycle_stage, status) VALUES ('r1', 1, 'active', 'RUNNING')",
       "INSERT INTO params (\"key\", value, run_uuid) VALUES ('p', 'v', 'r1')",
       "INSERT INTO tags (\"key\", value, run_uuid) VALUES ('t', 'w', 'r1')",
       "INSERT INTO registered_models (name) VALUES ('m')",
       "INSERT INTO model_versions (name, version) VALUES ('m', 1)",
       "INSERT INTO model_version_tags (\"key\", value, name, version) VALUES ('k', 'x', 'm', 1)"});
  apply_chain(conn);
  EXPECT_EQ(rows(conn, "SELECT \"key\", value, run_uuid FROM params", 3), std::vector<std::string>{"p|v|r1"});
  EXPECT_EQ(rows(conn, "SELECT \"key\", value, run_uuid FROM tags", 3), std::vector<std::string>{"t|w|r1"});
  EXPECT_EQ(rows(conn, "SELECT \"key\", value, name, version FROM model_version_tags", 4),
            std::vector<std::string>{"k|x|m|1"});
  EXPECT_EQ(rows(conn, "SELECT storage_location FROM model_versions", 1), std::vector<std::string>{"NULL"});
  // What the rebuilt tables now allow: 8000-character param values.
  conn.exec("INSERT INTO params (\"key\", value, run_uuid) VALUES ('long', '" + std::string(8000, 'v') + "', 'r1')");
  EXPECT_TRUE(mig::index_exists(conn, "params", "index_params_run_uuid"));
  EXPECT_TRUE(mig::column_exists(conn, "inputs", "step"));
  EXPECT_FALSE(mig::column_exists(conn, "inputs", "no_such_column"));
  EXPECT_TRUE(mig::table_exists(conn, "jobs"));
}

TEST(MigrationsMlflow2, ExistingAliasesTableIsKept) {
  // 3500859a5d39 creates registered_model_aliases only when it is missing (as MLflow's file does).
  SqliteConnection conn(":memory:");
  conn.exec(fixture("mlflow-97727af70f4d.sqlite.sql"));
  conn.exec("CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL, name "
            "VARCHAR(256) NOT NULL, PRIMARY KEY (name, alias))");
  conn.exec("INSERT INTO registered_model_aliases VALUES ('champion', 1, 'm')");
  mig::mlflow2_to_mlflow36().front().upgrade(conn);
  EXPECT_EQ(rows(conn, "SELECT alias FROM registered_model_aliases", 1), std::vector<std::string>{"champion"});
}

}  // namespace
