// server-features and the workspace routes as MLflow 3.6 answers them on a server without
// multi-tenancy (MLFLOW_ENABLE_WORKSPACES unset; Sextant has no workspaces): server-features says
// {"workspaces_enabled": false}, every workspace route answers MLflow's 503 text naming its rule.
#include "api/routes.hpp"

namespace sextant::api {

namespace {

// MLflow's _disable_if_workspaces_disabled answer; `rule` is the Flask URL rule of the route.
ApiResponse workspaces_disabled(const std::string& rule) {
  return ApiResponse::text("Endpoint: " + rule +
                               " disabled because the server is running without multi-tenancy support. To enable "
                               "workspace functionality, run `mlflow server` with `--enable-workspaces`",
                           503);
}

}  // namespace

void register_workspace_routes(RpcRegistrar& reg, Services& s) {
  reg.rpc("GET", "/server-features",
          [](const ApiRequest&) { return ApiResponse::json(R"({"workspaces_enabled": false})"); });

  const std::vector<std::string> bases = {"/api/2.0/mlflow", s.settings.static_prefix + "/ajax-api/2.0/mlflow"};
  for (const auto& base : bases) {
    std::string list_rule = base + "/workspaces";
    std::string one_rule = base + "/workspaces/<workspace_name>";
    for (const char* method : {"GET", "POST"}) {
      reg.router().add(method, list_rule, auth::Policy::Authenticated,
                       [list_rule](const ApiRequest&) { return workspaces_disabled(list_rule); });
    }
    for (const char* method : {"GET", "PATCH", "DELETE"}) {
      reg.router().add_pattern(method, base + "/workspaces/{workspace_name}", auth::Policy::Authenticated,
                               [one_rule](const ApiRequest&) { return workspaces_disabled(one_rule); });
    }
  }
}

}  // namespace sextant::api
