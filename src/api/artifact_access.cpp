#include "api/artifact_access.hpp"

#include "api/content_type.hpp"
#include "artifacts/artifact_path.hpp"
#include "artifacts/artifact_stores.hpp"
#include "artifacts/local_artifact_repo.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "util/url.hpp"

namespace sextant::api {

const artifacts::ArtifactRepo& artifact_destination(const Services& s) {
  if (!s.artifact_destination) {
    throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "Artifact serving is not enabled on this server.");
  }
  return *s.artifact_destination;
}

namespace {
std::shared_ptr<const artifacts::ArtifactRepo> borrowed(const artifacts::ArtifactRepo& repo) {
  return std::shared_ptr<const artifacts::ArtifactRepo>(std::shared_ptr<void>(), &repo);
}
}  // namespace

ApiResponse artifact_file_response(const std::shared_ptr<const artifacts::ArtifactRepo>& repo, const std::string& path,
                                   const std::string& range_header) {
  auto stat = repo->stat(path);
  if (!stat) core::throw_not_found("File not found: " + path);
  ApiResponse r;
  std::optional<artifacts::ByteRange> range;
  if (!range_header.empty()) {
    try {
      range = artifacts::parse_range_header(range_header, stat->size);
    } catch (const artifacts::RangeNotSatisfiable&) {
      r = ApiResponse::json(R"({"error_code": "INVALID_PARAMETER_VALUE", "message": "Requested range not satisfiable"})",
                            416);
      r.headers.push_back({"Content-Range", "bytes */" + std::to_string(stat->size)});
      return r;
    }
  }
  r.content_type = artifact_content_type(path);
  auto local = range ? std::nullopt : repo->local_file(path);
  if (local) {
    r.file = *local;
  } else {
    auto body = std::make_shared<StreamedBody>();
    body->length = range ? range->length() : stat->size;
    body->produce = [repo, path, range, stat = *stat](artifacts::ByteSink& sink) { repo->read(path, range, &stat, sink); };
    r.stream = std::move(body);
  }
  if (range) {
    r.status = 206;
    r.headers.push_back({"Content-Range", "bytes " + std::to_string(range->first) + "-" + std::to_string(range->last) +
                                              "/" + std::to_string(stat->size)});
  }
  r.headers.push_back({"Content-Disposition", attachment_disposition(path)});
  r.headers.push_back({"Content-Security-Policy", "default-src 'none'; sandbox"});
  r.headers.push_back({"Accept-Ranges", "bytes"});
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
    root.repo = borrowed(artifact_destination(s));
    root.base = artifacts::canonical_artifact_path(mapped, artifacts::PathKind::Directory);
    return root;
  }
  if (s.stores) {
    root.repo = s.stores->open(artifact_uri);
    return root;
  }
  // Without configured stores (unit tests): local paths only.
  std::string local = artifact_uri;
  if (local.starts_with("file://")) local = util::percent_decode(local.substr(7));
  if (local.starts_with("/")) {
    root.repo = std::make_shared<artifacts::LocalArtifactRepo>(local);
    return root;
  }
  throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED,
                          "Listing artifacts stored at '" + artifact_uri + "' is not supported by this server yet.");
}

std::vector<core::FileInfo> ArtifactRoot::list(const std::string& relative) const {
  return repo->list(join_artifact_path(base, relative), relative.empty() ? "" : relative + "/");
}

ApiResponse ArtifactRoot::send_file(const std::string& relative, const std::string& range_header) const {
  return artifact_file_response(repo, join_artifact_path(base, relative), range_header);
}

}  // namespace sextant::api
