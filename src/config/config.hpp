// Server configuration from flags (mlflow server's names), SEXTANT_<NAME> and MLflow's own
// environment variables, in that order of precedence, then defaults. ${VAR} references inside
// URIs are expanded from the environment so secrets can live in their own variables.
// Pure apart from reading the environment through the given lookup function.
#pragma once

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

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 5000;
  std::string backend_store_uri = "sqlite:///mlflow.db";
  std::optional<std::string> default_artifact_root;
  bool serve_artifacts = true;
  std::string artifacts_destination = "./mlartifacts";
  int workers = 4;
  std::string static_prefix;
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// The process environment.
std::optional<std::string> process_env(const std::string& name);

// Parses `sextant server` arguments (without the program and "server" words).
// Throws ConfigError with a user-facing message on bad input.
ServerConfig parse_server_args(const std::vector<std::string>& args, const EnvLookup& env);

// Replaces ${NAME} with the variable's value; an unset variable is an error.
std::string expand_env(const std::string& text, const EnvLookup& env);

// The file path of a sqlite:/// URI ("sqlite:///rel.db" -> "rel.db", "sqlite:////abs.db" -> "/abs.db").
std::string sqlite_path(const std::string& uri);

std::string server_help();

}  // namespace sextant::config
