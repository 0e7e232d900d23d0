#include "artifacts/artifact_stores.hpp"

#include "artifacts/local_artifact_repo.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"

namespace sextant::artifacts {

namespace {
std::string root_list(const std::vector<std::string>& roots) {
  std::string out;
  for (const auto& r : roots) out += (out.empty() ? "" : ", ") + r;
  return out.empty() ? "none" : out;
}
}  // namespace

ArtifactStores::ArtifactStores(std::vector<std::string> roots, S3Opener s3) : roots_(std::move(roots)), s3_(std::move(s3)) {}

bool ArtifactStores::allowed(const std::string& location) const {
  for (const auto& r : roots_)
    if (core::location_within(location, r)) return true;
  return false;
}

void ArtifactStores::check_new_location(const std::string& location) const {
  auto parts = core::split_location(location);
  if (!parts) core::throw_invalid("Invalid artifact_location '" + location + "'");
  if (!location.starts_with("/") && parts->scheme == "file")
    core::throw_invalid("artifact_location must not be a file:// URI; give a path under one of this server's artifact "
                        "roots (" + root_list(roots_) + ")");
  if (parts->scheme == "http" || parts->scheme == "https")
    core::throw_invalid("artifact_location must not be an http(s):// URL");
  if (!allowed(location))
    core::throw_invalid("artifact_location '" + location + "' is outside this server's artifact roots (" +
                        root_list(roots_) + ")");
}

std::shared_ptr<const ArtifactRepo> ArtifactStores::open(const std::string& location) const {
  if (!allowed(location))
    core::throw_invalid("The artifact location '" + location + "' is outside this server's artifact roots.");
  auto parts = core::split_location(location);  // allowed() implies it parses
  if (parts->scheme == "file") {
    std::string path;
    for (const auto& s : parts->segments) path += "/" + s;
    return std::make_shared<LocalArtifactRepo>(path.empty() ? "/" : path);
  }
  if (parts->scheme == "s3" && s3_) {
    std::string prefix;
    for (const auto& s : parts->segments) prefix += (prefix.empty() ? "" : "/") + s;
    return s3_(parts->authority, prefix);
  }
  throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED,
                          "Reading artifacts stored at '" + location + "' is not supported by this server.");
}

}  // namespace sextant::artifacts
