// Registry webhooks (MLflow 3.3+, mlflow/server/handlers.py; webhooks.proto): create, list,
// get, update, delete, test under /api/2.0/mlflow/webhooks and its ajax twin. With --auth on
// they are for administrators only: a webhook sends registry contents to a URL of its choosing.
#include <nlohmann/json.hpp>

#include "api/page_token.hpp"
#include "api/params.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "core/webhook.hpp"
#include "webhooks/webhook_service.hpp"

namespace sextant::api {

namespace {

using ordered_json = nlohmann::ordered_json;
using nlohmann::json;

constexpr const char* kEntities[] = {"ENTITY_UNSPECIFIED", "REGISTERED_MODEL", "MODEL_VERSION", "MODEL_VERSION_TAG",
                                     "MODEL_VERSION_ALIAS", "PROMPT", "PROMPT_VERSION", "PROMPT_TAG",
                                     "PROMPT_VERSION_TAG", "PROMPT_ALIAS"};
constexpr const char* kActions[] = {"ACTION_UNSPECIFIED", "CREATED", "UPDATED", "DELETED", "SET"};
constexpr const char* kStatuses[] = {"STATUS_UNSPECIFIED", "ACTIVE", "DISABLED"};

// A proto enum field: its name, or its number (protobuf's JSON accepts both).
template <std::size_t N>
std::string enum_name(const json* v, const char* const (&names)[N], const char* field) {
  if (v && v->is_string()) return v->get<std::string>();
  if (v && v->is_number_integer()) {
    auto n = v->get<std::int64_t>();
    if (n >= 0 && n < static_cast<std::int64_t>(N)) return names[n];
  }
  // Appended in steps: GCC 12's -O2 -Warray-bounds misfires on the chained operator+ here.
  std::string message = "Invalid value for enum field '";
  message += field;
  message += "': ";
  message += v ? excerpt_json(*v) : "null";
  core::throw_invalid(message);
}

core::WebhookEvent parse_event(const json& e) {
  if (!e.is_object()) core::throw_invalid("Invalid value for parameter 'events': expected a list of objects");
  return core::webhook_event_from_proto_names(enum_name(json_field(e, "entity"), kEntities, "entity"),
                                              enum_name(json_field(e, "action"), kActions, "action"));
}

// nullopt when the request has no "events" (or null).
std::optional<std::vector<core::WebhookEvent>> parse_events(const Params& p) {
  const json* arr = p.raw("events");
  if (!arr) return std::nullopt;
  if (!arr->is_array()) core::throw_invalid("Invalid value for parameter 'events': expected a list");
  std::vector<core::WebhookEvent> out;
  for (const auto& e : *arr) out.push_back(parse_event(e));
  return out;
}

webhooks::NewWebhook parse_fields(const Params& p) {
  webhooks::NewWebhook w;
  w.name = p.str("name").value_or("");
  w.url = p.str("url").value_or("");
  w.description = p.str("description");
  w.secret = p.str("secret");
  if (const json* s = p.raw("status")) w.status = core::webhook_status_from_proto_name(enum_name(s, kStatuses, "status"));
  return w;
}

ordered_json to_json(const core::Webhook& w) {
  ordered_json o = ordered_json::object();
  o["webhook_id"] = w.webhook_id;
  o["name"] = w.name;
  if (w.description && !w.description->empty()) o["description"] = *w.description;
  o["url"] = w.url;
  ordered_json events = ordered_json::array();
  for (const auto& e : w.events) events.push_back({{"entity", core::upper(e.entity)}, {"action", core::upper(e.action)}});
  if (!events.empty()) o["events"] = std::move(events);
  o["status"] = w.status;
  if (w.creation_timestamp) o["creation_timestamp"] = *w.creation_timestamp;
  if (w.last_updated_timestamp) o["last_updated_timestamp"] = *w.last_updated_timestamp;
  return o;
}

ApiResponse webhook_response(const core::Webhook& w) {
  return ApiResponse::json(ordered_json{{"webhook", to_json(w)}}.dump());
}

}  // namespace

void register_webhook_routes(Router& router, Services& s) {
  if (!s.webhooks) return;
  RpcRegistrar reg(router, s.settings, auth::Policy::Admin);
  auto& svc = *s.webhooks;

  reg.rpc("POST", "/webhooks", [&svc](const ApiRequest& req) {
    Params p(req);
    auto w = parse_fields(p);
    w.name = p.required_str("name");
    w.url = p.required_str("url");
    auto events = parse_events(p);
    if (!events) throw_missing("events");
    w.events = std::move(*events);
    return webhook_response(svc.create(w));
  });

  reg.rpc("GET", "/webhooks", [&svc](const ApiRequest& req) {
    Params p(req);
    auto max_results = p.int64("max_results").value_or(100);
    auto offset = decode_page_token(p.str("page_token"));
    auto rows = svc.list(max_results, offset);
    if (max_results == 0) max_results = 100;
    ordered_json out = ordered_json::object();
    bool more = static_cast<std::int64_t>(rows.size()) > max_results;
    if (more) rows.resize(static_cast<std::size_t>(max_results));
    if (!rows.empty()) {
      ordered_json arr = ordered_json::array();
      for (const auto& w : rows) arr.push_back(to_json(w));
      out["webhooks"] = std::move(arr);
    }
    if (more) out["next_page_token"] = encode_page_token(offset + max_results);
    return ApiResponse::json(out.dump());
  });

  reg.rpc("GET", "/webhooks/{webhook_id}", [&svc](const ApiRequest& req) {
    return webhook_response(svc.get(req.path_param("webhook_id")));
  });

  reg.rpc("PATCH", "/webhooks/{webhook_id}", [&svc](const ApiRequest& req) {
    Params p(req);
    auto w = parse_fields(p);
    auto events = parse_events(p);
    bool events_given = events && !events->empty();  // MLflow: an empty list changes nothing
    if (events_given) w.events = std::move(*events);
    return webhook_response(svc.update(req.path_param("webhook_id"), w, events_given));
  });

  reg.rpc("DELETE", "/webhooks/{webhook_id}", [&svc](const ApiRequest& req) {
    svc.remove(req.path_param("webhook_id"));
    return ApiResponse::json("{}");
  });

  reg.rpc("POST", "/webhooks/{webhook_id}/test", [&svc](const ApiRequest& req) {
    Params p(req);
    std::optional<core::WebhookEvent> event;
    if (const json* e = p.raw("event")) event = parse_event(*e);
    auto r = svc.test(req.path_param("webhook_id"), event);
    ordered_json result = ordered_json::object();
    result["success"] = r.success;
    if (r.response_status) result["response_status"] = *r.response_status;
    if (r.response_body) result["response_body"] = *r.response_body;
    if (r.error_message) result["error_message"] = *r.error_message;
    return ApiResponse::json(
        ordered_json{{"result", result}}.dump(-1, ' ', false, ordered_json::error_handler_t::replace));
  });
}

}  // namespace sextant::api
