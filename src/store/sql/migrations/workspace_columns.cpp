#include "store/sql/migrations/workspace_columns.hpp"

#include <string>

#include "store/sql/migrations/secrets_trigger.hpp"
#include "store/sql/migrations/table_ops.hpp"

namespace sextant::store::sql::migrations {

namespace {

using ops::exec;

constexpr const char* kWorkspaceColumn = "workspace VARCHAR(63) DEFAULT 'default' NOT NULL";

void add_workspace_column(db::Connection& conn, const char* table) {
  exec(conn, std::string("ALTER TABLE ") + table + " ADD COLUMN " + kWorkspaceColumn);
}

// PostgreSQL / MySQL: the primary key `pk_name` becomes (pk_columns).
void swap_primary_key(db::Connection& conn, const char* table, const char* pk_name, const char* pk_columns) {
  ops::drop_primary_key(conn, table, pk_name);
  exec(conn, std::string("ALTER TABLE ") + table + " ADD CONSTRAINT " + pk_name + " PRIMARY KEY (" + pk_columns + ")");
}

constexpr const char* kModelVersionsFk =
    "CONSTRAINT fk_model_versions_registered_models FOREIGN KEY(workspace, name) REFERENCES registered_models (workspace, "
    "name) ON UPDATE CASCADE";
constexpr const char* kRegisteredModelTagsFk =
    "CONSTRAINT fk_registered_model_tags_registered_models FOREIGN KEY(workspace, name) REFERENCES registered_models "
    "(workspace, name) ON UPDATE CASCADE";
constexpr const char* kModelVersionTagsFk =
    "CONSTRAINT fk_model_version_tags_model_versions FOREIGN KEY(workspace, name, version) REFERENCES model_versions "
    "(workspace, name, version) ON UPDATE CASCADE";
constexpr const char* kRegisteredModelAliasesFk =
    "CONSTRAINT fk_registered_model_aliases_registered_models FOREIGN KEY(workspace, name) REFERENCES registered_models "
    "(workspace, name) ON DELETE CASCADE ON UPDATE CASCADE";

// PostgreSQL / MySQL: a registry child table gets the column, its primary key the workspace, and
// the composite foreign key `fk` to its parent.
void rekey_child(db::Connection& conn, const char* table, const char* pk_name, const char* pk_columns, const char* fk) {
  add_workspace_column(conn, table);
  swap_primary_key(conn, table, pk_name, pk_columns);
  exec(conn, std::string("ALTER TABLE ") + table + " ADD " + fk);
}

// SQLite: each table rebuilt once, as alembic's batch mode does (the new keys and foreign keys
// named; the old unnamed ones gone).
void sqlite_registry_tables(db::Connection& conn) {
  ops::sqlite_rebuild(
      conn, {.table = "experiments",
             .lines = {"experiment_id INTEGER NOT NULL", "name VARCHAR(256) NOT NULL",
                       "artifact_location VARCHAR(256)", "lifecycle_stage VARCHAR(32)", "creation_time BIGINT",
                       "last_update_time BIGINT", kWorkspaceColumn, "CONSTRAINT experiment_pk PRIMARY KEY (experiment_id)",
                       "CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted'))",
                       "CONSTRAINT uq_experiments_workspace_name UNIQUE (workspace, name)"},
             .drop_unique_on = "name"});
  ops::sqlite_rebuild(conn, {.table = "registered_models",
                             .lines = {"name VARCHAR(256) NOT NULL", "creation_time BIGINT", "last_updated_time BIGINT",
                                       "description VARCHAR(5000)", kWorkspaceColumn,
                                       "CONSTRAINT registered_model_pk PRIMARY KEY (workspace, name)"},
                             .drop_unique_on = "name"});
  ops::sqlite_rebuild(
      conn, {.table = "model_versions",
             .lines = {"name VARCHAR(256) NOT NULL", "version INTEGER NOT NULL", "creation_time BIGINT",
                       "last_updated_time BIGINT", "description VARCHAR(5000)", "user_id VARCHAR(256)",
                       "current_stage VARCHAR(20)", "source VARCHAR(500)", "run_id VARCHAR(32)", "status VARCHAR(20)",
                       "status_message VARCHAR(500)", "run_link VARCHAR(500)", "storage_location VARCHAR(500)",
                       kWorkspaceColumn, "CONSTRAINT model_version_pk PRIMARY KEY (workspace, name, version)",
                       kModelVersionsFk}});
  ops::sqlite_rebuild(conn, {.table = "registered_model_tags",
                             .lines = {"\"key\" VARCHAR(250) NOT NULL", "value VARCHAR(5000)", "name VARCHAR(256) NOT NULL",
                                       kWorkspaceColumn,
                                       "CONSTRAINT registered_model_tag_pk PRIMARY KEY (workspace, \"key\", name)",
                                       kRegisteredModelTagsFk}});
  ops::sqlite_rebuild(
      conn, {.table = "model_version_tags",
             .lines = {"\"key\" VARCHAR(250) NOT NULL", "value TEXT", "name VARCHAR(256) NOT NULL",
                       "version INTEGER NOT NULL", kWorkspaceColumn,
                       "CONSTRAINT model_version_tag_pk PRIMARY KEY (workspace, \"key\", name, version)",
                       kModelVersionTagsFk}});
  ops::sqlite_rebuild(conn, {.table = "registered_model_aliases",
                             .lines = {"alias VARCHAR(256) NOT NULL", "version INTEGER NOT NULL",
                                       "name VARCHAR(256) NOT NULL", kWorkspaceColumn,
                                       "CONSTRAINT registered_model_alias_pk PRIMARY KEY (workspace, name, alias)",
                                       kRegisteredModelAliasesFk}});
  add_workspace_column(conn, "evaluation_datasets");
  add_workspace_column(conn, "webhooks");
}

// PostgreSQL / MySQL: plain ALTER TABLE; the children's foreign keys go before the primary keys
// they depend on (MySQL refuses otherwise).
void altered_registry_tables(db::Connection& conn) {
  ops::drop_unique_on_column(conn, "experiments", "name");
  add_workspace_column(conn, "experiments");
  exec(conn, "ALTER TABLE experiments ADD CONSTRAINT uq_experiments_workspace_name UNIQUE (workspace, name)");

  ops::drop_foreign_keys_to(conn, "model_versions", "registered_models");
  ops::drop_foreign_keys_to(conn, "registered_model_tags", "registered_models");
  ops::drop_foreign_keys_to(conn, "registered_model_aliases", "registered_models");
  ops::drop_foreign_keys_to(conn, "model_version_tags", "model_versions");

  ops::drop_unique_on_column(conn, "registered_models", "name");
  add_workspace_column(conn, "registered_models");
  swap_primary_key(conn, "registered_models", "registered_model_pk", "workspace, name");

  rekey_child(conn, "model_versions", "model_version_pk", "workspace, name, version", kModelVersionsFk);
  rekey_child(conn, "registered_model_tags", "registered_model_tag_pk", "workspace, \"key\", name",
              kRegisteredModelTagsFk);
  rekey_child(conn, "model_version_tags", "model_version_tag_pk", "workspace, \"key\", name, version",
              kModelVersionTagsFk);
  rekey_child(conn, "registered_model_aliases", "registered_model_alias_pk", "workspace, name, alias",
              kRegisteredModelAliasesFk);

  add_workspace_column(conn, "evaluation_datasets");
  add_workspace_column(conn, "webhooks");
}

void fork_jobs(db::Connection& conn) {
  ops::drop_index(conn, "jobs", "index_jobs_function_status_creation_time");
  add_workspace_column(conn, "jobs");
  exec(conn,
       "CREATE INDEX index_jobs_function_status_creation_time ON jobs (workspace, function_fullname, status, "
       "creation_time)");
}

void common_workspace_indexes(db::Connection& conn) {
  exec(conn, "CREATE INDEX idx_experiments_workspace ON experiments (workspace)");
  exec(conn, "CREATE INDEX idx_registered_models_workspace ON registered_models (workspace)");
  exec(conn, "CREATE INDEX idx_experiments_workspace_creation_time ON experiments (workspace, creation_time)");
  exec(conn, "CREATE INDEX idx_evaluation_datasets_workspace ON evaluation_datasets (workspace)");
  exec(conn, "CREATE INDEX idx_webhooks_workspace ON webhooks (workspace)");
}

void workspaces_catalog(db::Connection& conn, WorkspacesVariant variant) {
  if (variant == WorkspacesVariant::Upstream) {
    exec(conn, ops::table_sql("workspaces", {"name VARCHAR(63) NOT NULL", "description TEXT",
                                             "default_artifact_root TEXT",
                                             "CONSTRAINT workspaces_pk PRIMARY KEY (name)"}));
  } else {
    exec(conn, ops::table_sql("workspaces", {"name VARCHAR(63) NOT NULL", "description TEXT",
                                             "CONSTRAINT workspaces_pk PRIMARY KEY (name)"}));
  }
  auto done = conn.prepare("SELECT 1 FROM workspaces WHERE name = 'default'");  // MySQL: a run that failed later
  if (done.step()) return;
  conn.exec("INSERT INTO workspaces (name, description) VALUES ('default', 'Default workspace for legacy resources')");
}

}  // namespace

void add_gateway_workspace_columns(db::Connection& conn) {
  if (is_sqlite(conn)) {
    ops::sqlite_rebuild(
        conn, {.table = "secrets",
               .lines = {"secret_id VARCHAR(36) NOT NULL", "secret_name VARCHAR(255) NOT NULL",
                         "encrypted_value BLOB NOT NULL", "wrapped_dek BLOB NOT NULL", "kek_version INTEGER NOT NULL",
                         "masked_value VARCHAR(500) NOT NULL", "provider VARCHAR(64)", "auth_config TEXT",
                         "description TEXT", "created_by VARCHAR(255)", "created_at BIGINT NOT NULL",
                         "last_updated_by VARCHAR(255)", "last_updated_at BIGINT NOT NULL", kWorkspaceColumn,
                         "CONSTRAINT secrets_pk PRIMARY KEY (secret_id)",
                         "CONSTRAINT uq_secrets_workspace_secret_name UNIQUE (workspace, secret_name)"},
               .drop_unique_on = "secret_name"});
    // The rebuild dropped the trigger with the old table; MLflow recreates it.
    conn.exec("DROP TRIGGER IF EXISTS prevent_secrets_aad_mutation");
    create_secrets_trigger(conn);
    ops::sqlite_rebuild(
        conn, {.table = "endpoints",
               .lines = {"endpoint_id VARCHAR(36) NOT NULL", "name VARCHAR(255)", "created_by VARCHAR(255)",
                         "created_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                         "last_updated_at BIGINT NOT NULL", "routing_strategy VARCHAR(64)",
                         "fallback_config_json TEXT", "experiment_id INTEGER",
                         "usage_tracking BOOLEAN DEFAULT '0' NOT NULL", kWorkspaceColumn,
                         "CONSTRAINT endpoints_pk PRIMARY KEY (endpoint_id)",
                         "CONSTRAINT fk_endpoints_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments "
                         "(experiment_id) ON DELETE SET NULL",
                         "CONSTRAINT uq_endpoints_workspace_name UNIQUE (workspace, name)"},
               .drop_unique_on = "name"});
    ops::sqlite_rebuild(
        conn, {.table = "model_definitions",
               .lines = {"model_definition_id VARCHAR(36) NOT NULL", "name VARCHAR(255) NOT NULL",
                         "secret_id VARCHAR(36)", "provider VARCHAR(64) NOT NULL", "model_name VARCHAR(256) NOT NULL",
                         "created_by VARCHAR(255)", "created_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                         "last_updated_at BIGINT NOT NULL", kWorkspaceColumn,
                         "CONSTRAINT model_definitions_pk PRIMARY KEY (model_definition_id)",
                         "CONSTRAINT fk_model_definitions_secret_id FOREIGN KEY(secret_id) REFERENCES secrets "
                         "(secret_id) ON DELETE SET NULL",
                         "CONSTRAINT uq_model_definitions_workspace_name UNIQUE (workspace, name)"},
               .drop_unique_on = "name"});
  } else {
    ops::drop_unique_on_column(conn, "secrets", "secret_name");
    add_workspace_column(conn, "secrets");
    exec(conn, "ALTER TABLE secrets ADD CONSTRAINT uq_secrets_workspace_secret_name UNIQUE (workspace, secret_name)");
    ops::drop_unique_on_column(conn, "endpoints", "name");
    add_workspace_column(conn, "endpoints");
    exec(conn, "ALTER TABLE endpoints ADD CONSTRAINT uq_endpoints_workspace_name UNIQUE (workspace, name)");
    ops::drop_unique_on_column(conn, "model_definitions", "name");
    add_workspace_column(conn, "model_definitions");
    exec(conn, "ALTER TABLE model_definitions ADD CONSTRAINT uq_model_definitions_workspace_name UNIQUE (workspace, name)");
  }
}

void add_jobs_workspace_index(db::Connection& conn, bool add_column) {
  ops::drop_index(conn, "jobs", "index_jobs_name_status_creation_time");
  if (add_column) add_workspace_column(conn, "jobs");
  exec(conn, "CREATE INDEX index_jobs_name_status_creation_time ON jobs (job_name, workspace, status, creation_time)");
}

void add_gateway_workspace_indexes(db::Connection& conn) {
  exec(conn, "CREATE INDEX idx_secrets_workspace ON secrets (workspace)");
  exec(conn, "CREATE INDEX idx_endpoints_workspace ON endpoints (workspace)");
  exec(conn, "CREATE INDEX idx_model_definitions_workspace ON model_definitions (workspace)");
}

void add_workspace_columns(db::Connection& conn, WorkspacesVariant variant) {
  if (is_sqlite(conn)) {
    sqlite_registry_tables(conn);
  } else {
    altered_registry_tables(conn);
  }
  if (variant == WorkspacesVariant::Upstream) {
    add_gateway_workspace_columns(conn);
    add_jobs_workspace_index(conn, true);
  } else {
    fork_jobs(conn);
  }
  common_workspace_indexes(conn);
  if (variant == WorkspacesVariant::Upstream) add_gateway_workspace_indexes(conn);
  workspaces_catalog(conn, variant);
}

}  // namespace sextant::store::sql::migrations
