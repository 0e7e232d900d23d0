// MLflow 3.6's registered scorers under /api/3.0/mlflow/scorers
// (docs/design/tracing/datasets-scorers-prompts.md §2): register, list, versions, get, delete.
// GET routes read the query string, DELETE its JSON body (Params applies MLflow's rule).
#include <nlohmann/json.hpp>

#include "api/params.hpp"
#include "api/routes.hpp"
#include "core/evaluation_dataset.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

// proto mlflow.Scorer: experiment_id is an int32 there (a JSON number).
json scorer_to_json(const core::ScorerVersion& v) {
  return json{{"experiment_id", v.experiment_id}, {"scorer_name", v.scorer_name},
              {"scorer_version", v.scorer_version}, {"serialized_scorer", v.serialized_scorer},
              {"creation_time", v.creation_time},   {"scorer_id", v.scorer_id}};
}

ApiResponse scorers_response(const std::vector<core::ScorerVersion>& versions) {
  json out = json::object();
  if (!versions.empty()) {
    json arr = json::array();
    for (const auto& v : versions) arr.push_back(scorer_to_json(v));
    out["scorers"] = std::move(arr);
  }
  return ApiResponse::json(out.dump());
}

std::optional<std::int64_t> version_of(const Params& p) {
  auto version = p.int64("version");
  if (version) check_int32(*version, "version");
  return version;
}

}  // namespace

void register_scorer_routes(RpcRegistrar& reg, Services& s) {
  if (!s.scorers) return;
  auto& store = *s.scorers;

  reg.rpc_v3("POST", "/scorers/register", [&store](const ApiRequest& req) {
    Params p(req);
    auto experiment_id = p.required_str("experiment_id");
    auto name = p.required_str("name");
    auto serialized = p.required_str("serialized_scorer");
    auto v = store.register_scorer(experiment_id, name, serialized);
    // RegisterScorer.Response: experiment_id is a string there.
    json out{{"version", v.scorer_version},         {"scorer_id", v.scorer_id},
             {"experiment_id", std::to_string(v.experiment_id)}, {"name", v.scorer_name},
             {"serialized_scorer", v.serialized_scorer}, {"creation_time", v.creation_time}};
    return ApiResponse::json(out.dump());
  });
  reg.rpc_v3("GET", "/scorers/list", [&store](const ApiRequest& req) {
    Params p(req);
    return scorers_response(store.list_scorers(p.required_str("experiment_id")));
  });
  reg.rpc_v3("GET", "/scorers/versions", [&store](const ApiRequest& req) {
    Params p(req);
    auto experiment_id = p.required_str("experiment_id");
    return scorers_response(store.list_scorer_versions(experiment_id, p.required_str("name")));
  });
  reg.rpc_v3("GET", "/scorers/get", [&store](const ApiRequest& req) {
    Params p(req);
    auto experiment_id = p.required_str("experiment_id");
    auto name = p.required_str("name");
    auto v = store.get_scorer(experiment_id, name, version_of(p));
    return ApiResponse::json(json{{"scorer", scorer_to_json(v)}}.dump());
  });
  reg.rpc_v3("DELETE", "/scorers/delete", [&store](const ApiRequest& req) {
    Params p(req);
    auto experiment_id = p.required_str("experiment_id");
    auto name = p.required_str("name");
    store.delete_scorer(experiment_id, name, version_of(p));
    return ApiResponse::json("{}");
  });
}

}  // namespace sextant::api
