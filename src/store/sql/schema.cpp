#include "store/sql/schema.hpp"

#include <map>
#include <vector>

#include "core/artifact_uri.hpp"
#include "store/sql/catalog.hpp"
#include "store/sql/migrations/migration_ops.hpp"
#include "store/sql/migrations/table_ops.hpp"
#include "store/sql/schema_inspection.hpp"
#include "store/sql/schema_upgrade.hpp"
#include "util/time.hpp"

namespace sextant::store::sql {

namespace {

// The DDL of a database that MLflow 3.6 created and migrated to head (column order as MLflow's).
constexpr const char* kHeadDdl[] = {
    R"sql(CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)))sql",
    R"sql(CREATE TABLE experiments ( experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT, CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')), UNIQUE (name)))sql",
    R"sql(CREATE TABLE experiment_tags ( "key" VARCHAR(250) NOT NULL, value VARCHAR(5000), experiment_id INTEGER NOT NULL, CONSTRAINT experiment_tag_pk PRIMARY KEY ("key", experiment_id), FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)))sql",
    R"sql(CREATE TABLE runs ( run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER, deleted_time BIGINT, CONSTRAINT run_pk PRIMARY KEY (run_uuid), CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')), CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')), CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')), FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)))sql",
    R"sql(CREATE TABLE tags ( "key" VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL, CONSTRAINT tag_pk PRIMARY KEY ("key", run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)))sql",
    R"sql(CREATE INDEX index_tags_run_uuid ON tags (run_uuid))sql",
    R"sql(CREATE TABLE params ( "key" VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL, CONSTRAINT param_pk PRIMARY KEY ("key", run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)))sql",
    R"sql(CREATE INDEX index_params_run_uuid ON params (run_uuid))sql",
    R"sql(CREATE TABLE metrics ( "key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL, CONSTRAINT metric_pk PRIMARY KEY ("key", timestamp, step, run_uuid, value, is_nan), CHECK (is_nan IN (0, 1)), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)))sql",
    R"sql(CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid))sql",
    R"sql(CREATE TABLE latest_metrics ( "key" VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, CONSTRAINT latest_metric_pk PRIMARY KEY ("key", run_uuid), CHECK (is_nan IN (0, 1)), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid)))sql",
    R"sql(CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid))sql",
    R"sql(CREATE TABLE registered_models ( name VARCHAR(256) NOT NULL, creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000), CONSTRAINT registered_model_pk PRIMARY KEY (name), UNIQUE (name)))sql",
    R"sql(CREATE TABLE model_versions ( name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000), user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500), run_id VARCHAR(32), status VARCHAR(20), status_message VARCHAR(500), run_link VARCHAR(500), storage_location VARCHAR(500), CONSTRAINT model_version_pk PRIMARY KEY (name, version), FOREIGN KEY(name) REFERENCES registered_models (name) ON UPDATE CASCADE))sql",
    R"sql(CREATE TABLE registered_model_tags ( "key" VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL, CONSTRAINT registered_model_tag_pk PRIMARY KEY ("key", name), FOREIGN KEY(name) REFERENCES registered_models (name) ON UPDATE cascade))sql",
    R"sql(CREATE TABLE model_version_tags ( "key" VARCHAR(250) NOT NULL, value TEXT, name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, CONSTRAINT model_version_tag_pk PRIMARY KEY ("key", name, version), FOREIGN KEY(name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE))sql",
    R"sql(CREATE TABLE registered_model_aliases ( alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL, name VARCHAR(256) NOT NULL, CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias), CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY(name) REFERENCES registered_models (name) ON DELETE cascade ON UPDATE cascade))sql",
    R"sql(CREATE TABLE datasets ( dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name VARCHAR(500) NOT NULL, digest VARCHAR(36) NOT NULL, dataset_source_type VARCHAR(36) NOT NULL, dataset_source TEXT NOT NULL, dataset_schema TEXT, dataset_profile TEXT, CONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest), CONSTRAINT fk_datasets_experiment_id_experiments FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_datasets_experiment_id_dataset_source_type ON datasets (experiment_id, dataset_source_type))sql",
    R"sql(CREATE INDEX index_datasets_dataset_uuid ON datasets (dataset_uuid))sql",
    R"sql(CREATE TABLE inputs ( input_uuid VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL, source_id VARCHAR(36) NOT NULL, destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, CONSTRAINT inputs_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id)))sql",
    R"sql(CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, destination_id, source_type))sql",
    R"sql(CREATE INDEX index_inputs_input_uuid ON inputs (input_uuid))sql",
    R"sql(CREATE TABLE input_tags ( input_uuid VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, value VARCHAR(500) NOT NULL, CONSTRAINT input_tags_pk PRIMARY KEY (input_uuid, name)))sql",
    R"sql(CREATE TABLE trace_info ( request_id VARCHAR(50) NOT NULL, experiment_id INTEGER NOT NULL, timestamp_ms BIGINT NOT NULL, execution_time_ms BIGINT, status VARCHAR(50) NOT NULL, client_request_id VARCHAR(50), request_preview VARCHAR(1000), response_preview VARCHAR(1000), CONSTRAINT trace_info_pk PRIMARY KEY (request_id), CONSTRAINT fk_trace_info_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)))sql",
    R"sql(CREATE INDEX index_trace_info_experiment_id_timestamp_ms ON trace_info (experiment_id, timestamp_ms))sql",
    R"sql(CREATE TABLE trace_tags ( "key" VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id VARCHAR(50) NOT NULL, CONSTRAINT trace_tag_pk PRIMARY KEY ("key", request_id), CONSTRAINT fk_trace_tags_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_trace_tags_request_id ON trace_tags (request_id))sql",
    R"sql(CREATE TABLE trace_request_metadata ( "key" VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id VARCHAR(50) NOT NULL, CONSTRAINT trace_request_metadata_pk PRIMARY KEY ("key", request_id), CONSTRAINT fk_trace_request_metadata_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_trace_request_metadata_request_id ON trace_request_metadata (request_id))sql",
    R"sql(CREATE TABLE assessments ( assessment_id VARCHAR(50) NOT NULL, trace_id VARCHAR(50) NOT NULL, name VARCHAR(250) NOT NULL, assessment_type VARCHAR(20) NOT NULL, value TEXT NOT NULL, error TEXT, created_timestamp BIGINT NOT NULL, last_updated_timestamp BIGINT NOT NULL, source_type VARCHAR(50) NOT NULL, source_id VARCHAR(250), run_id VARCHAR(32), span_id VARCHAR(50), rationale TEXT, overrides VARCHAR(50), valid BOOLEAN NOT NULL, assessment_metadata TEXT, CONSTRAINT assessments_pk PRIMARY KEY (assessment_id), CONSTRAINT fk_assessments_trace_id FOREIGN KEY(trace_id) REFERENCES trace_info (request_id) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_assessments_trace_id_created_timestamp ON assessments (trace_id, created_timestamp))sql",
    R"sql(CREATE INDEX index_assessments_run_id_created_timestamp ON assessments (run_id, created_timestamp))sql",
    R"sql(CREATE INDEX index_assessments_last_updated_timestamp ON assessments (last_updated_timestamp))sql",
    R"sql(CREATE INDEX index_assessments_assessment_type ON assessments (assessment_type))sql",
    R"sql(CREATE TABLE spans ( trace_id VARCHAR(50) NOT NULL, experiment_id INTEGER NOT NULL, span_id VARCHAR(50) NOT NULL, parent_span_id VARCHAR(50), name TEXT, type VARCHAR(500), status VARCHAR(50) NOT NULL, start_time_unix_nano BIGINT NOT NULL, end_time_unix_nano BIGINT, duration_ns BIGINT GENERATED ALWAYS AS (end_time_unix_nano - start_time_unix_nano) STORED, content TEXT NOT NULL, CONSTRAINT spans_pk PRIMARY KEY (trace_id, span_id), CONSTRAINT fk_spans_trace_id FOREIGN KEY(trace_id) REFERENCES trace_info (request_id) ON DELETE CASCADE, CONSTRAINT fk_spans_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id)))sql",
    R"sql(CREATE INDEX index_spans_experiment_id ON spans (experiment_id))sql",
    R"sql(CREATE INDEX index_spans_experiment_id_status_type ON spans (experiment_id, status, type))sql",
    R"sql(CREATE INDEX index_spans_experiment_id_type_status ON spans (experiment_id, type, status))sql",
    R"sql(CREATE INDEX index_spans_experiment_id_duration ON spans (experiment_id, duration_ns))sql",
    R"sql(CREATE TABLE logged_models ( model_id VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name VARCHAR(500) NOT NULL, artifact_location VARCHAR(1000) NOT NULL, creation_timestamp_ms BIGINT NOT NULL, last_updated_timestamp_ms BIGINT NOT NULL, status INTEGER NOT NULL, lifecycle_stage VARCHAR(32), model_type VARCHAR(500), source_run_id VARCHAR(32), status_message VARCHAR(1000), CONSTRAINT logged_models_pk PRIMARY KEY (model_id), CONSTRAINT logged_models_lifecycle_stage_check CHECK (lifecycle_stage IN ('active', 'deleted')), CONSTRAINT fk_logged_models_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON DELETE CASCADE))sql",
    R"sql(CREATE TABLE logged_model_metrics ( model_id VARCHAR(36) NOT NULL, metric_name VARCHAR(500) NOT NULL, metric_timestamp_ms BIGINT NOT NULL, metric_step BIGINT NOT NULL, metric_value FLOAT, experiment_id INTEGER NOT NULL, run_id VARCHAR(32) NOT NULL, dataset_uuid VARCHAR(36), dataset_name VARCHAR(500), dataset_digest VARCHAR(36), CONSTRAINT logged_model_metrics_pk PRIMARY KEY (model_id, metric_name, metric_timestamp_ms, metric_step, run_id), CONSTRAINT fk_logged_model_metrics_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id), CONSTRAINT fk_logged_model_metrics_model_id FOREIGN KEY(model_id) REFERENCES logged_models (model_id) ON DELETE CASCADE, CONSTRAINT fk_logged_model_metrics_run_id FOREIGN KEY(run_id) REFERENCES runs (run_uuid) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_logged_model_metrics_model_id ON logged_model_metrics (model_id))sql",
    R"sql(CREATE TABLE logged_model_params ( model_id VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, param_key VARCHAR(255) NOT NULL, param_value TEXT NOT NULL, CONSTRAINT logged_model_params_pk PRIMARY KEY (model_id, param_key), CONSTRAINT fk_logged_model_params_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id), CONSTRAINT fk_logged_model_params_model_id FOREIGN KEY(model_id) REFERENCES logged_models (model_id) ON DELETE CASCADE))sql",
    R"sql(CREATE TABLE logged_model_tags ( model_id VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, tag_key VARCHAR(255) NOT NULL, tag_value TEXT NOT NULL, CONSTRAINT logged_model_tags_pk PRIMARY KEY (model_id, tag_key), CONSTRAINT fk_logged_model_tags_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id), CONSTRAINT fk_logged_model_tags_model_id FOREIGN KEY(model_id) REFERENCES logged_models (model_id) ON DELETE CASCADE))sql",
    R"sql(CREATE TABLE entity_associations ( association_id VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL, source_id VARCHAR(36) NOT NULL, destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL, created_time BIGINT, CONSTRAINT entity_associations_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id)))sql",
    R"sql(CREATE INDEX index_entity_associations_association_id ON entity_associations (association_id))sql",
    R"sql(CREATE INDEX index_entity_associations_reverse_lookup ON entity_associations (destination_type, destination_id, source_type, source_id))sql",
    R"sql(CREATE TABLE webhooks ( webhook_id VARCHAR(256) NOT NULL, name VARCHAR(256) NOT NULL, description VARCHAR(1000), url VARCHAR(500) NOT NULL, status VARCHAR(20) DEFAULT 'ACTIVE' NOT NULL, secret VARCHAR(1000), creation_timestamp BIGINT, last_updated_timestamp BIGINT, deleted_timestamp BIGINT, CONSTRAINT webhook_pk PRIMARY KEY (webhook_id)))sql",
    R"sql(CREATE INDEX idx_webhooks_status ON webhooks (status))sql",
    R"sql(CREATE INDEX idx_webhooks_name ON webhooks (name))sql",
    R"sql(CREATE TABLE webhook_events ( webhook_id VARCHAR(256) NOT NULL, entity VARCHAR(50) NOT NULL, action VARCHAR(50) NOT NULL, CONSTRAINT webhook_event_pk PRIMARY KEY (webhook_id, entity, action), FOREIGN KEY(webhook_id) REFERENCES webhooks (webhook_id) ON DELETE cascade))sql",
    R"sql(CREATE INDEX idx_webhook_events_entity ON webhook_events (entity))sql",
    R"sql(CREATE INDEX idx_webhook_events_action ON webhook_events (action))sql",
    R"sql(CREATE INDEX idx_webhook_events_entity_action ON webhook_events (entity, action))sql",
    R"sql(CREATE TABLE scorers ( experiment_id INTEGER NOT NULL, scorer_name VARCHAR(256) NOT NULL, scorer_id VARCHAR(36) NOT NULL, CONSTRAINT scorer_pk PRIMARY KEY (scorer_id), CONSTRAINT fk_scorers_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON DELETE CASCADE))sql",
    R"sql(CREATE UNIQUE INDEX index_scorers_experiment_id_scorer_name ON scorers (experiment_id, scorer_name))sql",
    R"sql(CREATE TABLE scorer_versions ( scorer_id VARCHAR(36) NOT NULL, scorer_version INTEGER NOT NULL, serialized_scorer TEXT NOT NULL, creation_time BIGINT, CONSTRAINT scorer_version_pk PRIMARY KEY (scorer_id, scorer_version), CONSTRAINT fk_scorer_versions_scorer_id FOREIGN KEY(scorer_id) REFERENCES scorers (scorer_id) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_scorer_versions_scorer_id ON scorer_versions (scorer_id))sql",
    R"sql(CREATE TABLE evaluation_datasets ( dataset_id VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, schema TEXT, profile TEXT, digest VARCHAR(64), created_time BIGINT, last_update_time BIGINT, created_by VARCHAR(255), last_updated_by VARCHAR(255), CONSTRAINT evaluation_datasets_pk PRIMARY KEY (dataset_id)))sql",
    R"sql(CREATE INDEX index_evaluation_datasets_name ON evaluation_datasets (name))sql",
    R"sql(CREATE INDEX index_evaluation_datasets_created_time ON evaluation_datasets (created_time))sql",
    R"sql(CREATE TABLE evaluation_dataset_tags ( dataset_id VARCHAR(36) NOT NULL, "key" VARCHAR(255) NOT NULL, value VARCHAR(5000), CONSTRAINT evaluation_dataset_tags_pk PRIMARY KEY (dataset_id, "key"), CONSTRAINT fk_evaluation_dataset_tags_dataset_id FOREIGN KEY(dataset_id) REFERENCES evaluation_datasets (dataset_id) ON DELETE CASCADE))sql",
    R"sql(CREATE INDEX index_evaluation_dataset_tags_dataset_id ON evaluation_dataset_tags (dataset_id))sql",
    R"sql(CREATE TABLE evaluation_dataset_records ( dataset_record_id VARCHAR(36) NOT NULL, dataset_id VARCHAR(36) NOT NULL, inputs JSON NOT NULL, expectations JSON, tags JSON, source JSON, source_id VARCHAR(36), source_type VARCHAR(255), created_time BIGINT, last_update_time BIGINT, created_by VARCHAR(255), last_updated_by VARCHAR(255), input_hash VARCHAR(64) NOT NULL, outputs JSON, CONSTRAINT evaluation_dataset_records_pk PRIMARY KEY (dataset_record_id), CONSTRAINT fk_evaluation_dataset_records_dataset_id FOREIGN KEY(dataset_id) REFERENCES evaluation_datasets (dataset_id) ON DELETE CASCADE, CONSTRAINT unique_dataset_input UNIQUE (dataset_id, input_hash)))sql",
    R"sql(CREATE INDEX index_evaluation_dataset_records_dataset_id ON evaluation_dataset_records (dataset_id))sql",
    R"sql(CREATE TABLE jobs ( id VARCHAR(36) NOT NULL, creation_time BIGINT NOT NULL, function_fullname VARCHAR(500) NOT NULL, params TEXT NOT NULL, timeout FLOAT, status INTEGER NOT NULL, result TEXT, retry_count INTEGER NOT NULL, last_update_time BIGINT NOT NULL, CONSTRAINT jobs_pk PRIMARY KEY (id)))sql",
    R"sql(CREATE INDEX index_jobs_function_status_creation_time ON jobs (function_fullname, status, creation_time))sql",
};

// Indexes Sextant adds for search speed; MLflow ignores extra indexes. The covering ones let a
// metric or param filter drive a search without touching the tables.
constexpr const char* kExtraIndexes[] = {
    "CREATE INDEX IF NOT EXISTS sextant_latest_metrics_key_value_run ON latest_metrics (key, value, run_uuid, is_nan)",
    "CREATE INDEX IF NOT EXISTS sextant_runs_uuid_experiment ON runs (run_uuid, experiment_id, lifecycle_stage, start_time)",
    "CREATE INDEX IF NOT EXISTS sextant_runs_experiment_start ON runs (experiment_id, start_time)",
    // The registry tag tables' primary keys lead with the key; lookups go by model / version.
    "CREATE INDEX IF NOT EXISTS sextant_registered_model_tags_name ON registered_model_tags (name)",
    "CREATE INDEX IF NOT EXISTS sextant_model_version_tags_name_version ON model_version_tags (name, version)",
};

// Metric history by run and key. On SQLite and PostgreSQL the index holds every column the
// history queries read, so get-history and bulk-interval never touch the table (it replaces the
// narrower index of earlier builds); InnoDB secondary indexes carry the primary key's columns, so
// on MySQL the narrow one already covers them.
constexpr const char* kMetricHistoryIndex =
    "CREATE INDEX IF NOT EXISTS sextant_metrics_run_key_step_value ON metrics (run_uuid, key, step, timestamp, value, "
    "is_nan)";
constexpr const char* kMetricHistoryIndexInnodb =
    "CREATE INDEX IF NOT EXISTS sextant_metrics_run_key_step ON metrics (run_uuid, key, step)";

// SQLite only: PostgreSQL's btree entries are limited to a third of a page (about 2.7 kB), and
// param and tag values may be up to 8000 characters.
constexpr const char* kSqliteValueIndexes[] = {
    "CREATE INDEX IF NOT EXISTS sextant_params_key_value_run ON params (key, value, run_uuid)",
    "CREATE INDEX IF NOT EXISTS sextant_tags_key_value_run ON tags (key, value, run_uuid)",
};

// Sextant's own tables for built-in authentication (store/auth_store.hpp). MLflow ignores tables
// it does not know; created on every start so an existing MLflow database gains them.
constexpr const char* kAuthDdl[] = {
    "CREATE TABLE IF NOT EXISTS sextant_users (username VARCHAR(256) NOT NULL, password_hash TEXT, "
    "is_admin INTEGER NOT NULL DEFAULT 0, source VARCHAR(16) NOT NULL DEFAULT 'local', email VARCHAR(320), "
    "groups TEXT, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, CONSTRAINT sextant_users_pk PRIMARY KEY "
    "(username), CHECK (is_admin IN (0, 1)), CHECK (source IN ('local', 'oidc')))",
    "CREATE TABLE IF NOT EXISTS sextant_personal_tokens (token_id VARCHAR(32) NOT NULL, username VARCHAR(256) NOT "
    "NULL, name VARCHAR(256) NOT NULL, token_hash CHAR(64) NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT, "
    "last_used_ms BIGINT, revoked_ms BIGINT, CONSTRAINT sextant_personal_tokens_pk PRIMARY KEY (token_id), "
    "CONSTRAINT sextant_personal_tokens_hash UNIQUE (token_hash), FOREIGN KEY(username) REFERENCES sextant_users "
    "(username) ON DELETE CASCADE)",
    "CREATE INDEX IF NOT EXISTS sextant_personal_tokens_username ON sextant_personal_tokens (username)",
    "CREATE TABLE IF NOT EXISTS sextant_sessions (session_hash CHAR(64) NOT NULL, username VARCHAR(256) NOT NULL, "
    "created_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, idle_expires_ms BIGINT "
    "NOT NULL, refresh_token TEXT, issuer VARCHAR(1000), email VARCHAR(320), email_verified INTEGER NOT NULL DEFAULT "
    "0, groups TEXT, revoked_ms BIGINT, id_token TEXT, CONSTRAINT sextant_sessions_pk PRIMARY KEY (session_hash), "
    "FOREIGN KEY(username) REFERENCES sextant_users (username) ON DELETE CASCADE)",
    "CREATE INDEX IF NOT EXISTS sextant_sessions_username ON sextant_sessions (username)",
    "CREATE TABLE IF NOT EXISTS sextant_oauth_states (state_hash CHAR(64) NOT NULL, nonce VARCHAR(128) NOT NULL, "
    "code_verifier VARCHAR(128) NOT NULL, redirect_to TEXT NOT NULL, created_ms BIGINT NOT NULL, expires_ms BIGINT "
    "NOT NULL, CONSTRAINT sextant_oauth_states_pk PRIMARY KEY (state_hash))",
};

using migrations::column_exists;
using migrations::index_exists;
using migrations::table_exists;

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

struct Rewrite {
  const char* from;
  const char* to;
};

// The head DDL as MLflow's migrations leave it on PostgreSQL: experiment ids from a sequence
// (SERIAL, experiments_experiment_id_seq), FLOAT(53) as double precision, native booleans (no
// integer CHECK).
constexpr Rewrite kPostgresRewrites[] = {
    {"CREATE TABLE experiments ( experiment_id INTEGER NOT NULL", "CREATE TABLE experiments ( experiment_id SERIAL NOT NULL"},
    {" FLOAT", " DOUBLE PRECISION"},
    {", CHECK (is_nan IN (0, 1))", ""},
    {"BOOLEAN DEFAULT '0'", "BOOLEAN DEFAULT false"},
};

// The head DDL as MLflow's migrations leave it on MySQL: AUTO_INCREMENT experiment ids, DOUBLE,
// MEDIUMTEXT / LONGTEXT where MLflow asks for them. Tables are InnoDB in utf8mb4 with the binary
// collation (dialect_ddl), so that = and LIKE are case-sensitive and names unique
// case-sensitively, as on SQLite and PostgreSQL.
constexpr Rewrite kMysqlRewrites[] = {
    {"CREATE TABLE experiments ( experiment_id INTEGER NOT NULL",
     "CREATE TABLE experiments ( experiment_id INTEGER NOT NULL AUTO_INCREMENT"},
    {" FLOAT", " DOUBLE"},
    {"dataset_schema TEXT, dataset_profile TEXT", "dataset_schema MEDIUMTEXT, dataset_profile MEDIUMTEXT"},
    {" content TEXT NOT NULL", " content LONGTEXT NOT NULL"},
    // metrics.is_nan's CHECK twice: MLflow's 39d1c3be5f05 and c48cb773bb87 each add one there
    {"value, is_nan), CHECK (is_nan IN (0, 1))", "value, is_nan), CHECK (is_nan IN (0, 1)), CHECK (is_nan IN (0, 1))"},
};

template <std::size_t N>
std::string rewritten(std::string ddl, const Rewrite (&rewrites)[N]) {
  for (const auto& r : rewrites) replace_all(ddl, r.from, r.to);
  return ddl;
}

// "CREATE TABLE t ( a, b, CONSTRAINT ... )" in SQLAlchemy's layout, one column or constraint a
// line (migrations::ops::table_sql). SQLite keeps the text, and SQLAlchemy's SQLite reflection
// reads CHECK constraints line by line: on one line their names run together, and alembic's
// batch rebuild of such a table (MLflow's 1b5f0d9ad7c1 rebuilds experiments) emits invalid SQL.
std::string sqlalchemy_layout(std::string_view ddl) {
  const auto open = ddl.find('(');
  if (!ddl.starts_with("CREATE TABLE ") || open == std::string_view::npos) return std::string(ddl);
  std::string_view name = ddl.substr(13, open - 13);
  while (name.ends_with(' ')) name.remove_suffix(1);
  return migrations::ops::table_sql(name, migrations::create_table_items(ddl));
}

std::string dialect_ddl(const db::Dialect& d, const char* ddl) {
  switch (d.backend) {
    case db::Backend::Postgres: return rewritten(ddl, kPostgresRewrites);
    case db::Backend::Mysql: {
      auto out = rewritten(ddl, kMysqlRewrites);
      if (out.starts_with("CREATE TABLE")) out += " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin";
      return out;
    }
    case db::Backend::Sqlite: return sqlalchemy_layout(ddl);
  }
  return ddl;
}

// Runs DDL; CREATE [UNIQUE] INDEX IF NOT EXISTS only when the catalog lacks the index. MySQL has
// no IF NOT EXISTS there; PostgreSQL takes the table's SHARE lock before it sees that the index
// exists, so the statement would wait behind any open write transaction, such as one a frozen
// or cut-off process left open: the start would hang, and every writer of that table would
// queue behind it.
void exec_ddl(db::Connection& conn, const std::string& ddl) {
  const bool unique = ddl.starts_with("CREATE UNIQUE INDEX IF NOT EXISTS ");
  const std::string prefix = unique ? "CREATE UNIQUE INDEX IF NOT EXISTS " : "CREATE INDEX IF NOT EXISTS ";
  if (!ddl.starts_with(prefix)) return conn.exec(ddl);
  auto name_end = ddl.find(' ', prefix.size());
  auto on = ddl.find(" ON ", prefix.size());
  auto table_end = ddl.find(' ', on + 4);
  std::string name = ddl.substr(prefix.size(), name_end - prefix.size());
  std::string table = ddl.substr(on + 4, table_end - on - 4);
  if (index_exists(conn, table, name)) return;
  if (conn.dialect().backend != db::Backend::Mysql) return conn.exec(ddl);
  conn.exec(std::string(unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ") + ddl.substr(prefix.size()));
}

// "CREATE [UNIQUE] INDEX|TABLE x" -> "CREATE ... IF NOT EXISTS x".
std::string if_not_exists(std::string ddl) {
  for (std::string_view head : {"CREATE TABLE ", "CREATE INDEX ", "CREATE UNIQUE INDEX "}) {
    if (ddl.starts_with(head)) return ddl.insert(head.size(), "IF NOT EXISTS ");
  }
  return ddl;
}

// MySQL commits each CREATE by itself, so a first start killed while it creates the schema
// leaves part of it. alembic_version is created first and holds kCreatingSchema until the last
// table and index exist (the mark is committed with the next CREATE); a start that finds the
// mark runs the creation again (`resume`), skipping what exists. On SQLite and PostgreSQL the
// creation is one transaction and the mark is never seen.
void create_head_schema(db::Connection& conn, bool resume) {
  const auto& d = conn.dialect();
  for (const char* ddl : kHeadDdl) {
    if (resume) {
      exec_ddl(conn, if_not_exists(dialect_ddl(d, ddl)));
    } else {
      conn.exec(dialect_ddl(d, ddl));
    }
    if (std::string_view(ddl).starts_with("CREATE TABLE alembic_version ")) {
      conn.exec("DELETE FROM alembic_version");
      auto mark = conn.prepare("INSERT INTO alembic_version (version_num) VALUES (?)");
      mark.bind(1, std::string_view(kCreatingSchema)).run();
    }
  }
  auto st = conn.prepare("UPDATE alembic_version SET version_num = ?");
  st.bind(1, std::string_view(kSchemaHead)).run();
}

constexpr const char* kForkWorkspacesRevision = "1b5f0d9ad7c1";

// What the stores need to know, from the catalog.
SchemaProfile read_profile(db::Connection& conn, const std::string& revision) {
  SchemaProfile p;
  p.revision = revision;
  p.workspaces = column_exists(conn, "experiments", "workspace");
  if (column_exists(conn, "jobs", "job_name")) p.jobs_name_column = "job_name";
  p.trace_metrics = table_exists(conn, "trace_metrics");
  p.span_metrics = table_exists(conn, "span_metrics") && column_exists(conn, "spans", "dimension_attributes");
  const int at = upstream_position(revision);
  p.known_revision = at >= upstream_position(kSchemaHead);
  return p;
}

bool is_fork_schema(db::Connection& conn, const std::string& revision) {
  return revision == kForkWorkspacesRevision && !table_exists(conn, "secrets");
}

std::string read_revision(db::Connection& conn) {
  auto st = conn.prepare("SELECT version_num FROM alembic_version");
  return st.step() ? st.text(0) : "";
}

std::string bullet_list(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += "\n  - " + l;
  return out;
}

// Text without its whitespace (to prove that two CREATE statements differ in layout only).
std::string without_whitespace(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  }
  return out;
}

// Databases created by Sextant before the SQLAlchemy layout (sqlalchemy_layout) keep each table's
// CREATE statement on one line, and MLflow's own alembic then fails on them at 1b5f0d9ad7c1.
// Rewrites that stored text into the layout, only for tables whose text is exactly what Sextant
// wrote and only where the two differ in whitespace alone, so the table's definition (and its
// file format) stays the same: SQLite's documented procedure for schema changes that touch no
// data (ALTER TABLE, "other kinds of table schema changes"), in the caller's transaction.
// Returns the number of tables rewritten; 0 where the connection does not allow it.
int relayout_sextant_sqlite_tables(db::Connection& conn) {
  std::vector<std::pair<std::string, std::string>> changes;  // table, new text
  for (const char* ddl : kHeadDdl) {
    std::string_view old_text(ddl);
    if (!old_text.starts_with("CREATE TABLE ")) continue;
    auto name_end = old_text.find(' ', 13);
    std::string name(old_text.substr(13, name_end - 13));
    auto st = conn.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
    st.bind(1, name);
    if (!st.step() || st.text(0) != old_text) continue;
    std::string new_text = sqlalchemy_layout(old_text);
    if (new_text != old_text && without_whitespace(new_text) == without_whitespace(old_text)) {
      changes.emplace_back(name, std::move(new_text));
    }
  }
  if (changes.empty()) return 0;
  std::int64_t version = 0;
  {
    auto st = conn.prepare("PRAGMA schema_version");
    if (st.step()) version = st.int64(0);
  }
  try {
    conn.exec("PRAGMA writable_schema=ON");
    for (const auto& [name, text] : changes) {
      auto up = conn.prepare("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?");
      up.bind(1, text).bind(2, name).run();
    }
    conn.exec("PRAGMA schema_version=" + std::to_string(version + 1));
    conn.exec("PRAGMA writable_schema=OFF");
  } catch (const db::DbError&) {
    conn.exec("PRAGMA writable_schema=OFF");
    throw;
  }
  return static_cast<int>(changes.size());
}

// MLflow's server without workspaces refuses such databases too (it would mix their rows in).
void require_default_workspace_only(db::Connection& conn) {
  for (const char* table : {"experiments", "registered_models", "webhooks"}) {
    auto st = conn.prepare(std::string("SELECT workspace FROM ") + table + " WHERE workspace <> ? LIMIT 1");
    st.bind(1, std::string_view(kDefaultWorkspace));
    if (st.step()) {
      throw SchemaVersionError(std::string("The database has ") + table + " in MLflow workspace '" + st.text(0) +
                               "'. Sextant serves the default workspace only (like MLflow's server without "
                               "--enable-workspaces); it does not start on a multi-workspace database.");
    }
  }
}

}  // namespace

void refresh_planner_statistics(db::Connection& conn) {
  if (conn.dialect().backend == db::Backend::Sqlite) {
    // Sampled statistics (a few ms even on large databases) let SQLite pick the selective index
    // for searches; without them it scans by experiment.
    conn.exec("PRAGMA analysis_limit=1000");
    conn.exec("ANALYZE");
  } else if (conn.dialect().backend == db::Backend::Postgres) {
    // Autovacuum analyzes too, but only after a share of the table changed.
    conn.exec("ANALYZE runs, latest_metrics, params, tags");
  } else {
    conn.exec("ANALYZE TABLE runs, latest_metrics, params, tags");
  }
}

const std::vector<std::string>& head_table_columns(std::string_view table) {
  static const std::map<std::string, std::vector<std::string>, std::less<>> columns = [] {
    std::map<std::string, std::vector<std::string>, std::less<>> out;
    constexpr std::string_view head = "CREATE TABLE ";
    for (std::string_view ddl : kHeadDdl) {
      if (!ddl.starts_with(head)) continue;
      auto name_end = ddl.find(' ', head.size());
      out.emplace(std::string(ddl.substr(head.size(), name_end - head.size())), migrations::declared_columns(ddl));
    }
    return out;
  }();
  static const std::vector<std::string> none;
  auto it = columns.find(table);
  return it == columns.end() ? none : it->second;
}

SchemaReport inspect_database(db::Connection& conn) {
  SchemaReport r;
  db::Transaction tx(conn);
  if (!table_exists(conn, "alembic_version")) {
    r.empty = !table_exists(conn, "experiments");
    if (!r.empty) r.refusals.emplace_back("the database has MLflow tables but no alembic_version table");
    tx.commit();
    return r;
  }
  std::string revision = read_revision(conn);
  if (revision == kCreatingSchema || (revision.empty() && !table_exists(conn, "experiments"))) {
    r.empty = true;
    tx.commit();
    return r;
  }
  r.profile = read_profile(conn, revision);
  r.fork = is_fork_schema(conn, revision);
  const int at = upstream_position(revision);
  r.older_than_served = at >= 0 && at < upstream_position(kSchemaHead);
  if (!r.older_than_served) {
    auto findings = inspect_schema(read_catalog(conn), r.profile);
    r.refusals = std::move(findings.refusals);
    r.notes = std::move(findings.notes);
  }
  tx.commit();
  return r;
}

SchemaProfile ensure_schema(db::Connection& conn, const SchemaOptions& options) {
  const auto& d = conn.dialect();
  const std::string create_revision = options.create_revision.empty() ? kSchemaHead : options.create_revision;
  // Fails early (before anything is created) on a target Sextant cannot create.
  const UpgradePlan create_plan = plan_upgrade(kSchemaHead, create_revision);
  auto log = [&](const std::string& line) {
    if (options.log) options.log(line);
  };
  // SQLite: the migrations of a creation at a newer revision rebuild tables (see run_upgrade);
  // enforcement cannot change inside the transaction, so it is off for this one.
  const bool sqlite_rebuilds = d.backend == db::Backend::Sqlite && !create_plan.steps.empty();
  if (sqlite_rebuilds) conn.exec("PRAGMA foreign_keys=OFF");
  struct RestoreForeignKeys {
    db::Connection& conn;
    bool active;
    ~RestoreForeignKeys() {
      if (!active) return;
      try {
        conn.exec("PRAGMA foreign_keys=ON");
      } catch (...) {  // the connection is closed on failure anyway
      }
    }
  } restore{conn, sqlite_rebuilds};
  db::Transaction tx(conn, db::TransactionMode::Write);
  // Several servers may start at once on one PostgreSQL database: one creates, the others wait.
  if (d.backend == db::Backend::Postgres) conn.exec("SELECT pg_advisory_xact_lock(7365787461)");
  if (d.backend == db::Backend::Mysql) conn.exec("SELECT GET_LOCK('sextant_schema', 60)");  // until disconnect
  auto create = [&](bool resume) {
    create_head_schema(conn, resume);
    apply_upgrade_steps(conn, create_plan);
    if (!create_plan.steps.empty()) log("created the database's schema at MLflow revision " + create_revision);
  };
  std::string found;
  if (!table_exists(conn, "alembic_version")) {
    if (table_exists(conn, "experiments")) {
      throw SchemaVersionError(
          "The database has MLflow tables but no alembic_version table; it is not a database Sextant can serve. "
          "Run 'mlflow db upgrade <database_uri>' with MLflow 3.6 first.");
    }
    create(/*resume=*/false);
  } else {
    found = read_revision(conn);
    // Interrupted creation: marked, or killed before the mark was committed (no other table yet).
    if (found == kCreatingSchema || (found.empty() && !table_exists(conn, "experiments"))) create(/*resume=*/true);
  }
  found = read_revision(conn);
  SchemaProfile profile = read_profile(conn, found);
  const bool fork = is_fork_schema(conn, found);
  const int at = upstream_position(found);
  if (at >= 0 && at < upstream_position(kSchemaHead)) {
    throw SchemaVersionError("Detected out-of-date database schema (found version '" + found +
                             "', older than MLflow 3.6's '" + kSchemaHead +
                             "'). Take a backup of your database, then upgrade it with 'sextant db upgrade "
                             "--backend-store-uri <database_uri>' (or MLflow's 'mlflow db upgrade <database_uri>').");
  }
  if (!profile.known_revision && options.check == SchemaCheck::Strict) {
    throw SchemaVersionError("Detected unknown database schema (found version '" + found +
                             "'; Sextant knows MLflow's revisions up to '" + kNewestKnownRevision +
                             "') and --schema-check is strict. Use a Sextant release that knows it, or start "
                             "with --schema-check inspect to serve it when its tables accept Sextant's rows.");
  }
  if (d.backend == db::Backend::Sqlite) {
    if (int n = relayout_sextant_sqlite_tables(conn)) {
      log("rewrote the stored CREATE TABLE text of " + std::to_string(n) +
          " tables into SQLAlchemy's layout (whitespace only), so MLflow's own migrations can alter them");
    }
  }
  auto findings = inspect_schema(read_catalog(conn), profile);
  if (!findings.refusals.empty()) {
    throw SchemaVersionError("The database (MLflow revision '" + found + "'" +
                             (profile.known_revision ? "" : ", which Sextant does not know") +
                             ") cannot take the rows Sextant writes:" + bullet_list(findings.refusals) +
                             "\nSextant changed nothing. Use a Sextant release that knows this revision.");
  }
  if (profile.known_revision) {
    log("database at MLflow revision " + found + (fork ? " (the opendatahub-io fork's workspaces schema)" : "") +
        (profile.workspaces ? ", default workspace" : ""));
  } else {
    log("database at MLflow revision " + found + ", which Sextant does not know; its tables accept Sextant's rows, "
        "so Sextant serves it (--schema-check strict refuses such databases)");
    for (const auto& note : findings.notes) log("  " + note);
  }
  if (profile.workspaces) require_default_workspace_only(conn);
  for (const char* ddl : kExtraIndexes) exec_ddl(conn, ddl);
  if (d.backend == db::Backend::Mysql) {
    // MLflow's own index of a5b4c3d2e1f0 has the same columns: one is enough.
    if (index_exists(conn, "metrics", "index_metrics_run_uuid_key_step")) {
      if (index_exists(conn, "metrics", "sextant_metrics_run_key_step")) {
        conn.exec("DROP INDEX sextant_metrics_run_key_step ON metrics");
      }
    } else {
      exec_ddl(conn, kMetricHistoryIndexInnodb);
    }
  } else {
    exec_ddl(conn, kMetricHistoryIndex);
    conn.exec("DROP INDEX IF EXISTS sextant_metrics_run_key_step");
  }
  if (d.backend == db::Backend::Sqlite) {
    for (const char* ddl : kSqliteValueIndexes) exec_ddl(conn, ddl);
  }
  // Sessions tables of earlier builds kept the provider's refresh token in plain text and had no
  // id_token column: drop them (everybody signs in again) rather than keep those tokens.
  if (table_exists(conn, "sextant_sessions") && !column_exists(conn, "sextant_sessions", "id_token")) {
    conn.exec("DROP TABLE sextant_sessions");
  }
  for (const char* ddl : kAuthDdl) exec_ddl(conn, dialect_ddl(d, ddl));
  refresh_planner_statistics(conn);
  auto check = conn.prepare("SELECT 1 FROM experiments WHERE experiment_id = 0");
  if (!check.step()) {
    auto now = util::now_ms();
    auto ins = conn.prepare(std::string("INSERT INTO experiments (experiment_id, name, artifact_location, "
                                        "lifecycle_stage, creation_time, last_update_time") +
                            (profile.workspaces ? ", workspace) VALUES (0, 'Default', ?, 'active', ?, ?, 'default')"
                                                : ") VALUES (0, 'Default', ?, 'active', ?, ?)"));
    ins.bind(1, core::artifact_uri_join(options.default_artifact_root, "0")).bind(2, now).bind(3, now).run();
  }
  tx.commit();
  return profile;
}

}  // namespace sextant::store::sql
