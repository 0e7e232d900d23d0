// Webhook settings from MLflow's environment variables (environment_variables.py) and
// --webhook-allow-private-addresses: MLFLOW_WEBHOOK_ALLOWED_SCHEMES (default https),
// MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY (a Fernet key; none = secrets are refused),
// MLFLOW_WEBHOOK_REQUEST_TIMEOUT (30 s), MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS (10),
// MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES (3), MLFLOW_WEBHOOK_CACHE_TTL (60 s: how long another
// process's webhook changes may take to be seen; this process's own are seen at once).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "webhooks/fernet.hpp"

namespace sextant::webhooks {

struct WebhookSettings {
  std::vector<std::string> allowed_schemes{"https"};
  std::optional<FernetKey> key;
  std::chrono::seconds request_timeout{30};
  int max_workers = 10;
  int max_retries = 3;
  std::chrono::seconds cache_ttl{60};
  bool allow_private_addresses = false;
  std::size_t queue_capacity = 10000;  // deliveries waiting (incl. retries); more are dropped
  std::chrono::seconds max_backoff{60};
};

using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// Throws std::invalid_argument with a message naming the variable for a bad value.
WebhookSettings webhook_settings_from_env(const EnvLookup& env, bool allow_private_addresses);

}  // namespace sextant::webhooks
