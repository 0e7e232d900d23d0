#include "artifacts/s3/s3_config.hpp"

#include <nlohmann/json.hpp>

#include "util/strings.hpp"

namespace sextant::artifacts::s3 {

namespace {
std::string env_or(const Env& env, const std::string& name) {
  auto v = env(name);
  return v ? util::trim(*v).empty() ? "" : std::string(util::trim(*v)) : "";
}

std::uint64_t parse_size(const std::string& text, const char* name) {
  std::uint64_t mult = 1;
  std::string digits = text;
  if (!digits.empty()) {
    char s = static_cast<char>(std::toupper(static_cast<unsigned char>(digits.back())));
    if (s == 'K' || s == 'M' || s == 'G') {
      mult = s == 'K' ? 1ull << 10 : s == 'M' ? 1ull << 20 : 1ull << 30;
      digits.pop_back();
    }
  }
  if (digits.empty() || digits.size() > 12 || digits.find_first_not_of("0123456789") != std::string::npos)
    throw std::runtime_error(std::string(name) + " must be a number of bytes (K, M, G suffixes allowed)");
  return std::stoull(digits) * mult;
}
}  // namespace

std::vector<std::pair<std::string, std::string>> upload_extra_args_headers(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) throw std::runtime_error("MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object");
  static const std::vector<std::pair<std::string, std::string>> kNames = {
      {"ServerSideEncryption", "x-amz-server-side-encryption"},
      {"SSEKMSKeyId", "x-amz-server-side-encryption-aws-kms-key-id"},
      {"SSEKMSEncryptionContext", "x-amz-server-side-encryption-context"},
      {"BucketKeyEnabled", "x-amz-server-side-encryption-bucket-key-enabled"},
      {"ACL", "x-amz-acl"},
      {"StorageClass", "x-amz-storage-class"},
      {"ExpectedBucketOwner", "x-amz-expected-bucket-owner"},
      {"CacheControl", "Cache-Control"},
      {"ContentEncoding", "Content-Encoding"},
      {"Tagging", "x-amz-tagging"},
  };
  for (const auto& [key, value] : j.items()) {
    const std::string* header = nullptr;
    for (const auto& [k, h] : kNames)
      if (k == key) header = &h;
    if (!header) throw std::runtime_error("MLFLOW_S3_UPLOAD_EXTRA_ARGS: unsupported key '" + key + "'");
    std::string v;
    if (value.is_string()) v = value.get<std::string>();
    else if (value.is_boolean()) v = value.get<bool>() ? "true" : "false";
    else throw std::runtime_error("MLFLOW_S3_UPLOAD_EXTRA_ARGS: '" + key + "' must be a string");
    if (v.find_first_of("\r\n") != std::string::npos)
      throw std::runtime_error("MLFLOW_S3_UPLOAD_EXTRA_ARGS: '" + key + "' contains a line break");
    if (key == "ServerSideEncryption" && v != "AES256" && v != "aws:kms" && v != "aws:kms:dsse")
      throw std::runtime_error("MLFLOW_S3_UPLOAD_EXTRA_ARGS: ServerSideEncryption must be AES256, aws:kms or aws:kms:dsse");
    out.emplace_back(*header, v);
  }
  return out;
}

S3Config s3_config_from_env(const Env& env) {
  S3Config c;
  for (const char* name : {"MLFLOW_S3_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    if (auto v = env_or(env, name); !v.empty()) {
      if (!v.starts_with("http://") && !v.starts_with("https://"))
        throw std::runtime_error(std::string(name) + " must be an http:// or https:// URL");
      while (v.ends_with("/")) v.pop_back();
      c.endpoint = v;
      break;
    }
  }
  c.region = configured_region(env);
  auto style = util::to_lower(env_or(env, "MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE"));
  if (style.empty() || style == "auto") c.addressing = Addressing::Auto;
  else if (style == "path") c.addressing = Addressing::Path;
  else if (style == "virtual") c.addressing = Addressing::Virtual;
  else throw std::runtime_error("MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE must be auto, path or virtual");
  auto ignore = util::to_lower(env_or(env, "MLFLOW_S3_IGNORE_TLS"));
  c.verify_tls = !(ignore == "true" || ignore == "1" || ignore == "yes");
  c.ca_file = env_or(env, "AWS_CA_BUNDLE");
  if (auto v = env_or(env, "MLFLOW_S3_UPLOAD_EXTRA_ARGS"); !v.empty()) c.upload_headers = upload_extra_args_headers(v);
  c.expected_bucket_owner = env_or(env, "MLFLOW_S3_EXPECTED_BUCKET_OWNER");
  if (auto v = env_or(env, "SEXTANT_S3_MULTIPART_THRESHOLD"); !v.empty())
    c.multipart_threshold = parse_size(v, "SEXTANT_S3_MULTIPART_THRESHOLD");
  if (auto v = env_or(env, "SEXTANT_S3_PART_SIZE"); !v.empty()) c.part_size = parse_size(v, "SEXTANT_S3_PART_SIZE");
  if (c.part_size < (5ull << 20) || c.part_size > (5ull << 30))
    throw std::runtime_error("SEXTANT_S3_PART_SIZE must be between 5 MiB and 5 GiB (S3's limits)");
  if (auto v = env_or(env, "SEXTANT_S3_UPLOAD_CONCURRENCY"); !v.empty()) {
    c.upload_concurrency = static_cast<int>(parse_size(v, "SEXTANT_S3_UPLOAD_CONCURRENCY"));
    if (c.upload_concurrency < 1 || c.upload_concurrency > 64)
      throw std::runtime_error("SEXTANT_S3_UPLOAD_CONCURRENCY must be between 1 and 64");
  }
  if (auto v = env_or(env, "SEXTANT_S3_MAX_ATTEMPTS"); !v.empty()) {
    c.max_attempts = static_cast<int>(parse_size(v, "SEXTANT_S3_MAX_ATTEMPTS"));
    if (c.max_attempts < 1 || c.max_attempts > 20) throw std::runtime_error("SEXTANT_S3_MAX_ATTEMPTS must be 1..20");
  }
  if (auto v = env_or(env, "SEXTANT_S3_PRESIGN_EXPIRES"); !v.empty()) {
    c.presign_expires_seconds = static_cast<int>(parse_size(v, "SEXTANT_S3_PRESIGN_EXPIRES"));
    if (c.presign_expires_seconds < 60 || c.presign_expires_seconds > 604800)
      throw std::runtime_error("SEXTANT_S3_PRESIGN_EXPIRES must be between 60 and 604800 seconds");
  }
  return c;
}

}  // namespace sextant::artifacts::s3
