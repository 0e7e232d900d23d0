// Reaching the artifacts of a run or a logged model from its artifact URI (mlflow-api.md §2.7):
// proxied URIs (mlflow-artifacts:/..., http(s)://.../api/2.0/mlflow-artifacts/artifacts/...) map
// into the artifacts destination; local paths, file:// and s3:// URIs are read directly when they
// lie within the server's artifact roots (artifacts::ArtifactStores). Shared by artifacts_api.cpp
// and logged_models_api.cpp.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.hpp"
#include "api/services.hpp"
#include "artifacts/artifact_repo.hpp"
#include "core/entities.hpp"

namespace sextant::api {

// The artifacts destination; NOT_IMPLEMENTED when the server does not serve artifacts.
const artifacts::ArtifactRepo& artifact_destination(const Services& s);

// An entity's artifact root: a repository plus the root's path inside it.
struct ArtifactRoot {
  std::shared_ptr<const artifacts::ArtifactRepo> repo;
  std::string base;  // relative path of the root inside repo ("" = repo root)

  // Direct children of <root>/<relative> with paths relative to the root ("dir/file"), sorted;
  // empty when the directory does not exist. `relative` must be canonical (canonical_artifact_path).
  std::vector<core::FileInfo> list(const std::string& relative) const;
  // The file at <root>/<relative> as an attachment response; RESOURCE_DOES_NOT_EXIST when missing.
  ApiResponse send_file(const std::string& relative, const std::string& range_header = "") const;
};

// INVALID_PARAMETER_VALUE for a proxied URI when artifacts are not served and for locations
// outside the roots, NOT_IMPLEMENTED for storage this server cannot read.
ArtifactRoot locate_artifact_root(const Services& s, const std::string& artifact_uri);

// "a/b" from "a" and "b" (either may be empty).
std::string join_artifact_path(const std::string& a, const std::string& b);

// A file download of <repo>/<path>: content type guessed from the name, attachment headers,
// a single byte range when asked for (206 / 416), RESOURCE_DOES_NOT_EXIST when missing.
ApiResponse artifact_file_response(const std::shared_ptr<const artifacts::ArtifactRepo>& repo, const std::string& path,
                                   const std::string& range_header);

}  // namespace sextant::api
