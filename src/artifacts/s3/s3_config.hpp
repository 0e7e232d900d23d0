// S3 settings, from the environment variables MLflow and the AWS SDKs use:
//   MLFLOW_S3_ENDPOINT_URL, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL  custom endpoint (first set wins)
//   AWS_REGION, AWS_DEFAULT_REGION (or the profile's region)      region; else discovered per bucket
//   MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE = auto|path|virtual       (auto: virtual on AWS, path elsewhere)
//   MLFLOW_S3_IGNORE_TLS = true                                   no certificate checks
//   AWS_CA_BUNDLE                                                 CA file
//   MLFLOW_S3_UPLOAD_EXTRA_ARGS = JSON                            per-upload options (below)
//   MLFLOW_S3_EXPECTED_BUCKET_OWNER                               x-amz-expected-bucket-owner
//   SEXTANT_S3_MULTIPART_THRESHOLD, SEXTANT_S3_PART_SIZE (bytes, K/M/G suffixes),
//   SEXTANT_S3_UPLOAD_CONCURRENCY, SEXTANT_S3_MAX_ATTEMPTS, SEXTANT_S3_PRESIGN_EXPIRES (seconds)
// MLFLOW_S3_UPLOAD_EXTRA_ARGS takes boto3's names: ServerSideEncryption ("AES256" | "aws:kms" |
// "aws:kms:dsse"), SSEKMSKeyId, SSEKMSEncryptionContext, BucketKeyEnabled, ACL, StorageClass,
// ExpectedBucketOwner, CacheControl, ContentEncoding, Tagging; others are refused at start-up.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "artifacts/s3/credentials.hpp"

namespace sextant::artifacts::s3 {

enum class Addressing { Auto, Path, Virtual };

struct S3Config {
  std::string endpoint;  // "" = AWS (https://s3.<region>.amazonaws.com); else "http://host:port" (a path is kept)
  std::string region;    // "" = discover per bucket (HEAD bucket, x-amz-bucket-region), us-east-1 meanwhile
  Addressing addressing = Addressing::Auto;
  bool verify_tls = true;
  std::string ca_file;
  // Headers every object upload carries (PUT object, CreateMultipartUpload), from the extra args.
  std::vector<std::pair<std::string, std::string>> upload_headers;
  std::string expected_bucket_owner;
  std::uint64_t multipart_threshold = 64ull << 20;  // single PUT up to this size (when it is known)
  std::uint64_t part_size = 8ull << 20;
  int upload_concurrency = 4;
  int max_attempts = 4;  // per request, for 5xx, throttling and connection failures
  int presign_expires_seconds = 3600;
};

// Throws std::runtime_error with a message naming the variable.
S3Config s3_config_from_env(const Env& env);

// MLFLOW_S3_UPLOAD_EXTRA_ARGS -> headers (exposed for the unit tests).
std::vector<std::pair<std::string, std::string>> upload_extra_args_headers(const std::string& json_text);

}  // namespace sextant::artifacts::s3
