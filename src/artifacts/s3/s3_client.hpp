// An S3 client on libcurl with our own SigV4 signer: streaming PUT and GET (no whole-object
// buffering), ranged GET, HEAD, ListObjectsV2 (continuation, delimiter), batch delete, multipart
// upload (parallel parts, aborted on failure), presigned URLs. Path-style or virtual-hosted
// addressing, custom endpoints, region per bucket (configured, or discovered from HEAD bucket's
// x-amz-bucket-region). Requests that fail with 5xx, throttling or a broken connection are retried
// with exponential back-off when their body can be sent again. Thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "artifacts/byte_source.hpp"
#include "artifacts/s3/credentials.hpp"
#include "artifacts/s3/http.hpp"
#include "artifacts/s3/s3_config.hpp"

namespace sextant::artifacts::s3 {

// An error answer from S3 (status 0: no answer at all), or a credentials failure (status 0,
// code "CredentialsError"). The message never holds secrets.
class S3Error : public std::runtime_error {
 public:
  S3Error(int status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  int status() const { return status_; }
  const std::string& code() const { return code_; }

 private:
  int status_;
  std::string code_;
};

struct ObjectHead {
  std::uint64_t size = 0;
  std::string etag;
};

struct ListedObject {
  std::string key;
  std::uint64_t size = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  std::string next_continuation_token;  // "" on the last page
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;
};

class S3Client {
 public:
  S3Client(S3Config config, std::shared_ptr<CredentialsProvider> credentials);

  const S3Config& config() const { return config_; }

  std::optional<ObjectHead> head_object(const std::string& bucket, const std::string& key) const;
  // Streams the object (or bytes first..last) into `sink`. With `if_match`, S3 refuses an object
  // whose ETag changed (412). NoSuchKey -> S3Error 404.
  void get_object(const std::string& bucket, const std::string& key,
                  const std::optional<std::pair<std::uint64_t, std::uint64_t>>& range, const std::string& if_match,
                  ByteSink& sink) const;
  // Uploads everything `source` yields: one streamed PUT when its size is known and at most the
  // multipart threshold, else a multipart upload with parts in parallel (aborted on failure).
  void put_object(const std::string& bucket, const std::string& key, ByteSource& source) const;
  ListPage list_objects(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                        const std::string& continuation_token, int max_keys = 1000) const;
  // Deletes up to 1000 keys in one request; throws when any could not be deleted.
  void delete_objects(const std::string& bucket, const std::vector<std::string>& keys) const;

  std::string create_multipart_upload(const std::string& bucket, const std::string& key) const;
  std::string upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                          int part_number, std::string_view data) const;  // -> ETag
  void complete_multipart_upload(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                 const std::vector<CompletedPart>& parts) const;
  void abort_multipart_upload(const std::string& bucket, const std::string& key, const std::string& upload_id) const;
  // A presigned URL for one part of a multipart upload (PUT, no headers needed).
  std::string presign_upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                  int part_number) const;

  // The bucket's region (configured, cached, or discovered).
  std::string region_for(const std::string& bucket) const;

 private:
  struct Call;
  struct Target {
    std::string base;  // scheme://host[:port]
    std::string host;  // Host header
    std::string path;  // encoded path
  };
  Target target(const std::string& bucket, const std::string& key, bool bucket_level) const;
  HttpResponse send(Call& call) const;
  [[noreturn]] void fail(const HttpResponse& res, const std::string& what) const;
  void put_multipart(const std::string& bucket, const std::string& key, ByteSource& source, std::string first_part,
                     std::uint64_t part_size) const;

  S3Config config_;
  std::shared_ptr<CredentialsProvider> credentials_;
  std::string scheme_, endpoint_host_, endpoint_path_;
  mutable std::mutex regions_mutex_;
  mutable std::map<std::string, std::string> regions_;
};

// Whether a bucket name can be a DNS label under TLS (virtual-hosted addressing).
bool virtual_host_compatible(const std::string& bucket);

}  // namespace sextant::artifacts::s3
