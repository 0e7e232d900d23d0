// The command line: `sextant server [OPTIONS]`, `sextant routes`, `sextant health`, `sextant --version`.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "api/routes.hpp"
#include "artifacts/artifact_setup.hpp"
#include "cli/db_command.hpp"
#include "cli/gc_command.hpp"
#include "cli/health_check.hpp"
#include "retention/retention_schedule.hpp"
#include "util/prometheus.hpp"
#include "artifacts/local_artifact_repo.hpp"
#include "auth/authenticators.hpp"
#include "auth/curl_http_fetcher.hpp"
#include "auth/jwt/jwks_cache.hpp"
#include "auth/jwt/jwt_bearer_authenticator.hpp"
#include "auth/jwt/jwt_verifier.hpp"
#include "auth/bootstrap.hpp"
#include "auth/gate.hpp"
#include "auth/oidc_login.hpp"
#include "auth/token_sealer.hpp"
#include "config/config.hpp"
#include "http/server.hpp"
#include "store/sql/schema.hpp"
#include "store/sql/sql_auth_store.hpp"
#include "db/uri.hpp"
#include "store/sql/database.hpp"
#include "store/sql/sql_evaluation_dataset_store.hpp"
#include "store/sql/sql_logged_model_store.hpp"
#include "store/sql/sql_trace_store.hpp"
#include "store/sql/sql_registry_store.hpp"
#include "store/sql/sql_scorer_store.hpp"
#include "store/sql/sql_tracking_store.hpp"
#include "store/sql/sql_webhook_store.hpp"
#include "webhooks/registry_events.hpp"
#include "webhooks/webhook_service.hpp"
#include "version.hpp"

namespace {

using namespace sextant;

int usage() {
  std::cerr << "Usage: sextant [--version] <command> [OPTIONS]\n\nCommands:\n  server   Run the tracking server "
               "(see 'sextant server --help')\n  health   Exit 0 when the server's /health answers (for container health checks)\n"
               "  routes   Print every route with its access policy "
               "(takes the server's options)\n  db       Check a database's MLflow schema revision or upgrade it "
               "(see 'sextant db --help')\n"
               "  gc       Delete traces older than a duration, with their spans and artifacts "
               "(see 'sextant gc --help')\n";
  return 2;
}

// Registry webhooks: their store, the delivery queue, the API's service, and the registry as the
// routes see it (firing events after each write). Settings from MLflow's MLFLOW_WEBHOOK_* variables.
struct WebhookRuntime {
  WebhookRuntime(store::sql::Database& database, store::RegistryStore& registry, const config::ServerConfig& cfg)
      : store(database),
        dispatcher(store, webhooks::webhook_settings_from_env(config::process_env, cfg.webhook_allow_private_addresses)),
        service(store, dispatcher),
        registry_with_events(registry, dispatcher) {}
  void attach(api::Services& services) {
    services.registry = &registry_with_events;
    services.webhooks = &service;
  }
  store::sql::SqlWebhookStore store;
  webhooks::WebhookDispatcher dispatcher;
  webhooks::WebhookService service;
  webhooks::EventFiringRegistryStore registry_with_events;
};

// Built-in authentication, owned for the server's lifetime. The authenticator chain is tried in
// order; the first that recognises a credential decides.
struct AuthRuntime {
  std::unique_ptr<store::sql::SqlAuthStore> store;
  std::unique_ptr<auth::AuditLog> audit;
  auth::PersonalTokenAuthenticator* tokens = nullptr;
  auth::BasicAuthenticator* basic = nullptr;
  std::unique_ptr<auth::Gate> gate;
  std::unique_ptr<auth::AccessRules> rules;     // the Gate's rules, for the browser login
  std::unique_ptr<auth::OidcLogin> oidc;        // the browser login, when configured
  std::unique_ptr<auth::TokenSealer> sealer;    // with --cookie-secret(-file)
  std::unique_ptr<auth::AuthContext> context;
  std::unique_ptr<auth::GroupsRefresher> groups;  // keeps external users' token groups current
};

// A secret given inline or as a file (trailing newlines dropped); "" when neither.
std::string secret_value(const std::string& inline_value, const std::string& file, const char* flag) {
  if (file.empty()) return inline_value;
  std::ifstream in(file);
  if (!in) throw std::runtime_error(std::string("cannot read ") + flag + " '" + file + "'");
  std::stringstream text;
  text << in.rdbuf();
  auto value = text.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  return value;
}

// Trusted JWT issuers from ISSUER=AUDIENCE specs, each with its --max-jwt-lifetime.
std::vector<auth::jwt::IssuerConfig> jwt_issuers(const config::AuthConfig& a, const std::vector<std::string>& specs) {
  auto issuers = auth::jwt::parse_issuer_specs(specs);
  for (auto& i : issuers) {
    i.max_lifetime = std::chrono::seconds(a.max_jwt_lifetime_seconds);
    for (const auto& [issuer, seconds] : a.max_jwt_lifetime_per_issuer)
      if (issuer == i.issuer) i.max_lifetime = std::chrono::seconds(seconds);
  }
  return issuers;
}

// The Host check runs with or without --auth (MLflow's security middleware does by default).
std::optional<auth::HostAllowlist> host_allowlist(const config::ServerConfig& cfg) {
  auto hosts = cfg.auth.allowed_hosts ? auth::HostAllowlist::parse(*cfg.auth.allowed_hosts)
                                      : auth::HostAllowlist::defaults(cfg.host);
  if (!hosts.allows_every_host()) return hosts;
  std::cerr << "sextant: WARNING: --allowed-hosts '*' accepts ALL hosts: the server may be open to DNS rebinding "
               "attacks" << std::endl;
  return std::nullopt;
}

// The Gate always exists (the Host check and the form-encoding refusal run without --auth too);
// the authenticators, store use and handlers' context only with --auth.
std::unique_ptr<AuthRuntime> build_auth(const config::ServerConfig& cfg, store::sql::Database& database) {
  const auto& a = cfg.auth;
  auto rt = std::make_unique<AuthRuntime>();
  rt->store = std::make_unique<store::sql::SqlAuthStore>(database);
  rt->audit = std::make_unique<auth::AuditLog>(a.audit_log);

  std::vector<std::unique_ptr<auth::Authenticator>> chain;
  if (a.enabled) {
    std::vector<auth::Cidr> proxies;
    for (const auto& c : a.trusted_proxies) proxies.push_back(*auth::Cidr::parse(c));
    if (!proxies.empty()) chain.push_back(std::make_unique<auth::TrustedProxyAuthenticator>(std::move(proxies)));
    auto tokens = std::make_unique<auth::PersonalTokenAuthenticator>(*rt->store);
    rt->tokens = tokens.get();
    auto basic = std::make_unique<auth::BasicAuthenticator>(*rt->store, *tokens, rt->audit.get());
    rt->basic = basic.get();
    chain.push_back(std::move(tokens));
    chain.push_back(std::move(basic));
    // Bearer JWTs (oauth2-proxy's --skip-jwt-bearer-tokens): the OIDC issuer with the client id
    // as audience, plus every --extra-jwt-issuers ISSUER=AUDIENCE. After personal tokens (which
    // only take "Bearer sxt_...") and before sessions.
    if (a.skip_jwt_bearer_tokens) {
      std::vector<std::string> specs;
      if (!a.oidc_issuer_url.empty() && !a.client_id.empty()) specs.push_back(a.oidc_issuer_url + "=" + a.client_id);
      for (const auto& [issuer, audience] : a.extra_jwt_issuers) specs.push_back(issuer + "=" + audience);
      if (specs.empty()) {
        throw std::runtime_error(
            "--skip-jwt-bearer-tokens needs --oidc-issuer-url with --client-id, or --extra-jwt-issuers ISSUER=AUDIENCE");
      }
      auto keys = std::make_shared<auth::jwt::JwksCache>(std::make_shared<auth::CurlHttpFetcher>());
      auto verifier = std::make_shared<const auth::jwt::JwtVerifier>(jwt_issuers(a, specs), keys);
      chain.push_back(std::make_unique<auth::jwt::JwtBearerAuthenticator>(
          verifier, auth::jwt::JwtBearerOptions{a.oidc_groups_claim}));
    }
    // The browser login (authorization code + PKCE) with --oidc-issuer-url and --client-id.
    if (!a.oidc_issuer_url.empty() && !a.client_id.empty()) {
      auth::OidcLoginOptions o;
      o.issuer = a.oidc_issuer_url;
      o.client_id = a.client_id;
      o.client_secret = secret_value(a.client_secret, a.client_secret_file, "--client-secret-file");
      o.groups_claim = a.oidc_groups_claim;
      o.scope = a.scope;
      auto fetcher = std::make_shared<auth::CurlHttpFetcher>();
      auto keys = std::make_shared<auth::jwt::JwksCache>(fetcher);
      auto verifier = std::make_shared<const auth::jwt::JwtVerifier>(
          jwt_issuers(a, {a.oidc_issuer_url + "=" + a.client_id}), keys);
      rt->oidc = std::make_unique<auth::OidcLogin>(std::move(o), *rt->store, fetcher, verifier);
    }
    if (auto secret = secret_value(a.cookie_secret, a.cookie_secret_file, "--cookie-secret-file"); !secret.empty()) {
      try {
        rt->sealer = std::make_unique<auth::TokenSealer>(secret);
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("--cookie-secret-file: ") + e.what());
      }
    }
    auto sessions = std::make_unique<auth::SessionAuthenticator>(
        *rt->store, std::chrono::seconds(a.session_idle_timeout_seconds), rt->audit.get());
    if (rt->oidc && a.cookie_refresh_seconds > 0)
      sessions->enable_refresh(rt->oidc.get(), std::chrono::seconds(a.cookie_refresh_seconds), rt->sealer.get());
    chain.push_back(std::move(sessions));
  }
  auth::GateOptions gate_opts;
  gate_opts.authenticate = a.enabled;
  gate_opts.hosts = host_allowlist(cfg);
  gate_opts.login_path = cfg.static_prefix + "/auth/login";
  gate_opts.static_prefix = cfg.static_prefix;
  gate_opts.limiter.free_failures = a.failure_limit;
  for (const auto& c : a.real_ip_from) gate_opts.real_ip_from.push_back(*auth::Cidr::parse(c));
  rt->rules = std::make_unique<auth::AccessRules>(auth::AccessRulesConfig{a.email_domains, a.allowed_groups, a.admin_groups, a.oidc_issuer_url});
  rt->gate = std::make_unique<auth::Gate>(gate_opts, std::move(chain), *rt->rules, *rt->audit);
  if (a.enabled) {
    rt->groups = std::make_unique<auth::GroupsRefresher>(*rt->store);
    rt->gate->set_groups_refresher(rt->groups.get());
  }
  if (a.enabled) {
    rt->context = std::make_unique<auth::AuthContext>(
        auth::AuthContext{*rt->store, *rt->audit, rt->gate->limiter(), *rt->basic,
                          std::chrono::seconds(a.cookie_expire_seconds), std::chrono::seconds(a.session_idle_timeout_seconds),
                          nullptr, nullptr, ""});
    rt->context->oidc = rt->oidc.get();
    rt->context->rules = rt->rules.get();
    rt->context->redirect_url = a.redirect_url;
    rt->context->sealer = rt->sealer.get();
    rt->context->max_token_lifetime = std::chrono::seconds(a.max_token_lifetime_seconds);
  }
  return rt;
}

// Creates the first admin from --admin-bootstrap-file / SEXTANT_ADMIN_BOOTSTRAP; warns about what
// this build does not do yet. Throws std::runtime_error on a bad bootstrap.
void prepare_auth(const config::ServerConfig& cfg, AuthRuntime& rt) {
  const auto& a = cfg.auth;
  if (!a.enabled) return;
  std::optional<std::string> bootstrap = a.admin_bootstrap;
  if (!a.admin_bootstrap_file.empty()) {
    std::ifstream in(a.admin_bootstrap_file);
    if (!in) throw std::runtime_error("cannot read --admin-bootstrap-file '" + a.admin_bootstrap_file + "'");
    std::stringstream text;
    text << in.rdbuf();
    bootstrap = text.str();
  }
  if (bootstrap) {
    try {
      std::cerr << "sextant: admin bootstrap: "
                << auth::apply_bootstrap(*rt.store, auth::parse_bootstrap(*bootstrap), *rt.audit) << std::endl;
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(std::string("admin bootstrap: ") + e.what());
    }
  } else if (a.admin_groups.empty() && rt.store->count_admins() == 0) {
    std::cerr << "sextant: warning: authentication is on but there is no administrator; give "
                 "--admin-bootstrap-file (or SEXTANT_ADMIN_BOOTSTRAP) or --admin-group" << std::endl;
  }
  if ((!a.client_secret.empty() || !a.client_secret_file.empty() || !a.redirect_url.empty() ||
       a.cookie_refresh_seconds > 0) && !rt.oidc) {
    std::cerr << "sextant: warning: --client-secret, --redirect-url and --cookie-refresh belong to the browser OIDC "
                 "login, which needs --oidc-issuer-url and --client-id; they are ignored" << std::endl;
  }
  bool plain_groups = false;
  for (const auto* list : {&a.allowed_groups, &a.admin_groups})
    for (const auto& g : *list) plain_groups = plain_groups || auth::parse_group_rule(g).issuer.empty();
  if (plain_groups && a.oidc_issuer_url.empty() && a.trusted_proxies.empty()) {
    std::cerr << "sextant: warning: plain --allowed-group/--admin-group names match the groups of --oidc-issuer-url "
                 "and the trusted proxy, and neither is configured; name a bearer-JWT issuer's groups as "
                 "ISSUER#GROUP" << std::endl;
  }
  if (a.email_domains.empty()) {
    std::cerr << "sextant: note: no --email-domain given: no external identity (proxy, OIDC, JWT) may enter; local "
                 "users can" << std::endl;
  }
}

// `sextant routes [server options]`: the route table as the server would build it with those
// options and authentication on, one "METHOD KIND POLICY PATH" line per route. Uses a throwaway
// database so nothing configured is touched.
int list_routes(const std::vector<std::string>& args) {
  config::ServerConfig cfg;
  try {
    cfg = config::parse_server_args(args, config::process_env);
  } catch (const config::ConfigError& e) {
    std::cerr << "sextant routes: " << e.what() << "\n";
    return 2;
  }
  cfg.auth.enabled = true;
  cfg.auth.admin_bootstrap.reset();
  cfg.auth.admin_bootstrap_file.clear();
  auto dir = std::filesystem::temp_directory_path() / ("sextant-routes-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  int rc = 0;
  try {
    store::sql::DatabaseOptions opts;
    opts.uri = db::parse_database_uri("sqlite:///" + (dir / "routes.db").string());
    opts.default_artifact_root = "mlflow-artifacts:/";
    opts.reader_connections = 1;
    store::sql::Database database(opts);
    store::sql::SqlTrackingStore store(database);
    store::sql::SqlLoggedModelStore logged_models(database);
    store::sql::SqlRegistryStore registry(database);
    store::sql::SqlTraceStore traces(database);
    store::sql::SqlEvaluationDatasetStore evaluation_datasets(database);  // issue 16
    store::sql::SqlScorerStore scorers(database);
    artifacts::LocalArtifactRepo destination((dir / "artifacts").string());
    auto rt = build_auth(cfg, database);
    api::Services services{store, logged_models, cfg.serve_artifacts ? &destination : nullptr,
                           api::ServerSettings{cfg.serve_artifacts, "mlflow-artifacts:/", cfg.static_prefix, kMlflowApiVersion, ""}};
    services.registry = &registry;
    services.traces = &traces;
    services.evaluation_datasets = &evaluation_datasets;
    services.scorers = &scorers;
    WebhookRuntime webhook_runtime(database, registry, cfg);
    webhook_runtime.attach(services);
    services.auth = rt->context.get();
    auto router = api::build_router(services);
    util::prom::add_process_collector(util::prom::Registry::global());
    for (const auto& r : router.routes()) {
      std::cout << r.method << ' ' << r.kind << ' ' << auth::policy_name(r.policy) << ' ' << r.path
                << (r.streaming ? " streaming" : "") << '\n';
    }
  } catch (const std::exception& e) {
    std::cerr << "sextant routes: " << e.what() << "\n";
    rc = 1;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return rc;
}

// --ui-dir, else web/ beside the binary when it holds a built UI ("" = no UI).
std::string ui_directory(const config::ServerConfig& cfg) {
  if (cfg.ui_dir) return *cfg.ui_dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "";
  auto dir = exe.parent_path() / "web";
  return std::filesystem::is_regular_file(dir / "index.html", ec) ? dir.string() : "";
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
  db::DatabaseUri backend;
  try {
    backend = db::parse_database_uri(cfg.backend_store_uri);
  } catch (const db::UriError& e) {
    std::cerr << "sextant server: --backend-store-uri: " << e.what() << "\n";
    return 2;
  }
  std::string default_root = config::effective_default_artifact_root(cfg);

  // Signals are handled by one thread that stops the server (SIGTERM from ECS, Ctrl-C).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  try {
    store::sql::DatabaseOptions opts;
    opts.uri = backend;
    opts.default_artifact_root = default_root;
    opts.reader_connections = static_cast<std::size_t>(std::max(8, cfg.workers * 2));
    opts.writer_connections = static_cast<std::size_t>(cfg.db_writers);
    opts.schema.check = cfg.schema_check_strict ? store::sql::SchemaCheck::Strict : store::sql::SchemaCheck::Inspect;
    opts.schema.create_revision = cfg.create_schema_revision;
    opts.schema.log = [](const std::string& line) { std::cerr << "sextant: " << line << std::endl; };
    store::sql::Database database(opts);
    store::sql::SqlTrackingStore store(database);
    store::sql::SqlLoggedModelStore logged_models(database);
    store::sql::SqlRegistryStore registry(database);
    store::sql::SqlTraceStore traces(database);
    store::sql::SqlEvaluationDatasetStore evaluation_datasets(database);  // issue 16
    store::sql::SqlScorerStore scorers(database);
    auto auth_runtime = build_auth(cfg, database);
    prepare_auth(cfg, *auth_runtime);

    artifacts::ArtifactSetup artifact_setup = artifacts::make_artifact_setup(
        cfg.serve_artifacts, cfg.artifacts_destination, default_root, cfg.allowed_artifact_roots, config::process_env);
    api::Services services{store, logged_models, artifact_setup.destination.get(),
                           api::ServerSettings{cfg.serve_artifacts, default_root, cfg.static_prefix, kMlflowApiVersion,
                                               ui_directory(cfg)}};
    services.stores = artifact_setup.stores.get();
    services.settings.max_request_body = static_cast<std::size_t>(cfg.http.max_request_body);
    services.registry = &registry;
    services.traces = &traces;
    services.evaluation_datasets = &evaluation_datasets;
    services.scorers = &scorers;
    WebhookRuntime webhook_runtime(database, registry, cfg);
    webhook_runtime.attach(services);
    services.auth = auth_runtime->context.get();
    auto router = api::build_router(services);
    util::prom::add_process_collector(util::prom::Registry::global());
    http::ServerOptions http_opts;
    http_opts.host = cfg.host;
    http_opts.port = static_cast<unsigned short>(cfg.port);
    http_opts.access_log = cfg.http.access_log;
    http_opts.max_connections = static_cast<std::size_t>(cfg.http.max_connections);
    http_opts.max_body_bytes = static_cast<std::size_t>(cfg.http.max_request_body);
    http_opts.max_header_bytes = static_cast<std::size_t>(cfg.http.max_header_size);
    http_opts.idle_timeout_seconds = static_cast<int>(cfg.http.keep_alive_timeout_seconds);
    http_opts.body_timeout_seconds = static_cast<int>(cfg.http.request_body_timeout_seconds);
    http_opts.shutdown_grace_seconds = static_cast<int>(cfg.http.shutdown_timeout_seconds);
    http_opts.header_timeout_seconds = static_cast<int>(cfg.http.header_timeout_seconds);
    http_opts.write_timeout_seconds = static_cast<int>(cfg.http.write_timeout_seconds);
    http_opts.min_transfer_rate = static_cast<std::uint64_t>(cfg.http.min_transfer_rate);
    http_opts.max_connections_per_address = static_cast<std::size_t>(cfg.http.max_connections_per_address);
    for (const auto& c : cfg.auth.real_ip_from) http_opts.uncapped_peers.push_back(*auth::Cidr::parse(c));
    // --trace-retention: hourly passes on this server's own stores and artifact roots.
    auto retention_log = [](const std::string& line) { std::cerr << "sextant: " << line << std::endl; };
    retention::TraceRetention retention(traces, artifact_setup.destination.get(), artifact_setup.stores.get(),
                                        retention_log);
    std::optional<retention::RetentionSchedule> retention_schedule;
    if (cfg.trace_retention_seconds > 0) {
      retention_schedule.emplace(retention, retention::RetentionOptions{cfg.trace_retention_seconds * 1000, {}, 500},
                                 std::chrono::hours(1), retention_log);
    }
    http::Server server(router, http_opts, auth_runtime->gate.get());
    server.bind();
    std::thread signal_thread([&server, signals] {
      int sig = 0;
      sigwait(&signals, &sig);
      server.stop();
    });
    std::cerr << "sextant " << kSextantVersion << " listening on http://" << cfg.host << ":" << server.port()
              << " (backend " << backend.redacted << ", artifacts "
              << (cfg.serve_artifacts ? artifact_setup.destination_uri : std::string("not served"))
              << (cfg.auth.enabled ? ", authentication on" : "") << ")" << std::endl;
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
  if (args[0] == "routes") return list_routes({args.begin() + 1, args.end()});
  if (args[0] == "health") return cli::run_health_check({args.begin() + 1, args.end()});
  if (args[0] == "db") return cli::run_db_command({args.begin() + 1, args.end()});
  if (args[0] == "gc") return cli::run_gc_command({args.begin() + 1, args.end()});
  std::cerr << "sextant: unknown command '" << args[0] << "'\n";
  return usage();
}
