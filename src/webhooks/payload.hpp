// What a delivery sends, as mlflow/webhooks/delivery.py builds it: the body
// {"entity", "action", "timestamp" (ISO 8601, UTC), "data"} in json.dumps text, and the headers
// Content-Type, X-MLflow-Delivery-Id (UUID4), X-MLflow-Timestamp (Unix seconds) and, with a
// secret, X-MLflow-Signature "v1,<base64 HMAC-SHA256 of '{delivery_id}.{timestamp}.{body}'>".
// Pure apart from the clock and random ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/webhook.hpp"

namespace sextant::webhooks {

using Payload = nlohmann::ordered_json;  // the event's "data" (types.py's payload classes)

struct Delivery {
  std::string delivery_id;
  std::string timestamp;  // Unix seconds, as text
  std::string body;
};

Delivery make_delivery(const core::WebhookEvent& event, const Payload& data);
std::string signature(const std::string& secret, const Delivery& delivery);
// The request headers ("Name: value"); `secret` nullptr = unsigned.
std::vector<std::string> delivery_headers(const Delivery& delivery, const std::string* secret);
// MLflow's example payload for the event (what the test endpoint sends).
Payload example_payload(const core::WebhookEvent& event);

}  // namespace sextant::webhooks
