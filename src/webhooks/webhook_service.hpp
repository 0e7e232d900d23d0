// The webhook API's rules over the store (MLflow's SqlAlchemyStore webhook methods and
// handlers): validation with MLflow's messages, the SSRF check of the URL's host, the secret
// encrypted with MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY before it is stored (without a key a
// secret is refused: a secret under a throwaway key, as MLflow makes one, could never be read
// again), and the dispatcher told when webhooks change. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/webhook_store.hpp"
#include "webhooks/webhook_dispatcher.hpp"

namespace sextant::webhooks {

struct NewWebhook {
  std::string name, url;
  std::vector<core::WebhookEvent> events;
  std::optional<std::string> description, secret, status;  // nullopt / "" = not given
};

class WebhookService {
 public:
  WebhookService(store::WebhookStore& store, WebhookDispatcher& dispatcher) : store_(store), dispatcher_(dispatcher) {}

  core::Webhook create(const NewWebhook& w);
  core::Webhook get(const std::string& id) { return store_.get_webhook(id); }
  // `max_results` 0 = 100; outside 1..1000 INVALID_PARAMETER_VALUE. Up to max_results + 1 rows
  // (the extra one means another page).
  std::vector<core::Webhook> list(std::int64_t max_results, std::int64_t offset);
  // Fields that are nullopt (or "" for strings, as MLflow's `or None`) stay as they are.
  core::Webhook update(const std::string& id, const NewWebhook& changes, bool events_given);
  void remove(const std::string& id);
  // Sends `event` (default: the webhook's first) with MLflow's example payload.
  TestResult test(const std::string& id, const std::optional<core::WebhookEvent>& event);

 private:
  void check_url(const std::string& url) const;
  std::string seal(const std::string& secret) const;

  store::WebhookStore& store_;
  WebhookDispatcher& dispatcher_;
};

}  // namespace sextant::webhooks
