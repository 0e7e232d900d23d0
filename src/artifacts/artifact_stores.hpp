// Which artifact locations this server may reach, and the repository for each: local paths and
// file:// URIs on local disk, s3://bucket/prefix on S3 (through the opener given, so that this file
// knows nothing of S3). Every location must lie within one of the configured roots (the default
// artifact root, the artifacts destination, mlflow-artifacts:/ when serving, --allowed-artifact-root).
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "artifacts/artifact_repo.hpp"

namespace sextant::artifacts {

class ArtifactStores {
 public:
  // Opens the S3 repository for a bucket and key prefix ("" = the bucket's root).
  using S3Opener = std::function<std::shared_ptr<const ArtifactRepo>(const std::string& bucket, const std::string& prefix)>;

  ArtifactStores(std::vector<std::string> roots, S3Opener s3);

  const std::vector<std::string>& roots() const { return roots_; }
  // True when `location` lies within one of the roots.
  bool allowed(const std::string& location) const;
  // For experiments created with an explicit artifact_location (a local path already made
  // absolute): INVALID_PARAMETER_VALUE for file:// and http(s):// URIs, for traversal and for
  // anything outside the roots.
  void check_new_location(const std::string& location) const;
  // The repository rooted at a non-proxied location: INVALID_PARAMETER_VALUE outside the roots,
  // NOT_IMPLEMENTED for storage this server cannot read.
  std::shared_ptr<const ArtifactRepo> open(const std::string& location) const;

 private:
  std::vector<std::string> roots_;
  S3Opener s3_;
};

}  // namespace sextant::artifacts
