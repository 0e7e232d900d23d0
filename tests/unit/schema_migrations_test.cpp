// MLflow's migrations after 3.6 (store/sql/migrations) applied to a database Sextant created at
// bf29a5ff90ea, on SQLite in memory: the chain is MLflow's, rows survive the table rebuilds, the
// new keys and the secrets trigger work, and the fork's workspaces schema brought onto upstream's
// has upstream's catalog. (The catalog against MLflow's own alembic, on all three databases, is
// checked by hand with tests/compat/schema_compare.py.)
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "db/sqlite.hpp"
#include "store/sql/migrations/migration.hpp"
#include "store/sql/schema.hpp"

namespace sextant::store::sql::migrations {
namespace {

std::unique_ptr<db::Connection> mlflow36_database() {
  auto conn = std::make_unique<db::SqliteConnection>(":memory:");
  ensure_schema(*conn, "/tmp/sextant-test-artifacts");
  return conn;
}

std::string one(db::Connection& conn, const std::string& sql) {
  auto st = conn.prepare(sql);
  if (!st.step()) return "<no row>";
  return st.is_null(0) ? "<null>" : st.text(0);
}

// The runner's contract: foreign keys off, one transaction, alembic_version stamped per step,
// PRAGMA foreign_key_check empty at the end.
void upgrade(db::Connection& conn, const std::vector<const Migration*>& steps) {
  conn.exec("PRAGMA foreign_keys = OFF");
  db::Transaction tx(conn, db::TransactionMode::Write);
  for (const auto* m : steps) {
    ASSERT_EQ(one(conn, "SELECT version_num FROM alembic_version"), m->down_revision) << m->revision;
    m->upgrade(conn);
    auto st = conn.prepare("UPDATE alembic_version SET version_num = ?");
    st.bind(1, m->revision).run();
  }
  EXPECT_EQ(one(conn, "SELECT COUNT(*) FROM pragma_foreign_key_check"), "0");
  tx.commit();
  conn.exec("PRAGMA foreign_keys = ON");
}

std::vector<const Migration*> upstream_until(std::string_view last) {
  std::vector<const Migration*> out;
  for (const auto& m : mlflow36_to_head()) {
    out.push_back(&m);
    if (m.revision == last) break;
  }
  return out;
}

// Tables, columns, indexes (not Sextant's own), foreign keys and triggers, as SQLite reports them.
std::string catalog(db::Connection& conn) {
  std::string out;
  auto tables = conn.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  while (tables.step()) {
    const auto t = tables.text(0);
    out += "table " + t + "\n";
    auto cols = conn.prepare("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?) ORDER BY name");
    cols.bind(1, t);
    while (cols.step()) {
      out += "  " + cols.text(0) + " " + cols.text(1) + " nn" + cols.text(2) + " d=" +
             (cols.is_null(3) ? "-" : cols.text(3)) + " pk" + cols.text(4) + "\n";
    }
    auto idx = conn.prepare(
        "SELECT l.\"unique\", l.origin, (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(l.name) "
        "ORDER BY seqno)), CASE WHEN l.origin = 'c' THEN l.name ELSE '' END FROM pragma_index_list(?) l "
        "WHERE l.name NOT LIKE 'sextant_%' ORDER BY 4, 3");
    idx.bind(1, t);
    while (idx.step()) out += "  index " + idx.text(3) + " u" + idx.text(0) + " " + idx.text(1) + " (" + idx.text(2) + ")\n";
    auto fks = conn.prepare(
        "SELECT \"table\", group_concat(\"from\", ','), group_concat(\"to\", ','), on_update, on_delete FROM "
        "pragma_foreign_key_list(?) GROUP BY id ORDER BY 1, 2");
    fks.bind(1, t);
    while (fks.step()) {
      out += "  fk (" + fks.text(1) + ") -> " + fks.text(0) + " (" + fks.text(2) + ") " + fks.text(3) + "/" +
             fks.text(4) + "\n";
    }
  }
  auto triggers = conn.prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger' ORDER BY name");
  while (triggers.step()) out += "trigger " + triggers.text(0) + " on " + triggers.text(1) + "\n";
  return out;
}

void insert_registry_rows(db::Connection& conn) {
  conn.exec(
      "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES "
      "('e1', '/a/1', 'active', 1, 1);"
      "INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES ('m', 1, 2, 'd');"
      "INSERT INTO model_versions (name, version, creation_time, last_updated_time, current_stage, source, status) "
      "VALUES ('m', 1, 1, 1, 'None', 's3://x', 'READY');"
      "INSERT INTO registered_model_tags (\"key\", value, name) VALUES ('k', 'v', 'm');"
      "INSERT INTO model_version_tags (\"key\", value, name, version) VALUES ('k', 'v', 'm', 1);"
      "INSERT INTO registered_model_aliases (alias, version, name) VALUES ('champion', 1, 'm');"
      "INSERT INTO jobs (id, creation_time, function_fullname, params, status, retry_count, last_update_time) "
      "VALUES ('j1', 1, 'mod.fn', '{}', 0, 0, 1);");
}

TEST(SchemaMigrations, UpstreamChainIsMlflowsOrder) {
  auto chain = mlflow36_to_head();
  ASSERT_EQ(chain.size(), 15u);
  EXPECT_STREQ(chain.front().down_revision, "bf29a5ff90ea");
  EXPECT_STREQ(chain.front().revision, "1bd49d398cd23");  // 13 characters
  EXPECT_STREQ(chain.back().revision, "7d34483879f0");
  for (std::size_t i = 1; i < chain.size(); ++i) EXPECT_STREQ(chain[i].down_revision, chain[i - 1].revision);
  EXPECT_STREQ(fork_workspaces().down_revision, "bf29a5ff90ea");
  EXPECT_STREQ(fork_workspaces().revision, "1b5f0d9ad7c1");
}

TEST(SchemaMigrations, UpstreamChainKeepsRowsAndGivesWorkspaceKeys) {
  auto conn = mlflow36_database();
  insert_registry_rows(*conn);
  upgrade(*conn, upstream_until("7d34483879f0"));
  auto& c = *conn;
  EXPECT_EQ(one(c, "SELECT version_num FROM alembic_version"), "7d34483879f0");
  for (const char* t : {"experiments", "registered_models", "model_versions", "registered_model_tags",
                        "model_version_tags", "registered_model_aliases", "jobs"}) {
    EXPECT_EQ(one(c, std::string("SELECT group_concat(DISTINCT workspace) FROM ") + t), "default") << t;
  }
  EXPECT_EQ(one(c, "SELECT COUNT(*) FROM experiments"), "2");  // Default (0) and e1
  EXPECT_EQ(one(c, "SELECT description FROM registered_models WHERE name = 'm'"), "d");
  EXPECT_EQ(one(c, "SELECT source FROM model_versions WHERE name = 'm' AND version = 1"), "s3://x");
  EXPECT_EQ(one(c, "SELECT version FROM registered_model_aliases WHERE alias = 'champion'"), "1");
  EXPECT_EQ(one(c, "SELECT job_name FROM jobs WHERE id = 'j1'"), "mod.fn");
  EXPECT_EQ(one(c, "SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('registered_models') "
                   "WHERE pk > 0 ORDER BY pk)"),
            "workspace,name");
  EXPECT_EQ(one(c, "SELECT name FROM workspaces"), "default");
  // Sextant's own indexes survive the rebuilds.
  EXPECT_EQ(one(c, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sextant_registered_model_tags_name'"), "1");

  // The same experiment name in another workspace is allowed; twice in one is not.
  c.exec("INSERT INTO experiments (name, workspace) VALUES ('e1', 'team-b')");
  EXPECT_THROW(c.exec("INSERT INTO experiments (name, workspace) VALUES ('e1', 'team-b')"), db::DbError);
  // A rename cascades through the composite foreign keys.
  c.exec("UPDATE registered_models SET name = 'm2' WHERE workspace = 'default' AND name = 'm'");
  EXPECT_EQ(one(c, "SELECT COUNT(*) FROM model_versions WHERE name = 'm2'"), "1");
  EXPECT_EQ(one(c, "SELECT COUNT(*) FROM model_version_tags WHERE name = 'm2'"), "1");
  EXPECT_EQ(one(c, "SELECT COUNT(*) FROM registered_model_aliases WHERE name = 'm2'"), "1");
  // The secrets trigger survived the rebuild of secrets.
  c.exec("INSERT INTO secrets (secret_id, secret_name, encrypted_value, wrapped_dek, kek_version, masked_value, "
         "created_at, last_updated_at) VALUES ('s1', 'n', x'00', x'00', 1, '***', 1, 1)");
  EXPECT_THROW(c.exec("UPDATE secrets SET secret_name = 'other' WHERE secret_id = 's1'"), db::DbError);
  c.exec("UPDATE secrets SET masked_value = '****' WHERE secret_id = 's1'");
}

TEST(SchemaMigrations, EveryUpstreamRevisionIsReachable) {
  for (const auto& m : mlflow36_to_head()) {
    auto conn = mlflow36_database();
    upgrade(*conn, upstream_until(m.revision));
    EXPECT_EQ(one(*conn, "SELECT version_num FROM alembic_version"), m.revision);
  }
}

TEST(SchemaMigrations, ForkWorkspacesThenOntoUpstreamIsUpstreamsSchema) {
  auto fork = mlflow36_database();
  insert_registry_rows(*fork);
  upgrade(*fork, {&fork_workspaces()});
  EXPECT_EQ(one(*fork, "SELECT COUNT(*) FROM pragma_table_info('workspaces') WHERE name = 'default_artifact_root'"),
            "0");
  EXPECT_EQ(one(*fork, "SELECT group_concat(name, ',') FROM (SELECT name FROM "
                       "pragma_index_info('index_jobs_function_status_creation_time') ORDER BY seqno)"),
            "workspace,function_fullname,status,creation_time");
  EXPECT_EQ(one(*fork, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'secrets'"), "0");
  for (const auto& m : fork_to_upstream()) upgrade(*fork, {&m});

  auto upstream = mlflow36_database();
  upgrade(*upstream, upstream_until("1b5f0d9ad7c1"));
  EXPECT_EQ(catalog(*fork), catalog(*upstream));
  EXPECT_EQ(one(*fork, "SELECT job_name FROM jobs WHERE id = 'j1'"), "mod.fn");
  EXPECT_EQ(one(*fork, "SELECT workspace FROM model_version_tags WHERE name = 'm'"), "default");
}

TEST(SchemaMigrations, AColumnMlflowDoesNotHaveStopsTheRebuildAndChangesNothing) {
  auto conn = mlflow36_database();
  conn->exec("ALTER TABLE registered_models ADD COLUMN owner TEXT");
  conn->exec("PRAGMA foreign_keys = OFF");
  {
    db::Transaction tx(*conn, db::TransactionMode::Write);
    try {
      for (const auto* m : upstream_until("1b5f0d9ad7c1")) m->upgrade(*conn);
      FAIL() << "the rebuild dropped registered_models.owner";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("registered_models"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("owner"), std::string::npos) << e.what();
    }
  }  // rolled back
  EXPECT_EQ(one(*conn, "SELECT COUNT(*) FROM pragma_table_info('registered_models') WHERE name = 'owner'"), "1");
  EXPECT_EQ(one(*conn, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('secrets', 'workspaces')"), "0");
}

// SQLAlchemy's SQLite reflection reads a table's CHECK constraints line by line (sqlalchemy#11677):
// with two on one line MLflow's alembic cannot rebuild the table (it failed at 1b5f0d9ad7c1 on
// experiments). Sextant's tables, new or rebuilt, have one column or constraint a line.
TEST(SchemaMigrations, SqliteTablesHaveOneConstraintALine) {
  auto conn = mlflow36_database();
  auto check = [&](const char* when) {
    auto st = conn->prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
    int tables = 0;
    while (st.step()) {
      ++tables;
      const auto sql = st.text(1);
      std::size_t from = 0;
      for (std::size_t to; from <= sql.size(); from = to + 1) {
        to = sql.find('\n', from);
        if (to == std::string::npos) to = sql.size();
        const auto line = sql.substr(from, to - from);
        const auto second = line.find("CONSTRAINT", line.find("CONSTRAINT") + 1);
        const auto second_check = line.find("CHECK", line.find("CHECK") + 1);
        EXPECT_TRUE(second == std::string::npos && second_check == std::string::npos)
            << when << ": " << st.text(0) << ": " << line;
      }
    }
    EXPECT_GT(tables, 30) << when;
  };
  check("bf29a5ff90ea");
  upgrade(*conn, upstream_until("7d34483879f0"));
  check("7d34483879f0");
}

// alembic's _detect_unique_on_column: the unique on experiments.name may be an index; the
// migration drops it (a second unique on name would forbid the same name in two workspaces). Other
// indexes of a rebuilt table are recreated.
TEST(SchemaMigrations, AUniqueIndexOnTheNameGoesOtherIndexesStay) {
  auto conn = mlflow36_database();
  conn->exec("CREATE UNIQUE INDEX ux_experiments_name ON experiments (name)");
  conn->exec("CREATE INDEX ix_experiments_stage ON experiments (lifecycle_stage)");
  conn->exec("CREATE UNIQUE INDEX ux_registered_models_description ON registered_models (description)");
  upgrade(*conn, upstream_until("1b5f0d9ad7c1"));
  EXPECT_EQ(one(*conn, "SELECT group_concat(name) FROM (SELECT name FROM sqlite_master WHERE name IN "
                       "('ux_experiments_name', 'ix_experiments_stage', 'ux_registered_models_description') ORDER BY name)"),
            "ix_experiments_stage,ux_registered_models_description");
  conn->exec("INSERT INTO experiments (name, workspace) VALUES ('Default', 'team-b')");
}

TEST(SchemaMigrations, ARebuildWithForeignKeysOnIsRefused) {
  auto conn = mlflow36_database();
  insert_registry_rows(*conn);
  upgrade(*conn, upstream_until("c8d9e0f1a2b3"));
  conn->exec("PRAGMA foreign_keys = ON");  // DROP TABLE registered_models would delete the versions' parents
  {
    db::Transaction tx(*conn, db::TransactionMode::Write);
    EXPECT_THROW(upstream_until("1b5f0d9ad7c1").back()->upgrade(*conn), std::logic_error);
  }
  EXPECT_EQ(one(*conn, "SELECT COUNT(*) FROM model_versions"), "1");
  EXPECT_EQ(one(*conn, "SELECT COUNT(*) FROM pragma_table_info('experiments') WHERE name = 'workspace'"), "0");
}

}  // namespace
}  // namespace sextant::store::sql::migrations
