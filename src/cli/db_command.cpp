#include "cli/db_command.hpp"

#include <filesystem>
#include <iostream>

#include "config/config.hpp"
#include "db/open.hpp"
#include "db/uri.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/schema_upgrade.hpp"

namespace sextant::cli {

namespace {

constexpr const char* kHelp = R"(Usage: sextant db check   --backend-store-uri URI
       sextant db upgrade --backend-store-uri URI [--to REVISION]

  check    Prints the database's MLflow schema revision and what Sextant would do with it:
           serve it, create it, refuse it (and why), and the upgrade it could apply. Changes
           nothing. Exit status 0 when `sextant server` would serve or create it, 1 otherwise.
  upgrade  Applies MLflow's own migrations (the same DDL as `mlflow db upgrade`) from the
           database's revision (any MLflow 2.0 or later created: 97727af70f4d onwards) up to
           REVISION (default 7d34483879f0, MLflow's master of April 2026): in one transaction
           on SQLite and PostgreSQL; on MySQL each migration commits by itself and is stamped
           once done. Stop the servers using the database and take a backup first.

Revisions: MLflow 2.0 97727af70f4d ... MLflow 3.6 bf29a5ff90ea, then 1bd49d398cd23 b7c8d9e0f1a2
  5d2d30f0abce c9d4e5f6a7b8 2c33131f4dae d3e4f5a6b7c8 d0e1f2a3b4c5 c8d9e0f1a2b3 1b5f0d9ad7c1
  e1f2a3b4c5d6 76601a5f987d c3d6457b6d8a a5b4c3d2e1f0 ae8bbe7743c9 7d34483879f0; and
  opendatahub-io:1b5f0d9ad7c1 for the opendatahub-io fork's workspaces schema (stamped 1b5f0d9ad7c1).

Options:
  --backend-store-uri URI   The database, as for `sextant server`  [MLFLOW_BACKEND_STORE_URI]
  --to REVISION             upgrade's target revision
)";

struct DbArgs {
  std::string command;
  std::string uri;
  std::string to;
};

int usage_error(const std::string& message) {
  std::cerr << "sextant db: " << message << "\n" << kHelp;
  return 2;
}

void print_plan(const store::sql::UpgradePlan& plan) {
  for (const auto* m : plan.steps) std::cout << "  " << m->down_revision << " -> " << m->revision << "  " << m->title << "\n";
}

int check(db::Connection& conn) {
  auto report = store::sql::inspect_database(conn);
  if (report.empty) {
    std::cout << "revision: none (empty database)\n"
              << "sextant server: creates MLflow 3.6's schema (" << store::sql::kSchemaHead
              << ", or the revision --create-schema-revision names)\n";
    return 0;
  }
  const auto& p = report.profile;
  const std::string from = report.fork ? store::sql::kForkRevisionName : p.revision;
  std::cout << "revision: " << (p.revision.empty() ? "(none)" : p.revision);
  if (report.fork) {
    std::cout << " (the opendatahub-io fork's workspaces schema)";
  } else if (report.older_than_served) {
    std::cout << " (MLflow before 3.6)";
  } else if (!p.known_revision) {
    std::cout << " (unknown to Sextant: a newer MLflow release?)";
  } else {
    std::cout << " (known)";
  }
  std::cout << "\nworkspace columns: " << (p.workspaces ? "yes (Sextant writes workspace 'default')" : "no") << "\n";
  for (const auto& n : report.notes) std::cout << "note: " << n << "\n";
  for (const auto& r : report.refusals) std::cout << "refused: " << r << "\n";
  int rc = 0;
  if (report.older_than_served) {
    std::cout << "sextant server: refuses it until it is upgraded (`sextant db upgrade`)\n";
    rc = 1;
  } else if (!report.refusals.empty()) {
    std::cout << "sextant server: refuses it (see above)\n";
    rc = 1;
  } else if (!p.known_revision) {
    std::cout << "sextant server: serves it (--schema-check inspect, the default); refuses it with --schema-check "
                 "strict\n";
  } else {
    std::cout << "sextant server: serves it\n";
  }
  if (store::sql::is_upstream_revision(p.revision) || report.fork) {
    try {
      auto plan = store::sql::plan_upgrade(from, "");
      if (plan.steps.empty()) {
        std::cout << "sextant db upgrade: nothing to do (at " << store::sql::kNewestKnownRevision << ")\n";
      } else {
        std::cout << "sextant db upgrade: would apply " << plan.steps.size() << " migration(s):\n";
        print_plan(plan);
      }
    } catch (const store::sql::UpgradeError& e) {
      std::cout << "sextant db upgrade: not possible: " << e.what() << "\n";
    }
  }
  return rc;
}

int upgrade(db::Connection& conn, const std::string& to) {
  auto report = store::sql::inspect_database(conn);
  if (report.empty) {
    std::cerr << "sextant db upgrade: the database has no MLflow schema; `sextant server` creates one (at the "
                 "revision --create-schema-revision names)\n";
    return 1;
  }
  const std::string from = report.fork ? store::sql::kForkRevisionName : report.profile.revision;
  auto plan = store::sql::plan_upgrade(from, to);
  if (plan.steps.empty()) {
    std::cout << "already at " << plan.to << "; nothing to do\n";
    return 0;
  }
  std::cout << "upgrading from " << from << " to " << plan.to << " (" << plan.steps.size() << " migrations)\n";
  store::sql::run_upgrade(conn, plan, [](const store::sql::migrations::Migration& m) {
    std::cout << "  " << m.down_revision << " -> " << m.revision << "  " << m.title << std::endl;
  });
  std::cout << "done: the database is at " << plan.to << "\n";
  return 0;
}

}  // namespace

int run_db_command(const std::vector<std::string>& args) {
  DbArgs a;
  if (args.empty()) return usage_error("missing command (check or upgrade)");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kHelp;
    return 0;
  }
  a.command = args[0];
  if (a.command != "check" && a.command != "upgrade") return usage_error("unknown command '" + a.command + "'");
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](const char* flag) -> std::optional<std::string> {
      const std::string f(flag);
      if (arg == f) {
        if (i + 1 >= args.size()) throw std::invalid_argument(f + " needs a value");
        return args[++i];
      }
      if (arg.starts_with(f + "=")) return arg.substr(f.size() + 1);
      return std::nullopt;
    };
    try {
      if (auto v = value("--backend-store-uri")) {
        a.uri = *v;
      } else if (auto t = value("--to")) {
        if (a.command != "upgrade") return usage_error("--to applies to upgrade only");
        a.to = *t;
      } else if (arg == "--help" || arg == "-h") {
        std::cout << kHelp;
        return 0;
      } else {
        return usage_error("unknown option '" + arg + "'");
      }
    } catch (const std::invalid_argument& e) {
      return usage_error(e.what());
    }
  }
  if (a.uri.empty()) {
    for (const char* var : {"MLFLOW_BACKEND_STORE_URI", "SEXTANT_BACKEND_STORE_URI"}) {
      if (auto v = config::process_env(var); v && a.uri.empty()) a.uri = *v;
    }
  }
  if (a.uri.empty()) return usage_error("--backend-store-uri is required");
  a.uri = config::expand_env(a.uri, config::process_env);
  try {
    auto uri = db::parse_database_uri(a.uri);
    // Opening a SQLite file that is not there would create it.
    if (uri.backend == db::Backend::Sqlite && uri.sqlite_path != ":memory:" &&
        !std::filesystem::exists(uri.sqlite_path)) {
      std::cerr << "sextant db " << a.command << ": no database file " << uri.sqlite_path << "\n";
      return 1;
    }
    auto conn = db::open_connection(uri);
    std::cout << "database: " << uri.redacted << "\n";
    return a.command == "check" ? check(*conn) : upgrade(*conn, a.to);
  } catch (const std::exception& e) {
    std::cerr << "sextant db " << a.command << ": " << e.what() << "\n";
    return 1;
  }
}

}  // namespace sextant::cli
