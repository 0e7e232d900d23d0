// Runs: create, get, update, delete, restore, search (§2.2).
#include <nlohmann/json.hpp>

#include "api/entity_parsing.hpp"
#include "api/json_codec.hpp"
#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "api/view_type.hpp"
#include "core/error.hpp"
#include "core/validation.hpp"
#include "search/filter_parser.hpp"
#include "search/limits.hpp"
#include "util/time.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

store::NewRun parse_new_run(const Params& p) {
  store::NewRun run;
  run.experiment_id = p.str("experiment_id").value_or("");
  if (run.experiment_id.empty()) run.experiment_id = "0";
  run.user_id = p.str("user_id").value_or("");
  run.start_time = p.int64("start_time").value_or(util::now_ms());
  if (const json* tags = p.raw("tags")) {
    json_list(tags, "tags");
    for (std::size_t i = 0; i < tags->size(); ++i)
      run.tags.push_back(parse_run_tag((*tags)[i], "tags[" + std::to_string(i) + "]"));
  }
  resolve_run_name(run, p.str("run_name").value_or(""));
  return run;
}

}  // namespace

void register_run_routes(RpcRegistrar& reg, Services& s) {
  auto& store = s.tracking;

  reg.rpc("POST", "/runs/create", [&store](const ApiRequest& req) {
    Params p(req);
    auto run = store.create_run(parse_new_run(p));
    return ApiResponse::json(json{{"run", to_json(run)}}.dump());
  });

  reg.rpc("GET", "/runs/get", [&store](const ApiRequest& req) {
    Params p(req);
    auto run = store.get_run(p.run_id());
    return ApiResponse::json(json{{"run", to_json(run)}}.dump());
  });

  reg.rpc("POST", "/runs/update", [&store](const ApiRequest& req) {
    Params p(req);
    auto run_id = p.run_id();
    store::RunUpdate update;
    if (const json* status = p.raw("status")) {
      static const char* kNames[] = {"", "RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"};
      std::string s = excerpt(*status);
      if (s.size() == 1 && s[0] >= '1' && s[0] <= '5') s = kNames[s[0] - '0'];
      if (!core::is_valid_run_status(s)) {
        core::throw_invalid("Invalid value " + excerpt_json(*status) + " for parameter 'status' supplied.");
      }
      update.status = s;
    }
    update.end_time = p.int64("end_time");
    update.run_name = p.str("run_name");
    if (update.run_name && !update.run_name->empty()) {
      validated_run_tag("mlflow.runName", *update.run_name, "run_name");
    }
    auto info = store.update_run(run_id, update);
    return ApiResponse::json(json{{"run_info", to_json(info)}}.dump());
  });

  reg.rpc("POST", "/runs/delete", [&store](const ApiRequest& req) {
    Params p(req);
    store.delete_run(p.run_id());
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/restore", [&store](const ApiRequest& req) {
    Params p(req);
    store.restore_run(p.run_id());
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/runs/search", [&store](const ApiRequest& req) {
    Params p(req);
    store::RunQuery q;
    q.experiment_ids = p.str_list("experiment_ids");
    q.max_results = p.int64("max_results").value_or(1000);
    if (q.max_results < 1 || q.max_results > core::limits::kMaxSearchResults) {
      core::throw_invalid("Invalid value " + std::to_string(q.max_results) +
                          " for parameter 'max_results' supplied. It must be at most 50000 and at least 1.");
    }
    q.view_type = parse_view_type(p, "run_view_type");
    q.filter = search::parse_filter(p.str("filter").value_or(""), search::Grammar::Runs);
    std::vector<std::string> seen;
    auto order_by = p.str_list("order_by");
    search::limits::check_order_by_count(order_by.size());
    for (const auto& o : order_by) {
      auto parsed = search::parse_order_by(o, search::Grammar::Runs);
      std::string id = std::to_string(static_cast<int>(parsed.entity)) + ":" + parsed.key;
      if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
        core::throw_invalid("`order_by` contains duplicate fields: " + o);
      }
      seen.push_back(id);
      q.order_by.push_back(std::move(parsed));
    }
    q.offset = decode_page_token(p.str("page_token"));
    auto runs = store.search_runs(q);
    json out = json::object();
    if (!runs.empty()) {
      json arr = json::array();
      for (const auto& r : runs) arr.push_back(to_json(r));
      out["runs"] = std::move(arr);
    }
    if (static_cast<std::int64_t>(runs.size()) == q.max_results) {
      out["next_page_token"] = encode_page_token(q.offset + q.max_results);
    }
    return ApiResponse::json(out.dump());
  });
}

}  // namespace sextant::api
