// Artifacts: the mlflow-artifacts proxy API (upload, download, list, delete, multipart stubs)
// and the tracking artifacts/list endpoint (§2.7).
#include <nlohmann/json.hpp>

#include "api/artifact_access.hpp"
#include "api/json_codec.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "artifacts/artifact_path.hpp"
#include "core/error.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

constexpr const char* kProxyBase = "/api/2.0/mlflow-artifacts";

ApiResponse disabled(const ApiRequest& req) {
  return ApiResponse::text("Endpoint: " + req.path +
                               " disabled due to the mlflow server running with `--no-serve-artifacts`. To enable "
                               "artifacts server functionality, run `mlflow server` with `--serve-artifacts`",
                           503);
}

}  // namespace

void register_artifact_routes(RpcRegistrar& reg, Services& s) {
  auto& router = reg.router();
  const bool serve = s.settings.serve_artifacts;
  std::vector<std::string> bases = {kProxyBase, s.settings.static_prefix + "/ajax-api/2.0/mlflow-artifacts"};

  for (const auto& base : bases) {
    if (!serve) {
      for (const char* m : {"GET", "PUT", "DELETE"}) router.add_prefix(m, base + "/artifacts/", auth::Policy::Authenticated, disabled);
      router.add("GET", base + "/artifacts", auth::Policy::Authenticated, disabled);
      for (const char* op : {"create", "complete", "abort"}) router.add_prefix("POST", base + "/mpu/" + op + "/", auth::Policy::Authenticated, disabled);
      continue;
    }
    router.add_prefix("GET", base + "/artifacts/", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      const auto& repo = artifact_destination(s);
      auto file = repo.file(req.route_tail);
      if (!file) core::throw_not_found("File not found: " + req.route_tail);
      return artifact_file_response(*file, req.route_tail);
    });
    router.add_prefix(
        "PUT", base + "/artifacts/", auth::Policy::Authenticated,
        [&s](const ApiRequest& req) {
          if (!req.body_stream) core::throw_invalid("Missing request body");
          artifact_destination(s).write(req.route_tail, *req.body_stream);
          return ApiResponse::json("{}");
        },
        /*streaming=*/true);
    router.add_prefix("DELETE", base + "/artifacts/", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      artifact_destination(s).remove(req.route_tail);
      return ApiResponse::json("{}");
    });
    router.add("GET", base + "/artifacts", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      Params p(req);
      auto path = p.str("path").value_or("");
      auto files = artifact_destination(s).list(path, "");
      json out = json::object();
      if (!files.empty()) {
        json arr = json::array();
        for (const auto& f : files) arr.push_back(to_json(f));
        out["files"] = std::move(arr);
      }
      return ApiResponse::json(out.dump());
    });
    for (const char* op : {"create", "complete", "abort"}) {
      router.add_prefix("POST", base + "/mpu/" + op + "/", auth::Policy::Authenticated, [](const ApiRequest& req) -> ApiResponse {
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
    auto files = locate_artifact_root(s, run.info.artifact_uri).list(path);
    if (!files.empty()) {
      json arr = json::array();
      for (const auto& f : files) arr.push_back(to_json(f));
      out["files"] = std::move(arr);
    }
    return ApiResponse::json(out.dump());
  });

  // UI download of one run file.
  router.add("GET", s.settings.static_prefix + "/get-artifact", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
    Params p(req);
    auto run = s.tracking.get_run(p.run_id());
    auto path = p.required_str("path");
    artifacts::validate_artifact_path(path);
    return locate_artifact_root(s, run.info.artifact_uri).send_file(path);
  });
}

}  // namespace sextant::api
