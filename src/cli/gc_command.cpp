#include "cli/gc_command.hpp"

#include <iostream>

#include "artifacts/artifact_setup.hpp"
#include "config/config.hpp"
#include "db/uri.hpp"
#include "retention/trace_retention.hpp"
#include "store/sql/database.hpp"
#include "store/sql/sql_helpers.hpp"
#include "store/sql/sql_trace_store.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace sextant::cli {

namespace {

constexpr const char* kHelp = R"(Usage: sextant gc --older-than DURATION [--experiment-ids ID,ID...] [--batch-size N]
                  [server storage options]

Deletes the traces older than DURATION (their timestamp, i.e. when the request started) with
their spans, tags, request metadata, assessments, run links and artifact directories, oldest
first, in batches of N traces (default 500), each batch one short transaction, so it may run
beside a live server. A trace's artifacts are removed from its own directory only
(<experiment artifact location>/traces/<trace id>, inside the configured artifact roots); an
mlflow.artifactLocation tag naming any other place is never followed, and reported.

Options:
  --older-than DURATION     e.g. 30d, 12h, 90m (required)
  --experiment-ids IDS      only these experiments (comma separated; default: all)
  --batch-size N            traces per batch, 1..10000 (default 500)

The server's storage options and variables apply as for `sextant server` (give the same ones):
  --backend-store-uri URI, --default-artifact-root URI, --artifacts-destination PATH|s3://...,
  --serve-artifacts/--no-serve-artifacts, --allowed-artifact-root URI, --db-writers N.
)";

constexpr std::int64_t kMaxBatch = 10000;

int usage_error(const std::string& message) {
  std::cerr << "sextant gc: " << message << "\n" << kHelp;
  return 2;
}

}  // namespace

int run_gc_command(const std::vector<std::string>& args) {
  retention::RetentionOptions options;
  bool older_than_given = false;
  std::vector<std::string> server_args;
  try {
    for (std::size_t i = 0; i < args.size(); ++i) {
      const std::string& a = args[i];
      if (a == "--help" || a == "-h") {
        std::cout << kHelp;
        return 0;
      }
      std::string name = a, value;
      bool inline_value = false;
      if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
      if (name != "--older-than" && name != "--experiment-ids" && name != "--batch-size") {
        server_args.push_back(a);
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size()) return usage_error(name + " needs a value");
        value = args[++i];
      }
      if (name == "--older-than") {
        std::int64_t seconds = config::parse_duration_seconds(value, "--older-than");
        if (seconds <= 0) return usage_error("--older-than must be positive");
        options.older_than_ms = seconds * 1000;
        older_than_given = true;
      } else if (name == "--experiment-ids") {
        for (const auto& part : util::split(value, ',')) {
          std::string id(util::trim(part));
          if (id.empty()) continue;
          if (!store::sql::parse_experiment_id(id)) return usage_error("--experiment-ids: '" + id + "' is not an experiment id");
          options.experiment_ids.push_back(id);
        }
        if (options.experiment_ids.empty()) return usage_error("--experiment-ids names no experiment");
      } else {
        auto n = store::sql::parse_experiment_id(value);  // a plain integer
        if (!n || *n < 1 || *n > kMaxBatch) return usage_error("--batch-size must be an integer from 1 to 10000");
        options.batch_size = static_cast<std::size_t>(*n);
      }
    }
  } catch (const config::ConfigError& e) {
    return usage_error(e.what());
  }
  if (!older_than_given) return usage_error("--older-than is required");

  config::ServerConfig cfg;
  db::DatabaseUri backend;
  try {
    cfg = config::parse_server_args(server_args, config::process_env);
    backend = db::parse_database_uri(cfg.backend_store_uri);
  } catch (const config::ConfigError& e) {
    return usage_error(e.what());
  } catch (const db::UriError& e) {
    return usage_error(std::string("--backend-store-uri: ") + e.what());
  }

  try {
    const std::string default_root = config::effective_default_artifact_root(cfg);
    store::sql::DatabaseOptions opts;
    opts.uri = backend;
    opts.default_artifact_root = default_root;
    opts.reader_connections = 1;
    opts.writer_connections = static_cast<std::size_t>(cfg.db_writers);
    opts.schema.log = [](const std::string& line) { std::cerr << "sextant gc: " << line << std::endl; };
    store::sql::Database database(opts);
    store::sql::SqlTraceStore traces(database);
    auto setup = artifacts::make_artifact_setup(cfg.serve_artifacts, cfg.artifacts_destination, default_root,
                                                cfg.allowed_artifact_roots, config::process_env);
    retention::TraceRetention retention(traces, setup.destination.get(), setup.stores.get(),
                                        [](const std::string& line) { std::cerr << "sextant gc: " << line << std::endl; });
    auto report = retention.run(options, util::now_ms());
    for (const auto& [experiment, n] : report.deleted_per_experiment) {
      std::cout << "experiment " << experiment << ": " << n << " traces deleted\n";
    }
    std::cout << report.traces_deleted << " traces deleted in " << report.batches << " batches; "
              << report.artifact_dirs_removed << " artifact directories removed, " << report.artifact_locations_refused
              << " artifact locations left alone, " << report.traces_kept
              << " traces kept (their artifacts could not be removed)\n";
    return report.traces_kept > 0 ? 1 : 0;
  } catch (const std::exception& e) {  // core::MlflowError, database and artifact failures
    std::cerr << "sextant gc: " << e.what() << "\n";
  }
  return 1;
}

}  // namespace sextant::cli
