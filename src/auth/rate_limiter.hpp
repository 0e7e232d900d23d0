// Back-off after failed credential checks, per remote address, in bounded memory. The first
// `free_failures` failures within `forget_after` cost nothing; each further failure blocks the
// address for base_delay * 2^(n - free_failures - 1), capped at max_delay. While blocked, requests
// carrying credentials are refused with 429 before any check (so guessing is throttled).
// Successes do not reset the count (an attacker holding one valid token cannot launder guesses);
// entries are forgotten `forget_after` after their last failure. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sextant::auth {

struct RateLimiterOptions {
  int free_failures = 10;
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{300000};
  std::chrono::milliseconds forget_after{900000};
  std::size_t max_entries = 10000;
};

class FailureLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit FailureLimiter(RateLimiterOptions options = {}) : options_(options) {}

  // How long `address` must still wait (zero when it may try now).
  std::chrono::milliseconds blocked_for(const std::string& address, Clock::time_point now = Clock::now());
  void record_failure(const std::string& address, Clock::time_point now = Clock::now());
  std::size_t size() const;

 private:
  struct Entry {
    int failures = 0;
    Clock::time_point last_failure{};
    Clock::time_point blocked_until{};
  };
  void make_room(Clock::time_point now);

  RateLimiterOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace sextant::auth
