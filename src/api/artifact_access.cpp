#include "api/artifact_access.hpp"

#include "api/content_type.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "util/url.hpp"

namespace sextant::api {

const artifacts::LocalArtifactRepo& artifact_destination(const Services& s) {
  if (!s.artifact_destination) {
    throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "Artifact serving is not enabled on this server.");
  }
  return *s.artifact_destination;
}

ApiResponse artifact_file_response(const std::filesystem::path& file, std::string_view name) {
  ApiResponse r;
  r.file = file;
  r.content_type = artifact_content_type(name);
  auto slash = name.rfind('/');
  std::string base(slash == std::string_view::npos ? name : name.substr(slash + 1));
  std::string safe;  // keep the header well-formed whatever the file name holds
  for (char c : base) safe += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
  r.headers.push_back({"Content-Disposition", "attachment; filename=\"" + safe + "\""});
  r.headers.push_back({"Content-Security-Policy", "default-src 'none'; sandbox"});
  return r;
}

std::string join_artifact_path(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

ArtifactRoot locate_artifact_root(const Services& s, const std::string& artifact_uri) {
  ArtifactRoot root;
  std::string mapped;
  if (core::proxied_artifact_path(artifact_uri, mapped)) {
    if (!s.settings.serve_artifacts) {
      throw core::MlflowError(core::ErrorCode::INVALID_PARAMETER_VALUE,
                              "The artifacts at '" + artifact_uri + "' are proxied but this server does not serve "
                              "artifacts.");
    }
    root.repo = &artifact_destination(s);
    root.base = mapped;
    return root;
  }
  std::string local = artifact_uri;
  if (local.starts_with("file://")) local = util::percent_decode(local.substr(7));
  if (local.starts_with("/")) {
    root.owned = std::make_unique<artifacts::LocalArtifactRepo>(local);
    root.repo = root.owned.get();
    return root;
  }
  throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED,
                          "Listing artifacts stored at '" + artifact_uri + "' is not supported by this server yet.");
}

std::vector<core::FileInfo> ArtifactRoot::list(const std::string& relative) const {
  return repo->list(join_artifact_path(base, relative), relative.empty() ? "" : relative + "/");
}

ApiResponse ArtifactRoot::send_file(const std::string& relative) const {
  auto file = repo->file(join_artifact_path(base, relative));
  if (!file) core::throw_not_found("File not found: " + relative);
  return artifact_file_response(*file, relative);
}

}  // namespace sextant::api
