// Builds the full handler table (one register function per REST area).
#pragma once

#include "api/router.hpp"
#include "api/services.hpp"

namespace sextant::api {

Router build_router(Services& services);

// Per-area registration; `rpc(method, "/experiments/create", h)` adds the path under
// /api/2.0/mlflow and <static_prefix>/ajax-api/2.0/mlflow. A path with "{name}" segments
// ("/logged-models/{model_id}") becomes a pattern route (Router::add_pattern).
class RpcRegistrar {
 public:
  RpcRegistrar(Router& router, const ServerSettings& settings) : router_(router), settings_(settings) {}
  void rpc(const std::string& method, const std::string& path, Handler handler);
  // UI-only routes: only under <static_prefix>/ajax-api/2.0/mlflow.
  void ajax_only(const std::string& method, const std::string& path, Handler handler);
  Router& router() { return router_; }
  const ServerSettings& settings() const { return settings_; }

 private:
  Router& router_;
  const ServerSettings& settings_;
};

void register_experiment_routes(RpcRegistrar& reg, Services& services);
void register_run_routes(RpcRegistrar& reg, Services& services);
void register_logging_routes(RpcRegistrar& reg, Services& services);
void register_metric_routes(RpcRegistrar& reg, Services& services);
void register_artifact_routes(RpcRegistrar& reg, Services& services);
void register_misc_routes(RpcRegistrar& reg, Services& services);
void register_logged_model_routes(RpcRegistrar& reg, Services& services);
void register_registry_routes(RpcRegistrar& reg, Services& services);

}  // namespace sextant::api
