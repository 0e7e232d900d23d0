#include "api/routes.hpp"

namespace sextant::api {

namespace {
void add_route(Router& router, const std::string& method, const std::string& path, Handler handler) {
  if (path.find('{') != std::string::npos) {
    router.add_pattern(method, path, std::move(handler));
  } else {
    router.add(method, path, std::move(handler));
  }
}
}  // namespace

void RpcRegistrar::rpc(const std::string& method, const std::string& path, Handler handler) {
  add_route(router_, method, "/api/2.0/mlflow" + path, handler);
  add_route(router_, method, settings_.static_prefix + "/ajax-api/2.0/mlflow" + path, std::move(handler));
}

void RpcRegistrar::ajax_only(const std::string& method, const std::string& path, Handler handler) {
  add_route(router_, method, settings_.static_prefix + "/ajax-api/2.0/mlflow" + path, std::move(handler));
}

Router build_router(Services& services) {
  Router router;
  RpcRegistrar reg(router, services.settings);
  register_experiment_routes(reg, services);
  register_run_routes(reg, services);
  register_logging_routes(reg, services);
  register_metric_routes(reg, services);
  register_artifact_routes(reg, services);
  register_misc_routes(reg, services);
  register_logged_model_routes(reg, services);
  register_registry_routes(reg, services);
  return router;
}

}  // namespace sextant::api
