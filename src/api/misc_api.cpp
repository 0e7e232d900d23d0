// Probes and small routes: /health (liveness), /ready (readiness: the database answers),
// /metrics (Prometheus), /version, server-info (§2.11).
#include <nlohmann/json.hpp>

#include "api/routes.hpp"
#include "core/error.hpp"
#include "util/prometheus.hpp"

namespace sextant::api {

void register_misc_routes(RpcRegistrar& reg, Services& s) {
  auto& router = reg.router();
  router.add("GET", "/health", auth::Policy::Public, [](const ApiRequest&) { return ApiResponse::text("OK"); });
  // Ready when the metadata store answers a read (a missing default experiment is an answer too).
  router.add("GET", "/ready", auth::Policy::Public, [&s](const ApiRequest&) {
    try {
      s.tracking.get_experiment("0");
    } catch (const core::MlflowError& e) {
      if (e.code() != core::ErrorCode::RESOURCE_DOES_NOT_EXIST) {
        nlohmann::json body = {{"error_code", "TEMPORARILY_UNAVAILABLE"},
                               {"message", std::string("Not ready: the database does not answer: ") + e.what()}};
        return ApiResponse::json(body.dump(), 503);
      }
    }
    return ApiResponse::text("OK");
  });
  router.add("GET", "/metrics", auth::Policy::Authenticated, [](const ApiRequest&) {
    return ApiResponse::text(util::prom::Registry::global().render(), 200, "text/plain; version=0.0.4; charset=utf-8");
  });
  router.add("GET", "/version", auth::Policy::Authenticated, [&s](const ApiRequest&) { return ApiResponse::text(s.settings.version); });
  reg.rpc("GET", "/server-info", [&s](const ApiRequest&) {
    nlohmann::json info = {{"server", "sextant"},
                           {"mlflow_version", s.settings.version},
                           {"backend_store", "sqlite"},
                           {"serve_artifacts", s.settings.serve_artifacts},
                           {"default_artifact_root", s.settings.default_artifact_root},
                           {"auth", s.auth != nullptr}};  // the web UI shows the user and tokens
    return ApiResponse::json(info.dump());
  });
}

}  // namespace sextant::api
