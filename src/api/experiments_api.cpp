// Experiments: create, get, get-by-name, search, update, delete, restore, tags (§2.1).
#include <filesystem>

#include <nlohmann/json.hpp>

#include "api/json_codec.hpp"
#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "api/view_type.hpp"
#include "artifacts/artifact_stores.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"
#include "search/filter_parser.hpp"
#include "search/limits.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

std::vector<core::Tag> parse_tags(const Params& p, std::string_view field) {
  std::vector<core::Tag> tags;
  const json* arr = &json_list(p.raw(field), field);
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const auto& t = (*arr)[i];
    auto key = json_str(t, "key");
    std::string path = std::string(field) + "[" + std::to_string(i) + "]";
    if (!key || key->empty()) throw_missing(path + ".key");
    tags.push_back({*key, json_str(t, "value").value_or("")});
  }
  return tags;
}

void validate_experiment_tag(const core::Tag& tag) {
  core::validate_entity_key(tag.key, "key");
  core::validate_length(tag.key, core::limits::kMaxEntityKey, "key");
  core::validate_length(tag.value, core::limits::kMaxExperimentTagValue, "value");
}

}  // namespace

void register_experiment_routes(RpcRegistrar& reg, Services& s) {
  auto& store = s.tracking;

  reg.rpc("POST", "/experiments/create", [&store, &s](const ApiRequest& req) {
    Params p(req);
    // Every field's type first, in MLflow's schema order (name, artifact_location, tags).
    auto name = p.required_str("name");
    auto location = p.str("artifact_location");
    auto tags = parse_tags(p, "tags");
    core::validate_length(name, core::limits::kMaxExperimentName, "name");
    if (location && !location->empty()) {
      core::validate_artifact_location(*location);
      // Local paths are stored absolute, as plain paths (MLflow does the same).
      if (location->find(':') == std::string::npos) {
        *location = std::filesystem::absolute(*location).lexically_normal().string();
      }
      if (s.stores) s.stores->check_new_location(*location);
    }
    for (const auto& t : tags) validate_experiment_tag(t);
    auto id = store.create_experiment(name, location && !location->empty() ? location : std::nullopt, tags);
    return ApiResponse::json(json{{"experiment_id", id}}.dump());
  });

  reg.rpc("GET", "/experiments/get", [&store](const ApiRequest& req) {
    Params p(req);
    auto e = store.get_experiment(p.required_str("experiment_id"));
    return ApiResponse::json(json{{"experiment", to_json(e)}}.dump());
  });

  reg.rpc("GET", "/experiments/get-by-name", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("experiment_name");
    auto e = store.find_experiment_by_name(name);
    if (!e) core::throw_not_found("Could not find experiment with name '" + name + "'");
    return ApiResponse::json(json{{"experiment", to_json(*e)}}.dump());
  });

  auto search = [&store](const ApiRequest& req) {
    Params p(req);
    store::ExperimentQuery q;
    q.max_results = p.int64("max_results").value_or(1000);
    if (q.max_results < 1 || q.max_results > core::limits::kMaxSearchResults) {
      core::throw_invalid("Invalid value " + std::to_string(q.max_results) +
                          " for parameter 'max_results' supplied. It must be a positive integer <= 50000");
    }
    q.view_type = parse_view_type(p, "view_type");
    q.filter = search::parse_filter(p.str("filter").value_or(""), search::Grammar::Experiments);
    auto order_by = p.str_list("order_by");
    search::limits::check_order_by_count(order_by.size());
    for (const auto& o : order_by) q.order_by.push_back(search::parse_order_by(o, search::Grammar::Experiments));
    q.offset = decode_page_token(p.str("page_token"));
    auto rows = store.search_experiments(q);
    json out = json::object();
    bool more = static_cast<std::int64_t>(rows.size()) > q.max_results;
    if (more) rows.resize(static_cast<std::size_t>(q.max_results));
    if (!rows.empty()) {
      json arr = json::array();
      for (const auto& e : rows) arr.push_back(to_json(e));
      out["experiments"] = std::move(arr);
    }
    if (more) out["next_page_token"] = encode_page_token(q.offset + q.max_results);
    return ApiResponse::json(out.dump());
  };
  reg.rpc("POST", "/experiments/search", search);
  reg.rpc("GET", "/experiments/search", search);

  reg.rpc("POST", "/experiments/delete", [&store](const ApiRequest& req) {
    Params p(req);
    store.delete_experiment(p.required_str("experiment_id"));
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/experiments/restore", [&store](const ApiRequest& req) {
    Params p(req);
    store.restore_experiment(p.required_str("experiment_id"));
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/experiments/update", [&store](const ApiRequest& req) {
    Params p(req);
    auto id = p.required_str("experiment_id");
    auto name = p.required_str("new_name");
    core::validate_length(name, core::limits::kMaxExperimentName, "new_name");
    store.rename_experiment(id, name);
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/experiments/set-experiment-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto id = p.required_str("experiment_id");
    core::Tag tag{p.required_str("key"), p.str("value").value_or("")};
    validate_experiment_tag(tag);
    store.set_experiment_tag(id, tag);
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/experiments/delete-experiment-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto id = p.required_str("experiment_id");
    store.delete_experiment_tag(id, p.required_str("key"));
    return ApiResponse::json("{}");
  });
}

}  // namespace sextant::api
