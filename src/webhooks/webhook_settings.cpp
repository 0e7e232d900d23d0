#include "webhooks/webhook_settings.hpp"

#include <charconv>
#include <stdexcept>

#include "util/strings.hpp"

namespace sextant::webhooks {

namespace {

int int_var(const EnvLookup& env, const char* name, int fallback, int min, int max) {
  auto v = env(name);
  if (!v || util::trim(*v).empty()) return fallback;
  auto text = util::trim(*v);
  int n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || p != text.data() + text.size() || n < min || n > max) {
    throw std::invalid_argument(std::string(name) + " must be an integer between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", got '" + *v + "'");
  }
  return n;
}

}  // namespace

WebhookSettings webhook_settings_from_env(const EnvLookup& env, bool allow_private_addresses) {
  WebhookSettings s;
  if (auto v = env("MLFLOW_WEBHOOK_ALLOWED_SCHEMES")) {
    s.allowed_schemes.clear();
    for (const auto& part : util::split(*v, ',')) {
      auto t = util::trim(part);
      if (!t.empty()) s.allowed_schemes.emplace_back(t);
    }
  }
  if (auto v = env("MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY"); v && !v->empty()) {
    try {
      s.key = FernetKey::parse(*v);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY: ") + e.what());
    }
  }
  s.request_timeout = std::chrono::seconds(int_var(env, "MLFLOW_WEBHOOK_REQUEST_TIMEOUT", 30, 1, 3600));
  s.max_workers = int_var(env, "MLFLOW_WEBHOOK_DELIVERY_MAX_WORKERS", 10, 1, 256);
  s.max_retries = int_var(env, "MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES", 3, 0, 20);
  s.cache_ttl = std::chrono::seconds(int_var(env, "MLFLOW_WEBHOOK_CACHE_TTL", 60, 0, 86400));
  s.allow_private_addresses = allow_private_addresses;
  return s;
}

}  // namespace sextant::webhooks
