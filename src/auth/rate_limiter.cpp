#include "auth/rate_limiter.hpp"

#include <algorithm>

namespace sextant::auth {

std::chrono::milliseconds FailureLimiter::blocked_for(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end()) return std::chrono::milliseconds(0);
  if (now - it->second.last_failure > options_.forget_after) {
    entries_.erase(it);
    return std::chrono::milliseconds(0);
  }
  if (now >= it->second.blocked_until) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(it->second.blocked_until - now);
}

void FailureLimiter::make_room(Clock::time_point now) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (now - it->second.last_failure > options_.forget_after) {
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  if (entries_.size() < options_.max_entries) return;
  // Still full: drop the entry whose last failure is oldest.
  auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.second.last_failure < b.second.last_failure;
  });
  if (oldest != entries_.end()) entries_.erase(oldest);
}

void FailureLimiter::record_failure(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(address);
  if (it == entries_.end()) {
    if (entries_.size() >= options_.max_entries) make_room(now);
    it = entries_.emplace(address, Entry{}).first;
  } else if (now - it->second.last_failure > options_.forget_after) {
    it->second = Entry{};
  }
  auto& e = it->second;
  e.failures += 1;
  e.last_failure = now;
  int over = e.failures - options_.free_failures;
  if (over > 0) {
    auto delay = options_.base_delay;
    for (int i = 1; i < over && delay < options_.max_delay; ++i) delay *= 2;
    delay = std::min(delay, options_.max_delay);
    e.blocked_until = now + delay;
  }
}

std::size_t FailureLimiter::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace sextant::auth
