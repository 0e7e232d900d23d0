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
  // Every route added through rpc()/ajax_only() gets `policy` (MLflow's RPCs: Authenticated).
  RpcRegistrar(Router& router, const ServerSettings& settings, auth::Policy policy)
      : router_(router), settings_(settings), policy_(policy) {}
  void rpc(const std::string& method, const std::string& path, Handler handler);
  // MLflow 3 RPCs (traces, assessments): under /api/3.0/mlflow and <static_prefix>/ajax-api/3.0/mlflow
  // only (MLflow registers each RPC under its proto's `since` version alone).
  void rpc_v3(const std::string& method, const std::string& path, Handler handler);
  // UI-only routes: only under <static_prefix>/ajax-api/2.0/mlflow.
  void ajax_only(const std::string& method, const std::string& path, Handler handler);
  Router& router() { return router_; }
  const ServerSettings& settings() const { return settings_; }

 private:
  Router& router_;
  const ServerSettings& settings_;
  auth::Policy policy_;
};

void register_experiment_routes(RpcRegistrar& reg, Services& services);
void register_run_routes(RpcRegistrar& reg, Services& services);
void register_logging_routes(RpcRegistrar& reg, Services& services);
void register_metric_routes(RpcRegistrar& reg, Services& services);
void register_artifact_routes(RpcRegistrar& reg, Services& services);
void register_misc_routes(RpcRegistrar& reg, Services& services);
void register_logged_model_routes(RpcRegistrar& reg, Services& services);
void register_registry_routes(RpcRegistrar& reg, Services& services);
// MLflow 3 tracing (issue 16; only when services.traces is set): traces_api.cpp (v3/v2 trace
// routes, tags, delete, link, get-trace-artifact), trace_search_api.cpp (search, filter
// correlation), otlp_api.cpp (POST /v1/traces), assessments_api.cpp.
void register_trace_routes(RpcRegistrar& reg, Services& services);
void register_trace_search_routes(RpcRegistrar& reg, Services& services);
void register_otlp_routes(RpcRegistrar& reg, Services& services);
void register_assessment_routes(RpcRegistrar& reg, Services& services);
// MLflow 3.6's GenAI evaluation datasets (/api/3.0/mlflow/datasets/...) and registered scorers
// (/api/3.0/mlflow/scorers/...); only when services.evaluation_datasets / services.scorers are set.
void register_evaluation_dataset_routes(RpcRegistrar& reg, Services& services);
void register_scorer_routes(RpcRegistrar& reg, Services& services);
// /webhooks (registry webhooks; admin-only with --auth; only when services.webhooks is set).
void register_webhook_routes(Router& router, Services& services);
// MLflow 3.6's remaining routes (issue 14): the UI-only RPCs (ui_rpc_api.cpp: upload-artifact,
// create-promptlab-run, gateway-proxy) and server-features + workspaces (workspaces_api.cpp).
void register_ui_rpc_routes(RpcRegistrar& reg, Services& services);
void register_workspace_routes(RpcRegistrar& reg, Services& services);
// <prefix>/graphql and <prefix>/ajax-api/graphql (graphql_api.cpp); registered last: its
// resolvers call the REST routes registered before it.
void register_graphql_routes(RpcRegistrar& reg, Services& services);
// The web UI: <prefix>/, <prefix>/static-files/ (ui_api.cpp).
void register_ui_routes(RpcRegistrar& reg, Services& services);
// /api/2.0/sextant/...: login, personal tokens, users (only when services.auth is set).
void register_sextant_auth_routes(Router& router, Services& services);

}  // namespace sextant::api
