#include "config/config.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace sextant::config;

namespace {
EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST(ServerConfig, Defaults) {
  auto c = parse_server_args({}, env_of({}));
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_EQ(c.port, 5000);
  EXPECT_EQ(c.backend_store_uri, "sqlite:///mlflow.db");
  EXPECT_TRUE(c.serve_artifacts);
  EXPECT_EQ(c.artifacts_destination, "./mlartifacts");
  EXPECT_FALSE(c.default_artifact_root);
}

TEST(ServerConfig, FlagsBothForms) {
  auto c = parse_server_args({"--host", "0.0.0.0", "--port=5100", "--no-serve-artifacts", "--workers", "8",
                              "--static-prefix", "/mlflow", "--default-artifact-root", "s3://b/p"},
                             env_of({}));
  EXPECT_EQ(c.host, "0.0.0.0");
  EXPECT_EQ(c.port, 5100);
  EXPECT_FALSE(c.serve_artifacts);
  EXPECT_EQ(c.workers, 8);
  EXPECT_EQ(c.static_prefix, "/mlflow");
  EXPECT_EQ(c.default_artifact_root, "s3://b/p");
}

TEST(ServerConfig, PrecedenceFlagThenSextantThenMlflow) {
  auto env = env_of({{"MLFLOW_PORT", "6000"}, {"SEXTANT_PORT", "7000"}, {"MLFLOW_HOST", "10.0.0.1"},
                     {"MLFLOW_SERVE_ARTIFACTS", "false"}});
  auto c = parse_server_args({}, env);
  EXPECT_EQ(c.port, 7000);
  EXPECT_EQ(c.host, "10.0.0.1");
  EXPECT_FALSE(c.serve_artifacts);
  auto d = parse_server_args({"--port", "8000", "--serve-artifacts"}, env);
  EXPECT_EQ(d.port, 8000);
  EXPECT_TRUE(d.serve_artifacts);
}

TEST(ServerConfig, ExpandsVariablesInUris) {
  auto env = env_of({{"DB_PASSWORD", "s3cr3t"}, {"MLFLOW_BACKEND_STORE_URI", "sqlite:///${DB_DIR}/x.db"},
                     {"DB_DIR", "/data"}});
  auto c = parse_server_args({}, env);
  EXPECT_EQ(c.backend_store_uri, "sqlite:////data/x.db");
  EXPECT_EQ(expand_env("postgresql://u:${DB_PASSWORD}@h/db", env), "postgresql://u:s3cr3t@h/db");
  EXPECT_THROW(expand_env("x${MISSING}", env), ConfigError);
  EXPECT_THROW(expand_env("x${OPEN", env), ConfigError);
}

TEST(ServerConfig, RejectsBadInput) {
  EXPECT_THROW(parse_server_args({"--bogus"}, env_of({})), ConfigError);
  EXPECT_THROW(parse_server_args({"--port"}, env_of({})), ConfigError);
  EXPECT_THROW(parse_server_args({"--port", "abc"}, env_of({})), ConfigError);
  EXPECT_THROW(parse_server_args({"--port", "70000"}, env_of({})), ConfigError);
  EXPECT_THROW(parse_server_args({"--static-prefix", "mlflow"}, env_of({})), ConfigError);
  EXPECT_THROW(parse_server_args({"--static-prefix", "/mlflow/"}, env_of({})), ConfigError);
  EXPECT_THROW(parse_server_args({}, env_of({{"MLFLOW_SERVE_ARTIFACTS", "maybe"}})), ConfigError);
}

namespace sextant::config {
namespace {

TEST(HttpConfig, DefaultsFlagsAndEnvironment) {
  auto d = parse_server_args({}, [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_EQ(d.http.access_log, "-");
  EXPECT_EQ(d.http.max_connections, 512);
  EXPECT_EQ(d.http.max_request_body, 64LL * 1024 * 1024);
  EXPECT_EQ(d.http.keep_alive_timeout_seconds, 150);
  EXPECT_EQ(d.http.request_body_timeout_seconds, 60);
  EXPECT_EQ(d.http.shutdown_timeout_seconds, 20);
  auto c = parse_server_args({"--access-log", "off", "--max-connections=64", "--max-request-body", "8MiB",
                              "--max-header-size", "16k", "--keep-alive-timeout", "2m", "--request-body-timeout",
                              "15s", "--shutdown-timeout", "25s"},
                             [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_EQ(c.http.access_log, "");
  EXPECT_EQ(c.http.max_connections, 64);
  EXPECT_EQ(c.http.max_request_body, 8LL * 1024 * 1024);
  EXPECT_EQ(c.http.max_header_size, 16 * 1024);
  EXPECT_EQ(c.http.keep_alive_timeout_seconds, 120);
  EXPECT_EQ(c.http.request_body_timeout_seconds, 15);
  EXPECT_EQ(c.http.shutdown_timeout_seconds, 25);
  auto e = parse_server_args({}, [](const std::string& k) -> std::optional<std::string> {
    if (k == "SEXTANT_ACCESS_LOG") return std::string("/var/log/sextant/access.log");
    if (k == "SEXTANT_SHUTDOWN_TIMEOUT") return std::string("30s");
    return std::nullopt;
  });
  EXPECT_EQ(e.http.access_log, "/var/log/sextant/access.log");
  EXPECT_EQ(e.http.shutdown_timeout_seconds, 30);
}

TEST(ServerConfig, DatabaseWriters) {
  auto none = [](const std::string&) { return std::optional<std::string>(); };
  EXPECT_EQ(parse_server_args({}, none).db_writers, 0);  // the backend's default
  EXPECT_EQ(parse_server_args({"--db-writers", "8"}, none).db_writers, 8);
  auto env = parse_server_args({}, [](const std::string& k) -> std::optional<std::string> {
    if (k == "SEXTANT_DB_WRITERS") return std::string("2");
    return std::nullopt;
  });
  EXPECT_EQ(env.db_writers, 2);
}

TEST(HttpConfig, ConnectionLifecycle) {
  auto none = [](const std::string&) { return std::optional<std::string>(); };
  auto d = parse_server_args({}, none);
  EXPECT_EQ(d.http.header_timeout_seconds, 10);
  EXPECT_EQ(d.http.write_timeout_seconds, 60);
  EXPECT_EQ(d.http.min_transfer_rate, 1024);
  EXPECT_EQ(d.http.max_connections_per_address, 0);  // max-connections / 4
  auto c = parse_server_args({"--header-timeout", "3s", "--write-timeout=2m", "--min-transfer-rate", "0",
                              "--max-connections-per-address", "16"},
                             none);
  EXPECT_EQ(c.http.header_timeout_seconds, 3);
  EXPECT_EQ(c.http.write_timeout_seconds, 120);
  EXPECT_EQ(c.http.min_transfer_rate, 0);
  EXPECT_EQ(c.http.max_connections_per_address, 16);
  auto e = parse_server_args({}, [](const std::string& k) -> std::optional<std::string> {
    if (k == "SEXTANT_HEADER_TIMEOUT") return std::string("20s");
    if (k == "SEXTANT_MIN_TRANSFER_RATE") return std::string("4KiB");
    if (k == "SEXTANT_MAX_CONNECTIONS_PER_ADDRESS") return std::string("2");
    return std::nullopt;
  });
  EXPECT_EQ(e.http.header_timeout_seconds, 20);
  EXPECT_EQ(e.http.min_transfer_rate, 4096);
  EXPECT_EQ(e.http.max_connections_per_address, 2);
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--header-timeout", "0"}, {"--write-timeout", "-1s"}, {"--min-transfer-rate", "-1"},
           {"--max-connections-per-address", "-1"}, {"--keep-alive-timeout", "100000h"}}) {
    EXPECT_THROW(parse_server_args(args, none), ConfigError) << args[0];
  }
}

TEST(HttpConfig, SizesAndBadValues) {
  EXPECT_EQ(parse_size("1048576", "x"), 1048576);
  EXPECT_EQ(parse_size("512k", "x"), 512 * 1024);
  EXPECT_EQ(parse_size("64MiB", "x"), 64LL * 1024 * 1024);
  EXPECT_EQ(parse_size("1G", "x"), 1024LL * 1024 * 1024);
  for (const char* bad : {"", "abc", "-1", "12 MB", "5T", "1.5M"}) EXPECT_THROW(parse_size(bad, "x"), ConfigError) << bad;
  auto none = [](const std::string&) { return std::optional<std::string>(); };
  for (std::vector<std::string> args : std::vector<std::vector<std::string>>{
           {"--max-connections", "0"}, {"--max-request-body", "10"}, {"--max-header-size", "2G"},
           {"--keep-alive-timeout", "0"}, {"--shutdown-timeout", "soon"}, {"--request-body-timeout"},
           {"--db-writers", "0"}, {"--db-writers", "65"}, {"--db-writers", "two"}}) {
    EXPECT_THROW(parse_server_args(args, none), ConfigError) << args[0];
  }
}

}  // namespace
}  // namespace sextant::config

TEST(ServerConfig, WebhookPrivateAddressesOnlyWhenAsked) {
  EXPECT_FALSE(parse_server_args({}, env_of({})).webhook_allow_private_addresses);
  EXPECT_TRUE(parse_server_args({"--webhook-allow-private-addresses"}, env_of({})).webhook_allow_private_addresses);
  EXPECT_TRUE(
      parse_server_args({}, env_of({{"SEXTANT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true"}})).webhook_allow_private_addresses);
  EXPECT_THROW(parse_server_args({}, env_of({{"SEXTANT_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "maybe"}})), ConfigError);
}
