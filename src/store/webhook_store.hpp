// Registry webhooks in MLflow's `webhooks` / `webhook_events` tables (mlflow-api.md §5.2),
// as MLflow's SqlAlchemyStore keeps them: soft delete (deleted_timestamp), events replaced as a
// whole on update. Fields arrive validated (core/webhook.hpp) and the secret already in its
// stored form (webhooks/fernet.hpp); this layer knows neither rule. Every method is one
// transaction; implementations are thread-safe.
// Unknown or deleted id -> RESOURCE_DOES_NOT_EXIST "Webhook with ID x not found."
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/webhook.hpp"

namespace sextant::store {

// What update changes: nullopt = keep.
struct WebhookChanges {
  std::optional<std::string> name, description, url, status, stored_secret;
  std::optional<std::vector<core::WebhookEvent>> events;
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  // Assigns webhook_id (a UUID4) and both timestamps.
  virtual core::Webhook create_webhook(const core::Webhook& webhook) = 0;
  virtual core::Webhook get_webhook(const std::string& webhook_id) = 0;
  // Newest first (creation_timestamp, then id): up to `limit` webhooks from `offset`.
  virtual std::vector<core::Webhook> list_webhooks(std::int64_t limit, std::int64_t offset) = 0;
  // Every non-deleted ACTIVE webhook with its events and stored secret (the deliverer's view).
  virtual std::vector<core::Webhook> active_webhooks() = 0;
  // Bumps last_updated_timestamp (strictly above its previous value).
  virtual core::Webhook update_webhook(const std::string& webhook_id, const WebhookChanges& changes) = 0;
  virtual void delete_webhook(const std::string& webhook_id) = 0;
};

}  // namespace sextant::store
