// MLflow's migrations from MLflow 3.6's head (bf29a5ff90ea) to April 2026's master (7d34483879f0):
// the DDL each of MLflow's files runs, as SQLAlchemy renders it on each dialect
// (docs/design/mlflow-schema-revisions.md sections 1-15).
#include <array>

#include "store/sql/migrations/migration.hpp"
#include "store/sql/migrations/secrets_trigger.hpp"
#include "store/sql/migrations/table_ops.hpp"
#include "store/sql/migrations/workspace_columns.hpp"

namespace sextant::store::sql::migrations {

namespace {

using ops::exec;
using ops::table_sql;

// 1bd49d398cd23: the AI gateway's secrets, endpoints and model definitions.
void create_secrets_tables(db::Connection& conn) {
  exec(conn, table_sql("secrets", {"secret_id VARCHAR(36) NOT NULL", "secret_name VARCHAR(255) NOT NULL",
                                   "encrypted_value BLOB NOT NULL", "wrapped_dek BLOB NOT NULL",
                                   "kek_version INTEGER NOT NULL", "masked_value VARCHAR(500) NOT NULL",
                                   "provider VARCHAR(64)", "auth_config TEXT", "description TEXT",
                                   "created_by VARCHAR(255)", "created_at BIGINT NOT NULL",
                                   "last_updated_by VARCHAR(255)", "last_updated_at BIGINT NOT NULL",
                                   "CONSTRAINT secrets_pk PRIMARY KEY (secret_id)"}));
  exec(conn, "CREATE UNIQUE INDEX unique_secret_name ON secrets (secret_name)");
  exec(conn, table_sql("endpoints", {"endpoint_id VARCHAR(36) NOT NULL", "name VARCHAR(255)", "created_by VARCHAR(255)",
                                     "created_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                                     "last_updated_at BIGINT NOT NULL",
                                     "CONSTRAINT endpoints_pk PRIMARY KEY (endpoint_id)"}));
  exec(conn, "CREATE UNIQUE INDEX unique_endpoint_name ON endpoints (name)");
  exec(conn, table_sql("model_definitions",
                       {"model_definition_id VARCHAR(36) NOT NULL", "name VARCHAR(255) NOT NULL",
                        "secret_id VARCHAR(36)", "provider VARCHAR(64) NOT NULL", "model_name VARCHAR(256) NOT NULL",
                        "created_by VARCHAR(255)", "created_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                        "last_updated_at BIGINT NOT NULL",
                        "CONSTRAINT model_definitions_pk PRIMARY KEY (model_definition_id)",
                        "CONSTRAINT fk_model_definitions_secret_id FOREIGN KEY(secret_id) REFERENCES secrets "
                        "(secret_id) ON DELETE SET NULL"}));
  exec(conn, "CREATE UNIQUE INDEX unique_model_definition_name ON model_definitions (name)");
  exec(conn, "CREATE INDEX index_model_definitions_secret_id ON model_definitions (secret_id)");
  exec(conn, "CREATE INDEX index_model_definitions_provider ON model_definitions (provider)");
  exec(conn, table_sql("endpoint_model_mappings",
                       {"mapping_id VARCHAR(36) NOT NULL", "endpoint_id VARCHAR(36) NOT NULL",
                        "model_definition_id VARCHAR(36) NOT NULL", "weight FLOAT NOT NULL", "created_by VARCHAR(255)",
                        "created_at BIGINT NOT NULL", "CONSTRAINT endpoint_model_mappings_pk PRIMARY KEY (mapping_id)",
                        "CONSTRAINT fk_endpoint_model_mappings_endpoint_id FOREIGN KEY(endpoint_id) REFERENCES "
                        "endpoints (endpoint_id) ON DELETE CASCADE",
                        "CONSTRAINT fk_endpoint_model_mappings_model_definition_id FOREIGN KEY(model_definition_id) "
                        "REFERENCES model_definitions (model_definition_id)"}));
  exec(conn, "CREATE INDEX index_endpoint_model_mappings_endpoint_id ON endpoint_model_mappings (endpoint_id)");
  exec(conn,
       "CREATE INDEX index_endpoint_model_mappings_model_definition_id ON endpoint_model_mappings "
       "(model_definition_id)");
  exec(conn,
       "CREATE UNIQUE INDEX unique_endpoint_model_mapping ON endpoint_model_mappings (endpoint_id, "
       "model_definition_id)");
  exec(conn, table_sql("endpoint_bindings",
                       {"endpoint_id VARCHAR(36) NOT NULL", "resource_type VARCHAR(50) NOT NULL",
                        "resource_id VARCHAR(255) NOT NULL", "created_at BIGINT NOT NULL", "created_by VARCHAR(255)",
                        "last_updated_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                        "CONSTRAINT endpoint_bindings_pk PRIMARY KEY (endpoint_id, resource_type, resource_id)",
                        "CONSTRAINT fk_endpoint_bindings_endpoint_id FOREIGN KEY(endpoint_id) REFERENCES endpoints "
                        "(endpoint_id) ON DELETE CASCADE"}));
  exec(conn, table_sql("endpoint_tags",
                       {"\"key\" VARCHAR(250) NOT NULL", "value VARCHAR(5000)", "endpoint_id VARCHAR(36) NOT NULL",
                        "CONSTRAINT endpoint_tag_pk PRIMARY KEY (\"key\", endpoint_id)",
                        "CONSTRAINT fk_endpoint_tags_endpoint_id FOREIGN KEY(endpoint_id) REFERENCES endpoints "
                        "(endpoint_id) ON DELETE CASCADE"}));
  exec(conn, "CREATE INDEX index_endpoint_tags_endpoint_id ON endpoint_tags (endpoint_id)");
  create_secrets_trigger(conn);
}

// MySQL commits each CREATE by itself, and its trigger is the step most likely to be refused
// (binary logging without the privilege): a failure drops what the step created, so that the
// database stays at bf29a5ff90ea and the upgrade can run again once the cause is fixed.
void add_secrets_tables(db::Connection& conn) {
  if (!is_mysql(conn)) return create_secrets_tables(conn);
  try {
    create_secrets_tables(conn);
  } catch (...) {
    for (const char* table : {"endpoint_tags", "endpoint_bindings", "endpoint_model_mappings", "model_definitions",
                              "endpoints", "secrets"}) {
      conn.exec(std::string("DROP TABLE IF EXISTS ") + table);
    }
    throw;
  }
}

// b7c8d9e0f1a2
void add_trace_metrics_table(db::Connection& conn) {
  exec(conn, table_sql("trace_metrics",
                       {"request_id VARCHAR(50) NOT NULL", "\"key\" VARCHAR(250) NOT NULL", "value FLOAT(53)",
                        "CONSTRAINT trace_metrics_pk PRIMARY KEY (request_id, \"key\")",
                        "CONSTRAINT fk_trace_metrics_request_id FOREIGN KEY(request_id) REFERENCES trace_info "
                        "(request_id) ON DELETE CASCADE"}));
  exec(conn, "CREATE INDEX index_trace_metrics_request_id ON trace_metrics (request_id)");
}

// 5d2d30f0abce: jobs.function_fullname -> job_name. alembic's MySQL rename restates the type it
// was given and no nullability, so there the column becomes NULL-able (as MLflow leaves it).
void update_jobs_table(db::Connection& conn) {
  ops::drop_index(conn, "jobs", "index_jobs_function_status_creation_time");
  if (is_mysql(conn)) {
    if (column_exists(conn, "jobs", "function_fullname")) {  // else renamed by a run that failed later
      conn.exec("ALTER TABLE jobs CHANGE function_fullname job_name VARCHAR(500) NULL");
    }
  } else {
    conn.exec("ALTER TABLE jobs RENAME COLUMN function_fullname TO job_name");
  }
  exec(conn, "CREATE INDEX index_jobs_name_status_creation_time ON jobs (job_name, status, creation_time)");
}

// c9d4e5f6a7b8
void add_routing_strategy(db::Connection& conn) {
  exec(conn, "ALTER TABLE endpoints ADD COLUMN routing_strategy VARCHAR(64)");
  exec(conn, "ALTER TABLE endpoints ADD COLUMN fallback_config_json TEXT");
  exec(conn, "ALTER TABLE endpoint_model_mappings ADD COLUMN linkage_type VARCHAR(64) DEFAULT 'PRIMARY' NOT NULL");
  exec(conn, "ALTER TABLE endpoint_model_mappings ADD COLUMN fallback_order INTEGER");
  ops::drop_index(conn, "endpoint_model_mappings", "unique_endpoint_model_mapping");
  exec(conn,
       "CREATE UNIQUE INDEX unique_endpoint_model_linkage_mapping ON endpoint_model_mappings (endpoint_id, "
       "model_definition_id, linkage_type)");
}

// 2c33131f4dae
void add_online_scoring_configs(db::Connection& conn) {
  exec(conn, table_sql("online_scoring_configs",
                       {"online_scoring_config_id VARCHAR(36) NOT NULL", "scorer_id VARCHAR(36) NOT NULL",
                        "sample_rate FLOAT(53) NOT NULL", "experiment_id INTEGER NOT NULL", "filter_string TEXT",
                        "CONSTRAINT online_scoring_config_pk PRIMARY KEY (online_scoring_config_id)",
                        "CONSTRAINT fk_online_scoring_configs_scorer_id FOREIGN KEY(scorer_id) REFERENCES scorers "
                        "(scorer_id) ON DELETE CASCADE",
                        "CONSTRAINT fk_online_scoring_configs_experiment_id FOREIGN KEY(experiment_id) REFERENCES "
                        "experiments (experiment_id)"}));
}

// d3e4f5a6b7c8
void add_binding_display_name(db::Connection& conn) {
  exec(conn, "ALTER TABLE endpoint_bindings ADD COLUMN display_name VARCHAR(255)");
}

// d0e1f2a3b4c5: a foreign key added to an existing table, which SQLite can only do by rebuilding it.
void add_endpoint_experiment_id(db::Connection& conn) {
  constexpr const char* kFk =
      "CONSTRAINT fk_endpoints_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON "
      "DELETE SET NULL";
  if (is_sqlite(conn)) {
    return ops::sqlite_rebuild(
        conn, {.table = "endpoints",
               .lines = {"endpoint_id VARCHAR(36) NOT NULL", "name VARCHAR(255)", "created_by VARCHAR(255)",
                         "created_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                         "last_updated_at BIGINT NOT NULL", "routing_strategy VARCHAR(64)",
                         "fallback_config_json TEXT", "experiment_id INTEGER",
                         "usage_tracking BOOLEAN DEFAULT '0' NOT NULL",
                         "CONSTRAINT endpoints_pk PRIMARY KEY (endpoint_id)", kFk}});
  }
  exec(conn, "ALTER TABLE endpoints ADD COLUMN experiment_id INTEGER");
  exec(conn, "ALTER TABLE endpoints ADD COLUMN usage_tracking BOOLEAN DEFAULT '0' NOT NULL");
  exec(conn, std::string("ALTER TABLE endpoints ADD ") + kFk);
}

// c8d9e0f1a2b3
void add_span_metrics(db::Connection& conn) {
  exec(conn, table_sql("span_metrics",
                       {"trace_id VARCHAR(50) NOT NULL", "span_id VARCHAR(50) NOT NULL",
                        "\"key\" VARCHAR(250) NOT NULL", "value FLOAT(53)",
                        "CONSTRAINT span_metrics_pk PRIMARY KEY (trace_id, span_id, \"key\")",
                        "CONSTRAINT fk_span_metrics_span FOREIGN KEY(trace_id, span_id) REFERENCES spans (trace_id, "
                        "span_id) ON DELETE CASCADE"}));
  exec(conn, "CREATE INDEX index_span_metrics_trace_id_span_id ON span_metrics (trace_id, span_id)");
  exec(conn, "ALTER TABLE spans ADD COLUMN dimension_attributes JSON");
}

// 1b5f0d9ad7c1 (upstream's)
void add_workspaces_upstream(db::Connection& conn) { add_workspace_columns(conn, WorkspacesVariant::Upstream); }

// e1f2a3b4c5d6
void add_budget_policies(db::Connection& conn) {
  exec(conn, table_sql("budget_policies",
                       {"budget_policy_id VARCHAR(36) NOT NULL", "budget_unit VARCHAR(32) NOT NULL",
                        "budget_amount FLOAT NOT NULL", "duration_unit VARCHAR(32) NOT NULL",
                        "duration_value INTEGER NOT NULL", "target_scope VARCHAR(32) NOT NULL",
                        "budget_action VARCHAR(32) NOT NULL", "created_by VARCHAR(255)", "created_at BIGINT NOT NULL",
                        "last_updated_by VARCHAR(255)", "last_updated_at BIGINT NOT NULL",
                        "workspace VARCHAR(63) DEFAULT 'default' NOT NULL",
                        "CONSTRAINT budget_policies_pk PRIMARY KEY (budget_policy_id)"}));
  exec(conn, "CREATE INDEX idx_budget_policies_workspace ON budget_policies (workspace)");
}

// 76601a5f987d
void add_issues(db::Connection& conn) {
  exec(conn, table_sql("issues",
                       {"issue_id VARCHAR(36) NOT NULL", "experiment_id INTEGER NOT NULL", "name VARCHAR(250) NOT NULL",
                        "description TEXT NOT NULL", "status VARCHAR(50) NOT NULL", "severity VARCHAR(50)",
                        "root_causes TEXT", "source_run_id VARCHAR(32)", "categories TEXT",
                        "created_timestamp BIGINT NOT NULL", "last_updated_timestamp BIGINT NOT NULL",
                        "created_by VARCHAR(255)", "CONSTRAINT issues_pk PRIMARY KEY (issue_id)",
                        "CONSTRAINT fk_issues_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments "
                        "(experiment_id) ON DELETE CASCADE",
                        "CONSTRAINT fk_issues_source_run_id FOREIGN KEY(source_run_id) REFERENCES runs (run_uuid) ON "
                        "DELETE SET NULL"}));
  exec(conn, "CREATE INDEX index_issues_experiment_id ON issues (experiment_id)");
  exec(conn, "CREATE INDEX index_issues_source_run_id ON issues (source_run_id)");
  exec(conn, "CREATE INDEX index_issues_status ON issues (status)");
}

// c3d6457b6d8a
void add_jobs_status_details(db::Connection& conn) { exec(conn, "ALTER TABLE jobs ADD COLUMN status_details JSON"); }

// a5b4c3d2e1f0
void add_metrics_run_key_step_index(db::Connection& conn) {
  exec(conn, "CREATE INDEX index_metrics_run_uuid_key_step ON metrics (run_uuid, \"key\", step)");
}

// ae8bbe7743c9
void add_guardrails(db::Connection& conn) {
  exec(conn, table_sql("guardrails",
                       {"guardrail_id VARCHAR(36) NOT NULL", "name VARCHAR(255) NOT NULL",
                        "scorer_id VARCHAR(36) NOT NULL", "scorer_version INTEGER NOT NULL",
                        "stage VARCHAR(32) NOT NULL", "action VARCHAR(32) NOT NULL", "action_endpoint_id VARCHAR(36)",
                        "created_by VARCHAR(255)", "created_at BIGINT NOT NULL", "last_updated_by VARCHAR(255)",
                        "last_updated_at BIGINT NOT NULL", "workspace VARCHAR(63) DEFAULT 'default' NOT NULL",
                        "CONSTRAINT guardrails_pk PRIMARY KEY (guardrail_id)",
                        "CONSTRAINT fk_guardrails_scorer_version FOREIGN KEY(scorer_id, scorer_version) REFERENCES "
                        "scorer_versions (scorer_id, scorer_version)",
                        "CONSTRAINT fk_guardrails_action_endpoint_id FOREIGN KEY(action_endpoint_id) REFERENCES "
                        "endpoints (endpoint_id) ON DELETE SET NULL"}));
  exec(conn, "CREATE INDEX idx_guardrails_workspace ON guardrails (workspace)");
  exec(conn, "CREATE INDEX idx_guardrails_scorer ON guardrails (scorer_id, scorer_version)");
  exec(conn, table_sql("guardrail_configs",
                       {"endpoint_id VARCHAR(36) NOT NULL", "guardrail_id VARCHAR(36) NOT NULL",
                        "execution_order INTEGER", "created_by VARCHAR(255)", "created_at BIGINT NOT NULL",
                        "workspace VARCHAR(63) DEFAULT 'default' NOT NULL",
                        "CONSTRAINT guardrail_configs_pk PRIMARY KEY (endpoint_id, guardrail_id)",
                        "CONSTRAINT fk_guardrail_configs_endpoint_id FOREIGN KEY(endpoint_id) REFERENCES endpoints "
                        "(endpoint_id) ON DELETE CASCADE",
                        "CONSTRAINT fk_guardrail_configs_guardrail_id FOREIGN KEY(guardrail_id) REFERENCES guardrails "
                        "(guardrail_id) ON DELETE CASCADE"}));
  exec(conn, "CREATE INDEX idx_guardrail_configs_endpoint_id ON guardrail_configs (endpoint_id)");
  exec(conn, "CREATE INDEX idx_guardrail_configs_guardrail_id ON guardrail_configs (guardrail_id)");
}

// 7d34483879f0
void add_tag_workspace_indexes(db::Connection& conn) {
  exec(conn,
       "CREATE INDEX idx_model_version_tags_workspace_name_version ON model_version_tags (workspace, name, version)");
  exec(conn, "CREATE INDEX idx_registered_model_tags_workspace_name ON registered_model_tags (workspace, name)");
}

constexpr std::array kChain{
    Migration{"1bd49d398cd23", "bf29a5ff90ea", "add secrets tables", add_secrets_tables},
    Migration{"b7c8d9e0f1a2", "1bd49d398cd23", "add trace metrics table", add_trace_metrics_table},
    Migration{"5d2d30f0abce", "b7c8d9e0f1a2", "update job table", update_jobs_table},
    Migration{"c9d4e5f6a7b8", "5d2d30f0abce", "add routing strategy to endpoints and linkage type to mappings",
              add_routing_strategy},
    Migration{"2c33131f4dae", "c9d4e5f6a7b8", "add online_scoring_configs table", add_online_scoring_configs},
    Migration{"d3e4f5a6b7c8", "2c33131f4dae", "add display_name to endpoint_bindings", add_binding_display_name},
    Migration{"d0e1f2a3b4c5", "d3e4f5a6b7c8", "add experiment_id and usage_tracking to endpoints table",
              add_endpoint_experiment_id},
    Migration{"c8d9e0f1a2b3", "d0e1f2a3b4c5", "add span metrics table and dimension attributes column",
              add_span_metrics},
    Migration{"1b5f0d9ad7c1", "c8d9e0f1a2b3", "Add workspace columns and catalog table", add_workspaces_upstream},
    Migration{"e1f2a3b4c5d6", "1b5f0d9ad7c1", "add budget_policies table", add_budget_policies},
    Migration{"76601a5f987d", "e1f2a3b4c5d6", "add issues table", add_issues},
    Migration{"c3d6457b6d8a", "76601a5f987d", "add status_details column to jobs table", add_jobs_status_details},
    Migration{"a5b4c3d2e1f0", "c3d6457b6d8a", "add composite index on metrics (run_uuid, key, step)",
              add_metrics_run_key_step_index},
    Migration{"ae8bbe7743c9", "a5b4c3d2e1f0", "add guardrails and guardrail_configs tables", add_guardrails},
    Migration{"7d34483879f0", "ae8bbe7743c9", "Add indexes for relationship loading after workspace PK migration",
              add_tag_workspace_indexes},
};

}  // namespace

std::span<const Migration> mlflow36_to_head() { return kChain; }

}  // namespace sextant::store::sql::migrations
