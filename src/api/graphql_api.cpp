// MLflow's GraphQL endpoint (handlers.py `_graphql`): <static_prefix>/graphql (MLflow's path)
// and <static_prefix>/ajax-api/graphql, GET and POST. The request is MLflow's JSON
// {"query", "variables", "operationName"} (a GET may carry it as the body, as MLflow reads it,
// or as query parameters); a JSON array of such requests is a batch, answered by an array.
// The answer is {"data": ..., "errors": [messages] | null} with status 200, as MLflow's; an
// unusable request envelope is MLflow's error JSON with 400. Documents are bounded (parser
// limits, then MLflow's depth/selection/root-field/alias limits, then validation) before any
// resolver runs. Resolvers call the REST routes' own handlers under the same access policy
// the route has (the caller's principal), so GraphQL reaches nothing REST would refuse.
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/graphql_schema.hpp"
#include "api/request_json.hpp"
#include "api/routes.hpp"
#include "core/error.hpp"
#include "graphql/error.hpp"
#include "graphql/executor.hpp"
#include "graphql/parser.hpp"
#include "graphql/query_limits.hpp"
#include "util/strings.hpp"

namespace sextant::api {

using nlohmann::json;

namespace {

// Longest batch (JSON array of operations) one request may carry.
constexpr std::size_t kMaxBatch = 10;
// One GraphQL HTTP request (every operation of a batch, every alias) shares one budget:
// - at most kMaxRouteCalls REST calls (a search's runs each ask for their model versions: MLflow
//   has no bound on that). Repeated GET calls are answered from the first and cost no call;
// - at most kMaxAnswerBytes of REST answers handed to resolvers, a repeated (memoised) answer
//   counted each time it is handed out, since each copy lands in the response (the `test` echo
//   of the client's own text counts too: ten aliases of it made a 60 MB request a 630 MB answer). Without it ten
//   aliases of a maximal search in each of ten batched operations held 100 copies of the largest
//   answer REST gives (a 1 KiB request, a 470 MB response and gigabytes of memory for 600 runs),
//   and a run list's memoised experiment was copied into the response once per run.
// A call is refused before it runs once the budget is spent, so one request costs at most the
// budget plus one REST answer.
constexpr std::size_t kMaxRouteCalls = 1000;
constexpr std::size_t kMaxAnswerBytes = 64 * 1024 * 1024;

struct RequestBudget {
  std::size_t calls = 0;
  std::size_t answer_bytes = 0;
};

std::size_t env_limit(const char* name, std::size_t fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v, &end, 10);
  return (end && *end == '\0' && n > 0) ? static_cast<std::size_t>(n) : fallback;
}

struct GraphqlService {
  graphql::Schema schema = build_mlflow_graphql_schema();
  graphql::QueryLimits limits;
  std::map<std::string, Route> routes;  // "METHOD path" -> the REST route a resolver reads
};

bool policy_allows(auth::Policy policy, const ApiRequest& caller) {
  if (!caller.principal) return true;  // authentication is off (the /graphql route itself needs a principal)
  switch (policy) {
    case auth::Policy::Public:
    case auth::Policy::PublicSameOrigin:
    case auth::Policy::Authenticated: return true;
    case auth::Policy::Admin: return caller.principal->is_admin;
    case auth::Policy::Unspecified: break;
  }
  return false;
}

// The resolvers' way to the REST handlers, for one GraphQL request.
class RouteRpc : public MlflowRpc {
 public:
  RouteRpc(const GraphqlService& service, const ApiRequest& caller, RequestBudget& budget)
      : service_(service), caller_(caller), budget_(budget) {}

  json call(const std::string& method, const std::string& path, const json& input) override {
    check_answer_budget();
    std::string memo_key;
    if (method == "GET") {  // reads without side effects: the same call gets the same answer
      memo_key = path + " " + input.dump(-1, ' ', false, json::error_handler_t::replace);
      if (auto m = memo_.find(memo_key); m != memo_.end()) {
        charge_answer(m->second.second);
        return m->second.first;
      }
    }
    if (++budget_.calls > kMaxRouteCalls)
      throw std::runtime_error("Query exceeds maximum of " + std::to_string(kMaxRouteCalls) + " API calls");
    std::size_t size = 0;
    auto answer = route_call(method, path, input, size);
    charge_answer(size);
    if (!memo_key.empty()) memo_.emplace(std::move(memo_key), std::make_pair(answer, size));
    return answer;
  }

  void charge(std::size_t bytes) override {
    check_answer_budget();
    charge_answer(bytes);
  }

 private:
  [[noreturn]] static void answers_too_large() {
    throw std::runtime_error("Query exceeds maximum of " + std::to_string(kMaxAnswerBytes) + " bytes of API answers");
  }
  void check_answer_budget() const {
    if (budget_.answer_bytes >= kMaxAnswerBytes) answers_too_large();
  }
  void charge_answer(std::size_t size) {
    if (size > kMaxAnswerBytes - budget_.answer_bytes) {
      budget_.answer_bytes = kMaxAnswerBytes;  // spent: later calls are refused before they run
      answers_too_large();
    }
    budget_.answer_bytes += size;
  }

  json route_call(const std::string& method, const std::string& path, const json& input, std::size_t& size) const {
    auto it = service_.routes.find(method + " " + path);
    if (it == service_.routes.end()) throw std::runtime_error("The API behind this field is not served: " + path);
    if (!policy_allows(it->second.policy, caller_)) throw std::runtime_error("Permission denied.");
    ApiRequest req;
    req.method = method;
    req.path = "/api/2.0/mlflow" + path;
    req.principal = caller_.principal;
    req.remote_address = caller_.remote_address;
    req.host = caller_.host;
    if (method == "GET") {
      for (const auto& [k, v] : input.items()) {
        if (v.is_array()) {
          for (const auto& item : v) req.query.emplace_back(k, item.is_string() ? item.get<std::string>() : item.dump());
        } else {
          req.query.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    } else {
      req.content_type = "application/json";
      req.has_content_type = true;
      req.body = input.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    auto resp = invoke(it->second, req);
    size = resp.body.size();
    // Our own route's answer: as large as REST allows (not bounded like client input).
    auto answer = json::parse(resp.body, nullptr, false);
    if (resp.status != 200) {
      std::string message = answer.is_object() && answer.contains("message") && answer["message"].is_string()
                                ? answer["message"].get<std::string>()
                                : "Request failed with status " + std::to_string(resp.status);
      throw std::runtime_error(message);
    }
    if (!answer.is_object()) throw std::runtime_error("Unexpected answer from " + path);
    return answer;
  }

  const GraphqlService& service_;
  const ApiRequest& caller_;
  RequestBudget& budget_;
  std::map<std::string, std::pair<json, std::size_t>> memo_;
};

// One operation of the request: {"query", "variables", "operationName"} -> {"data", "errors"}.
json run_operation(const GraphqlService& service, const json& op, const ApiRequest& caller, RequestBudget& budget) {
  if (!op.is_object()) core::throw_invalid("Invalid GraphQL request: expected a JSON object with a 'query' string");
  auto q = op.find("query");
  if (q == op.end() || !q->is_string())
    core::throw_invalid("Missing value for required parameter 'query'. See the API docs for more information about "
                        "request parameters.");
  json variables = op.value("variables", json(nullptr));
  if (variables.is_string()) variables = decode_request_json(variables.get<std::string>());  // the GET form
  std::optional<std::string> operation_name;
  if (auto n = op.find("operationName"); n != op.end() && n->is_string()) operation_name = n->get<std::string>();

  json out = {{"data", nullptr}, {"errors", nullptr}};
  try {
    auto document = graphql::parse(q->get_ref<const std::string&>());
    if (auto why = graphql::check_query_limits(document, service.limits); !why.empty()) {
      out["errors"] = json::array({why});
      return out;
    }
    RouteRpc rpc(service, caller, budget);
    auto result = graphql::execute(service.schema, document, operation_name,
                                   variables.is_discarded() ? json("not JSON") : variables, rpc);
    out["data"] = std::move(result.data);
    if (!result.errors.empty()) out["errors"] = result.errors;
  } catch (const graphql::GraphqlError& e) {
    out["errors"] = json::array({e.what()});
  }
  return out;
}

json request_envelope(const ApiRequest& req) {
  if (req.method == "POST" || !req.body.empty()) {
    if (req.method == "POST") {
      if (!req.has_content_type) core::throw_invalid("Bad Request. Content-Type header is missing.");
      auto media = util::to_lower(util::trim(std::string_view(req.content_type).substr(0, req.content_type.find(';'))));
      if (media != "application/json") core::throw_invalid("Bad Request. Content-Type must be one of ['application/json'].");
    }
    auto body = decode_request_json(req.body);
    if (body.is_discarded()) core::throw_invalid("Invalid GraphQL request: the body is not valid JSON");
    return body;
  }
  json op = json::object();
  for (const auto& [k, v] : req.query) {
    if (k == "query" || k == "variables" || k == "operationName") {
      if (op.contains(k)) core::throw_invalid("Invalid GraphQL request: parameter '" + k + "' given more than once");
      op[k] = v;
    }
  }
  return op;
}

}  // namespace

void register_graphql_routes(RpcRegistrar& reg, Services&) {
  auto service = std::make_shared<GraphqlService>();
  service->limits.max_root_fields = env_limit("MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS", 10);
  service->limits.max_aliases = env_limit("MLFLOW_SERVER_GRAPHQL_MAX_ALIASES", 10);
  // The REST handlers the resolvers call, copied from the table built so far (registered last).
  for (const auto& r : kGraphqlRpcRoutes) {
    auto m = reg.router().match(r.method, std::string("/api/2.0/mlflow") + r.path);
    if (m.kind == Router::Match::Kind::Found) service->routes.emplace(std::string(r.method) + " " + r.path, *m.route);
  }
  Handler handler = [service](const ApiRequest& req) {
    auto envelope = request_envelope(req);
    RequestBudget budget;  // shared by every operation of a batch
    if (envelope.is_array()) {
      if (envelope.empty() || envelope.size() > kMaxBatch)
        core::throw_invalid("A GraphQL batch holds 1 to " + std::to_string(kMaxBatch) + " operations, got " +
                            std::to_string(envelope.size()));
      json out = json::array();
      for (const auto& op : envelope) out.push_back(run_operation(*service, op, req, budget));
      return ApiResponse::json(out.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    return ApiResponse::json(run_operation(*service, envelope, req, budget).dump(-1, ' ', false, json::error_handler_t::replace));
  };
  const auto& prefix = reg.settings().static_prefix;
  for (const auto* path : {"/graphql", "/ajax-api/graphql"}) {
    for (const auto* method : {"GET", "POST"}) {
      reg.router().add(method, prefix + path, auth::Policy::Authenticated, handler);
    }
  }
}

}  // namespace sextant::api
