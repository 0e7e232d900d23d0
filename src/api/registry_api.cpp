// Model registry: registered models, model versions, tags, aliases (mlflow-api.md §2.9).
#include <cstdlib>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/registry_json.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "core/registry.hpp"
#include "core/validation.hpp"
#include "search/filter_parser.hpp"
#include "search/limits.hpp"
#include "util/regex.hpp"

namespace sextant::api {

using nlohmann::json;
namespace reg = core::registry;

namespace {

std::vector<core::Tag> parse_tags(const Params& p) {
  std::vector<core::Tag> tags;
  for (const auto& t : json_list(p.raw("tags"), "tags")) tags.push_back({json_str(t, "key").value_or(""), json_str(t, "value").value_or("")});
  return tags;
}

bool has_prompt_tag(const std::vector<core::Tag>& tags) {
  for (const auto& t : tags)
    if (t.key == reg::kPromptTag) return true;
  return false;
}

std::int64_t version_param(const Params& p) {
  auto v = p.str("version");
  if (!v || v->empty()) throw_missing("version");
  return core::parse_version(*v);
}

// MLflow's schema check `max_results <= limit`: "Invalid value 1001 for parameter ... supplied:
// Hint: Value was of type 'int'." (query-string values are strings).
[[noreturn]] void max_results_too_large(const Params& p) {
  const json* v = p.raw("max_results");
  if (v && v->is_array() && !v->empty()) v = &(*v)[0];
  std::string shown = v ? excerpt_json(*v) : "null";
  const char* type = v && v->is_string() ? "str" : "int";
  core::throw_invalid("Invalid value " + shown + " for parameter 'max_results' supplied:  Hint: Value was of type '" +
                      type + "'. See the API docs for more information about request parameters.");
}

std::int64_t max_results_param(const Params& p, std::int64_t default_value, std::int64_t limit) {
  auto n = p.int64("max_results").value_or(default_value);
  if (n > limit) max_results_too_large(p);
  if (n < 1) {
    core::throw_invalid("Invalid value for max_results. It must be a positive integer, but got " + std::to_string(n));
  }
  return n;
}

// Python's repr() of a list of str, for the duplicate order_by message.
std::string py_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    out += "'";
    for (char c : items[i]) {
      if (c == '\'' || c == '\\') out += '\\';
      out += c;
    }
    out += "'";
  }
  return out + "]";
}

store::RegistrySearchQuery parse_search(const Params& p, search::Grammar grammar, std::int64_t default_max,
                                        std::int64_t limit) {
  store::RegistrySearchQuery q;
  q.max_results = max_results_param(p, default_max, limit);
  q.filter = search::parse_filter(p.str("filter").value_or(""), grammar);
  auto order_by = p.str_list("order_by");
  search::limits::check_order_by_count(order_by.size());
  for (const auto& o : order_by) {
    auto parsed = search::parse_order_by(o, grammar);
    for (const auto& seen : q.order_by) {
      if (seen.key == parsed.key) core::throw_invalid("`order_by` contains duplicate fields: " + py_list(order_by));
    }
    q.order_by.push_back(std::move(parsed));
  }
  q.offset = decode_page_token(p.str("page_token"));
  return q;
}

template <typename T>
ApiResponse page(const char* field, std::vector<T> rows, const store::RegistrySearchQuery& q) {
  json out = json::object();
  bool more = static_cast<std::int64_t>(rows.size()) > q.max_results;
  if (more) rows.resize(static_cast<std::size_t>(q.max_results));
  if (!rows.empty()) {
    json arr = json::array();
    for (const auto& r : rows) arr.push_back(to_json(r));
    out[field] = std::move(arr);
  }
  if (more) out["next_page_token"] = encode_page_token(q.offset + q.max_results);
  return ApiResponse::json(out.dump());
}

ApiResponse model_response(const char* field, const core::ModelVersion& v) {
  return ApiResponse::json(json{{field, to_json(v)}}.dump());
}

ApiResponse registered_model_response(const core::RegisteredModel& m) {
  return ApiResponse::json(json{{"registered_model", to_json(m)}}.dump());
}

// MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX (rule 1 of CreateModelVersion), read once.
std::shared_ptr<const util::Regex> source_regex_from_env() {
  const char* pattern = std::getenv("MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX");
  if (!pattern || !*pattern) return nullptr;
  try {
    return std::make_shared<const util::Regex>(pattern);
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX is not a valid "
                                         "regular expression: ") + e.what());
  }
}

}  // namespace

void register_registry_routes(RpcRegistrar& reg, Services& s) {
  if (!s.registry) return;
  auto& store = *s.registry;

  // --- registered models ---

  reg.rpc("POST", "/registered-models/create", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    core::validate_model_name_length(name, "name");
    auto tags = parse_tags(p);
    for (const auto& t : tags) core::validate_registered_model_tag(t);
    return registered_model_response(store.create_registered_model(name, tags, p.str("description").value_or("")));
  });

  reg.rpc("GET", "/registered-models/get", [&store](const ApiRequest& req) {
    Params p(req);
    return registered_model_response(store.get_registered_model(p.required_str("name")));
  });

  reg.rpc("POST", "/registered-models/rename", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto new_name = p.required_str("new_name");
    core::validate_model_name_length(new_name, "new_name");
    return registered_model_response(store.rename_registered_model(name, new_name));
  });

  reg.rpc("PATCH", "/registered-models/update", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    // An absent description clears it (MLflow writes the proto default "").
    return registered_model_response(store.update_registered_model(name, p.str("description").value_or("")));
  });

  reg.rpc("DELETE", "/registered-models/delete", [&store](const ApiRequest& req) {
    Params p(req);
    store.delete_registered_model(p.required_str("name"));
    return ApiResponse::json("{}");
  });

  reg.rpc("GET", "/registered-models/search", [&store](const ApiRequest& req) {
    Params p(req);
    auto q = parse_search(p, search::Grammar::RegisteredModels, 100, reg::kMaxSearchModels);
    return page("registered_models", store.search_registered_models(q), q);
  });

  auto latest = [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    std::vector<std::string> stages;
    for (const auto& st : p.str_list("stages")) stages.push_back(core::canonical_stage(st));
    json arr = json::array();
    for (const auto& v : store.get_latest_versions(name, stages)) arr.push_back(to_json(v));
    json out = json::object();
    if (!arr.empty()) out["model_versions"] = std::move(arr);
    return ApiResponse::json(out.dump());
  };
  reg.rpc("POST", "/registered-models/get-latest-versions", latest);
  reg.rpc("GET", "/registered-models/get-latest-versions", latest);

  reg.rpc("POST", "/registered-models/set-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    core::Tag tag{p.required_str("key"), p.str("value").value_or("")};
    core::validate_registered_model_tag(tag);
    store.set_registered_model_tag(name, tag);
    return ApiResponse::json("{}");
  });

  reg.rpc("DELETE", "/registered-models/delete-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto key = p.required_str("key");
    core::validate_entity_key(key, "key");
    store.delete_registered_model_tag(name, key);
    return ApiResponse::json("{}");
  });

  // --- aliases ---

  reg.rpc("POST", "/registered-models/alias", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto alias = p.required_str("alias");
    auto version_text = p.required_str("version");
    core::validate_alias_name(alias);
    core::validate_alias_not_reserved(alias);
    store.set_registered_model_alias(name, alias, core::parse_version(version_text));
    return ApiResponse::json("{}");
  });

  reg.rpc("DELETE", "/registered-models/alias", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto alias = p.required_str("alias");
    core::validate_alias_name(alias);
    store.delete_registered_model_alias(name, alias);
    return ApiResponse::json("{}");
  });

  reg.rpc("GET", "/registered-models/alias", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto alias = p.required_str("alias");
    core::validate_alias_name(alias);
    return model_response("model_version", store.get_model_version_by_alias(name, alias));
  });

  // --- model versions ---

  auto source_regex = source_regex_from_env();
  reg.rpc("POST", "/model-versions/create", [&store, source_regex](const ApiRequest& req) {
    Params p(req);
    store::NewModelVersion v;
    v.name = p.required_str("name");
    v.source = p.required_str("source");
    v.run_id = p.str("run_id").value_or("");
    v.run_link = p.str("run_link").value_or("");
    v.description = p.str("description").value_or("");
    v.model_id = p.str("model_id").value_or("");
    v.tags = parse_tags(p);
    if (source_regex && !source_regex->search(v.source)) {
      core::throw_invalid("Invalid model version source: '" + v.source + "'.");
    }
    for (const auto& t : v.tags) core::validate_model_version_tag(t);
    v.is_prompt = has_prompt_tag(v.tags);
    return model_response("model_version", store.create_model_version(v));
  });

  reg.rpc("GET", "/model-versions/get", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    return model_response("model_version", store.get_model_version(name, version_param(p)));
  });

  reg.rpc("PATCH", "/model-versions/update", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto version = version_param(p);
    return model_response("model_version", store.update_model_version(name, version, p.str("description")));
  });

  reg.rpc("POST", "/model-versions/transition-stage", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto version = version_param(p);
    auto stage_text = p.required_str("stage");
    bool archive = p.boolean("archive_existing_versions").value_or(false);
    auto stage = core::canonical_stage(stage_text);
    if (archive && !core::is_active_stage(stage)) {
      // The reference answers 500 here; a client mistake is a 400 (mlflow-api.md §7 row 6).
      core::throw_invalid("Model version transition cannot archive existing model versions because '" + stage_text +
                          "' is not an Active stage. Valid stages are ['Staging', 'Production']");
    }
    return model_response("model_version", store.transition_model_version_stage(name, version, stage, archive));
  });

  reg.rpc("DELETE", "/model-versions/delete", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    store.delete_model_version(name, version_param(p));
    return ApiResponse::json("{}");
  });

  reg.rpc("GET", "/model-versions/get-download-uri", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    // MLflow declares no schema here: a missing version is "must be an integer, got ''".
    auto uri = store.get_model_version_download_uri(name, core::parse_version(p.str("version").value_or("")));
    return ApiResponse::json(json{{"artifact_uri", uri}}.dump());
  });

  reg.rpc("GET", "/model-versions/search", [&store](const ApiRequest& req) {
    Params p(req);
    auto q = parse_search(p, search::Grammar::ModelVersions, reg::kMaxSearchVersions, reg::kMaxSearchVersions);
    return page("model_versions", store.search_model_versions(q), q);
  });

  reg.rpc("POST", "/model-versions/set-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto version = version_param(p);
    core::Tag tag{p.required_str("key"), p.str("value").value_or("")};
    core::validate_model_version_tag(tag);
    store.set_model_version_tag(name, version, tag);
    return ApiResponse::json("{}");
  });

  reg.rpc("DELETE", "/model-versions/delete-tag", [&store](const ApiRequest& req) {
    Params p(req);
    auto name = p.required_str("name");
    auto version = version_param(p);
    auto key = p.required_str("key");
    core::validate_entity_key(key, "key");
    store.delete_model_version_tag(name, version, key);
    return ApiResponse::json("{}");
  });
}

}  // namespace sextant::api
