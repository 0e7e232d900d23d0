// What the handlers need: the stores, the artifact destination and a few server settings.
// Owned by main; handlers hold references for the server's lifetime.
#pragma once

#include <memory>
#include <string>

#include "artifacts/artifact_repo.hpp"
#include "auth/auth_context.hpp"
#include "store/evaluation_dataset_store.hpp"
#include "store/logged_model_store.hpp"
#include "store/registry_store.hpp"
#include "store/scorer_store.hpp"
#include "store/trace_store.hpp"
#include "store/tracking_store.hpp"

namespace sextant::artifacts {
class ArtifactStores;
}
namespace sextant::webhooks {
class WebhookService;
}

namespace sextant::api {

struct ServerSettings {
  bool serve_artifacts = true;
  std::string default_artifact_root;  // e.g. "mlflow-artifacts:/"
  std::string static_prefix;          // "" or "/prefix"
  std::string version;                // reported by /version
  std::string ui_dir;                 // the built web UI (index.html, static-files/); "" = none
  std::size_t max_request_body = 64u << 20;  // --max-request-body: also caps decompressed OTLP bodies
};

struct Services {
  store::TrackingStore& tracking;
  store::LoggedModelStore& logged_models;
  const artifacts::ArtifactRepo* artifact_destination;  // null when not serving artifacts
  ServerSettings settings;
  store::RegistryStore* registry = nullptr;  // the model registry routes are served when set
  auth::AuthContext* auth = nullptr;         // /api/2.0/sextant/ (login, tokens, users) when set
  const artifacts::ArtifactStores* stores = nullptr;  // non-proxied roots and the allowed locations
                                                      // (null: local paths only, no location check)
  webhooks::WebhookService* webhooks = nullptr;  // the /webhooks routes are served when set
  store::TraceStore* traces = nullptr;           // the trace, assessment and /v1/traces routes when set
  store::EvaluationDatasetStore* evaluation_datasets = nullptr;  // /api/3.0/mlflow/datasets when set
  store::ScorerStore* scorers = nullptr;                           // /api/3.0/mlflow/scorers when set
};

}  // namespace sextant::api
