#include "webhooks/webhook_dispatcher.hpp"

#include <algorithm>

#include "util/json_lines.hpp"
#include "util/prometheus.hpp"
#include "util/random_id.hpp"
#include "webhooks/webhook_http.hpp"

namespace sextant::webhooks {

namespace {


util::JsonLines& log() {
  static util::JsonLines lines;  // stderr
  return lines;
}

void log_line(const char* level, const std::string& msg, const std::string& webhook_id, const std::string& event,
              const std::string& error = {}) {
  nlohmann::json line{{"level", level}, {"msg", msg}, {"webhook_id", webhook_id}, {"event", event}};
  if (!error.empty()) line["error"] = error;
  log().write(line);
}

util::prom::Counter& deliveries(const char* outcome) {
  static auto& family = util::prom::Registry::global().counter(
      "sextant_webhook_deliveries_total", "Webhook deliveries by final outcome", {"outcome"});
  return family.with({outcome});
}

bool retry_status(long status, bool has_retry_after) {
  if (status == 429 || status == 500 || status == 502 || status == 503 || status == 504) return true;
  return has_retry_after && status == 413;
}

constexpr const char* kUndecryptable =
    "the webhook's secret cannot be decrypted with the configured MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY (set with "
    "another key, or no key is configured)";

}  // namespace

WebhookDispatcher::WebhookDispatcher(store::WebhookStore& store, WebhookSettings settings)
    : store_(store), settings_(std::move(settings)), per_webhook_limit_(std::max(1, settings_.max_workers / 4)) {}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
  workers_.clear();
}

void WebhookDispatcher::invalidate() {
  std::lock_guard lock(cache_mutex_);
  cache_valid_ = false;
}

std::vector<core::Webhook> WebhookDispatcher::subscribers(const core::WebhookEvent& event) {
  std::lock_guard lock(cache_mutex_);
  if (!cache_valid_ || Clock::now() - cache_loaded_ >= settings_.cache_ttl) {
    cache_ = store_.active_webhooks();  // throws on database trouble; the caller logs
    cache_loaded_ = Clock::now();
    cache_valid_ = true;
  }
  std::vector<core::Webhook> out;
  for (const auto& w : cache_)
    if (std::find(w.events.begin(), w.events.end(), event) != w.events.end()) out.push_back(w);
  return out;
}

bool WebhookDispatcher::has_subscribers(const core::WebhookEvent& event) {
  try {
    return !subscribers(event).empty();
  } catch (const std::exception& e) {
    log_line("error", "webhooks could not be loaded", "", core::to_string(event), e.what());
    return false;
  }
}

void WebhookDispatcher::publish(const core::WebhookEvent& event, const Payload& data) noexcept {
  try {
    auto targets = subscribers(event);
    if (targets.empty()) return;
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    if (workers_.empty()) {
      for (int i = 0; i < settings_.max_workers; ++i) workers_.emplace_back([this] { work(); });
    }
    for (const auto& w : targets) {
      if (queue_.size() >= settings_.queue_capacity) {
        deliveries("dropped").inc();
        log_line("error", "webhook delivery dropped: the delivery queue is full", w.webhook_id, core::to_string(event));
        continue;
      }
      Job job{w.webhook_id, w.url, w.stored_secret, core::to_string(event), make_delivery(event, data), 0};
      queue_.emplace(Clock::now(), std::move(job));
    }
    wake_.notify_all();
  } catch (const std::exception& e) {
    log_line("error", "webhook event not queued", "", core::to_string(event), e.what());
  }
}

std::chrono::milliseconds WebhookDispatcher::backoff(int failures, std::optional<long> retry_after) const {
  using std::chrono::milliseconds;
  const auto cap = std::chrono::duration_cast<milliseconds>(settings_.max_backoff);
  if (retry_after) {
    // The receiver's Retry-After (any non-negative long): compared in seconds, so a huge value
    // cannot overflow the multiplication.
    if (*retry_after >= cap.count() / 1000) return cap;
    return std::min(milliseconds(*retry_after * 1000), cap);
  }
  if (failures <= 1) return milliseconds(0);
  long long ms = 1000LL << std::min(failures - 1, 20);
  ms += static_cast<long long>(util::random_below(1000));  // urllib3's backoff_jitter = 1.0
  return std::min(milliseconds(ms), cap);
}

WebhookDispatcher::AttemptResult WebhookDispatcher::attempt(Job& job) {
  AttemptResult r;
  ++job.attempt;
  std::optional<std::string> secret;
  if (job.stored_secret) {
    if (settings_.key) secret = settings_.key->decrypt(*job.stored_secret);
    if (!secret) {
      r.error = kUndecryptable;
      return r;
    }
  }
  PostOptions options;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.request_timeout);
  options.allow_private_addresses = settings_.allow_private_addresses;
  options.cancel = &stopping_;
  const bool retries_left = job.attempt <= settings_.max_retries;
  try {
    auto res = post_webhook(job.url, job.delivery.body, delivery_headers(job.delivery, secret ? &*secret : nullptr),
                            options);
    r.status = res.status;
    r.body = std::move(res.body);
    bool honour_retry_after = res.retry_after_seconds && (res.status == 413 || res.status == 429 || res.status == 503);
    if (retry_status(res.status, honour_retry_after) && retries_left) {
      r.outcome = Outcome::Retry;
      r.retry_after = backoff(job.attempt, honour_retry_after ? res.retry_after_seconds : std::nullopt);
    } else {
      r.outcome = res.status < 400 ? Outcome::Delivered : Outcome::Failed;
      if (res.status >= 400) r.error = "the receiver answered HTTP " + std::to_string(res.status);
    }
  } catch (const TargetRefused& e) {
    r.error = e.what();
  } catch (const TransportError& e) {
    r.error = e.what();
    if (retries_left && !stopping_) {
      r.outcome = Outcome::Retry;
      r.retry_after = backoff(job.attempt, std::nullopt);
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

// The earliest due job whose webhook has a free slot; else when to look again (nullopt: when woken).
WebhookDispatcher::Pick WebhookDispatcher::next_job(Clock::time_point now) {
  for (auto it = queue_.begin(); it != queue_.end(); ++it) {
    auto busy = in_flight_.find(it->second.webhook_id);
    if (busy != in_flight_.end() && busy->second >= per_webhook_limit_) continue;
    if (it->first <= now) return {it, std::nullopt};
    return {queue_.end(), it->first};  // by due time: no eligible job is due earlier
  }
  return {queue_.end(), std::nullopt};
}

void WebhookDispatcher::work() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto [it, wake_at] = next_job(Clock::now());
    if (it == queue_.end()) {
      if (wake_at) {
        wake_.wait_until(lock, *wake_at);
      } else {
        wake_.wait(lock);
      }
      continue;
    }
    Job job = std::move(it->second);
    queue_.erase(it);
    ++in_flight_[job.webhook_id];
    lock.unlock();
    auto r = attempt(job);
    lock.lock();
    if (--in_flight_[job.webhook_id] == 0) in_flight_.erase(job.webhook_id);
    wake_.notify_all();  // this webhook's next delivery may go now
    if (r.outcome == Outcome::Retry && !stopping_) {
      queue_.emplace(Clock::now() + r.retry_after, std::move(job));
      continue;
    }
    lock.unlock();
    if (r.outcome == Outcome::Delivered) {
      deliveries("delivered").inc();
    } else {
      deliveries("failed").inc();
      log_line("warning", "webhook delivery failed after " + std::to_string(job.attempt) + " attempt(s)", job.webhook_id,
               job.event_text, r.error);
    }
    lock.lock();
  }
}

TestResult WebhookDispatcher::deliver_now(const core::Webhook& webhook, const core::WebhookEvent& event,
                                          const Payload& data) {
  Job job{webhook.webhook_id, webhook.url, webhook.stored_secret, core::to_string(event), make_delivery(event, data), 0};
  TestResult out;
  for (;;) {
    auto r = attempt(job);
    if (r.outcome == Outcome::Retry) {
      std::unique_lock lock(mutex_);
      if (!wake_.wait_for(lock, r.retry_after, [this] { return stopping_.load(); })) continue;
    }
    if (r.status && r.outcome != Outcome::Retry) {
      out.success = *r.status < 400;
      out.response_status = *r.status;
      out.response_body = r.body;
    } else {
      out.error_message = "Failed to test webhook: " + r.error;
    }
    return out;
  }
}

}  // namespace sextant::webhooks
