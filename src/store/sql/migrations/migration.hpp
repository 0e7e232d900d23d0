// MLflow's alembic migrations, as Sextant applies them (`sextant db upgrade`, and creating a new
// database at a revision newer than MLflow 3.6's): one Migration per alembic revision, whose
// `upgrade` runs the same DDL/DML as MLflow's migration file does on conn.dialect().
//
// Contract with the runner (store/sql/schema_upgrade.cpp), which every `upgrade` may rely on:
// - SQLite and PostgreSQL: the whole chain runs in one transaction (all or nothing). MySQL
//   commits each DDL statement by itself; there the runner stamps alembic_version after each
//   migration, so a failed upgrade can be resumed from the last completed revision.
// - SQLite: PRAGMA foreign_keys is OFF while the chain runs (table rebuilds drop and recreate
//   referenced tables); migrations must copy rows with their references intact.
// - The runner writes alembic_version; `upgrade` never does.
// - `upgrade` throws db::DbError (or std::runtime_error with a clear message) on failure.
#pragma once

#include <span>

#include "db/connection.hpp"

namespace sextant::store::sql::migrations {

struct Migration {
  const char* revision;       // the alembic id stamped once it ran (not always 12 characters)
  const char* down_revision;  // the revision it applies to
  const char* title;          // MLflow's migration title, for logs and `sextant db check`
  void (*upgrade)(db::Connection& conn);
};

// MLflow 2.0's head (97727af70f4d) up to MLflow 3.6's head (bf29a5ff90ea), in order: the first
// entry's down_revision is "97727af70f4d", the last entry's revision "bf29a5ff90ea".
std::span<const Migration> mlflow2_to_mlflow36();

// MLflow 3.6's head up to MLflow's master of April 2026 (7d34483879f0), upstream's chain in order:
// first down_revision "bf29a5ff90ea", last revision "7d34483879f0".
std::span<const Migration> mlflow36_to_head();

// The opendatahub-io fork's workspaces migration: bf29a5ff90ea -> "1b5f0d9ad7c1" (the same id as
// upstream's workspaces migration, but a different schema; see docs/design/mlflow-schema-revisions.md).
const Migration& fork_workspaces();

// From the fork's 1b5f0d9ad7c1 onto upstream's chain: brings a fork database to the schema of
// upstream's 1b5f0d9ad7c1 (the tables and columns of upstream's revisions 1bd49d398cd23 ..
// c8d9e0f1a2b3 that the fork lacks, and the jobs rename/index); stamped "1b5f0d9ad7c1". Empty
// when not implemented.
std::span<const Migration> fork_to_upstream();

}  // namespace sextant::store::sql::migrations
