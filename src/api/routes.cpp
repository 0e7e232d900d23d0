#include "api/routes.hpp"

namespace sextant::api {

namespace {
void add_route(Router& router, const std::string& method, const std::string& path, auth::Policy policy,
               Handler handler) {
  if (path.find('{') != std::string::npos) {
    router.add_pattern(method, path, policy, std::move(handler));
  } else {
    router.add(method, path, policy, std::move(handler));
  }
}
}  // namespace

void RpcRegistrar::rpc(const std::string& method, const std::string& path, Handler handler) {
  add_route(router_, method, "/api/2.0/mlflow" + path, policy_, handler);
  add_route(router_, method, settings_.static_prefix + "/ajax-api/2.0/mlflow" + path, policy_, std::move(handler));
}

void RpcRegistrar::rpc_v3(const std::string& method, const std::string& path, Handler handler) {
  add_route(router_, method, "/api/3.0/mlflow" + path, policy_, handler);
  add_route(router_, method, settings_.static_prefix + "/ajax-api/3.0/mlflow" + path, policy_, std::move(handler));
}

void RpcRegistrar::ajax_only(const std::string& method, const std::string& path, Handler handler) {
  add_route(router_, method, settings_.static_prefix + "/ajax-api/2.0/mlflow" + path, policy_, std::move(handler));
}

Router build_router(Services& services) {
  Router router;
  // Every MLflow RPC needs an authenticated principal when authentication is on.
  RpcRegistrar reg(router, services.settings, auth::Policy::Authenticated);
  register_experiment_routes(reg, services);
  register_run_routes(reg, services);
  register_logging_routes(reg, services);
  register_metric_routes(reg, services);
  register_artifact_routes(reg, services);
  register_misc_routes(reg, services);
  register_logged_model_routes(reg, services);
  register_trace_routes(reg, services);
  register_trace_search_routes(reg, services);
  register_otlp_routes(reg, services);
  register_assessment_routes(reg, services);
  register_registry_routes(reg, services);
  register_evaluation_dataset_routes(reg, services);  // issue 16: datasets and scorers
  register_scorer_routes(reg, services);
  register_webhook_routes(router, services);
  register_ui_routes(reg, services);
  register_ui_rpc_routes(reg, services);     // issue 14
  register_workspace_routes(reg, services);  // issue 14
  register_graphql_routes(reg, services);  // last: it binds the REST routes above
  if (services.auth) register_sextant_auth_routes(router, services);
  return router;
}

}  // namespace sextant::api
