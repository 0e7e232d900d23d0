// The command line: `sextant server [OPTIONS]`, `sextant --version`.
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "api/routes.hpp"
#include "artifacts/local_artifact_repo.hpp"
#include "config/config.hpp"
#include "http/server.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/sqlite_database.hpp"
#include "store/sql/sqlite_logged_model_store.hpp"
#include "store/sql/sqlite_registry_store.hpp"
#include "store/sql/sqlite_tracking_store.hpp"
#include "version.hpp"

namespace {

using namespace sextant;

int usage() {
  std::cerr << "Usage: sextant [--version] <command> [OPTIONS]\n\nCommands:\n  server   Run the tracking server "
               "(see 'sextant server --help')\n";
  return 2;
}

std::string absolute_local(const std::string& uri) {
  if (uri.find(':') != std::string::npos && !uri.starts_with("/")) return uri;  // a URI with a scheme
  return std::filesystem::absolute(uri).lexically_normal().string();
}

int run_server(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help") {
      std::cout << config::server_help();
      return 0;
    }
  }
  config::ServerConfig cfg;
  try {
    cfg = config::parse_server_args(args, config::process_env);
  } catch (const config::ConfigError& e) {
    std::cerr << "sextant server: " << e.what() << "\n";
    return 2;
  }
  if (!cfg.backend_store_uri.starts_with("sqlite:")) {
    std::cerr << "sextant server: unsupported --backend-store-uri '" << cfg.backend_store_uri.substr(0, cfg.backend_store_uri.find(':'))
              << ":...': this build serves sqlite:/// databases (PostgreSQL and MySQL come in a later release)\n";
    return 2;
  }
  std::string default_root = cfg.default_artifact_root ? absolute_local(*cfg.default_artifact_root)
                             : cfg.serve_artifacts     ? std::string("mlflow-artifacts:/")
                                                       : absolute_local("./mlruns");

  // Signals are handled by one thread that stops the server (SIGTERM from ECS, Ctrl-C).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    store::sql::SqliteOptions opts;
    opts.path = config::sqlite_path(cfg.backend_store_uri);
    opts.default_artifact_root = default_root;
    opts.reader_connections = static_cast<std::size_t>(std::max(8, cfg.workers * 2));
    store::sql::SqliteDatabase database(opts);
    store::sql::SqliteTrackingStore store(database);
    store::sql::SqliteLoggedModelStore logged_models(database);
    store::sql::SqliteRegistryStore registry(database);

    std::unique_ptr<artifacts::LocalArtifactRepo> destination;
    if (cfg.serve_artifacts) {
      if (cfg.artifacts_destination.find("://") != std::string::npos) {
        std::cerr << "sextant server: --artifacts-destination must be a local path in this build\n";
        return 2;
      }
      std::filesystem::create_directories(cfg.artifacts_destination);
      destination = std::make_unique<artifacts::LocalArtifactRepo>(cfg.artifacts_destination);
    }
    api::Services services{store, logged_models, destination.get(),
                           api::ServerSettings{cfg.serve_artifacts, default_root, cfg.static_prefix, kMlflowApiVersion}};
    services.registry = &registry;
    auto router = api::build_router(services);
    http::ServerOptions http_opts;
    http_opts.host = cfg.host;
    http_opts.port = static_cast<unsigned short>(cfg.port);
    http::Server server(router, http_opts);
    server.bind();
    std::thread signal_thread([&server, signals] {
      int sig = 0;
      sigwait(&signals, &sig);
      server.stop();
    });
    std::cerr << "sextant " << kSextantVersion << " listening on http://" << cfg.host << ":" << server.port()
              << " (backend " << cfg.backend_store_uri << ", artifacts "
              << (cfg.serve_artifacts ? cfg.artifacts_destination : std::string("not served")) << ")" << std::endl;
    server.run();
    std::cerr << "sextant: stopped" << std::endl;
    pthread_kill(signal_thread.native_handle(), SIGTERM);  // release sigwait if we stopped otherwise
    signal_thread.join();
  } catch (const store::sql::SchemaVersionError& e) {
    std::cerr << "sextant server: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "sextant server: " << e.what() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  if (args[0] == "--version" || args[0] == "version") {
    std::cout << "sextant " << kSextantVersion << " (MLflow REST API " << kMlflowApiVersion << ")\n";
    return 0;
  }
  if (args[0] == "--help" || args[0] == "-h") {
    usage();
    return 0;
  }
  if (args[0] == "server") return run_server({args.begin() + 1, args.end()});
  std::cerr << "sextant: unknown command '" << args[0] << "'\n";
  return usage();
}
