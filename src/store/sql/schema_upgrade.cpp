#include "store/sql/schema_upgrade.hpp"

#include <algorithm>

namespace sextant::store::sql {

namespace {

// MLflow's upstream chain, MLflow 2.0's head first (each revision's down_revision is the one
// before it). Known here even where a migration is missing, so that serving never depends on it.
constexpr const char* kUpstreamRevisions[] = {
    "97727af70f4d",                                                                  // MLflow 2.0
    "3500859a5d39", "7f2a7d5fae7d", "2d6e25af4d3e", "acf3f17fdcc7", "867495a8f9d4", "5b0e9adcef9c",
    "4465047574b1", "f5a4f2784254", "0584bdc529eb", "400f98739977", "6953534de441", "bda7b8c39065",
    "cbc13b556ace", "770bee3ae1dd", "a1b2c3d4e5f6", "de4033877273", "1a0cddfcaa16", "534353b11cbc",
    "71994744cf8e", "3da73c924c2f", "bf29a5ff90ea",                                  // MLflow 3.6
    "1bd49d398cd23", "b7c8d9e0f1a2", "5d2d30f0abce", "c9d4e5f6a7b8", "2c33131f4dae", "d3e4f5a6b7c8",
    "d0e1f2a3b4c5", "c8d9e0f1a2b3", "1b5f0d9ad7c1", "e1f2a3b4c5d6", "76601a5f987d", "c3d6457b6d8a",
    "a5b4c3d2e1f0", "ae8bbe7743c9", "7d34483879f0",                                  // master, April 2026
};
constexpr const char* kUpstreamWorkspaces = "1b5f0d9ad7c1";

// The migration that produces `revision` on the upstream chain, or null when Sextant lacks it.
const migrations::Migration* upstream_migration(std::string_view revision) {
  for (auto chain : {migrations::mlflow2_to_mlflow36(), migrations::mlflow36_to_head()}) {
    for (const auto& m : chain) {
      if (revision == m.revision) return &m;
    }
  }
  return nullptr;
}

// The upstream steps after position `from` up to position `to` (positions in kUpstreamRevisions).
void add_upstream_steps(UpgradePlan& plan, int from, int to) {
  for (int i = from + 1; i <= to; ++i) {
    const char* rev = kUpstreamRevisions[i];
    const auto* m = upstream_migration(rev);
    if (!m) throw UpgradeError(std::string("Sextant has no migration to revision ") + rev + " yet");
    plan.steps.push_back(m);
  }
}

void stamp(db::Connection& conn, const std::string& revision) {
  auto st = conn.prepare("UPDATE alembic_version SET version_num = ?");
  st.bind(1, revision).run();
}

void apply(db::Connection& conn, const UpgradePlan& plan,
           const std::function<void(const migrations::Migration&)>& progress, bool stamp_each) {
  for (const auto* m : plan.steps) {
    if (progress) progress(*m);
    try {
      m->upgrade(conn);
    } catch (const std::exception& e) {
      throw UpgradeError(std::string("migration ") + m->revision + " (" + m->title + ") failed: " + e.what());
    }
    if (stamp_each) stamp(conn, m->revision);
  }
  if (!stamp_each && !plan.steps.empty()) stamp(conn, plan.steps.back()->revision);
}

}  // namespace

std::vector<std::string> known_revisions() {
  std::vector<std::string> out(std::begin(kUpstreamRevisions), std::end(kUpstreamRevisions));
  out.emplace_back(kForkRevisionName);
  return out;
}

int upstream_position(const std::string& revision) {
  for (std::size_t i = 0; i < std::size(kUpstreamRevisions); ++i) {
    if (revision == kUpstreamRevisions[i]) return static_cast<int>(i);
  }
  return -1;
}

bool is_upstream_revision(const std::string& revision) { return upstream_position(revision) >= 0; }

UpgradePlan plan_upgrade(const std::string& from, const std::string& to_in) {
  UpgradePlan plan{from, to_in.empty() ? std::string(kNewestKnownRevision) : to_in, {}};
  const std::string& to = plan.to;
  if (to == kForkRevisionName) {
    if (from == kForkRevisionName) return plan;
    const int at = upstream_position(from);
    const int base = upstream_position("bf29a5ff90ea");
    if (at < 0 || at > base) {
      throw UpgradeError("cannot upgrade from '" + from + "' to the opendatahub-io fork's 1b5f0d9ad7c1: the fork's "
                         "migration applies to MLflow 3.6's bf29a5ff90ea and the revisions before it only");
    }
    add_upstream_steps(plan, at, base);
    plan.steps.push_back(&migrations::fork_workspaces());
    return plan;
  }
  const int target = upstream_position(to);
  if (target < 0) throw UpgradeError("unknown target revision '" + to + "'");
  int at = 0;
  if (from == kForkRevisionName) {
    auto bridge = migrations::fork_to_upstream();
    if (bridge.empty()) {
      throw UpgradeError("the database is at the opendatahub-io fork's 1b5f0d9ad7c1; Sextant serves it as it is but "
                         "has no migration from it onto MLflow's upstream chain");
    }
    at = upstream_position(kUpstreamWorkspaces);
    if (target < at) throw UpgradeError("'" + to + "' is older than the database's revision (the fork's 1b5f0d9ad7c1)");
    for (const auto& m : bridge) plan.steps.push_back(&m);
  } else {
    at = upstream_position(from);
    if (at < 0) {
      throw UpgradeError("the database is at revision '" + from + "', which Sextant does not know; it upgrades "
                         "databases from MLflow 2.0's " + std::string(kUpstreamRevisions[0]) + " up to " +
                         kNewestKnownRevision);
    }
    if (target < at) {
      throw UpgradeError("'" + to + "' is older than the database's revision '" + from + "'; Sextant does not downgrade");
    }
  }
  add_upstream_steps(plan, at, target);
  return plan;
}

void apply_upgrade_steps(db::Connection& conn, const UpgradePlan& plan,
                         const std::function<void(const migrations::Migration&)>& progress) {
  apply(conn, plan, progress, /*stamp_each=*/conn.dialect().backend == db::Backend::Mysql);
}

void run_upgrade(db::Connection& conn, const UpgradePlan& plan,
                 const std::function<void(const migrations::Migration&)>& progress) {
  if (plan.steps.empty()) return;
  switch (conn.dialect().backend) {
    case db::Backend::Mysql:
      // DDL commits by itself: stamp after each step so that a failed run can be resumed.
      apply(conn, plan, progress, /*stamp_each=*/true);
      return;
    case db::Backend::Postgres: {
      db::Transaction tx(conn, db::TransactionMode::Write);
      conn.exec("SELECT pg_advisory_xact_lock(7365787461)");
      apply(conn, plan, progress, /*stamp_each=*/false);
      tx.commit();
      return;
    }
    case db::Backend::Sqlite: {
      // Table rebuilds drop and recreate referenced tables: enforcement off while they run (it
      // cannot change inside a transaction). The migrations copy rows as they are, so they keep
      // the references they had; a full check would scan every table (minutes on large databases),
      // and MLflow's migrations do not run one either.
      conn.exec("PRAGMA foreign_keys=OFF");
      try {
        db::Transaction tx(conn, db::TransactionMode::Write);
        apply(conn, plan, progress, /*stamp_each=*/false);
        tx.commit();
      } catch (...) {
        conn.exec("PRAGMA foreign_keys=ON");
        throw;
      }
      conn.exec("PRAGMA foreign_keys=ON");
      return;
    }
  }
}

}  // namespace sextant::store::sql
