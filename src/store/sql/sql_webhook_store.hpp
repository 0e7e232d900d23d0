// WebhookStore on the shared Database, in MLflow's `webhooks` / `webhook_events` tables (columns
// as MLflow's migrations define them; rows MLflow wrote are read as they are and vice versa).
#pragma once

#include <string>

#include "store/sql/database.hpp"
#include "store/webhook_store.hpp"

namespace sextant::store::sql {

class SqlWebhookStore final : public WebhookStore {
 public:
  explicit SqlWebhookStore(Database& database);

  core::Webhook create_webhook(const core::Webhook& webhook) override;
  core::Webhook get_webhook(const std::string& webhook_id) override;
  std::vector<core::Webhook> list_webhooks(std::int64_t limit, std::int64_t offset) override;
  std::vector<core::Webhook> active_webhooks() override;
  core::Webhook update_webhook(const std::string& webhook_id, const WebhookChanges& changes) override;
  void delete_webhook(const std::string& webhook_id) override;

 private:
  Database& db_;
  // Statements in the served schema's form (built once): with workspaces they read the default
  // workspace's live webhooks, and the insert writes that workspace.
  std::string by_id_, list_, active_, insert_;
};

}  // namespace sextant::store::sql
