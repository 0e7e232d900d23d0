// How long one more blocking read or write of a request body or a response may take (Apache's
// mod_reqtimeout rule, counted in time spent blocked on the socket only, so a slow database or S3
// between two writes never counts against the client): a transfer fails when it makes no progress
// for `timeout`, or when its bytes fall behind `min_rate` once the first `timeout` has passed.
// Pure; times are milliseconds on any monotonic clock. Not thread-safe (one connection's thread).
#pragma once

#include <algorithm>
#include <cstdint>

namespace sextant::http {

class TransferBudget {
 public:
  // `min_rate` in bytes per second; 0 = only the no-progress rule.
  TransferBudget(std::int64_t timeout_ms, std::uint64_t min_rate) : timeout_ms_(timeout_ms), min_rate_(min_rate) {}

  // Called before a blocking operation that starts at `now`: the time it must end by (`now` or
  // earlier when the budget is already spent).
  std::int64_t deadline(std::int64_t now) const {
    std::int64_t left = timeout_ms_ - stalled_ms_;
    if (min_rate_) left = std::min(left, timeout_ms_ + earned_ms() - blocked_ms_);
    return now + std::max<std::int64_t>(left, 0);
  }

  // Called after the operation: it blocked from `started` to `now` and moved `bytes`.
  void record(std::int64_t started, std::int64_t now, std::uint64_t bytes) {
    std::int64_t spent = std::max<std::int64_t>(now - started, 0);
    blocked_ms_ += spent;
    if (bytes) {
      bytes_ += bytes;
      stalled_ms_ = 0;
    } else {
      stalled_ms_ += spent;
    }
  }

  std::uint64_t bytes() const { return bytes_; }

 private:
  // The blocking time `bytes_` paid for at `min_rate_` (saturating).
  std::int64_t earned_ms() const {
    std::uint64_t whole = bytes_ / min_rate_, rest = bytes_ % min_rate_;
    if (whole > (std::uint64_t{1} << 40)) return std::int64_t{1} << 50;
    return static_cast<std::int64_t>(whole * 1000 + rest * 1000 / min_rate_);
  }

  std::int64_t timeout_ms_;
  std::uint64_t min_rate_;
  std::uint64_t bytes_ = 0;
  std::int64_t blocked_ms_ = 0;  // all time spent blocked
  std::int64_t stalled_ms_ = 0;  // time blocked since the last byte moved
};

}  // namespace sextant::http
