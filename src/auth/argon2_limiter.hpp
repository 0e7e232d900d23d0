// Bounds the memory argon2id can take: each hash or verification holds 64 MiB (libsodium's
// interactive limits) for ~50-100 ms, so parallel password guesses from many addresses (which the
// per-address back-off does not stop) would cost 64 MiB each. At most `concurrency` run at once;
// up to `queue` more wait (at most `max_wait`); anything beyond is refused at once with
// TEMPORARILY_UNAVAILABLE (503: MLflow's client retries it). Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace sextant::auth {

class Argon2Limiter {
 public:
  Argon2Limiter(std::size_t concurrency, std::size_t queue, std::chrono::milliseconds max_wait)
      : concurrency_(concurrency), queue_(queue), max_wait_(max_wait) {}

  // Holds one slot for its lifetime; throws core::MlflowError(TEMPORARILY_UNAVAILABLE) when the
  // queue is full or the wait times out.
  class Permit {
   public:
    explicit Permit(Argon2Limiter& limiter);
    ~Permit();
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;

   private:
    Argon2Limiter& limiter_;
  };

  // The process-wide limiter crypto.cpp uses: 2 at once, 8 waiting, 5 s.
  static Argon2Limiter& global();

 private:
  std::size_t concurrency_, queue_;
  std::chrono::milliseconds max_wait_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::size_t running_ = 0, waiting_ = 0;
};

}  // namespace sextant::auth
