// Logged models (MLflow 3, §2.6): create, get, finalize, delete, search, tags, params, artifact
// listing, and the UI's file download.
#include <nlohmann/json.hpp>

#include "api/artifact_access.hpp"
#include "api/json_codec.hpp"
#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "artifacts/artifact_path.hpp"
#include "core/error.hpp"
#include "core/logged_model.hpp"
#include "core/run_name.hpp"
#include "search/limits.hpp"
#include "search/logged_model_filter.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultMaxResults = 50;

// [{key, value}] of params or tags; keys are required, a missing value is "".
std::vector<core::Tag> parse_key_values(const json* v, std::string_view name) {
  std::vector<core::Tag> out;
  const json& arr = json_list(v, name);
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string path = std::string(name) + "[" + std::to_string(i) + "]";
    if (!arr[i].is_object()) core::throw_invalid("Invalid value for parameter '" + path + "': expected an object");
    auto key = json_str(arr[i], "key");
    if (!key || key->empty()) throw_missing(path + ".key");
    out.push_back({*key, json_str(arr[i], "value").value_or("")});
  }
  return out;
}

std::optional<std::string> non_empty(std::optional<std::string> s) {
  if (s && s->empty()) return std::nullopt;
  return s;
}

core::LoggedModelStatus parse_status(const Params& p) {
  const json* v = p.raw("status");
  if (!v) throw_missing("status");
  std::optional<core::LoggedModelStatus> status;
  if (v->is_string()) {
    status = core::parse_logged_model_status(v->get<std::string>());
  } else if (v->is_number_integer() || v->is_number_unsigned()) {
    status = core::parse_logged_model_status(v->dump());
  }
  if (!status) {
    core::throw_invalid("Invalid value " + excerpt_json(*v) + " for parameter 'status' supplied. Valid values are " +
                        "LOGGED_MODEL_STATUS_UNSPECIFIED, LOGGED_MODEL_PENDING, LOGGED_MODEL_READY, "
                        "LOGGED_MODEL_UPLOAD_FAILED. See the API docs for more information about request parameters.");
  }
  return *status;
}

bool json_bool(const json& obj, std::string_view name, const std::string& path, bool fallback) {
  const json* v = json_field(obj, name);
  if (!v) return fallback;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    auto s = util::to_lower(v->get<std::string>());
    if (s == "true") return true;
    if (s == "false") return false;
  }
  core::throw_invalid("Invalid value " + excerpt_json(*v) + " for parameter '" + path + "' supplied: expected a boolean.");
}

ApiResponse model_response(const core::LoggedModel& m) { return ApiResponse::json(json{{"model", to_json(m)}}.dump()); }

ApiResponse search(store::LoggedModelStore& store, const ApiRequest& req) {
  Params p(req);
  if (!p.raw("experiment_ids")) throw_missing("experiment_ids");
  LoggedModelPageQuery page;
  page.experiment_ids = p.str_list("experiment_ids");
  page.filter_string = non_empty(p.str("filter"));

  store::LoggedModelQuery q;
  q.experiment_ids = page.experiment_ids;
  const json& datasets = json_list(p.raw("datasets"), "datasets");
  for (std::size_t i = 0; i < datasets.size(); ++i) {
    auto name = datasets[i].is_object() ? json_str(datasets[i], "dataset_name") : std::nullopt;
    if (!name || name->empty()) core::throw_invalid("`dataset_name` in the `datasets` clause must be specified.");
    q.datasets.push_back({*name, non_empty(json_str(datasets[i], "dataset_digest"))});
  }
  const json& order_by = json_list(p.raw("order_by"), "order_by");
  search::limits::check_order_by_count(order_by.size());
  for (std::size_t i = 0; i < order_by.size(); ++i) {
    std::string path = "order_by[" + std::to_string(i) + "]";
    if (!order_by[i].is_object()) core::throw_invalid("Invalid value for parameter '" + path + "': expected an object");
    const json& o = order_by[i];
    page.order_by.push_back({json_str(o, "field_name").value_or(""), json_bool(o, "ascending", path + ".ascending", true),
                             non_empty(json_str(o, "dataset_name")), non_empty(json_str(o, "dataset_digest"))});
  }
  q.max_results = p.int64("max_results").value_or(0);
  if (q.max_results < 0) {
    core::throw_invalid("Invalid value " + std::to_string(q.max_results) +
                        " for parameter 'max_results' supplied. It must be a positive integer.");
  }
  check_int32(q.max_results, "max_results");
  if (q.max_results == 0) q.max_results = kDefaultMaxResults;  // proto default; MLflow treats 0 the same
  q.offset = decode_logged_model_page_token(non_empty(p.str("page_token")), page);
  q.filter = search::parse_logged_model_filter(page.filter_string.value_or(""));
  for (const auto& o : page.order_by) {
    q.order_by.push_back(search::parse_logged_model_order_by(o.field_name, o.ascending, o.dataset_name, o.dataset_digest));
  }

  auto models = store.search_logged_models(q);
  json out = json::object();
  bool more = static_cast<std::int64_t>(models.size()) > q.max_results;
  if (more) models.resize(static_cast<std::size_t>(q.max_results));
  if (!models.empty()) {
    json arr = json::array();
    for (const auto& m : models) arr.push_back(to_json(m));
    out["models"] = std::move(arr);
  }
  if (more) out["next_page_token"] = encode_logged_model_page_token(page, q.offset + q.max_results);
  return ApiResponse::json(out.dump());
}

}  // namespace

void register_logged_model_routes(RpcRegistrar& reg, Services& s) {
  auto& store = s.logged_models;

  reg.rpc("POST", "/logged-models", [&store](const ApiRequest& req) {
    Params p(req);
    store::NewLoggedModel m;
    m.experiment_id = p.required_str("experiment_id");
    // An empty name counts as absent (MLflow: `request.name or None`) and gets a generated one.
    auto name = non_empty(p.str("name"));
    if (name) core::validate_logged_model_name(*name);
    m.name = name ? *name : core::random_run_name();
    // MLflow stores "" for absent model_type / source_run_id (proto defaults) and echoes "";
    // registering such a model then records run_id "" as well.
    m.model_type = p.str("model_type").value_or("");
    m.source_run_id = p.str("source_run_id").value_or("");
    m.params = parse_key_values(p.raw("params"), "params");
    m.tags = parse_key_values(p.raw("tags"), "tags");
    return model_response(store.create_logged_model(m));
  });

  reg.rpc("POST", "/logged-models/search", [&store](const ApiRequest& req) { return search(store, req); });

  reg.rpc("GET", "/logged-models/{model_id}", [&store](const ApiRequest& req) {
    return model_response(store.get_logged_model(req.path_param("model_id")));
  });

  // The body repeats model_id (required, as in MLflow); the path names the model.
  reg.rpc("PATCH", "/logged-models/{model_id}", [&store](const ApiRequest& req) {
    Params p(req);
    p.required_str("model_id");
    auto status = parse_status(p);
    return model_response(store.finalize_logged_model(req.path_param("model_id"), status));
  });

  reg.rpc("DELETE", "/logged-models/{model_id}", [&store](const ApiRequest& req) {
    store.delete_logged_model(req.path_param("model_id"));
    return ApiResponse::json("{}");
  });

  reg.rpc("PATCH", "/logged-models/{model_id}/tags", [&store](const ApiRequest& req) {
    Params p(req);
    store.set_logged_model_tags(req.path_param("model_id"), parse_key_values(p.raw("tags"), "tags"));
    return ApiResponse::json("{}");
  });

  reg.rpc("DELETE", "/logged-models/{model_id}/tags/{tag_key}", [&store](const ApiRequest& req) {
    store.delete_logged_model_tag(req.path_param("model_id"), req.path_param("tag_key"));
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/logged-models/{model_id}/params", [&store](const ApiRequest& req) {
    Params p(req);
    p.required_str("model_id");
    store.log_logged_model_params(req.path_param("model_id"), parse_key_values(p.raw("params"), "params"));
    return ApiResponse::json("{}");
  });

  reg.rpc("GET", "/logged-models/{model_id}/artifacts/directories", [&s](const ApiRequest& req) {
    Params p(req);
    auto path = artifacts::canonical_artifact_path(p.str("artifact_directory_path").value_or(""),
                                                   artifacts::PathKind::Directory);
    auto model = s.logged_models.get_logged_model(req.path_param("model_id"));
    auto files = locate_artifact_root(s, model.artifact_location).list(path);
    json out = {{"root_uri", model.artifact_location}};
    if (!files.empty()) {
      json arr = json::array();
      for (const auto& f : files) arr.push_back(to_json(f));
      out["files"] = std::move(arr);
    }
    return ApiResponse::json(out.dump());
  });

  // UI download of one file of a model (query string only, like MLflow's request.args).
  reg.ajax_only("GET", "/logged-models/{model_id}/artifacts/files", [&s](const ApiRequest& req) {
    std::string path;
    for (const auto& [k, v] : req.query) {
      if (k == "artifact_file_path") {
        path = v;
        break;
      }
    }
    if (path.empty()) {
      throw core::MlflowError(core::ErrorCode::BAD_REQUEST,
                              "Request must include the \"artifact_file_path\" query parameter.");
    }
    path = artifacts::canonical_artifact_path(path, artifacts::PathKind::File);
    auto model = s.logged_models.get_logged_model(req.path_param("model_id"));
    return locate_artifact_root(s, model.artifact_location).send_file(path, req.range);
  });
}

}  // namespace sextant::api
