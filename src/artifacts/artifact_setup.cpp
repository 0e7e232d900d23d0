#include "artifacts/artifact_setup.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "artifacts/local_artifact_repo.hpp"
#include "artifacts/s3/s3_artifact_repo.hpp"
#include "core/artifact_uri.hpp"

namespace sextant::artifacts {

ArtifactSetup make_artifact_setup(bool serve_artifacts, const std::string& destination, const std::string& default_root,
                                  const std::vector<std::string>& extra_roots, const Env& env) {
  ArtifactSetup setup;
  // One S3 client for every bucket, made on first use so that a server without S3 never looks
  // for AWS credentials.
  auto s3 = std::make_shared<s3::LazyS3>(env);
  ArtifactStores::S3Opener opener = [s3](const std::string& bucket, const std::string& prefix) {
    return std::shared_ptr<const ArtifactRepo>(std::make_shared<s3::S3ArtifactRepo>(s3->client(), bucket, prefix));
  };
  std::vector<std::string> roots{default_root};
  if (serve_artifacts) {
    roots.push_back("mlflow-artifacts:/");
    if (destination.starts_with("s3://")) {
      auto parts = core::split_location(destination);
      if (!parts || parts->authority.empty())
        throw std::runtime_error("invalid --artifacts-destination '" + destination + "'");
      std::string prefix;
      for (const auto& seg : parts->segments) prefix += (prefix.empty() ? "" : "/") + seg;
      setup.destination = opener(parts->authority, prefix);
      setup.destination_uri = destination;
      roots.push_back(destination);
    } else if (destination.find("://") != std::string::npos) {
      throw std::runtime_error("--artifacts-destination must be a local path or an s3:// URI");
    } else {
      std::filesystem::create_directories(destination);
      auto local = std::make_shared<LocalArtifactRepo>(destination);
      setup.destination_uri = local->root().string();
      roots.push_back(setup.destination_uri);
      setup.destination = std::move(local);
    }
  }
  for (const auto& r : extra_roots) {
    if (!core::split_location(r)) throw std::runtime_error("invalid --allowed-artifact-root '" + r + "'");
    roots.push_back(r.starts_with("/") ? std::filesystem::path(r).lexically_normal().string() : r);
  }
  std::vector<std::string> unique_roots;
  for (auto& r : roots)
    if (std::find(unique_roots.begin(), unique_roots.end(), r) == unique_roots.end()) unique_roots.push_back(std::move(r));
  setup.stores = std::make_unique<ArtifactStores>(std::move(unique_roots), std::move(opener));
  return setup;
}

}  // namespace sextant::artifacts
