#include "config/config.hpp"

#include <charconv>
#include <cstdlib>

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
constexpr Option kValueOptions[] = {kHost, kPort, kBackend, kRoot, kDest, kWorkers, kPrefix};

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

}  // namespace

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

ServerConfig parse_server_args(const std::vector<std::string>& args, const EnvLookup& env) {
  std::vector<std::pair<std::string, std::string>> flags;  // flag -> value
  std::optional<bool> serve_flag;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--serve-artifacts") {
      serve_flag = true;
      continue;
    }
    if (a == "--no-serve-artifacts") {
      serve_flag = false;
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); a.starts_with("--") && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
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
  if (auto v = lookup(kPrefix)) c.static_prefix = *v;
  if (!c.static_prefix.empty() && (!c.static_prefix.starts_with("/") || c.static_prefix.ends_with("/"))) {
    throw ConfigError("--static-prefix must begin with a '/' and cannot end with a '/'");
  }
  return c;
}

std::string sqlite_path(const std::string& uri) {
  constexpr std::string_view kPrefix = "sqlite:///";
  if (!uri.starts_with(kPrefix)) throw ConfigError("not a sqlite URI: '" + uri + "'");
  std::string path = uri.substr(kPrefix.size());
  if (auto q = path.find('?'); q != std::string::npos) path = path.substr(0, q);
  if (path.empty() || path == ":memory:") {
    throw ConfigError("an in-memory SQLite database cannot be shared by the server's connections; use a file");
  }
  return path;
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
  --artifacts-destination PATH   Where proxied artifacts are stored              [MLFLOW_ARTIFACTS_DESTINATION]
                                 (default ./mlartifacts)
  --workers N                    Request-handling concurrency hint (default 4)   [MLFLOW_WORKERS]
  --static-prefix PREFIX         Prefix for UI and ajax routes, e.g. /mlflow     [MLFLOW_STATIC_PREFIX]
  --help                         Show this message and exit.
)";
}

}  // namespace sextant::config
