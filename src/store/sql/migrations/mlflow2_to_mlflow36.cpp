// MLflow's migrations from MLflow 2.0's head (97727af70f4d) to MLflow 3.6's head (bf29a5ff90ea):
// the statements alembic runs for each of MLflow's migration files
// (mlflow/store/db_migrations/versions/<revision>_*.py) on SQLite, PostgreSQL and MySQL, as
// captured from MLflow 3.6's alembic run on each database. None of these revisions moves data
// beyond SQLite's table copies. Every statement goes through ddl(), so that on MySQL a migration
// that failed half-way can run again (migration_ops.hpp).
#include <string>

#include "store/sql/migrations/migration.hpp"
#include "store/sql/migrations/migration_ops.hpp"

namespace sextant::store::sql::migrations {

namespace {

using db::Connection;

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) out += p;
  return out;
}

// A column type change, as alembic's batch_alter_table(...).alter_column(type_=...) runs it:
// SQLite rebuilds the table (`sqlite_table` is the table as it is to be), PostgreSQL and MySQL
// alter the column.
void change_column_type(Connection& conn, std::string_view table, std::string_view column, std::string_view type,
                        bool nullable, std::string sqlite_table) {
  if (is_sqlite(conn)) return sqlite_rebuild_table(conn, {.table = table, .create_sql = std::move(sqlite_table)});
  alter_column_type(conn, table, column, type, nullable);
}

// 3500859a5d39: registered_model_aliases (only when the table is missing, as MLflow checks).
void add_model_aliases_table(Connection& conn) {
  if (table_exists(conn, "registered_model_aliases")) return;
  ddl(conn, 
      "CREATE TABLE registered_model_aliases ( alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL, name "
      "VARCHAR(256) NOT NULL, CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias), CONSTRAINT "
      "registered_model_alias_name_fkey FOREIGN KEY(name) REFERENCES registered_models (name) ON DELETE cascade ON "
      "UPDATE cascade )");
}

// 7f2a7d5fae7d: datasets, inputs, input_tags.
void add_datasets_inputs_input_tags_tables(Connection& conn) {
  ddl(conn, cat({"CREATE TABLE datasets ( dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name "
                 "VARCHAR(500) NOT NULL, digest VARCHAR(36) NOT NULL, dataset_source_type VARCHAR(36) NOT NULL, "
                 "dataset_source TEXT NOT NULL, dataset_schema TEXT, dataset_profile ",
                 text_or_mysql(conn, "MEDIUMTEXT"),
                 ", CONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest), FOREIGN KEY(experiment_id) "
                 "REFERENCES experiments (experiment_id) )"}));
  exec_all(conn,
           {"CREATE INDEX index_datasets_experiment_id_dataset_source_type ON datasets (experiment_id, "
            "dataset_source_type)",
            "CREATE INDEX index_datasets_dataset_uuid ON datasets (dataset_uuid)",
            "CREATE TABLE inputs ( input_uuid VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL, source_id "
            "VARCHAR(36) NOT NULL, destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL, "
            "CONSTRAINT inputs_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id) )",
            "CREATE INDEX index_inputs_input_uuid ON inputs (input_uuid)",
            "CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, "
            "destination_id, source_type)",
            "CREATE TABLE input_tags ( input_uuid VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, value "
            "VARCHAR(500) NOT NULL, CONSTRAINT input_tags_pk PRIMARY KEY (input_uuid, name) )"});
}

// 2d6e25af4d3e: params.value VARCHAR(500) -> VARCHAR(8000).
void increase_max_param_val_length(Connection& conn) {
  change_column_type(conn, "params", "value", "VARCHAR(8000)", false,
                     "CREATE TABLE params ( \"key\" VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid "
                     "VARCHAR(32) NOT NULL, CONSTRAINT param_pk PRIMARY KEY (\"key\", run_uuid), FOREIGN "
                     "KEY(run_uuid) REFERENCES runs (run_uuid) )");
}

// acf3f17fdcc7: model_versions.storage_location.
void add_storage_location_field_to_model_versions(Connection& conn) {
  ddl(conn, "ALTER TABLE model_versions ADD COLUMN storage_location VARCHAR(500)");
}

// 867495a8f9d4: trace_info, trace_tags, trace_request_metadata.
void add_trace_tables(Connection& conn) {
  exec_all(conn,
           {"CREATE TABLE trace_info ( request_id VARCHAR(50) NOT NULL, experiment_id INTEGER NOT NULL, "
            "timestamp_ms BIGINT NOT NULL, execution_time_ms BIGINT, status VARCHAR(50) NOT NULL, CONSTRAINT "
            "trace_info_pk PRIMARY KEY (request_id), CONSTRAINT fk_trace_info_experiment_id FOREIGN "
            "KEY(experiment_id) REFERENCES experiments (experiment_id) )",
            "CREATE INDEX index_trace_info_experiment_id_timestamp_ms ON trace_info (experiment_id, timestamp_ms)",
            "CREATE TABLE trace_tags ( \"key\" VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id VARCHAR(50) "
            "NOT NULL, CONSTRAINT trace_tag_pk PRIMARY KEY (\"key\", request_id), CONSTRAINT "
            "fk_trace_tags_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) )",
            "CREATE INDEX index_trace_tags_request_id ON trace_tags (request_id)",
            "CREATE TABLE trace_request_metadata ( \"key\" VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id "
            "VARCHAR(50) NOT NULL, CONSTRAINT trace_request_metadata_pk PRIMARY KEY (\"key\", request_id), "
            "CONSTRAINT fk_trace_request_metadata_request_id FOREIGN KEY(request_id) REFERENCES trace_info "
            "(request_id) )",
            "CREATE INDEX index_trace_request_metadata_request_id ON trace_request_metadata (request_id)"});
}

// 5b0e9adcef9c: the trace children's foreign keys to trace_info gain ON DELETE CASCADE.
void add_cascade_deletion_to_trace_tables_fk(Connection& conn) {
  for (std::string_view table : {"trace_tags", "trace_request_metadata"}) {
    const std::string fk = cat({"fk_", table, "_request_id"});
    const std::string references = cat({"CONSTRAINT ", fk,
                                        " FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE"});
    if (is_sqlite(conn)) {
      const std::string_view pk = table == "trace_tags" ? "trace_tag_pk" : "trace_request_metadata_pk";
      sqlite_rebuild_table(conn, {.table = table,
                                  .create_sql = cat({"CREATE TABLE ", table,
                                                     " ( \"key\" VARCHAR(250) NOT NULL, value VARCHAR(8000), "
                                                     "request_id VARCHAR(50) NOT NULL, CONSTRAINT ",
                                                     pk, " PRIMARY KEY (\"key\", request_id), ", references, " )"})});
    } else {
      drop_foreign_key(conn, table, fk);
      ddl(conn, cat({"ALTER TABLE ", table, " ADD ", references}));
    }
  }
}

// 4465047574b1: datasets.dataset_schema MEDIUMTEXT on MySQL (the others' TEXT is large enough).
// MLflow logs a failure and carries on; so does this.
void increase_max_dataset_schema_size(Connection& conn) {
  if (!is_mysql(conn)) return;
  try {
    ddl(conn, "ALTER TABLE datasets MODIFY dataset_schema MEDIUMTEXT NULL");
  } catch (const db::DbError&) {
    // MLflow: "Failed to update dataset_schema column to MEDIUMTEXT type, it may not be supported".
  }
}

// f5a4f2784254: tags.value VARCHAR(5000) -> VARCHAR(8000).
void increase_run_tag_value_limit(Connection& conn) {
  change_column_type(conn, "tags", "value", "VARCHAR(8000)", true,
                     "CREATE TABLE tags ( \"key\" VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) "
                     "NOT NULL, CONSTRAINT tag_pk PRIMARY KEY (\"key\", run_uuid), FOREIGN KEY(run_uuid) REFERENCES "
                     "runs (run_uuid) )");
}

// 0584bdc529eb: datasets' foreign key to experiments becomes fk_datasets_experiment_id_experiments
// with ON DELETE CASCADE (PostgreSQL / MySQL find the unnamed original by its columns).
void add_cascading_deletion_to_datasets_from_experiments(Connection& conn) {
  constexpr std::string_view references =
      "CONSTRAINT fk_datasets_experiment_id_experiments FOREIGN KEY(experiment_id) REFERENCES experiments "
      "(experiment_id) ON DELETE CASCADE";
  if (is_sqlite(conn)) {
    return sqlite_rebuild_table(
        conn, {.table = "datasets",
               .create_sql = cat({"CREATE TABLE datasets ( dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER "
                                  "NOT NULL, name VARCHAR(500) NOT NULL, digest VARCHAR(36) NOT NULL, "
                                  "dataset_source_type VARCHAR(36) NOT NULL, dataset_source TEXT NOT NULL, "
                                  "dataset_schema TEXT, dataset_profile TEXT, CONSTRAINT dataset_pk PRIMARY KEY "
                                  "(experiment_id, name, digest), ",
                                  references, " )"})});
  }
  // On MySQL a second run after a failure between the drop and the add finds no foreign key.
  if (!is_mysql(conn) || find_foreign_key(conn, "datasets", {"experiment_id"}, "experiments")) {
    drop_foreign_key(conn, "datasets", require_foreign_key(conn, "datasets", {"experiment_id"}, "experiments"));
  }
  ddl(conn, cat({"ALTER TABLE datasets ADD ", references}));
}

// 400f98739977: logged_models and their metrics, params and tags.
void add_logged_model_tables(Connection& conn) {
  ddl(conn, 
      "CREATE TABLE logged_models ( model_id VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name "
      "VARCHAR(500) NOT NULL, artifact_location VARCHAR(1000) NOT NULL, creation_timestamp_ms BIGINT NOT NULL, "
      "last_updated_timestamp_ms BIGINT NOT NULL, status INTEGER NOT NULL, lifecycle_stage VARCHAR(32), model_type "
      "VARCHAR(500), source_run_id VARCHAR(32), status_message VARCHAR(1000), CONSTRAINT logged_models_pk PRIMARY "
      "KEY (model_id), CONSTRAINT logged_models_lifecycle_stage_check CHECK (lifecycle_stage IN ('active', "
      "'deleted')), CONSTRAINT fk_logged_models_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments "
      "(experiment_id) ON DELETE CASCADE )");
  ddl(conn, cat({"CREATE TABLE logged_model_metrics ( model_id VARCHAR(36) NOT NULL, metric_name VARCHAR(500) NOT "
                 "NULL, metric_timestamp_ms BIGINT NOT NULL, metric_step BIGINT NOT NULL, metric_value ",
                 float53(conn),
                 ", experiment_id INTEGER NOT NULL, run_id VARCHAR(32) NOT NULL, dataset_uuid VARCHAR(36), "
                 "dataset_name VARCHAR(500), dataset_digest VARCHAR(36), CONSTRAINT logged_model_metrics_pk PRIMARY "
                 "KEY (model_id, metric_name, metric_timestamp_ms, metric_step, run_id), CONSTRAINT "
                 "fk_logged_model_metrics_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments "
                 "(experiment_id), CONSTRAINT fk_logged_model_metrics_model_id FOREIGN KEY(model_id) REFERENCES "
                 "logged_models (model_id) ON DELETE CASCADE, CONSTRAINT fk_logged_model_metrics_run_id FOREIGN "
                 "KEY(run_id) REFERENCES runs (run_uuid) ON DELETE CASCADE )"}));
  exec_all(conn,
           {"CREATE INDEX index_logged_model_metrics_model_id ON logged_model_metrics (model_id)",
            "CREATE TABLE logged_model_params ( model_id VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, "
            "param_key VARCHAR(255) NOT NULL, param_value TEXT NOT NULL, CONSTRAINT logged_model_params_pk PRIMARY "
            "KEY (model_id, param_key), CONSTRAINT fk_logged_model_params_experiment_id FOREIGN KEY(experiment_id) "
            "REFERENCES experiments (experiment_id), CONSTRAINT fk_logged_model_params_model_id FOREIGN "
            "KEY(model_id) REFERENCES logged_models (model_id) ON DELETE CASCADE )",
            "CREATE TABLE logged_model_tags ( model_id VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, tag_key "
            "VARCHAR(255) NOT NULL, tag_value TEXT NOT NULL, CONSTRAINT logged_model_tags_pk PRIMARY KEY (model_id, "
            "tag_key), CONSTRAINT fk_logged_model_tags_experiment_id FOREIGN KEY(experiment_id) REFERENCES "
            "experiments (experiment_id), CONSTRAINT fk_logged_model_tags_model_id FOREIGN KEY(model_id) REFERENCES "
            "logged_models (model_id) ON DELETE CASCADE )"});
}

// 6953534de441: inputs.step.
void add_step_to_inputs_table(Connection& conn) {
  ddl(conn, "ALTER TABLE inputs ADD COLUMN step BIGINT DEFAULT '0' NOT NULL");
}

// bda7b8c39065: model_version_tags.value VARCHAR(5000) -> TEXT.
void increase_model_version_tag_value_limit(Connection& conn) {
  change_column_type(conn, "model_version_tags", "value", "TEXT", true,
                     "CREATE TABLE model_version_tags ( \"key\" VARCHAR(250) NOT NULL, value TEXT, name VARCHAR(256) "
                     "NOT NULL, version INTEGER NOT NULL, CONSTRAINT model_version_tag_pk PRIMARY KEY (\"key\", name, "
                     "version), FOREIGN KEY(name, version) REFERENCES model_versions (name, version) ON UPDATE "
                     "CASCADE )");
}

// cbc13b556ace: trace_info's V3 columns.
void add_v3_trace_schema_columns(Connection& conn) {
  exec_all(conn, {"ALTER TABLE trace_info ADD COLUMN client_request_id VARCHAR(50)",
                  "ALTER TABLE trace_info ADD COLUMN request_preview VARCHAR(1000)",
                  "ALTER TABLE trace_info ADD COLUMN response_preview VARCHAR(1000)"});
}

// 770bee3ae1dd: assessments.
void add_assessments_table(Connection& conn) {
  exec_all(conn,
           {"CREATE TABLE assessments ( assessment_id VARCHAR(50) NOT NULL, trace_id VARCHAR(50) NOT NULL, name "
            "VARCHAR(250) NOT NULL, assessment_type VARCHAR(20) NOT NULL, value TEXT NOT NULL, error TEXT, "
            "created_timestamp BIGINT NOT NULL, last_updated_timestamp BIGINT NOT NULL, source_type VARCHAR(50) NOT "
            "NULL, source_id VARCHAR(250), run_id VARCHAR(32), span_id VARCHAR(50), rationale TEXT, overrides "
            "VARCHAR(50), valid BOOLEAN NOT NULL, assessment_metadata TEXT, CONSTRAINT assessments_pk PRIMARY KEY "
            "(assessment_id), CONSTRAINT fk_assessments_trace_id FOREIGN KEY(trace_id) REFERENCES trace_info "
            "(request_id) ON DELETE CASCADE )",
            "CREATE INDEX index_assessments_trace_id_created_timestamp ON assessments (trace_id, created_timestamp)",
            "CREATE INDEX index_assessments_run_id_created_timestamp ON assessments (run_id, created_timestamp)",
            "CREATE INDEX index_assessments_last_updated_timestamp ON assessments (last_updated_timestamp)",
            "CREATE INDEX index_assessments_assessment_type ON assessments (assessment_type)"});
}

// a1b2c3d4e5f6: spans.
void add_spans_table(Connection& conn) {
  ddl(conn, cat({"CREATE TABLE spans ( trace_id VARCHAR(50) NOT NULL, experiment_id INTEGER NOT NULL, span_id "
                 "VARCHAR(50) NOT NULL, parent_span_id VARCHAR(50), name TEXT, type VARCHAR(500), status VARCHAR(50) "
                 "NOT NULL, start_time_unix_nano BIGINT NOT NULL, end_time_unix_nano BIGINT, duration_ns BIGINT "
                 "GENERATED ALWAYS AS (end_time_unix_nano - start_time_unix_nano) STORED, content ",
                 text_or_mysql(conn, "LONGTEXT"),
                 " NOT NULL, CONSTRAINT spans_pk PRIMARY KEY (trace_id, span_id), CONSTRAINT fk_spans_trace_id "
                 "FOREIGN KEY(trace_id) REFERENCES trace_info (request_id) ON DELETE CASCADE, CONSTRAINT "
                 "fk_spans_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) )"}));
  exec_all(conn, {"CREATE INDEX index_spans_experiment_id ON spans (experiment_id)",
                  "CREATE INDEX index_spans_experiment_id_status_type ON spans (experiment_id, status, type)",
                  "CREATE INDEX index_spans_experiment_id_type_status ON spans (experiment_id, type, status)",
                  "CREATE INDEX index_spans_experiment_id_duration ON spans (experiment_id, duration_ns)"});
}

// de4033877273: entity_associations.
void create_entity_associations(Connection& conn) {
  exec_all(conn,
           {"CREATE TABLE entity_associations ( association_id VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT "
            "NULL, source_id VARCHAR(36) NOT NULL, destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) "
            "NOT NULL, created_time BIGINT, CONSTRAINT entity_associations_pk PRIMARY KEY (source_type, source_id, "
            "destination_type, destination_id) )",
            "CREATE INDEX index_entity_associations_association_id ON entity_associations (association_id)",
            "CREATE INDEX index_entity_associations_reverse_lookup ON entity_associations (destination_type, "
            "destination_id, source_type, source_id)"});
}

// 1a0cddfcaa16: webhooks and webhook_events.
void add_webhooks_and_webhook_events_tables(Connection& conn) {
  exec_all(conn,
           {"CREATE TABLE webhooks ( webhook_id VARCHAR(256) NOT NULL, name VARCHAR(256) NOT NULL, description "
            "VARCHAR(1000), url VARCHAR(500) NOT NULL, status VARCHAR(20) DEFAULT 'ACTIVE' NOT NULL, secret "
            "VARCHAR(1000), creation_timestamp BIGINT, last_updated_timestamp BIGINT, deleted_timestamp BIGINT, "
            "CONSTRAINT webhook_pk PRIMARY KEY (webhook_id) )",
            "CREATE INDEX idx_webhooks_status ON webhooks (status)",
            "CREATE INDEX idx_webhooks_name ON webhooks (name)",
            "CREATE TABLE webhook_events ( webhook_id VARCHAR(256) NOT NULL, entity VARCHAR(50) NOT NULL, action "
            "VARCHAR(50) NOT NULL, CONSTRAINT webhook_event_pk PRIMARY KEY (webhook_id, entity, action), FOREIGN "
            "KEY(webhook_id) REFERENCES webhooks (webhook_id) ON DELETE cascade )",
            "CREATE INDEX idx_webhook_events_entity ON webhook_events (entity)",
            "CREATE INDEX idx_webhook_events_action ON webhook_events (action)",
            "CREATE INDEX idx_webhook_events_entity_action ON webhook_events (entity, action)"});
}

// 534353b11cbc: scorers and scorer_versions.
void add_scorer_tables(Connection& conn) {
  exec_all(conn,
           {"CREATE TABLE scorers ( experiment_id INTEGER NOT NULL, scorer_name VARCHAR(256) NOT NULL, scorer_id "
            "VARCHAR(36) NOT NULL, CONSTRAINT scorer_pk PRIMARY KEY (scorer_id), CONSTRAINT fk_scorers_experiment_id "
            "FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON DELETE CASCADE )",
            "CREATE TABLE scorer_versions ( scorer_id VARCHAR(36) NOT NULL, scorer_version INTEGER NOT NULL, "
            "serialized_scorer TEXT NOT NULL, creation_time BIGINT, CONSTRAINT scorer_version_pk PRIMARY KEY "
            "(scorer_id, scorer_version), CONSTRAINT fk_scorer_versions_scorer_id FOREIGN KEY(scorer_id) REFERENCES "
            "scorers (scorer_id) ON DELETE CASCADE )",
            "CREATE UNIQUE INDEX index_scorers_experiment_id_scorer_name ON scorers (experiment_id, scorer_name)",
            "CREATE INDEX index_scorer_versions_scorer_id ON scorer_versions (scorer_id)"});
}

// 71994744cf8e: evaluation_datasets, evaluation_dataset_tags, evaluation_dataset_records (with
// the unique (dataset_id, input_hash) that SQLite gets by a table rebuild).
void add_evaluation_datasets(Connection& conn) {
  // "schema" is reserved on MySQL only (alembic quotes it there alone).
  ddl(conn, cat({"CREATE TABLE evaluation_datasets ( dataset_id VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, ",
                 by_dialect(conn, "schema", "schema", "\"schema\""),
                 " TEXT, profile TEXT, digest VARCHAR(64), created_time BIGINT, last_update_time BIGINT, created_by "
                 "VARCHAR(255), last_updated_by VARCHAR(255), CONSTRAINT evaluation_datasets_pk PRIMARY KEY "
                 "(dataset_id) )"}));
  exec_all(conn,
           {"CREATE INDEX index_evaluation_datasets_name ON evaluation_datasets (name)",
            "CREATE INDEX index_evaluation_datasets_created_time ON evaluation_datasets (created_time)",
            "CREATE TABLE evaluation_dataset_tags ( dataset_id VARCHAR(36) NOT NULL, \"key\" VARCHAR(255) NOT NULL, "
            "value VARCHAR(5000), CONSTRAINT evaluation_dataset_tags_pk PRIMARY KEY (dataset_id, \"key\"), "
            "CONSTRAINT fk_evaluation_dataset_tags_dataset_id FOREIGN KEY(dataset_id) REFERENCES evaluation_datasets "
            "(dataset_id) ON DELETE CASCADE )",
            "CREATE INDEX index_evaluation_dataset_tags_dataset_id ON evaluation_dataset_tags (dataset_id)"});
  const std::string records =
      "CREATE TABLE evaluation_dataset_records ( dataset_record_id VARCHAR(36) NOT NULL, dataset_id VARCHAR(36) NOT "
      "NULL, inputs JSON NOT NULL, expectations JSON, tags JSON, source JSON, source_id VARCHAR(36), source_type "
      "VARCHAR(255), created_time BIGINT, last_update_time BIGINT, created_by VARCHAR(255), last_updated_by "
      "VARCHAR(255), input_hash VARCHAR(64) NOT NULL, CONSTRAINT evaluation_dataset_records_pk PRIMARY KEY "
      "(dataset_record_id), CONSTRAINT fk_evaluation_dataset_records_dataset_id FOREIGN KEY(dataset_id) REFERENCES "
      "evaluation_datasets (dataset_id) ON DELETE CASCADE";
  ddl(conn, records + " )");
  constexpr std::string_view index =
      "CREATE INDEX index_evaluation_dataset_records_dataset_id ON evaluation_dataset_records (dataset_id)";
  constexpr std::string_view unique = "CONSTRAINT unique_dataset_input UNIQUE (dataset_id, input_hash)";
  if (is_sqlite(conn)) {
    sqlite_rebuild_table(conn, {.table = "evaluation_dataset_records", .create_sql = cat({records, ", ", unique, " )"})});
    ddl(conn, index);
  } else {
    ddl(conn, index);
    ddl(conn, cat({"ALTER TABLE evaluation_dataset_records ADD ", unique}));
  }
}

// 3da73c924c2f: evaluation_dataset_records.outputs.
void add_outputs_to_dataset_record(Connection& conn) {
  ddl(conn, "ALTER TABLE evaluation_dataset_records ADD COLUMN outputs JSON");
}

// bf29a5ff90ea: jobs.
void add_jobs_table(Connection& conn) {
  ddl(conn, cat({"CREATE TABLE jobs ( id VARCHAR(36) NOT NULL, creation_time BIGINT NOT NULL, function_fullname "
                 "VARCHAR(500) NOT NULL, params TEXT NOT NULL, timeout ",
                 float53(conn),
                 ", status INTEGER NOT NULL, result TEXT, retry_count INTEGER NOT NULL, last_update_time BIGINT NOT "
                 "NULL, CONSTRAINT jobs_pk PRIMARY KEY (id) )"}));
  ddl(conn, 
      "CREATE INDEX index_jobs_function_status_creation_time ON jobs (function_fullname, status, creation_time)");
}

constexpr Migration kChain[] = {
    {"3500859a5d39", "97727af70f4d", "Add Model Aliases table", add_model_aliases_table},
    {"7f2a7d5fae7d", "3500859a5d39", "add datasets inputs input_tags tables", add_datasets_inputs_input_tags_tables},
    {"2d6e25af4d3e", "7f2a7d5fae7d", "increase max param val length from 500 to 8000", increase_max_param_val_length},
    {"acf3f17fdcc7", "2d6e25af4d3e", "add storage location field to model versions",
     add_storage_location_field_to_model_versions},
    {"867495a8f9d4", "acf3f17fdcc7", "add trace tables", add_trace_tables},
    {"5b0e9adcef9c", "867495a8f9d4", "add cascade deletion to trace tables foreign keys",
     add_cascade_deletion_to_trace_tables_fk},
    {"4465047574b1", "5b0e9adcef9c", "increase max dataset schema size", increase_max_dataset_schema_size},
    {"f5a4f2784254", "4465047574b1", "increase run tag value limit to 8000", increase_run_tag_value_limit},
    {"0584bdc529eb", "f5a4f2784254", "add cascading deletion to datasets from experiments",
     add_cascading_deletion_to_datasets_from_experiments},
    {"400f98739977", "0584bdc529eb", "add logged model tables", add_logged_model_tables},
    {"6953534de441", "400f98739977", "add step to inputs table", add_step_to_inputs_table},
    {"bda7b8c39065", "6953534de441", "increase_model_version_tag_value_limit", increase_model_version_tag_value_limit},
    {"cbc13b556ace", "bda7b8c39065", "add V3 trace schema columns", add_v3_trace_schema_columns},
    {"770bee3ae1dd", "cbc13b556ace", "add assessments table", add_assessments_table},
    {"a1b2c3d4e5f6", "770bee3ae1dd", "add spans table", add_spans_table},
    {"de4033877273", "a1b2c3d4e5f6", "create entity_associations table", create_entity_associations},
    {"1a0cddfcaa16", "de4033877273", "Add webhooks and webhook_events tables", add_webhooks_and_webhook_events_tables},
    {"534353b11cbc", "1a0cddfcaa16", "add scorer tables", add_scorer_tables},
    {"71994744cf8e", "534353b11cbc", "add evaluation datasets", add_evaluation_datasets},
    {"3da73c924c2f", "71994744cf8e", "add outputs to dataset record", add_outputs_to_dataset_record},
    {"bf29a5ff90ea", "3da73c924c2f", "add jobs table", add_jobs_table},
};

}  // namespace

std::span<const Migration> mlflow2_to_mlflow36() { return kChain; }

}  // namespace sextant::store::sql::migrations
