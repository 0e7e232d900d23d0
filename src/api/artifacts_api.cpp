// Artifacts: the mlflow-artifacts proxy API (upload, download, list, delete, multipart stubs)
// and the tracking artifacts/list endpoint (§2.7).
#include <nlohmann/json.hpp>

#include "api/content_type.hpp"
#include "api/json_codec.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "artifacts/artifact_path.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "util/url.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

constexpr const char* kProxyBase = "/api/2.0/mlflow-artifacts";

const artifacts::LocalArtifactRepo& destination(const Services& s) {
  if (!s.artifact_destination) {
    throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED, "Artifact serving is not enabled on this server.");
  }
  return *s.artifact_destination;
}

ApiResponse file_response(const std::filesystem::path& file, std::string_view name) {
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

ApiResponse disabled(const ApiRequest& req) {
  return ApiResponse::text("Endpoint: " + req.path +
                               " disabled due to the mlflow server running with `--no-serve-artifacts`. To enable "
                               "artifacts server functionality, run `mlflow server` with `--serve-artifacts`",
                           503);
}

// Where a run's artifacts live, as a repo plus the run root's path inside it.
struct RunArtifactRoot {
  std::unique_ptr<artifacts::LocalArtifactRepo> owned;
  const artifacts::LocalArtifactRepo* repo = nullptr;
  std::string base;  // relative path of the run's root inside repo ("" = repo root)
};

RunArtifactRoot locate(const Services& s, const std::string& artifact_uri) {
  RunArtifactRoot root;
  std::string mapped;
  if (core::proxied_artifact_path(artifact_uri, mapped)) {
    if (!s.settings.serve_artifacts) {
      throw core::MlflowError(core::ErrorCode::INVALID_PARAMETER_VALUE,
                              "The run's artifacts are proxied but this server does not serve artifacts.");
    }
    root.repo = &destination(s);
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

std::string join_rel(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return a + "/" + b;
}

}  // namespace

void register_artifact_routes(RpcRegistrar& reg, Services& s) {
  auto& router = reg.router();
  const bool serve = s.settings.serve_artifacts;
  std::vector<std::string> bases = {kProxyBase, s.settings.static_prefix + "/ajax-api/2.0/mlflow-artifacts"};

  for (const auto& base : bases) {
    if (!serve) {
      for (const char* m : {"GET", "PUT", "DELETE"}) router.add_prefix(m, base + "/artifacts/", disabled);
      router.add("GET", base + "/artifacts", disabled);
      for (const char* op : {"create", "complete", "abort"}) router.add_prefix("POST", base + "/mpu/" + op + "/", disabled);
      continue;
    }
    router.add_prefix("GET", base + "/artifacts/", [&s](const ApiRequest& req) {
      const auto& repo = destination(s);
      auto file = repo.file(req.route_tail);
      if (!file) core::throw_not_found("File not found: " + req.route_tail);
      return file_response(*file, req.route_tail);
    });
    router.add_prefix(
        "PUT", base + "/artifacts/",
        [&s](const ApiRequest& req) {
          if (!req.body_stream) core::throw_invalid("Missing request body");
          destination(s).write(req.route_tail, *req.body_stream);
          return ApiResponse::json("{}");
        },
        /*streaming=*/true);
    router.add_prefix("DELETE", base + "/artifacts/", [&s](const ApiRequest& req) {
      destination(s).remove(req.route_tail);
      return ApiResponse::json("{}");
    });
    router.add("GET", base + "/artifacts", [&s](const ApiRequest& req) {
      Params p(req);
      auto path = p.str("path").value_or("");
      auto files = destination(s).list(path, "");
      json out = json::object();
      if (!files.empty()) {
        json arr = json::array();
        for (const auto& f : files) arr.push_back(to_json(f));
        out["files"] = std::move(arr);
      }
      return ApiResponse::json(out.dump());
    });
    for (const char* op : {"create", "complete", "abort"}) {
      router.add_prefix("POST", base + "/mpu/" + op + "/", [](const ApiRequest& req) -> ApiResponse {
        artifacts::validate_artifact_path(req.route_tail);
        throw core::MlflowError(core::ErrorCode::NOT_IMPLEMENTED,
                                "Multipart upload is not supported for the current artifact repository");
      });
    }
  }

  reg.rpc("GET", "/artifacts/list", [&s](const ApiRequest& req) {
    Params p(req);
    auto run = s.tracking.get_run(p.run_id());
    auto path = p.str("path").value_or("");
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!path.empty()) artifacts::validate_artifact_path(path);
    json out = {{"root_uri", run.info.artifact_uri}};
    auto root = locate(s, run.info.artifact_uri);
    auto files = root.repo->list(join_rel(root.base, path), path.empty() ? "" : path + "/");
    if (!files.empty()) {
      json arr = json::array();
      for (const auto& f : files) arr.push_back(to_json(f));
      out["files"] = std::move(arr);
    }
    return ApiResponse::json(out.dump());
  });

  // UI download of one run file.
  router.add("GET", s.settings.static_prefix + "/get-artifact", [&s](const ApiRequest& req) {
    Params p(req);
    auto run = s.tracking.get_run(p.run_id());
    auto path = p.required_str("path");
    artifacts::validate_artifact_path(path);
    auto root = locate(s, run.info.artifact_uri);
    auto file = root.repo->file(join_rel(root.base, path));
    if (!file) core::throw_not_found("File not found: " + path);
    return file_response(*file, path);
  });
}

}  // namespace sextant::api
