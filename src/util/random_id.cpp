#include "util/random_id.hpp"

#include <chrono>
#include <mutex>
#include <random>

namespace sextant::util {

namespace {
std::mt19937_64& generator() {
  thread_local std::mt19937_64 gen([] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }());
  return gen;
}
}  // namespace

std::string uuid4_hex() {
  std::uint64_t hi = generator()(), lo = generator()();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) out[15 - i] = kHex[(hi >> (4 * i)) & 0xF];
  for (int i = 0; i < 16; ++i) out[31 - i] = kHex[(lo >> (4 * i)) & 0xF];
  return out;
}

std::string uuid7_hex() {
  static std::mutex mutex;
  static std::uint64_t last_ms = 0, counter = 0;
  std::uint64_t ms = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                    std::chrono::system_clock::now().time_since_epoch())
                                                    .count());
  {
    std::lock_guard lock(mutex);
    if (ms <= last_ms) {  // same millisecond (or the clock stepped back): count on from the last id
      ms = last_ms;
      if (++counter > 0xFFF) {  // 4096 ids in one millisecond: borrow the next millisecond
        ++ms;
        counter = 0;
      }
    } else {
      counter = 0;
    }
    last_ms = ms;
  }
  std::uint64_t hi = ((ms & 0xFFFFFFFFFFFFULL) << 16) | 0x7000ULL | counter;  // version 7
  std::uint64_t lo = (generator()() & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) out[15 - i] = kHex[(hi >> (4 * i)) & 0xF];
  for (int i = 0; i < 16; ++i) out[31 - i] = kHex[(lo >> (4 * i)) & 0xF];
  return out;
}

std::string uuid4_dashed() {
  std::string h = uuid4_hex();
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

std::uint64_t random_below(std::uint64_t bound) {
  std::uniform_int_distribution<std::uint64_t> dist(0, bound - 1);
  return dist(generator());
}

}  // namespace sextant::util
