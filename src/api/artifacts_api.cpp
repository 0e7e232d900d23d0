// Artifacts: the mlflow-artifacts proxy API (upload, download with byte ranges, list, delete, and
// the multipart upload endpoints, which the destination answers or refuses with 501) and the
// tracking artifacts/list endpoint (§2.7).
#include <nlohmann/json.hpp>

#include "api/artifact_access.hpp"
#include "api/json_codec.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "artifacts/artifact_path.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "store/registry_store.hpp"

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

constexpr std::int64_t kMaxParts = 10000;  // S3's limit on part numbers

std::shared_ptr<const artifacts::ArtifactRepo> destination(const Services& s) {
  return std::shared_ptr<const artifacts::ArtifactRepo>(std::shared_ptr<void>(), &artifact_destination(s));
}

// The object a multipart upload writes: <artifact_dir>/<basename of the client's local path>
// (the client's local path may be a Windows one: the basename follows the last '/' or '\\').
std::string multipart_target(const ApiRequest& req, const Params& p) {
  auto dir = artifacts::canonical_artifact_path(req.route_tail, artifacts::PathKind::Directory);
  auto local = p.required_str("path");
  auto sep = local.find_last_of("/\\");
  auto name = sep == std::string::npos ? local : local.substr(sep + 1);
  if (name.empty()) core::throw_invalid("Invalid path: a file name is required");
  return artifacts::canonical_artifact_path(dir.empty() ? name : dir + "/" + name, artifacts::PathKind::File);
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
      // "dir/" names a directory, which is no file: 404 like a missing one.
      auto path = artifacts::canonical_artifact_path(req.route_tail, artifacts::PathKind::Directory);
      if (req.route_tail.ends_with('/')) core::throw_not_found("File not found: " + path + "/");
      return artifact_file_response(destination(s), path, req.range);
    });
    router.add_prefix(
        "PUT", base + "/artifacts/", auth::Policy::Authenticated,
        [&s](const ApiRequest& req) {
          auto path = artifacts::canonical_artifact_path(req.route_tail, artifacts::PathKind::File);
          if (!req.body_stream) core::throw_invalid("Missing request body");
          artifact_destination(s).write(path, *req.body_stream);
          return ApiResponse::json("{}");
        },
        /*streaming=*/true);
    router.add_prefix("DELETE", base + "/artifacts/", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      artifact_destination(s).remove(artifacts::canonical_deletable_artifact_path(req.route_tail));
      return ApiResponse::json("{}");
    });
    router.add("GET", base + "/artifacts", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      Params p(req);
      auto path = artifacts::canonical_artifact_path(p.str("path").value_or(""), artifacts::PathKind::Directory);
      auto files = artifact_destination(s).list(path, "");
      json out = json::object();
      if (!files.empty()) {
        json arr = json::array();
        for (const auto& f : files) arr.push_back(to_json(f));
        out["files"] = std::move(arr);
      }
      return ApiResponse::json(out.dump());
    });
    router.add_prefix("POST", base + "/mpu/create/", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      Params p(req);
      auto target = multipart_target(req, p);
      auto num_parts = p.int64("num_parts").value_or(0);
      if (num_parts < 0 || num_parts > kMaxParts)
        core::throw_invalid("num_parts must be between 1 and " + std::to_string(kMaxParts));
      auto created = artifact_destination(s).create_multipart(target, static_cast<int>(num_parts));
      json creds = json::array();
      for (const auto& c : created.credentials) {
        json headers = json::object();
        for (const auto& [k, v] : c.headers) headers[k] = v;
        creds.push_back({{"url", c.url}, {"part_number", c.part_number}, {"headers", headers}});
      }
      return ApiResponse::json(json{{"upload_id", created.upload_id}, {"credentials", creds}}.dump());
    });
    router.add_prefix("POST", base + "/mpu/complete/", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      Params p(req);
      auto target = multipart_target(req, p);
      auto upload_id = p.required_str("upload_id");
      const json* parts_json = p.raw("parts");
      if (!parts_json) throw_missing("parts");
      if (!parts_json->is_array()) core::throw_invalid("parts must be a list");
      std::vector<artifacts::MultipartPart> parts;
      for (const auto& part : *parts_json) {
        if (!part.is_object()) core::throw_invalid("parts must be a list of objects");
        auto number = json_int64(part, "part_number", "parts.part_number");
        auto etag = json_str(part, "etag");
        if (!number || *number < 1 || *number > kMaxParts) core::throw_invalid("Invalid part_number in parts");
        if (!etag || etag->empty()) core::throw_invalid("Missing etag in parts");
        parts.push_back({static_cast<int>(*number), *etag});
      }
      artifact_destination(s).complete_multipart(target, upload_id, parts);
      return ApiResponse::json("{}");
    });
    router.add_prefix("POST", base + "/mpu/abort/", auth::Policy::Authenticated, [&s](const ApiRequest& req) {
      Params p(req);
      auto target = multipart_target(req, p);
      artifact_destination(s).abort_multipart(target, p.required_str("upload_id"));
      return ApiResponse::json("{}");
    });
  }

  reg.rpc("GET", "/artifacts/list", [&s](const ApiRequest& req) {
    Params p(req);
    auto path = artifacts::canonical_artifact_path(p.str("path").value_or(""), artifacts::PathKind::Directory);
    auto run = s.tracking.get_run(p.run_id());
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
    auto path = artifacts::canonical_artifact_path(p.required_str("path"), artifacts::PathKind::File);
    auto run = s.tracking.get_run(p.run_id());
    return locate_artifact_root(s, run.info.artifact_uri).send_file(path, req.range);
  });

  // UI download of one file of a model version (issue 14): <the version's download URI>/<path>.
  if (s.registry) {
    router.add("GET", s.settings.static_prefix + "/model-versions/get-artifact", auth::Policy::Authenticated,
               [&s](const ApiRequest& req) {
                 Params p(req);
                 auto path = artifacts::canonical_artifact_path(p.required_str("path"), artifacts::PathKind::File);
                 auto uri = s.registry->get_model_version_download_uri(
                     p.str("name").value_or(""), core::parse_version(p.str("version").value_or("")));
                 // A runs:/<run_id>/<sub> location is read from that run's artifacts (MLflow's
                 // RunsArtifactRepository).
                 if (uri.starts_with("runs:/")) {
                   std::string rest = uri.substr(6);
                   auto slash = rest.find('/');
                   auto run = s.tracking.get_run(rest.substr(0, slash));
                   auto sub = slash == std::string::npos ? std::string()
                                                         : artifacts::canonical_artifact_path(
                                                               rest.substr(slash + 1), artifacts::PathKind::Directory);
                   return locate_artifact_root(s, run.info.artifact_uri).send_file(join_artifact_path(sub, path), req.range);
                 }
                 return locate_artifact_root(s, uri).send_file(path, req.range);
               });
  }
}

}  // namespace sextant::api
