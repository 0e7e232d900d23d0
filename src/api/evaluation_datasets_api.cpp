// MLflow 3.6's GenAI evaluation datasets under /api/3.0/mlflow/datasets
// (docs/design/tracing/datasets-scorers-prompts.md §1): create, get, delete, search, tags,
// records upsert / read, experiment links. `tags` and `records` travel as JSON text inside
// the JSON body and response, as MLflow's handlers json.loads / json.dumps them.
#include <charconv>

#include <nlohmann/json.hpp>

#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "core/evaluation_dataset.hpp"
#include "search/filter_parser.hpp"
#include "search/limits.hpp"
#include "util/base64.hpp"
#include "util/python_json.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr std::int64_t kDefaultMaxResults = 1000;   // SearchEvaluationDatasets / GetDatasetRecords
constexpr std::int64_t kMaxSearchResults = 50000;  // MLflow's SEARCH_MAX_RESULTS_THRESHOLD
// Column widths (evaluation_datasets.name, evaluation_dataset_tags key/value,
// entity_associations.destination_id): longer values are refused before anything is written.
constexpr std::size_t kMaxNameLength = 255;
constexpr std::size_t kMaxTagKeyLength = 255;
constexpr std::size_t kMaxTagValueLength = 5000;
constexpr std::size_t kMaxExperimentIdLength = 36;
constexpr std::size_t kMaxExperimentIds = 1000;  // per request
// A records upsert may carry many records; its JSON text is bounded by the request body size.
constexpr std::size_t kMaxRecordValues = 2'000'000;

void check_length(const std::string& value, std::size_t max, const std::string& what) {
  if (util::utf8_length(value) > max) {
    core::throw_invalid(what + " exceeds the maximum length of " + std::to_string(max) + " characters.");
  }
}

// A JSON-text field (`tags`, `records`) parsed as Python's json.loads would, in document order.
ordered_json embedded_json(const std::string& text, const char* field, std::size_t max_values = 0) {
  JsonLimits limits;
  if (max_values) limits.max_values = max_values;
  auto v = decode_request_json_ordered(text, limits);
  if (v.is_discarded()) {
    core::throw_invalid(std::string("Invalid value for parameter '") + field + "': not a JSON document.");
  }
  return v;
}

// `tags` of CreateDataset / SetDatasetTags: a JSON object of scalars; null values are skipped
// (MLflow's set_dataset_tags), other values stored as Python's str() of them.
std::vector<core::Tag> parse_tags(const std::string& text) {
  auto v = embedded_json(text, "tags");
  if (!v.is_object()) core::throw_invalid("Invalid value for parameter 'tags': expected a JSON object.");
  std::vector<core::Tag> tags;
  for (const auto& [key, value] : v.items()) {
    if (value.is_null()) continue;
    auto shown = util::python_str(value);
    if (!shown) core::throw_invalid("Invalid value for tag '" + key + "': expected a string.");
    if (key.empty()) core::throw_invalid("Tag keys must not be empty.");
    check_length(key, kMaxTagKeyLength, "Tag key");
    check_length(*shown, kMaxTagValueLength, "Value of tag '" + key + "'");
    tags.push_back({key, *shown});
  }
  return tags;
}

std::vector<std::string> experiment_ids(const Params& p) {
  auto ids = p.str_list("experiment_ids");
  if (ids.size() > kMaxExperimentIds) {
    core::throw_invalid("Too many experiment_ids: at most " + std::to_string(kMaxExperimentIds) + " are allowed.");
  }
  for (const auto& id : ids) check_length(id, kMaxExperimentIdLength, "Experiment id");
  return ids;
}

json dataset_to_json(const core::EvaluationDataset& d) {
  ordered_json tags = ordered_json::object();
  for (const auto& t : d.tags) tags[t.key] = t.value;
  json out = json::object();
  out["dataset_id"] = d.dataset_id;
  out["name"] = d.name;
  out["tags"] = util::python_json_dumps(tags);
  if (d.schema) out["schema"] = *d.schema;
  if (d.profile) out["profile"] = *d.profile;
  out["digest"] = d.digest;
  out["created_time"] = d.created_time;
  out["last_update_time"] = d.last_update_time;
  if (d.created_by) out["created_by"] = *d.created_by;
  if (d.last_updated_by) out["last_updated_by"] = *d.last_updated_by;
  if (d.experiment_ids && !d.experiment_ids->empty()) out["experiment_ids"] = *d.experiment_ids;
  return out;
}

ApiResponse dataset_response(const core::EvaluationDataset& d) {
  return ApiResponse::json(json{{"dataset", dataset_to_json(d)}}.dump());
}

ApiResponse empty_response() { return ApiResponse::json("{}"); }

std::int64_t search_max_results(const Params& p) {
  auto max = p.int64("max_results");
  if (!max) return kDefaultMaxResults;
  if (*max < 1) {
    // MLflow's handler turns an explicit 0 into None.
    core::throw_invalid("Invalid value " + (*max == 0 ? std::string("None") : std::to_string(*max)) +
                        " for parameter 'max_results' supplied. It must be a positive integer");
  }
  if (*max > kMaxSearchResults) {
    core::throw_invalid("Invalid value " + std::to_string(*max) +
                        " for parameter 'max_results' supplied. It must be at most " +
                        std::to_string(kMaxSearchResults));
  }
  return *max;
}

ApiResponse search(store::EvaluationDatasetStore& store, const ApiRequest& req) {
  Params p(req);
  store::EvaluationDatasetQuery q;
  auto ids = experiment_ids(p);
  if (!ids.empty()) q.experiment_ids = std::move(ids);
  q.max_results = search_max_results(p);
  if (auto filter = p.str("filter_string")) q.filter = search::parse_filter(*filter, search::Grammar::EvaluationDatasets);
  auto order_by = p.str_list("order_by");
  search::limits::check_order_by_count(order_by.size());
  for (const auto& o : order_by) q.order_by.push_back(search::parse_order_by(o, search::Grammar::EvaluationDatasets));
  auto token = p.str("page_token");
  q.offset = decode_page_token(token && !token->empty() ? token : std::nullopt);

  auto datasets = store.search_datasets(q);
  json out = json::object();
  bool more = static_cast<std::int64_t>(datasets.size()) > q.max_results;
  if (more) datasets.resize(static_cast<std::size_t>(q.max_results));
  if (!datasets.empty()) {
    json arr = json::array();
    for (const auto& d : datasets) arr.push_back(dataset_to_json(d));
    out["datasets"] = std::move(arr);
  }
  if (more) out["next_page_token"] = encode_page_token(q.offset + q.max_results);
  return ApiResponse::json(out.dump());
}

[[noreturn]] void invalid_records_token() {
  core::throw_invalid("Invalid page token: expected a token from a previous GetDatasetRecords response.");
}

// MLflow's records cursor: base64("<created_time>:<dataset_record_id>"), or else a plain offset.
void decode_records_token(const std::string& token, store::RecordPageQuery& page) {
  if (auto decoded = util::base64_decode(token)) {
    auto colon = decoded->find(':');
    if (colon != std::string::npos) {
      std::int64_t time = 0;
      const std::string head = decoded->substr(0, colon);
      auto [ptr, ec] = std::from_chars(head.data(), head.data() + head.size(), time);
      if (head.empty() || ec != std::errc() || ptr != head.data() + head.size()) invalid_records_token();
      page.after = std::make_pair(time, decoded->substr(colon + 1));
      return;
    }
  }
  std::int64_t offset = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), offset);
  if (ec != std::errc() || ptr != token.data() + token.size() || offset < 0 || offset > kMaxPageOffset) {
    invalid_records_token();
  }
  page.offset = offset;
}

ApiResponse get_records(store::EvaluationDatasetStore& store, const ApiRequest& req) {
  Params p(req);
  store::RecordPageQuery page;
  auto max = p.int64("max_results").value_or(0);
  if (max < 0 || max > kMaxSearchResults) {
    core::throw_invalid("Invalid value " + std::to_string(max) +
                        " for parameter 'max_results' supplied. It must be between 1 and " +
                        std::to_string(kMaxSearchResults));
  }
  page.max_results = max == 0 ? kDefaultMaxResults : max;
  if (auto token = p.str("page_token"); token && !token->empty()) decode_records_token(*token, page);
  auto rows = store.get_dataset_records(req.path_param("dataset_id"), page);
  bool more = static_cast<std::int64_t>(rows.size()) > page.max_results;
  if (more) rows.resize(static_cast<std::size_t>(page.max_results));
  ordered_json records = ordered_json::array();
  for (const auto& r : rows) records.push_back(core::dataset_record_to_json(r));
  json out = json::object();
  out["records"] = util::python_json_dumps(records);
  if (more) {
    const auto& last = rows.back();
    out["next_page_token"] = util::base64_encode(std::to_string(last.created_time) + ":" + last.dataset_record_id);
  }
  return ApiResponse::json(out.dump());
}

ApiResponse upsert_records(store::EvaluationDatasetStore& store, const ApiRequest& req) {
  Params p(req);
  auto text = p.required_str("records");
  auto v = embedded_json(text, "records", kMaxRecordValues);
  if (!v.is_array()) core::throw_invalid("Invalid value for parameter 'records': expected a JSON list.");
  std::vector<core::RecordUpsert> records;
  records.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) records.push_back(core::parse_record_upsert(v[i], i));
  auto counts = store.upsert_dataset_records(req.path_param("dataset_id"), records);
  return ApiResponse::json(json{{"inserted_count", counts.inserted}, {"updated_count", counts.updated}}.dump());
}

}  // namespace

void register_evaluation_dataset_routes(RpcRegistrar& reg, Services& s) {
  if (!s.evaluation_datasets) return;
  auto& store = *s.evaluation_datasets;

  reg.rpc_v3("POST", "/datasets/create", [&store](const ApiRequest& req) {
    Params p(req);
    store::NewEvaluationDataset d;
    d.name = p.required_str("name");
    check_length(d.name, kMaxNameLength, "Dataset name");
    d.experiment_ids = experiment_ids(p);
    if (auto tags = p.str("tags"); tags && !tags->empty()) d.tags = parse_tags(*tags);
    return dataset_response(store.create_dataset(d));
  });
  auto search_handler = [&store](const ApiRequest& req) { return search(store, req); };
  reg.rpc_v3("POST", "/datasets/search", search_handler);
  reg.rpc_v3("GET", "/datasets/search", search_handler);
  reg.rpc_v3("GET", "/datasets/{dataset_id}", [&store](const ApiRequest& req) {
    return dataset_response(store.get_dataset(req.path_param("dataset_id")));
  });
  reg.rpc_v3("DELETE", "/datasets/{dataset_id}", [&store](const ApiRequest& req) {
    store.delete_dataset(req.path_param("dataset_id"));
    return empty_response();
  });
  reg.rpc_v3("PATCH", "/datasets/{dataset_id}/tags", [&store](const ApiRequest& req) {
    Params p(req);
    auto tags = parse_tags(p.required_str("tags"));
    store.set_dataset_tags(req.path_param("dataset_id"), tags);
    return empty_response();
  });
  reg.rpc_v3("DELETE", "/datasets/{dataset_id}/tags/{key}", [&store](const ApiRequest& req) {
    store.delete_dataset_tag(req.path_param("dataset_id"), req.path_param("key"));
    return empty_response();
  });
  reg.rpc_v3("POST", "/datasets/{dataset_id}/records",
             [&store](const ApiRequest& req) { return upsert_records(store, req); });
  reg.rpc_v3("GET", "/datasets/{dataset_id}/records", [&store](const ApiRequest& req) { return get_records(store, req); });
  reg.rpc_v3("GET", "/datasets/{dataset_id}/experiment-ids", [&store](const ApiRequest& req) {
    auto ids = store.get_dataset_experiment_ids(req.path_param("dataset_id"));
    json out = json::object();
    if (!ids.empty()) out["experiment_ids"] = ids;
    return ApiResponse::json(out.dump());
  });
  reg.rpc_v3("POST", "/datasets/{dataset_id}/add-experiments", [&store](const ApiRequest& req) {
    Params p(req);
    return dataset_response(store.add_dataset_to_experiments(req.path_param("dataset_id"), experiment_ids(p)));
  });
  reg.rpc_v3("POST", "/datasets/{dataset_id}/remove-experiments", [&store](const ApiRequest& req) {
    Params p(req);
    return dataset_response(store.remove_dataset_from_experiments(req.path_param("dataset_id"), experiment_ids(p)));
  });
}

}  // namespace sextant::api
