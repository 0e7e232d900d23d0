// Metric history: get-history, get-history-bulk-interval (§2.4) and the UI's get-history-bulk.
#include <algorithm>
#include <limits>
#include <set>

#include <nlohmann/json.hpp>

#include "api/json_codec.hpp"
#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "core/step_sampling.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {
constexpr std::int64_t kMaxRowsPerRun = 25000;

}  // namespace

void register_metric_routes(RpcRegistrar& reg, Services& s) {
  auto& store = s.tracking;

  reg.rpc("GET", "/metrics/get-history", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.run_id();
    auto key = p.required_str("metric_key");
    auto max_results = p.int64("max_results");
    if (max_results && *max_results < 1) {
      core::throw_invalid("Invalid value " + std::to_string(*max_results) +
                          " for parameter 'max_results' supplied. It must be a positive integer");
    }
    if (max_results) check_int32(*max_results, "max_results");
    auto offset = decode_page_token(p.str("page_token"));
    auto limit = max_results ? *max_results + 1 : -1;  // peek one row ahead
    auto rows = store.get_metric_history(run_id, key, limit, offset);
    bool more = max_results && static_cast<std::int64_t>(rows.size()) > *max_results;
    if (more) rows.resize(static_cast<std::size_t>(*max_results));
    auto text = metrics_json_text(rows);
    if (more) {  // rows is not empty: append the token inside the object
      text.pop_back();
      text += ",\"next_page_token\":" + json(encode_page_token(offset + *max_results)).dump() + "}";
    }
    return ApiResponse::json(std::move(text));
  });

  reg.rpc("GET", "/metrics/get-history-bulk-interval", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_ids = p.str_list("run_ids");
    if (run_ids.empty()) throw_missing("run_ids");
    if (run_ids.size() > 100) {
      core::throw_invalid("GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received " +
                          std::to_string(run_ids.size()) + " run_ids.");
    }
    auto key = p.required_str("metric_key");
    auto max_results = p.int64("max_results").value_or(core::kMaxSampledSteps);
    if (max_results < 1 || max_results > core::kMaxSampledSteps) {
      core::throw_invalid("max_results must be between 1 and 2500.");
    }
    auto start = p.int64("start_step"), end = p.int64("end_step");
    if (start.has_value() != end.has_value()) {
      core::throw_invalid("If either start step or end step are specified, both must be specified.");
    }
    if (start && *start > *end) {
      core::throw_invalid("end_step must be greater than start_step. Found start_step=" + std::to_string(*start) +
                          " and end_step=" + std::to_string(*end) + ".");
    }
    // Unknown runs: RESOURCE_DOES_NOT_EXIST. Without a range MLflow samples steps >= 0.
    auto found = store.metric_steps(run_ids, key, start.value_or(0),
                                    end.value_or(std::numeric_limits<std::int64_t>::max()));
    auto sampled = core::sample_steps(found.steps, found.spans, start, end, max_results);
    auto rows = store.metric_rows_at_steps(run_ids, key, sampled, kMaxRowsPerRun);
    return ApiResponse::json(metrics_json_text(rows));
  });

  // UI only: full history of one key for several runs.
  reg.router().add("GET", reg.settings().static_prefix + "/ajax-api/2.0/mlflow/metrics/get-history-bulk",
                   auth::Policy::Authenticated,
                   [&store](const ApiRequest& req) {
                     Params p(req);
                     auto run_ids = p.str_list("run_id");
                     if (run_ids.empty()) {
                       core::throw_invalid("GetMetricHistoryBulk request must specify at least one run_id.");
                     }
                     if (run_ids.size() > 100) {
                       core::throw_invalid("GetMetricHistoryBulk request cannot specify more than 100 run_ids. "
                                           "Received " + std::to_string(run_ids.size()) + " run_ids.");
                     }
                     auto key = p.str("metric_key").value_or("");
                     if (key.empty()) core::throw_invalid("GetMetricHistoryBulk request must specify a metric_key.");
                     auto max_results = std::clamp<std::int64_t>(p.int64("max_results").value_or(kMaxRowsPerRun), 1,
                                                                 kMaxRowsPerRun);
                     std::sort(run_ids.begin(), run_ids.end());
                     std::vector<core::Metric> all;
                     for (const auto& id : run_ids) {
                       auto rows = store.get_metric_history(id, key, max_results - static_cast<std::int64_t>(all.size()), 0);
                       for (auto& m : rows) {
                         m.run_id = id;
                         all.push_back(std::move(m));
                       }
                       if (static_cast<std::int64_t>(all.size()) >= max_results) break;
                     }
                     return ApiResponse::json(metrics_json_text(all));
                   });
}

}  // namespace sextant::api
