// Plans and runs MLflow's migrations (store/sql/migrations/) on a database: `sextant db upgrade`
// and new databases created at a revision newer than MLflow 3.6's head. Not thread-safe; run it
// on a connection nobody else uses, with no server writing to the database.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "db/connection.hpp"
#include "store/sql/migrations/migration.hpp"

namespace sextant::store::sql {

// The spelling of the fork's revision on the command line (`--to`, `--create-schema-revision`):
// the database is stamped "1b5f0d9ad7c1" like upstream's, but its schema differs.
inline constexpr const char* kForkRevisionName = "opendatahub-io:1b5f0d9ad7c1";
// The newest revision Sextant can upgrade to.
inline constexpr const char* kNewestKnownRevision = "7d34483879f0";

// Thrown for a revision Sextant cannot upgrade from or to; the message says why and what to do.
class UpgradeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct UpgradePlan {
  std::string from;  // as stamped (or kForkRevisionName for a fork database)
  std::string to;
  std::vector<const migrations::Migration*> steps;  // in order; empty: already there
};

// Every revision Sextant knows, oldest first: MLflow 2.0's head, the chain up to MLflow 3.6's and
// on to kNewestKnownRevision, then kForkRevisionName.
std::vector<std::string> known_revisions();
// Whether `revision` is on the upstream chain from MLflow 2.0's head to kNewestKnownRevision.
bool is_upstream_revision(const std::string& revision);
// Position on the upstream chain (0 = MLflow 2.0's head); -1 if not on it.
int upstream_position(const std::string& revision);

// The migrations from `from` (a stamped revision; kForkRevisionName for the fork's schema) to
// `to` (empty: kNewestKnownRevision). Throws UpgradeError for an unknown revision, a downgrade,
// or a path Sextant has no migrations for.
UpgradePlan plan_upgrade(const std::string& from, const std::string& to);

// Applies `plan` to `conn` (see migration.hpp for the transaction contract) and stamps
// alembic_version; `progress` is called before each step. On failure nothing is changed on SQLite
// and PostgreSQL; on MySQL the stamp names the last completed step. Throws UpgradeError with the
// failing revision in the message.
void run_upgrade(db::Connection& conn, const UpgradePlan& plan,
                 const std::function<void(const migrations::Migration&)>& progress = {});
// The steps alone, in the caller's transaction (a new database's creation): stamps after each on
// MySQL, once at the end elsewhere. On SQLite the caller turns foreign_keys off first.
void apply_upgrade_steps(db::Connection& conn, const UpgradePlan& plan,
                         const std::function<void(const migrations::Migration&)>& progress = {});

}  // namespace sextant::store::sql
