// Registry webhooks as MLflow 3.6 defines them (mlflow/entities/webhook.py, utils/validation.py):
// the entity, the (entity, action) events it may subscribe to, and the field rules with MLflow's
// messages. Pure; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sextant::core {

// Lower-case values as MLflow's WebhookEntity / WebhookAction enums ("model_version", "created");
// the REST API spells them upper-case (the proto enum names).
struct WebhookEvent {
  std::string entity;
  std::string action;
  bool operator==(const WebhookEvent&) const = default;
};

inline constexpr const char* kWebhookActive = "ACTIVE";
inline constexpr const char* kWebhookDisabled = "DISABLED";

struct Webhook {
  std::string webhook_id;
  std::string name;
  std::string url;
  std::optional<std::string> description;
  std::vector<WebhookEvent> events;
  std::string status = kWebhookActive;
  std::optional<std::int64_t> creation_timestamp;
  std::optional<std::int64_t> last_updated_timestamp;
  // The secret as stored (Fernet token); never sent to clients. nullopt = no secret.
  std::optional<std::string> stored_secret;
};

// "registered_model.created" style text of an event (logs, messages).
std::string to_string(const WebhookEvent& e);

// From the proto enum names ("MODEL_VERSION", "CREATED"); an unknown entity or action, or a
// pair MLflow does not define (its VALID_ENTITY_ACTIONS) -> INVALID_PARAMETER_VALUE with
// MLflow's message.
WebhookEvent webhook_event_from_proto_names(std::string_view entity, std::string_view action);
// "ACTIVE" / "DISABLED" -> itself; anything else INVALID_PARAMETER_VALUE.
std::string webhook_status_from_proto_name(std::string_view status);
std::string upper(std::string_view s);

// MLflow's _validate_webhook_name: 1-63 characters, [a-z0-9] at both ends, [a-z0-9._-] inside,
// case-insensitive.
void validate_webhook_name(std::string_view name);
// MLflow's _validate_webhook_url: not blank, parses as Python's urllib.parse.urlparse does
// (bracket rules), scheme in `allowed_schemes` (MLFLOW_WEBHOOK_ALLOWED_SCHEMES).
void validate_webhook_url(std::string_view url, const std::vector<std::string>& allowed_schemes);
// Non-empty (MLflow's _validate_webhook_events).
void validate_webhook_events(const std::vector<WebhookEvent>& events);

// Python's urlsplit() scheme of `url` ("" when none), after its leading-space and tab/newline
// stripping; throws std::invalid_argument with Python's ValueError text for bracket errors.
std::string python_url_scheme(std::string_view url);

}  // namespace sextant::core
