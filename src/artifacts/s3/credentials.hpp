// The AWS credential chain, in the SDKs' order: environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), shared credentials/config files (AWS_PROFILE,
// AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE), web identity (AWS_WEB_IDENTITY_TOKEN_FILE +
// AWS_ROLE_ARN via STS AssumeRoleWithWebIdentity, EKS IRSA), ECS container credentials
// (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI / _FULL_URI with AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]),
// EC2 instance metadata (IMDSv2; AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT).
// Temporary credentials are refreshed before they expire. Thread-safe. Secrets never reach logs or
// error messages.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "artifacts/s3/sigv4.hpp"

namespace sextant::artifacts::s3 {

using Env = std::function<std::optional<std::string>(const std::string&)>;
using Clock = std::function<std::chrono::system_clock::time_point()>;

class CredentialsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Valid credentials (refreshed when close to expiry). Throws CredentialsError.
  virtual Credentials get() = 0;
  // Where the current credentials came from ("environment", "ecs", ...), for logs.
  virtual std::string source() const = 0;
};

// One link of the chain: nullopt when it is not configured here (the chain moves on); throws
// CredentialsError when it is configured but fails.
class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  virtual std::string name() const = 0;
  virtual std::optional<Credentials> load() = 0;
};

std::unique_ptr<CredentialSource> environment_source(Env env);
std::unique_ptr<CredentialSource> profile_source(Env env);
std::unique_ptr<CredentialSource> web_identity_source(Env env);
std::unique_ptr<CredentialSource> container_source(Env env);
std::unique_ptr<CredentialSource> instance_metadata_source(Env env);

// Tries the sources in order on first use and keeps to the one that answered; credentials with
// an expiration are fetched again `refresh_margin` before it (if that fails while the old ones
// are still valid, the old ones are used and the refresh is tried again on the next call).
class ChainProvider final : public CredentialsProvider {
 public:
  ChainProvider(std::vector<std::unique_ptr<CredentialSource>> sources, Clock clock = std::chrono::system_clock::now,
                std::chrono::seconds refresh_margin = std::chrono::minutes(5));
  Credentials get() override;
  std::string source() const override;

 private:
  std::vector<std::unique_ptr<CredentialSource>> sources_;
  Clock clock_;
  std::chrono::seconds margin_;
  mutable std::mutex mutex_;
  CredentialSource* current_ = nullptr;
  std::optional<Credentials> cached_;
};

// The default chain above, reading the environment through `env`.
std::shared_ptr<CredentialsProvider> default_credentials_chain(Env env);

// --- pure helpers (exposed for the unit tests) ---------------------------------------------------
// "2026-11-30T09:15:00Z", with optional fractional seconds and "+00:00"; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);
// Sections of an INI file ("[default]", "[profile x]") -> key/value pairs of the named section.
std::optional<std::vector<std::pair<std::string, std::string>>> ini_section(std::string_view text,
                                                                           std::string_view section);
// The JSON the ECS agent and IMDS serve ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration"}).
Credentials parse_credentials_json(std::string_view body, const char* what);
// STS AssumeRoleWithWebIdentity's XML answer.
Credentials parse_sts_credentials(std::string_view body);
// Whether an ECS full URI may be used: https anywhere, http only to loopback or the ECS/EKS
// agent addresses (169.254.170.2, 169.254.170.23, [fd00:ec2::23]).
bool container_uri_allowed(std::string_view uri);
// The region from AWS_REGION, AWS_DEFAULT_REGION or the profile's config ("" when none).
std::string configured_region(const Env& env);

}  // namespace sextant::artifacts::s3
