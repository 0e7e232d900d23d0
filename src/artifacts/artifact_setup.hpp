// Builds the server's artifact storage from its settings: the artifacts destination (a local
// path or s3://bucket/prefix) and the ArtifactStores that open non-proxied roots and decide which
// experiment locations are allowed. Used by main; S3 settings come from the environment
// (see s3/s3_config.hpp).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "artifacts/artifact_repo.hpp"
#include "artifacts/artifact_stores.hpp"

namespace sextant::artifacts {

struct ArtifactSetup {
  std::shared_ptr<const ArtifactRepo> destination;  // null when artifacts are not served
  std::unique_ptr<ArtifactStores> stores;
  std::string destination_uri;                     // for the start-up line
};

using Env = std::function<std::optional<std::string>(const std::string&)>;

// `destination` is a local path (created when missing) or s3://bucket[/prefix]; `default_root` the
// default artifact root as experiments get it. Throws std::runtime_error on bad settings.
ArtifactSetup make_artifact_setup(bool serve_artifacts, const std::string& destination, const std::string& default_root,
                                  const std::vector<std::string>& extra_roots, const Env& env);

}  // namespace sextant::artifacts
