// Logging: log-metric, log-parameter, set-tag, delete-tag, log-batch (§2.3); log-inputs,
// log-outputs (§2.5); the legacy log-model.
#include <nlohmann/json.hpp>

#include <chrono>

#include "api/entity_parsing.hpp"
#include "api/model_history.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

const json& list_field(const Params& p, std::string_view name) { return json_list(p.raw(name), name); }

void check_batch_limit(std::size_t count, std::size_t limit, const char* what) {
  if (count > limit) {
    core::throw_invalid("A batch logging request can contain at most " + std::to_string(limit) + " " + what +
                        ". Got " + std::to_string(count) + " " + what +
                        ". Please split up " + what + " across multiple requests and try again.");
  }
}

std::string required_field(const json& obj, std::string_view name, const std::string& path) {
  auto v = json_str(obj, name);
  if (!v) throw_missing(path + "." + std::string(name));
  return *v;
}

core::DatasetInput parse_dataset_input(const json& obj, std::size_t index) {
  std::string path = "datasets[" + std::to_string(index) + "]";
  const json* d = json_field(obj, "dataset");
  if (!d || !d->is_object()) throw_missing(path + ".dataset");
  core::DatasetInput in;
  in.dataset.name = required_field(*d, "name", path + ".dataset");
  in.dataset.digest = required_field(*d, "digest", path + ".dataset");
  in.dataset.source_type = required_field(*d, "source_type", path + ".dataset");
  in.dataset.source = required_field(*d, "source", path + ".dataset");
  in.dataset.schema = json_str(*d, "schema");
  in.dataset.profile = json_str(*d, "profile");
  using namespace core::limits;
  core::validate_length(in.dataset.name, kMaxDatasetName, "name");
  core::validate_length(in.dataset.digest, kMaxDatasetDigest, "digest");
  core::validate_length(in.dataset.source, kMaxDatasetSource, "source");
  if (in.dataset.schema) core::validate_length(*in.dataset.schema, kMaxDatasetSchema, "schema");
  if (in.dataset.profile) core::validate_length(*in.dataset.profile, kMaxDatasetProfile, "profile");
  if (const json* tags = json_field(obj, "tags")) {
    json_list(tags, path + ".tags");
    for (std::size_t i = 0; i < tags->size(); ++i) {
      std::string tpath = path + ".tags[" + std::to_string(i) + "]";
      core::Tag t{required_field((*tags)[i], "key", tpath), required_field((*tags)[i], "value", tpath)};
      core::validate_length(t.key, kMaxInputTagKey, "key");
      core::validate_length(t.value, kMaxInputTagValue, "value");
      in.tags.push_back(std::move(t));
    }
  }
  return in;
}

}  // namespace

void register_logging_routes(RpcRegistrar& reg, Services& s) {
  auto& store = s.tracking;

  reg.rpc("POST", "/runs/log-metric", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.run_id();
    auto metric = parse_metric(p.object(), "");
    store.log_batch(run_id, {metric}, {}, {});
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/log-parameter", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.run_id();
    auto key = p.required_str("key");  // MLflow's schema order: run_id, key, value
    auto param = validated_param(std::move(key), p.str("value").value_or(""), "");
    store.log_batch(run_id, {}, {param}, {});
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/set-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.run_id();
    auto key = p.required_str("key");
    auto tag = validated_run_tag(std::move(key), p.str("value").value_or(""), "");
    store.log_batch(run_id, {}, {}, {tag});
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/delete-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.run_id();
    store.delete_tag(run_id, p.required_str("key"));
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/log-batch", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.str("run_id").value_or("");
    if (run_id.empty()) throw_missing("run_id");
    const json& metrics_json = list_field(p, "metrics");
    const json& params_json = list_field(p, "params");
    const json& tags_json = list_field(p, "tags");
    core::validate_run_id_format(run_id);
    using namespace core::limits;
    check_batch_limit(metrics_json.size(), kMaxBatchMetrics, "metrics");
    check_batch_limit(params_json.size(), kMaxBatchParams, "params");
    check_batch_limit(tags_json.size(), kMaxBatchTags, "tags");
    check_batch_limit(metrics_json.size() + params_json.size() + tags_json.size(), kMaxBatchTotal,
                      "metrics, params, and tags");
    std::vector<core::Metric> metrics;
    std::vector<core::Param> params;
    std::vector<core::Tag> tags;
    metrics.reserve(metrics_json.size());
    for (std::size_t i = 0; i < metrics_json.size(); ++i)
      metrics.push_back(parse_metric(metrics_json[i], "metrics[" + std::to_string(i) + "]"));
    for (std::size_t i = 0; i < params_json.size(); ++i)
      params.push_back(parse_param(params_json[i], "params[" + std::to_string(i) + "]"));
    for (std::size_t i = 0; i < tags_json.size(); ++i)
      tags.push_back(parse_run_tag(tags_json[i], "tags[" + std::to_string(i) + "]"));
    std::vector<std::string> dupes;
    for (std::size_t i = 0; i < params.size(); ++i)
      for (std::size_t j = 0; j < params.size(); ++j)
        if (i != j && params[i].key == params[j].key) {
          dupes.push_back("'" + params[i].key + "'");
          break;
        }
    if (!dupes.empty()) {
      std::string list;
      for (std::size_t i = 0; i < dupes.size(); ++i) list += (i ? ", " : "") + dupes[i];
      core::throw_invalid("Duplicate parameter keys have been submitted: [" + list +
                          "]. Please ensure the request contains only one param value per param key.");
    }
    store.log_batch(run_id, metrics, params, tags);
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/log-inputs", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.str("run_id").value_or("");
    if (run_id.empty()) throw_missing("run_id");
    core::validate_run_id_format(run_id);
    std::vector<core::DatasetInput> datasets;
    const json& ds = list_field(p, "datasets");
    for (std::size_t i = 0; i < ds.size(); ++i) datasets.push_back(parse_dataset_input(ds[i], i));
    std::vector<std::string> models;
    const json& ms = list_field(p, "models");
    for (std::size_t i = 0; i < ms.size(); ++i) {
      auto id = json_str(ms[i], "model_id");
      if (!id || id->empty()) throw_missing("models[" + std::to_string(i) + "].model_id");
      models.push_back(*id);
    }
    store.log_inputs(run_id, datasets, models);
    return ApiResponse::json("{}");
  });

  // UI: dataset summaries of experiments (the REST path is broken in MLflow, the ajax one works;
  // both are served here).
  reg.rpc("POST", "/experiments/search-datasets", [&store](const ApiRequest& req) {
    Params p(req);
    auto ids = p.str_list("experiment_ids");
    if (ids.empty()) core::throw_invalid("SearchDatasets request must specify at least one experiment_id.");
    if (ids.size() > 20) {
      core::throw_invalid("SearchDatasets request cannot specify more than 20 experiment_ids. Received " +
                          std::to_string(ids.size()) + " experiment_ids.");
    }
    json arr = json::array();
    for (const auto& d : store.search_dataset_summaries(ids, 1000)) {
      json item = {{"experiment_id", d.experiment_id}, {"name", d.name}, {"digest", d.digest}};
      if (d.context) item["context"] = *d.context;
      arr.push_back(std::move(item));
    }
    json out = json::object();
    if (!arr.empty()) out["dataset_summaries"] = std::move(arr);
    return ApiResponse::json(out.dump());
  });

  reg.rpc("POST", "/runs/outputs", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.str("run_id").value_or("");
    if (run_id.empty()) throw_missing("run_id");
    std::vector<core::ModelOutput> outputs;
    const json& ms = list_field(p, "models");
    for (std::size_t i = 0; i < ms.size(); ++i) {
      std::string path = "models[" + std::to_string(i) + "]";
      auto id = json_str(ms[i], "model_id");
      if (!id || id->empty()) throw_missing(path + ".model_id");
      outputs.push_back({*id, json_int64(ms[i], "step", path + ".step").value_or(0)});
    }
    store.log_outputs(run_id, outputs);
    return ApiResponse::json("{}");
  });

  // Legacy LogModel: appends the model's entry to the run's mlflow.log-model.history tag.
  reg.rpc("POST", "/runs/log-model", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.required_str("run_id");
    auto model_json = p.required_str("model_json");
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch()).count();
    auto entry = logged_model_entry(model_json, python_utc_timestamp(now));
    store.update_tag(run_id, kLoggedModelsTag,
                     [&entry](const std::optional<std::string>& previous) { return appended_model_history(previous, entry); });
    return ApiResponse::json("{}");
  });
}

}  // namespace sextant::api
