// Server configuration from flags (mlflow server's names), SEXTANT_<NAME> and MLflow's own
// environment variables, in that order of precedence, then defaults. ${VAR} references inside
// URIs are expanded from the environment so secrets can live in their own variables.
// Pure apart from reading the environment through the given lookup function.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace sextant::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Built-in authentication (--auth and friends). Names follow oauth2-proxy's where the meaning is
// the same. Each flag is also SEXTANT_<NAME> (repeatable ones: comma-separated in the variable).
struct AuthConfig {
  bool enabled = false;                         // --auth on|off
  std::vector<std::string> email_domains;       // --email-domain (repeatable; "*" = any)
  std::vector<std::string> allowed_groups;      // --allowed-group (repeatable)
  std::vector<std::string> admin_groups;        // --admin-group (repeatable)
  std::string oidc_groups_claim = "groups";     // --oidc-groups-claim (used by the OIDC/JWT login)
  std::string admin_bootstrap_file;             // --admin-bootstrap-file: "username:password" or "username:sxt_..."
  std::optional<std::string> admin_bootstrap;   // SEXTANT_ADMIN_BOOTSTRAP (environment only: same format)
  std::vector<std::string> trusted_proxies;     // --trusted-proxy CIDR (repeatable)
  std::optional<std::vector<std::string>> allowed_hosts;  // --allowed-hosts a,b (MLflow's; default list when unset)
  std::int64_t cookie_expire_seconds = 168 * 3600;        // --cookie-expire (absolute session lifetime)
  std::int64_t cookie_refresh_seconds = 0;                // --cookie-refresh (OIDC refresh; 0 = off)
  std::int64_t session_idle_timeout_seconds = 24 * 3600;  // --session-idle-timeout
  std::string audit_log;                        // --audit-log FILE ("" = stderr)
  int failure_limit = 10;                       // --auth-failure-limit: free failed checks per address

  // Bearer JWTs (--skip-jwt-bearer-tokens) and the browser OIDC login use the settings below.
  std::string oidc_issuer_url;                  // --oidc-issuer-url
  std::string client_id;                        // --client-id
  std::string client_secret;                    // --client-secret
  std::string client_secret_file;               // --client-secret-file
  std::string redirect_url;                     // --redirect-url
  std::string scope = "openid email profile";   // --scope (add e.g. "groups" where the provider needs it)
  std::string cookie_secret;                    // --cookie-secret: seals the provider tokens sessions keep
  std::string cookie_secret_file;               // --cookie-secret-file
  std::vector<std::string> real_ip_from;        // --real-ip-from CIDR (repeatable): load balancers whose
                                                //   X-Forwarded-For names the client (back-off, audit)
  bool skip_jwt_bearer_tokens = false;          // --skip-jwt-bearer-tokens
  std::vector<std::pair<std::string, std::string>> extra_jwt_issuers;  // --extra-jwt-issuers ISSUER=AUDIENCE
  std::int64_t max_token_lifetime_seconds = 90LL * 86400;  // --max-token-lifetime (personal tokens)
  std::int64_t max_jwt_lifetime_seconds = 24 * 3600;       // --max-jwt-lifetime DURATION (0 = no limit)
  std::vector<std::pair<std::string, std::int64_t>> max_jwt_lifetime_per_issuer;  // --max-jwt-lifetime ISSUER=DURATION
};

// "168h", "1h30m", "15m", "90s", "500ms" (Go's duration syntax, as oauth2-proxy), "90d", or plain seconds.
std::int64_t parse_duration_seconds(const std::string& text, const char* what);

// The HTTP server's limits, timeouts and access log (operations; not MLflow's flags).
struct HttpConfig {
  std::string access_log = "-";                          // --access-log PATH | - (stderr) | off
  int max_connections = 512;                             // --max-connections
  std::int64_t max_request_body = 64LL * 1024 * 1024;    // --max-request-body (non-upload routes)
  std::int64_t max_header_size = 64 * 1024;              // --max-header-size
  std::int64_t keep_alive_timeout_seconds = 150;         // --keep-alive-timeout (waiting for a request)
  std::int64_t request_body_timeout_seconds = 60;        // --request-body-timeout (no progress)
  std::int64_t shutdown_timeout_seconds = 20;            // --shutdown-timeout (drain on SIGTERM)
  // Connection lifecycle.
  std::int64_t header_timeout_seconds = 10;              // --header-timeout (a head, from its first byte)
  std::int64_t write_timeout_seconds = 60;               // --write-timeout (a response, no progress)
  std::int64_t min_transfer_rate = 1024;                 // --min-transfer-rate (bytes/s; 0 = off)
  int max_connections_per_address = 0;                   // --max-connections-per-address (0 = max/4)
};

// "64MiB", "512k", "1G", "1048576": bytes (K/M/G and KiB/MiB/GiB are powers of 1024).
std::int64_t parse_size(const std::string& text, const char* what);

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 5000;
  std::string backend_store_uri = "sqlite:///mlflow.db";
  std::optional<std::string> default_artifact_root;
  bool serve_artifacts = true;
  std::string artifacts_destination = "./mlartifacts";
  std::vector<std::string> allowed_artifact_roots;  // --allowed-artifact-root (repeatable)
  int workers = 4;
  int db_writers = 0;  // --db-writers; 0 = the backend's default (store/sql/database.hpp)
  bool schema_check_strict = false;    // --schema-check strict (default inspect)
  std::string create_schema_revision;  // --create-schema-revision; empty = MLflow 3.6's head
  std::string static_prefix;
  std::optional<std::string> ui_dir;  // --ui-dir; unset = web/ beside the binary
  AuthConfig auth;
  HttpConfig http;
  // Webhooks may be delivered to loopback/private/link-local addresses (--webhook-allow-private-addresses,
  // SEXTANT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES); MLflow's MLFLOW_WEBHOOK_* variables are read by webhooks/.
  bool webhook_allow_private_addresses = false;
  // --trace-retention DURATION (SEXTANT_TRACE_RETENTION): the server deletes traces older than
  // this in the background, hourly (as `sextant gc --older-than`); 0 = never.
  std::int64_t trace_retention_seconds = 0;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> process_env(const std::string& name);

// Parses `sextant server` arguments (without the program and "server" words).
// Throws ConfigError with a user-facing message on bad input.
ServerConfig parse_server_args(const std::vector<std::string>& args, const EnvLookup& env);

// The default artifact root new experiments get: --default-artifact-root (a local path made
// absolute), else mlflow-artifacts:/ when serving artifacts, else ./mlruns made absolute.
std::string effective_default_artifact_root(const ServerConfig& cfg);

// Replaces ${NAME} with the variable's value; an unset variable is an error.
std::string expand_env(const std::string& text, const EnvLookup& env);


std::string server_help();

}  // namespace sextant::config
