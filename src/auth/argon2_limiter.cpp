#include "auth/argon2_limiter.hpp"

#include "core/error.hpp"

namespace sextant::auth {

namespace {
[[noreturn]] void busy() {
  throw core::MlflowError(core::ErrorCode::TEMPORARILY_UNAVAILABLE,
                          "Too many password checks in progress; retry in a moment.");
}
}  // namespace

Argon2Limiter::Permit::Permit(Argon2Limiter& l) : limiter_(l) {
  std::unique_lock lock(l.mutex_);
  if (l.running_ < l.concurrency_) {
    ++l.running_;
    return;
  }
  if (l.waiting_ >= l.queue_) busy();
  ++l.waiting_;
  bool got = l.cv_.wait_for(lock, l.max_wait_, [&] { return l.running_ < l.concurrency_; });
  --l.waiting_;
  if (!got) busy();
  ++l.running_;
}

Argon2Limiter::Permit::~Permit() {
  {
    std::lock_guard lock(limiter_.mutex_);
    --limiter_.running_;
  }
  limiter_.cv_.notify_one();
}

Argon2Limiter& Argon2Limiter::global() {
  static Argon2Limiter limiter(2, 8, std::chrono::seconds(5));
  return limiter;
}

}  // namespace sextant::auth
