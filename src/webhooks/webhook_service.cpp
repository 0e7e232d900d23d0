#include "webhooks/webhook_service.hpp"

#include "core/error.hpp"
#include "util/strings.hpp"
#include "webhooks/webhook_http.hpp"

namespace sextant::webhooks {

namespace {

bool given(const std::optional<std::string>& s) { return s && !s->empty(); }

// The columns' sizes (VARCHAR(500) url, VARCHAR(1000) description and secret), the same on every
// backend (SQLite would store more, PostgreSQL and MySQL would not).
void check_length(const std::string& value, std::size_t limit, const char* what) {
  if (util::utf8_length(value) > limit) {
    core::throw_invalid(std::string("Webhook ") + what + " must be at most " + std::to_string(limit) + " characters.");
  }
}

}  // namespace

void WebhookService::check_url(const std::string& url) const {
  const auto& s = dispatcher_.settings();
  core::validate_webhook_url(url, s.allowed_schemes);
  check_length(url, 500, "URL");
  try {
    check_webhook_target(url, s.allow_private_addresses);
  } catch (const TargetRefused& e) {
    core::throw_invalid(std::string("Invalid webhook URL: ") + e.what() + ".");
  }
}

std::string WebhookService::seal(const std::string& secret) const {
  const auto& key = dispatcher_.settings().key;
  if (!key) {
    core::throw_invalid(
        "Webhook secrets are stored encrypted, but the server has no MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: set it "
        "(a Fernet key) to create webhooks with a secret.");
  }
  auto token = key->encrypt(secret);
  check_length(token, 1000, "secret (encrypted)");
  return token;
}

core::Webhook WebhookService::create(const NewWebhook& w) {
  core::validate_webhook_name(w.name);
  check_url(w.url);
  core::validate_webhook_events(w.events);
  core::Webhook row;
  row.name = w.name;
  row.url = w.url;
  row.events = w.events;
  if (given(w.description)) {
    check_length(*w.description, 1000, "description");
    row.description = w.description;
  }
  if (given(w.status)) row.status = *w.status;
  if (given(w.secret)) row.stored_secret = seal(*w.secret);
  auto out = store_.create_webhook(row);
  dispatcher_.invalidate();
  return out;
}

std::vector<core::Webhook> WebhookService::list(std::int64_t max_results, std::int64_t offset) {
  if (max_results == 0) max_results = 100;
  if (max_results < 1 || max_results > 1000) core::throw_invalid("max_results must be between 1 and 1000.");
  return store_.list_webhooks(max_results + 1, offset);
}

core::Webhook WebhookService::update(const std::string& id, const NewWebhook& c, bool events_given) {
  (void)store_.get_webhook(id);  // MLflow: an unknown id is reported before invalid fields
  store::WebhookChanges changes;
  if (!c.name.empty()) {
    core::validate_webhook_name(c.name);
    changes.name = c.name;
  }
  if (!c.url.empty()) {
    check_url(c.url);
    changes.url = c.url;
  }
  if (events_given) {
    core::validate_webhook_events(c.events);
    changes.events = c.events;
  }
  if (given(c.description)) {
    check_length(*c.description, 1000, "description");
    changes.description = c.description;
  }
  if (given(c.secret)) changes.stored_secret = seal(*c.secret);
  if (given(c.status)) changes.status = c.status;
  auto out = store_.update_webhook(id, changes);
  dispatcher_.invalidate();
  return out;
}

void WebhookService::remove(const std::string& id) {
  store_.delete_webhook(id);
  dispatcher_.invalidate();
}

TestResult WebhookService::test(const std::string& id, const std::optional<core::WebhookEvent>& event) {
  auto w = store_.get_webhook(id);
  if (!event && w.events.empty()) core::throw_invalid("Webhook events cannot be empty");
  core::WebhookEvent e = event ? *event : w.events.front();
  return dispatcher_.deliver_now(w, e, example_payload(e));
}

}  // namespace sextant::webhooks
