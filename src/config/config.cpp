#include "config/config.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "auth/cidr.hpp"
#include "auth/host_allowlist.hpp"
#include "util/strings.hpp"

namespace sextant::config {

namespace {

struct Option {
  const char* flag;        // "--host"
  const char* mlflow_env;  // MLflow's variable
  const char* sextant_env; // SEXTANT_<NAME>
};

constexpr Option kHost{"--host", "MLFLOW_HOST", "SEXTANT_HOST"};
constexpr Option kPort{"--port", "MLFLOW_PORT", "SEXTANT_PORT"};
constexpr Option kBackend{"--backend-store-uri", "MLFLOW_BACKEND_STORE_URI", "SEXTANT_BACKEND_STORE_URI"};
constexpr Option kRoot{"--default-artifact-root", "MLFLOW_DEFAULT_ARTIFACT_ROOT", "SEXTANT_DEFAULT_ARTIFACT_ROOT"};
constexpr Option kServe{"--serve-artifacts", "MLFLOW_SERVE_ARTIFACTS", "SEXTANT_SERVE_ARTIFACTS"};
constexpr Option kDest{"--artifacts-destination", "MLFLOW_ARTIFACTS_DESTINATION", "SEXTANT_ARTIFACTS_DESTINATION"};
constexpr Option kWorkers{"--workers", "MLFLOW_WORKERS", "SEXTANT_WORKERS"};
constexpr Option kPrefix{"--static-prefix", "MLFLOW_STATIC_PREFIX", "SEXTANT_STATIC_PREFIX"};
constexpr Option kUiDir{"--ui-dir", "SEXTANT_UI_DIR", "SEXTANT_UI_DIR"};
// Operations (no MLflow equivalent).
constexpr Option kAccessLog{"--access-log", nullptr, "SEXTANT_ACCESS_LOG"};
constexpr Option kMaxConnections{"--max-connections", nullptr, "SEXTANT_MAX_CONNECTIONS"};
constexpr Option kMaxBody{"--max-request-body", nullptr, "SEXTANT_MAX_REQUEST_BODY"};
constexpr Option kMaxHeader{"--max-header-size", nullptr, "SEXTANT_MAX_HEADER_SIZE"};
constexpr Option kKeepAlive{"--keep-alive-timeout", nullptr, "SEXTANT_KEEP_ALIVE_TIMEOUT"};
constexpr Option kBodyTimeout{"--request-body-timeout", nullptr, "SEXTANT_REQUEST_BODY_TIMEOUT"};
constexpr Option kShutdown{"--shutdown-timeout", nullptr, "SEXTANT_SHUTDOWN_TIMEOUT"};
// Connection lifecycle (issue 13).
constexpr Option kHeaderTimeout{"--header-timeout", nullptr, "SEXTANT_HEADER_TIMEOUT"};
constexpr Option kWriteTimeout{"--write-timeout", nullptr, "SEXTANT_WRITE_TIMEOUT"};
constexpr Option kMinRate{"--min-transfer-rate", nullptr, "SEXTANT_MIN_TRANSFER_RATE"};
constexpr Option kMaxPerAddress{"--max-connections-per-address", nullptr, "SEXTANT_MAX_CONNECTIONS_PER_ADDRESS"};
constexpr Option kDbWriters{"--db-writers", nullptr, "SEXTANT_DB_WRITERS"};
// Schema revisions (issue 15).
constexpr Option kSchemaCheck{"--schema-check", nullptr, "SEXTANT_SCHEMA_CHECK"};
constexpr Option kCreateRevision{"--create-schema-revision", nullptr, "SEXTANT_CREATE_SCHEMA_REVISION"};
// Trace retention (issue 16).
constexpr Option kTraceRetention{"--trace-retention", nullptr, "SEXTANT_TRACE_RETENTION"};
constexpr Option kValueOptions[] = {kHost,       kPort,           kBackend,  kRoot,       kDest,
                                    kWorkers,    kPrefix,         kUiDir,    kAccessLog,  kMaxConnections,
                                    kMaxBody,    kMaxHeader,      kKeepAlive, kBodyTimeout, kShutdown,
                                    kDbWriters,  kHeaderTimeout,  kWriteTimeout, kMinRate,    kMaxPerAddress,
                                    kSchemaCheck, kCreateRevision, kTraceRetention};

int parse_int(const std::string& text, const char* what) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) {
    throw ConfigError(std::string("invalid value for ") + what + ": '" + text + "'");
  }
  return v;
}

bool parse_bool(const std::string& text, const char* what) {
  auto t = util::to_lower(text);
  if (t == "1" || t == "true" || t == "yes" || t == "on") return true;
  if (t == "0" || t == "false" || t == "no" || t == "off") return false;
  throw ConfigError(std::string("invalid boolean for ") + what + ": '" + text + "'");
}

// Authentication options: flag, SEXTANT_ variable, kind.
enum class AuthKind { Value, List, Bool };
struct AuthOption {
  const char* flag;
  const char* env;
  AuthKind kind;
};
constexpr AuthOption kAuthOptions[] = {
    {"--auth", "SEXTANT_AUTH", AuthKind::Bool},
    {"--email-domain", "SEXTANT_EMAIL_DOMAIN", AuthKind::List},
    {"--allowed-group", "SEXTANT_ALLOWED_GROUP", AuthKind::List},
    {"--admin-group", "SEXTANT_ADMIN_GROUP", AuthKind::List},
    {"--oidc-groups-claim", "SEXTANT_OIDC_GROUPS_CLAIM", AuthKind::Value},
    {"--admin-bootstrap-file", "SEXTANT_ADMIN_BOOTSTRAP_FILE", AuthKind::Value},
    {"--trusted-proxy", "SEXTANT_TRUSTED_PROXY", AuthKind::List},
    {"--allowed-hosts", "SEXTANT_ALLOWED_HOSTS", AuthKind::List},
    {"--cookie-expire", "SEXTANT_COOKIE_EXPIRE", AuthKind::Value},
    {"--cookie-refresh", "SEXTANT_COOKIE_REFRESH", AuthKind::Value},
    {"--session-idle-timeout", "SEXTANT_SESSION_IDLE_TIMEOUT", AuthKind::Value},
    {"--audit-log", "SEXTANT_AUDIT_LOG", AuthKind::Value},
    {"--auth-failure-limit", "SEXTANT_AUTH_FAILURE_LIMIT", AuthKind::Value},
    {"--oidc-issuer-url", "SEXTANT_OIDC_ISSUER_URL", AuthKind::Value},
    {"--client-id", "SEXTANT_CLIENT_ID", AuthKind::Value},
    {"--client-secret", "SEXTANT_CLIENT_SECRET", AuthKind::Value},
    {"--client-secret-file", "SEXTANT_CLIENT_SECRET_FILE", AuthKind::Value},
    {"--redirect-url", "SEXTANT_REDIRECT_URL", AuthKind::Value},
    {"--scope", "SEXTANT_SCOPE", AuthKind::Value},
    {"--cookie-secret", "SEXTANT_COOKIE_SECRET", AuthKind::Value},
    {"--cookie-secret-file", "SEXTANT_COOKIE_SECRET_FILE", AuthKind::Value},
    {"--real-ip-from", "SEXTANT_REAL_IP_FROM", AuthKind::List},
    {"--skip-jwt-bearer-tokens", "SEXTANT_SKIP_JWT_BEARER_TOKENS", AuthKind::Bool},
    {"--extra-jwt-issuers", "SEXTANT_EXTRA_JWT_ISSUERS", AuthKind::List},
    {"--max-token-lifetime", "SEXTANT_MAX_TOKEN_LIFETIME", AuthKind::Value},
    {"--max-jwt-lifetime", "SEXTANT_MAX_JWT_LIFETIME", AuthKind::List},
};

const AuthOption* find_auth_option(const std::string& name) {
  for (const auto& o : kAuthOptions)
    if (name == o.flag) return &o;
  return nullptr;
}

bool is_bool_word(const std::string& s) {
  auto t = util::to_lower(s);
  return t == "1" || t == "0" || t == "true" || t == "false" || t == "yes" || t == "no" || t == "on" || t == "off";
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  for (auto part : util::split(text, ',')) {
    auto t = util::trim(part);
    if (!t.empty()) out.emplace_back(t);
  }
  return out;
}

void resolve_auth(AuthConfig& a, const std::vector<std::pair<std::string, std::string>>& flags, const EnvLookup& env) {
  auto values = [&](const AuthOption& o) {
    std::vector<std::string> out;
    for (const auto& [k, v] : flags)
      if (k == o.flag) out.push_back(v);
    if (out.empty())
      if (auto v = env(o.env)) out.push_back(*v);
    return out;
  };
  auto last = [&](const char* flag) -> std::optional<std::string> {
    auto v = values(*find_auth_option(flag));
    if (v.empty()) return std::nullopt;
    return v.back();
  };
  auto list = [&](const char* flag) {
    std::vector<std::string> out;
    for (const auto& v : values(*find_auth_option(flag)))
      for (auto& item : split_list(v)) out.push_back(std::move(item));
    return out;
  };
  if (auto v = last("--auth")) a.enabled = parse_bool(*v, "--auth");
  a.email_domains = list("--email-domain");
  a.allowed_groups = list("--allowed-group");
  a.admin_groups = list("--admin-group");
  if (auto v = last("--oidc-groups-claim")) a.oidc_groups_claim = *v;
  if (auto v = last("--admin-bootstrap-file")) a.admin_bootstrap_file = *v;
  a.admin_bootstrap = env("SEXTANT_ADMIN_BOOTSTRAP");
  a.trusted_proxies = list("--trusted-proxy");
  for (const auto& c : a.trusted_proxies) {
    if (!auth::Cidr::parse(c)) throw ConfigError("invalid --trusted-proxy '" + c + "': expected an IPv4/IPv6 address or CIDR");
  }
  if (auto hosts = list("--allowed-hosts"); !hosts.empty()) {
    a.allowed_hosts = hosts;
  } else if (auto v = env("MLFLOW_SERVER_ALLOWED_HOSTS")) {
    a.allowed_hosts = split_list(*v);
  }
  if (a.allowed_hosts) {
    try {
      auth::HostAllowlist::parse(*a.allowed_hosts);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(e.what());
    }
  }
  if (auto v = last("--cookie-expire")) a.cookie_expire_seconds = parse_duration_seconds(*v, "--cookie-expire");
  if (auto v = last("--cookie-refresh")) a.cookie_refresh_seconds = parse_duration_seconds(*v, "--cookie-refresh");
  if (auto v = last("--session-idle-timeout")) {
    a.session_idle_timeout_seconds = parse_duration_seconds(*v, "--session-idle-timeout");
  }
  if (a.cookie_expire_seconds <= 0) throw ConfigError("--cookie-expire must be positive");
  if (a.session_idle_timeout_seconds <= 0) throw ConfigError("--session-idle-timeout must be positive");
  if (a.cookie_refresh_seconds != 0 && a.cookie_refresh_seconds >= a.cookie_expire_seconds) {
    throw ConfigError("--cookie-refresh must be less than --cookie-expire");
  }
  if (auto v = last("--audit-log")) a.audit_log = *v;
  if (auto v = last("--auth-failure-limit")) a.failure_limit = parse_int(*v, "--auth-failure-limit");
  if (a.failure_limit < 1) throw ConfigError("--auth-failure-limit must be at least 1");
  if (auto v = last("--oidc-issuer-url")) a.oidc_issuer_url = *v;
  if (auto v = last("--client-id")) a.client_id = *v;
  if (auto v = last("--client-secret")) a.client_secret = *v;
  if (auto v = last("--client-secret-file")) a.client_secret_file = *v;
  if (!a.client_secret.empty() && !a.client_secret_file.empty()) {
    throw ConfigError("--client-secret and --client-secret-file cannot both be given");
  }
  if (auto v = last("--redirect-url")) a.redirect_url = *v;
  if (auto v = last("--scope")) {
    a.scope = std::string(util::trim(*v));
    bool openid = false;
    for (auto part : util::split(a.scope, ' ')) openid = openid || part == "openid";
    if (!openid) throw ConfigError("--scope must include 'openid'");
  }
  if (auto v = last("--cookie-secret")) a.cookie_secret = *v;
  if (auto v = last("--cookie-secret-file")) a.cookie_secret_file = *v;
  if (!a.cookie_secret.empty() && !a.cookie_secret_file.empty()) {
    throw ConfigError("--cookie-secret and --cookie-secret-file cannot both be given");
  }
  if (!a.cookie_secret.empty() && a.cookie_secret.size() < 16) {
    throw ConfigError("--cookie-secret must be at least 16 bytes (e.g. openssl rand -base64 32)");
  }
  if (a.cookie_refresh_seconds > 0 && a.cookie_secret.empty() && a.cookie_secret_file.empty()) {
    throw ConfigError("--cookie-refresh needs --cookie-secret or --cookie-secret-file (refresh tokens are kept "
                      "encrypted with it)");
  }
  a.real_ip_from = list("--real-ip-from");
  for (const auto& c : a.real_ip_from) {
    if (!auth::Cidr::parse(c)) throw ConfigError("invalid --real-ip-from '" + c + "': expected an IPv4/IPv6 address or CIDR");
  }
  if (auto v = last("--skip-jwt-bearer-tokens")) a.skip_jwt_bearer_tokens = parse_bool(*v, "--skip-jwt-bearer-tokens");
  for (const auto& item : list("--extra-jwt-issuers")) {
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
      throw ConfigError("invalid --extra-jwt-issuers '" + item + "': expected ISSUER=AUDIENCE");
    }
    a.extra_jwt_issuers.emplace_back(item.substr(0, eq), item.substr(eq + 1));
  }
  // Lifetime bounds (issue #13).
  if (auto v = last("--max-token-lifetime")) {
    a.max_token_lifetime_seconds = parse_duration_seconds(*v, "--max-token-lifetime");
    if (a.max_token_lifetime_seconds < 60 || a.max_token_lifetime_seconds > 3650LL * 86400) {
      throw ConfigError("--max-token-lifetime must be between 1m and 3650d");
    }
  }
  for (const auto& item : list("--max-jwt-lifetime")) {
    auto eq = item.rfind('=');
    std::string issuer = eq == std::string::npos ? "" : item.substr(0, eq);
    auto seconds = parse_duration_seconds(eq == std::string::npos ? item : item.substr(eq + 1), "--max-jwt-lifetime");
    if (seconds < 0) throw ConfigError("--max-jwt-lifetime must not be negative");
    if (issuer.empty()) {
      a.max_jwt_lifetime_seconds = seconds;
    } else {
      a.max_jwt_lifetime_per_issuer.emplace_back(issuer, seconds);
    }
  }
}

}  // namespace

std::int64_t parse_duration_seconds(const std::string& text, const char* what) {
  auto bad = [&] { return ConfigError(std::string("invalid duration for ") + what + ": '" + text + "' (e.g. 168h, 1h30m, 90s)"); };
  if (text.empty()) throw bad();
  if (text.find_first_not_of("0123456789") == std::string::npos) return parse_int(text, what);
  double total_ms = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = i;
    while (j < text.size() && (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.')) ++j;
    if (j == i) throw bad();
    double number = 0;
    try {
      number = std::stod(text.substr(i, j - i));
    } catch (const std::exception&) {
      throw bad();
    }
    std::size_t k = j;
    while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) ++k;
    auto unit = text.substr(j, k - j);
    double scale = unit == "d"   ? 86400e3
                   : unit == "h" ? 3600e3
                   : unit == "m" ? 60e3
                   : unit == "s" ? 1e3
                   : unit == "ms" ? 1
                                  : -1;
    if (scale < 0) throw bad();
    total_ms += number * scale;
    i = k;
  }
  if (!(total_ms <= 1e15)) throw bad();  // ~31,000 years: range-checked before the conversion
  return static_cast<std::int64_t>(total_ms / 1000);
}

std::optional<std::string> process_env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (!v) return std::nullopt;
  return std::string(v);
}

std::string expand_env(const std::string& text, const EnvLookup& env) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      auto close = text.find('}', i + 2);
      if (close == std::string::npos) throw ConfigError("unterminated ${ in '" + text + "'");
      std::string name = text.substr(i + 2, close - i - 2);
      auto value = env(name);
      if (!value) throw ConfigError("environment variable '" + name + "' referenced in a URI is not set");
      out += *value;
      i = close;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::int64_t parse_size(const std::string& text, const char* what) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p == text.data() || v < 0) throw ConfigError(std::string("invalid size for ") + what + ": '" + text + "'");
  std::string unit = util::to_lower(std::string(p, text.data() + text.size()));
  std::int64_t scale = 1;
  if (unit == "" || unit == "b") scale = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") scale = 1024;
  else if (unit == "m" || unit == "mb" || unit == "mib") scale = 1024 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") scale = 1024LL * 1024 * 1024;
  else throw ConfigError(std::string("invalid size for ") + what + ": '" + text + "' (units: K, M, G)");
  if (v > (std::int64_t{1} << 50) / scale) throw ConfigError(std::string("size too large for ") + what);
  return v * scale;
}

template <typename Lookup>
static void resolve_http(HttpConfig& h, const Lookup& lookup) {
  if (auto v = lookup(kAccessLog)) h.access_log = (*v == "off" || v->empty()) ? "" : *v;
  if (auto v = lookup(kMaxConnections)) h.max_connections = parse_int(*v, "--max-connections");
  if (h.max_connections < 1) throw ConfigError("--max-connections must be at least 1");
  if (auto v = lookup(kMaxBody)) h.max_request_body = parse_size(*v, "--max-request-body");
  if (auto v = lookup(kMaxHeader)) h.max_header_size = parse_size(*v, "--max-header-size");
  if (h.max_request_body < 1024) throw ConfigError("--max-request-body must be at least 1KiB");
  if (h.max_header_size < 1024 || h.max_header_size > (1LL << 30)) {
    throw ConfigError("--max-header-size must be between 1KiB and 1GiB");
  }
  auto positive = [&](const Option& o, std::int64_t& out) {
    if (auto v = lookup(o)) out = parse_duration_seconds(*v, o.flag);
    if (out <= 0) throw ConfigError(std::string(o.flag) + " must be positive");
    if (out > 30LL * 24 * 3600) throw ConfigError(std::string(o.flag) + " must be at most 30 days");
  };
  positive(kKeepAlive, h.keep_alive_timeout_seconds);
  positive(kBodyTimeout, h.request_body_timeout_seconds);
  positive(kShutdown, h.shutdown_timeout_seconds);
  // Connection lifecycle.
  positive(kHeaderTimeout, h.header_timeout_seconds);
  positive(kWriteTimeout, h.write_timeout_seconds);
  if (auto v = lookup(kMinRate)) h.min_transfer_rate = parse_size(*v, "--min-transfer-rate");
  if (auto v = lookup(kMaxPerAddress)) h.max_connections_per_address = parse_int(*v, "--max-connections-per-address");
  if (h.max_connections_per_address < 0) throw ConfigError("--max-connections-per-address must not be negative");
}

ServerConfig parse_server_args(const std::vector<std::string>& args, const EnvLookup& env) {
  std::vector<std::pair<std::string, std::string>> flags;  // flag -> value
  std::vector<std::pair<std::string, std::string>> auth_flags;
  std::optional<bool> serve_flag;
  bool webhook_private_flag = false;  // --webhook-allow-private-addresses
  std::vector<std::string> allowed_roots;  // --allowed-artifact-root (repeatable)
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--allowed-artifact-root" || a.starts_with("--allowed-artifact-root=")) {
      if (a.size() > 23) {
        allowed_roots.push_back(a.substr(24));
      } else {
        if (i + 1 >= args.size()) throw ConfigError("option " + a + " needs a value");
        allowed_roots.push_back(args[++i]);
      }
      continue;
    }
    if (a == "--serve-artifacts") {
      serve_flag = true;
      continue;
    }
    if (a == "--no-serve-artifacts") {
      serve_flag = false;
      continue;
    }
    if (a == "--webhook-allow-private-addresses") {
      webhook_private_flag = true;
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (const auto* auth_option = find_auth_option(name)) {
      if (!has_value) {
        if (auth_option->kind == AuthKind::Bool) {
          // "--auth" alone means on; "--auth off" / "--auth=off" as well.
          if (i + 1 < args.size() && is_bool_word(args[i + 1])) {
            value = args[++i];
          } else {
            value = "true";
          }
        } else {
          if (i + 1 >= args.size()) throw ConfigError("option " + name + " needs a value");
          value = args[++i];
        }
      }
      auth_flags.emplace_back(name, value);
      continue;
    }
    bool known = false;
    for (const auto& o : kValueOptions) known = known || name == o.flag;
    if (name == "-h") name = "--host", known = true;
    if (name == "-p") name = "--port", known = true;
    if (name == "-w") name = "--workers", known = true;
    if (!known) throw ConfigError("unknown option '" + a + "' (see 'sextant server --help')");
    if (!has_value) {
      if (i + 1 >= args.size()) throw ConfigError("option " + name + " needs a value");
      value = args[++i];
    }
    flags.emplace_back(name, value);
  }
  auto lookup = [&](const Option& o) -> std::optional<std::string> {
    for (const auto& [k, v] : flags)
      if (k == o.flag) return v;
    if (auto v = env(o.sextant_env)) return v;
    if (o.mlflow_env)
      if (auto v = env(o.mlflow_env)) return v;
    return std::nullopt;
  };

  ServerConfig c;
  if (auto v = lookup(kHost)) c.host = *v;
  if (auto v = lookup(kPort)) c.port = parse_int(*v, "--port");
  if (c.port < 0 || c.port > 65535) throw ConfigError("--port must be between 0 and 65535");
  if (auto v = lookup(kBackend)) c.backend_store_uri = *v;
  c.backend_store_uri = expand_env(c.backend_store_uri, env);
  if (auto v = lookup(kRoot)) c.default_artifact_root = expand_env(*v, env);
  if (serve_flag) {
    c.serve_artifacts = *serve_flag;
  } else if (auto v = env(kServe.sextant_env)) {
    c.serve_artifacts = parse_bool(*v, kServe.sextant_env);
  } else if (auto v = env(kServe.mlflow_env)) {
    c.serve_artifacts = parse_bool(*v, kServe.mlflow_env);
  }
  if (auto v = lookup(kDest)) c.artifacts_destination = expand_env(*v, env);
  if (auto v = lookup(kWorkers)) c.workers = parse_int(*v, "--workers");
  if (c.workers < 1) throw ConfigError("--workers must be at least 1");
  if (auto v = lookup(kSchemaCheck)) {
    if (*v != "inspect" && *v != "strict") throw ConfigError("--schema-check must be inspect or strict, not '" + *v + "'");
    c.schema_check_strict = *v == "strict";
  }
  if (auto v = lookup(kCreateRevision)) c.create_schema_revision = *v;
  if (auto v = lookup(kDbWriters)) {
    c.db_writers = parse_int(*v, "--db-writers");
    if (c.db_writers < 1 || c.db_writers > 64) throw ConfigError("--db-writers must be between 1 and 64");
  }
  if (auto v = lookup(kTraceRetention)) {
    c.trace_retention_seconds = parse_duration_seconds(*v, "--trace-retention");
    if (c.trace_retention_seconds < 0) throw ConfigError("--trace-retention must not be negative");
  }
  if (auto v = lookup(kPrefix)) c.static_prefix = *v;
  if (!c.static_prefix.empty() && (!c.static_prefix.starts_with("/") || c.static_prefix.ends_with("/"))) {
    throw ConfigError("--static-prefix must begin with a '/' and cannot end with a '/'");
  }
  if (allowed_roots.empty())
    if (auto v = env("SEXTANT_ALLOWED_ARTIFACT_ROOTS")) allowed_roots = split_list(*v);
  for (auto& r : allowed_roots) c.allowed_artifact_roots.push_back(expand_env(r, env));
  if (auto v = lookup(kUiDir)) c.ui_dir = *v;
  c.webhook_allow_private_addresses = webhook_private_flag;
  if (auto v = env("SEXTANT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES"); v && !webhook_private_flag) {
    c.webhook_allow_private_addresses = parse_bool(*v, "SEXTANT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES");
  }
  resolve_auth(c.auth, auth_flags, env);
  resolve_http(c.http, lookup);
  return c;
}

namespace {
std::string absolute_local(const std::string& uri) {
  if (uri.find(':') != std::string::npos && !uri.starts_with("/")) return uri;  // a URI with a scheme
  return std::filesystem::absolute(uri).lexically_normal().string();
}
}  // namespace

std::string effective_default_artifact_root(const ServerConfig& cfg) {
  if (cfg.default_artifact_root) return absolute_local(*cfg.default_artifact_root);
  return cfg.serve_artifacts ? std::string("mlflow-artifacts:/") : absolute_local("./mlruns");
}

std::string server_help() {
  return R"(Usage: sextant server [OPTIONS]

  Run the Sextant tracking server (MLflow REST API compatible).

Options (each also from SEXTANT_<NAME> or MLflow's MLFLOW_<NAME> variable):
  --host HOST                    Interface to bind (default 127.0.0.1)           [MLFLOW_HOST]
  --port PORT                    Port to listen on (default 5000)                [MLFLOW_PORT]
  --backend-store-uri URI        Metadata store (default sqlite:///mlflow.db);   [MLFLOW_BACKEND_STORE_URI]
                                 ${VAR} is expanded from the environment
  --default-artifact-root URI    Root for new experiments' artifacts (default    [MLFLOW_DEFAULT_ARTIFACT_ROOT]
                                 mlflow-artifacts:/ when serving artifacts)
  --serve-artifacts / --no-serve-artifacts
                                 Proxy artifacts through the server (default on) [MLFLOW_SERVE_ARTIFACTS]
  --artifacts-destination URI    Where proxied artifacts are stored: a local     [MLFLOW_ARTIFACTS_DESTINATION]
                                 path or s3://bucket/prefix (default ./mlartifacts)
  --allowed-artifact-root URI    A further root experiments' artifact_location   [SEXTANT_ALLOWED_ARTIFACT_ROOTS]
                                 may lie in (repeatable; the default artifact root and the destination
                                 always are); S3 settings: see README "Artifacts on S3"
  --workers N                    Request-handling concurrency hint (default 4)   [MLFLOW_WORKERS]
  --static-prefix PREFIX         Prefix for UI and ajax routes, e.g. /mlflow     [MLFLOW_STATIC_PREFIX]
  --ui-dir PATH                  The built web UI (default: web/ beside the      [SEXTANT_UI_DIR]
                                 binary; '' = no UI)
  --webhook-allow-private-addresses  Let registry webhooks reach loopback, private and link-local
                                 addresses (default: refused, SSRF); MLflow's MLFLOW_WEBHOOK_*
                                 variables (schemes, secret key, timeout, retries) apply as in MLflow

Operations (each also SEXTANT_<NAME>):
  --access-log PATH|-|off        JSON access log, one line per request with its request id
                                 (default - = stderr)
  --max-connections N            Concurrent client connections (default 512); when full, the
                                 connection idle longest is closed for a new one, else 503
  --max-connections-per-address N  Concurrent connections from one peer address (default 0 =
                                 max-connections/4; --real-ip-from balancers are exempt)
  --max-request-body SIZE        Largest body of a non-upload request (default 64MiB; then 413)
  --max-header-size SIZE         Largest request head (default 64KiB; then 431)
  --keep-alive-timeout DURATION  Close connections waiting this long for a request (default 150s;
                                 keep it above the load balancer's idle timeout)
  --header-timeout DURATION      A request head must arrive within this from its first byte
                                 (default 10s; then 408 and closed)
  --request-body-timeout DURATION  A request body that makes no progress this long: 408, closed
                                 (default 60s)
  --write-timeout DURATION       A response the client does not read for this long: closed
                                 (default 60s)
  --min-transfer-rate SIZE       Bytes per second request bodies and responses must average once
                                 their first timeout period has passed (default 1KiB; 0 = off)
  --shutdown-timeout DURATION    On SIGTERM, let in-flight requests finish for this long (default 20s)
  --db-writers N                 Writer connections to PostgreSQL/MySQL, each committing groups of
                                 requests; one run's writes always use the same one (default 4;
                                 SQLite always has one)
  --schema-check inspect|strict  A database at an MLflow revision Sextant does not know (a newer
                                 release): inspect serves it when its tables accept Sextant's rows
                                 (default); strict refuses it
  --create-schema-revision REV   The MLflow revision a new database is created at (default
                                 bf29a5ff90ea, MLflow 3.6's; up to 7d34483879f0, or
                                 opendatahub-io:1b5f0d9ad7c1); see `sextant db --help`
  --trace-retention DURATION     Delete traces older than this (e.g. 30d) with their spans and
                                 artifacts, at start and hourly, in the background (as
                                 `sextant gc --older-than`; default off)
  Probes: GET /health (alive), GET /ready (the database answers); GET /metrics (Prometheus text
  format; needs authentication when --auth is on).

Authentication (off by default; names as oauth2-proxy's; each also SEXTANT_<NAME>, lists comma-separated):
  --auth on|off                  Require authentication on every route but /health and the login
                                 endpoint (default off)                          [SEXTANT_AUTH]
  --email-domain DOMAIN          Allowed e-mail domain of external identities (repeatable; '*' = any;
                                 none = no external identity may enter; local users are exempt)
  --allowed-group GROUP          Only members of these groups may enter (repeatable)
  --admin-group GROUP            Members of this group are administrators (repeatable)
                                 GROUP: a plain name (groups from --oidc-issuer-url's tokens or the
                                 trusted proxy) or ISSUER#NAME (that issuer's groups only)
  --admin-bootstrap-file PATH    File with 'username:password' (or 'username:sxt_<token>') creating the
                                 first local administrator if that user does not exist yet
                                 (SEXTANT_ADMIN_BOOTSTRAP holds the same in the environment)
  --trusted-proxy CIDR           Honour X-Forwarded-Email/-User/-Groups only from these addresses
                                 (repeatable, IPv4/IPv6, e.g. 127.0.0.1/32)
  --allowed-hosts HOSTS          Host header allowlist, comma-separated (with or without --auth):
                                 exact names [:port], *.domain, IP addresses, CIDR ranges, MLflow's
                                 10.* style globs (IP literals only); '*' = no check (default:
                                 localhost, the --host address, loopback and private IP literals)
                                 [MLFLOW_SERVER_ALLOWED_HOSTS]
  --cookie-expire DURATION       Absolute session lifetime (default 168h)
  --cookie-refresh DURATION      Refresh browser OIDC sessions with the provider's refresh token
                                 once they are this old (default 0 = off; needs --cookie-secret)
  --cookie-secret SECRET | --cookie-secret-file PATH
                                 At least 16 bytes (same on every replica): encrypts the provider's
                                 refresh and ID tokens kept with sessions; without it they are not
                                 kept (no refresh, logout without id_token_hint)
  --session-idle-timeout DURATION  End sessions idle this long (default 24h)
  --audit-log PATH               Append the JSON-lines audit log here (default stderr)
  --auth-failure-limit N         Failed credential checks per address before back-off (default 10)
  --max-token-lifetime DURATION  Longest personal access token lifetime, also the default (default
                                 90d; at most 3650d)
  --real-ip-from CIDR            Load balancers whose X-Forwarded-For names the client address for
                                 back-off and audit (repeatable; default: the TCP peer is the client)

Browser login (OIDC authorization code flow with PKCE; <prefix>/auth/login, /auth/callback, /auth/logout):
  --oidc-issuer-url URL          OIDC issuer (discovery at URL/.well-known/openid-configuration)
  --client-id ID                 Our client id at the provider (the ID token's audience)
  --client-secret SECRET | --client-secret-file PATH
                                 Client secret (Basic or client_secret_post); none = public client
  --redirect-url URL             Callback URL registered at the provider
                                 (default https://<Host><prefix>/auth/callback)
  --scope SCOPES                 Scopes to request (default "openid email profile"; add "groups"
                                 or "offline_access" where the provider wants them)
  --oidc-groups-claim NAME       Claim holding the groups (default groups; dotted paths allowed)

Bearer JWTs for programs (as oauth2-proxy's --skip-jwt-bearer-tokens):
  --skip-jwt-bearer-tokens       Accept "Authorization: Bearer <JWT>" from the issuers below
                                 (--oidc-issuer-url with --client-id as audience, and:)
  --extra-jwt-issuers ISSUER=AUDIENCE  Another trusted issuer and its audience (repeatable)
  --max-jwt-lifetime [ISSUER=]DURATION  Refuse bearer JWTs (and ID tokens) living longer than this
                                 (exp - iat, or exp - now without iat); per issuer with ISSUER=
                                 (repeatable; default 24h; 0 = no limit)

  --help                         Show this message and exit.
)";
}

}  // namespace sextant::config
