#include "api/routes.hpp"

namespace sextant::api {

void RpcRegistrar::rpc(const std::string& method, const std::string& path, Handler handler) {
  router_.add(method, "/api/2.0/mlflow" + path, handler);
  router_.add(method, settings_.static_prefix + "/ajax-api/2.0/mlflow" + path, std::move(handler));
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
  register_registry_routes(reg, services);
  return router;
}

}  // namespace sextant::api
