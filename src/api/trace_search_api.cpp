// SearchTracesV3 (POST /api/3.0/mlflow/traces/search), the legacy SearchTraces (GET
// /api/2.0/mlflow/traces) and CalculateTraceFilterCorrelation (POST
// /api/3.0/mlflow/traces/calculate-filter-correlation), as MLflow 3.6's handlers parse and answer
// them (docs/design/tracing/rest-traces.md §4.5, §4.9, §6). Registered only when services.traces
// is set. The grammar is the store's (search/trace_filter).
#include <cmath>

#include <nlohmann/json.hpp>

#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "api/trace_json.hpp"
#include "core/error.hpp"
#include "core/trace_correlation.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

// The handlers' cap on max_results (checked on either spelling of the field).
constexpr std::int64_t kMaxSearchTraces = 500;
constexpr std::int64_t kDefaultSearchTraces = 100;

// MLflow's _resolve_experiment_ids_and_locations: ids containing '.' are refused.
void check_experiment_ids(const std::vector<std::string>& ids) {
  std::string invalid;
  for (const auto& id : ids) {
    if (id.find('.') == std::string::npos) continue;
    invalid += (invalid.empty() ? "" : ", ") + id;
  }
  if (invalid.empty()) return;
  if (invalid.size() > 20) invalid = invalid.substr(0, 20) + "...";
  core::throw_invalid("Locations must be a list of experiment IDs. Found invalid experiment IDs: " + invalid + ".");
}

// SearchTracesV3.locations: a required list of TraceLocation objects; the experiment ids of
// those with mlflow_experiment (others are ignored, as by MLflow).
std::vector<std::string> location_experiment_ids(const Params& p) {
  const json* locations = p.raw("locations");
  if (!locations) throw_missing("locations");
  std::vector<std::string> ids;
  const json& list = json_list(locations, "locations");
  for (std::size_t i = 0; i < list.size(); ++i) {
    const json& location = list[i];
    const std::string path = "locations[" + std::to_string(i) + "]";
    if (!location.is_object()) throw_invalid_type(location, path);
    const json* experiment = json_field(location, "mlflow_experiment");
    if (!experiment) continue;
    if (!experiment->is_object()) throw_invalid_type(*experiment, path + ".mlflow_experiment");
    const json* id = json_field(*experiment, "experiment_id");
    if (!id) continue;
    if (id->is_number_integer()) {
      ids.push_back(id->dump());
    } else if (id->is_string()) {
      ids.push_back(id->get<std::string>());
    } else {
      throw_invalid_type(*id, path + ".mlflow_experiment.experiment_id");
    }
  }
  return ids;
}

// The fields both search routes share: filter, max_results, order_by, page_token.
store::TraceQuery search_query(const Params& p, std::vector<std::string> experiment_ids) {
  check_experiment_ids(experiment_ids);
  store::TraceQuery q;
  q.experiment_ids = std::move(experiment_ids);
  q.filter = p.str("filter").value_or("");
  if (const json* max = p.raw("max_results")) {
    const auto value = p.int64("max_results");
    if (value && *value > kMaxSearchTraces) throw_invalid_type(*max, "max_results");
    q.max_results = value.value_or(kDefaultSearchTraces);
  }
  q.order_by = p.str_list("order_by");
  q.offset = decode_page_token(p.str("page_token"));
  return q;
}

template <typename Encode>
std::string page_json(const store::TraceSearchPage& page, const store::TraceQuery& q, Encode&& encode) {
  json out = json::object();
  if (!page.traces.empty()) {
    json traces = json::array();
    for (const auto& info : page.traces) traces.push_back(encode(info));
    out["traces"] = std::move(traces);
  }
  if (page.full) out["next_page_token"] = encode_page_token(q.offset + q.max_results);
  return out.dump();
}

// A double field as protobuf's JSON prints it: NaN and the infinities as strings.
json proto_double(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

}  // namespace

void register_trace_search_routes(RpcRegistrar& reg, Services& services) {
  if (!services.traces) return;
  auto& store = *services.traces;

  reg.rpc_v3("POST", "/traces/search", [&store](const ApiRequest& req) {
    Params p(req);
    auto q = search_query(p, location_experiment_ids(p));
    auto page = store.search_traces(q);
    return ApiResponse::json(page_json(page, q, trace_info_v3_json));
  });

  // Legacy SearchTraces: experiment_ids repeated in the query string (or a JSON body).
  reg.rpc("GET", "/traces", [&store](const ApiRequest& req) {
    Params p(req);
    if (!p.raw("experiment_ids")) throw_missing("experiment_ids");
    auto q = search_query(p, p.str_list("experiment_ids"));
    auto page = store.search_traces(q);
    return ApiResponse::json(page_json(page, q, trace_info_v2_json));
  });

  reg.rpc_v3("POST", "/traces/calculate-filter-correlation", [&store](const ApiRequest& req) {
    Params p(req);
    if (!p.raw("experiment_ids")) throw_missing("experiment_ids");
    auto experiment_ids = p.str_list("experiment_ids");
    const std::string filter1 = p.required_str("filter_string1");
    const std::string filter2 = p.required_str("filter_string2");
    const std::string base = p.str("base_filter").value_or("");
    const auto counts = store.count_trace_filters(experiment_ids, filter1, filter2, base);
    const auto npmi = core::npmi_from_counts(counts.joint, counts.filter1, counts.filter2, counts.total);
    json out = {{"npmi", proto_double(npmi.npmi)},
                {"npmi_smoothed", proto_double(npmi.npmi_smoothed)},
                {"filter1_count", counts.filter1},
                {"filter2_count", counts.filter2},
                {"joint_count", counts.joint},
                {"total_count", counts.total}};
    return ApiResponse::json(out.dump());
  });
}

}  // namespace sextant::api
