// Artifacts in S3 under s3://bucket/prefix. Relative paths are checked with
// canonical_artifact_path and joined below the prefix, so every key stays inside it; listings
// verify that S3 returned keys under the prefix (as MLflow's S3ArtifactRepository does).
// Directories are key prefixes: listing uses the "/" delimiter, deleting a directory deletes every
// key below it in batches of 1,000 (DeleteObjects). S3 errors become MLflow errors (NoSuchKey ->
// RESOURCE_DOES_NOT_EXIST, AccessDenied -> PERMISSION_DENIED, throttling/5xx/no connection ->
// TEMPORARILY_UNAVAILABLE, else INTERNAL_ERROR). Multipart uploads hand out presigned part URLs.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "artifacts/artifact_path.hpp"
#include "artifacts/artifact_repo.hpp"
#include "artifacts/s3/s3_client.hpp"

namespace sextant::artifacts::s3 {

class S3ArtifactRepo final : public ArtifactRepo {
 public:
  S3ArtifactRepo(std::shared_ptr<const S3Client> client, std::string bucket, std::string prefix);

  std::string root_uri() const override;
  void write(std::string_view relative, ByteSource& source) const override;
  std::optional<FileStat> stat(std::string_view relative) const override;
  void read(std::string_view relative, const std::optional<ByteRange>& range, const FileStat* expected,
            ByteSink& sink) const override;
  std::vector<core::FileInfo> list(std::string_view relative, const std::string& prefix) const override;
  void remove(std::string_view relative) const override;
  MultipartCreated create_multipart(std::string_view relative_file, int num_parts) const override;
  void complete_multipart(std::string_view relative_file, const std::string& upload_id,
                          const std::vector<MultipartPart>& parts) const override;
  void abort_multipart(std::string_view relative_file, const std::string& upload_id) const override;

  // The key of a relative path (canonicalised; "" relative = the prefix itself, for a Directory).
  std::string key_for(std::string_view relative, PathKind kind) const;

 private:
  std::shared_ptr<const S3Client> client_;
  std::string bucket_, prefix_;
};

// The server's one S3 client, made on first use from the environment (S3 settings and the
// default credential chain).
class LazyS3 {
 public:
  explicit LazyS3(Env env) : env_(std::move(env)) {}
  std::shared_ptr<const S3Client> client();

 private:
  Env env_;
  std::mutex mutex_;
  std::shared_ptr<const S3Client> client_;
};

}  // namespace sextant::artifacts::s3
