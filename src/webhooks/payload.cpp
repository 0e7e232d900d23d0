#include "webhooks/payload.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "util/base64.hpp"
#include "util/hmac.hpp"
#include "util/python_json.hpp"
#include "util/random_id.hpp"

namespace sextant::webhooks {

namespace {

// datetime.now(timezone.utc).isoformat(): microseconds only when non-zero.
std::string iso_now(std::chrono::system_clock::time_point now) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  long frac = static_cast<long>(us % 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (frac) {
    std::snprintf(buf, sizeof buf, ".%06ld", frac);
    out += buf;
  }
  return out + "+00:00";
}


}  // namespace

Delivery make_delivery(const core::WebhookEvent& event, const Payload& data) {
  auto now = std::chrono::system_clock::now();
  Payload body = Payload::object();
  body["entity"] = event.entity;
  body["action"] = event.action;
  body["timestamp"] = iso_now(now);
  body["data"] = data;
  Delivery d;
  d.delivery_id = util::uuid4_dashed();
  d.timestamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  d.body = util::python_json_dumps(body);
  return d;
}

std::string signature(const std::string& secret, const Delivery& d) {
  return "v1," + util::base64_encode(util::hmac_sha256(secret, d.delivery_id + "." + d.timestamp + "." + d.body));
}

std::vector<std::string> delivery_headers(const Delivery& d, const std::string* secret) {
  std::vector<std::string> h{"Content-Type: application/json", "X-MLflow-Delivery-Id: " + d.delivery_id,
                             "X-MLflow-Timestamp: " + d.timestamp};
  if (secret && !secret->empty()) h.push_back("X-MLflow-Signature: " + signature(*secret, d));
  h.push_back("Expect:");  // send the body at once (no 100-continue round trip)
  return h;
}

Payload example_payload(const core::WebhookEvent& e) {
  const std::string& en = e.entity;
  const std::string& a = e.action;
  bool prompt = en.starts_with("prompt");
  std::string name = prompt ? "example_prompt" : "example_model";
  Payload p = Payload::object();
  p["name"] = name;
  auto tags = Payload{{"example_key", "example_value"}};
  if (en == "registered_model" || en == "prompt") {
    p["tags"] = tags;
    p["description"] = prompt ? "An example prompt" : "An example registered model";
  } else if (en == "model_version") {
    p["version"] = "1";
    p["source"] = "models:/123";
    p["run_id"] = "abcd1234abcd5678";
    p["tags"] = tags;
    p["description"] = "An example model version";
  } else if (en == "prompt_version") {
    p["version"] = "1";
    p["template"] = "Hello {{name}}!";
    p["tags"] = tags;
    p["description"] = "An example prompt version";
  } else if (en == "model_version_tag" || en == "prompt_version_tag" || en == "prompt_tag") {
    if (en != "prompt_tag") p["version"] = "1";
    p["key"] = "example_key";
    if (a == "set") p["value"] = "example_value";
  } else if (en == "model_version_alias" || en == "prompt_alias") {
    p["alias"] = "example_alias";
    if (a == "created") p["version"] = "1";
  }
  return p;
}

}  // namespace sextant::webhooks
