// Delivers registry events to the webhooks subscribed to them, from a bounded in-memory queue
// served by its own worker threads, so a slow or dead receiver never holds up a request.
// Delivery is best-effort as MLflow's is: events queued when the process stops are lost.
//
// One webhook's deliveries use at most a quarter of the workers (at least one), so a slow
// receiver delays only its own events, not everyone's.
// Retries follow MLflow's urllib3 policy: up to MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES more attempts
// on a transport error or status 429/500/502/503/504 (and 413/429/503 with Retry-After), the
// n-th retry after 0 s, 2 s, 4 s ... (+ up to 1 s jitter, at most 60 s) or the receiver's
// Retry-After seconds (at most 60 s); a waiting retry occupies no thread. A delivery keeps its
// delivery id, timestamp and signature across retries. Secrets are decrypted just before
// sending and never logged; a secret that does not decrypt under the configured key (another
// key, or none) makes that webhook's deliveries fail (logged), never go out unsigned.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/webhook.hpp"
#include "store/webhook_store.hpp"
#include "webhooks/payload.hpp"
#include "webhooks/webhook_settings.hpp"

namespace sextant::webhooks {

// The test endpoint's answer (MLflow's WebhookTestResult).
struct TestResult {
  bool success = false;
  std::optional<long> response_status;
  std::optional<std::string> response_body;
  std::optional<std::string> error_message;
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(store::WebhookStore& store, WebhookSettings settings);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  const WebhookSettings& settings() const { return settings_; }

  // Whether an active webhook listens to `event` (from the cache; reloaded when older than
  // MLFLOW_WEBHOOK_CACHE_TTL or invalidated). Cheap enough for every registry write.
  bool has_subscribers(const core::WebhookEvent& event);
  // Queues one delivery per subscribed active webhook; returns at once. When the queue is full
  // the delivery is dropped and logged (sextant_webhook_deliveries_total{outcome="dropped"}); so
  // is an event when the webhooks cannot be loaded. Never throws.
  void publish(const core::WebhookEvent& event, const Payload& data) noexcept;
  // This process changed webhooks: the next has_subscribers/publish reloads them.
  void invalidate();
  // Sends `data` to `webhook` now, with the same retries, in the calling thread (TestWebhook).
  TestResult deliver_now(const core::Webhook& webhook, const core::WebhookEvent& event, const Payload& data);
  // Ends the workers; queued deliveries are dropped, a transfer in flight is cancelled.
  void stop();

 private:
  struct Job {
    std::string webhook_id, url;
    std::optional<std::string> stored_secret;
    std::string event_text;
    Delivery delivery;
    int attempt = 0;  // attempts made so far
  };
  enum class Outcome { Delivered, Failed, Retry };
  struct AttemptResult {
    Outcome outcome = Outcome::Failed;
    std::chrono::milliseconds retry_after{0};
    std::optional<long> status;
    std::string body, error;
  };

  std::vector<core::Webhook> subscribers(const core::WebhookEvent& event);
  AttemptResult attempt(Job& job);
  std::chrono::milliseconds backoff(int failures, std::optional<long> retry_after) const;
  using Clock = std::chrono::steady_clock;
  using Queue = std::multimap<Clock::time_point, Job>;  // by due time
  struct Pick {
    Queue::iterator job;                       // queue_.end(): none to run now
    std::optional<Clock::time_point> wake_at;  // then: when one becomes due (nullopt: when woken)
  };
  Pick next_job(Clock::time_point now);
  void work();

  store::WebhookStore& store_;
  WebhookSettings settings_;
  std::mutex cache_mutex_;
  std::vector<core::Webhook> cache_;
  std::chrono::steady_clock::time_point cache_loaded_{};
  bool cache_valid_ = false;

  std::mutex mutex_;
  std::condition_variable wake_;
  Queue queue_;
  std::map<std::string, int> in_flight_;  // webhook id -> attempts running now
  int per_webhook_limit_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> workers_;
};

}  // namespace sextant::webhooks
