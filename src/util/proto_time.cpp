#include "util/proto_time.hpp"

#include <algorithm>
#include <cstdio>

namespace sextant::util {

namespace {

constexpr std::int64_t kMsPerDay = 86'400'000;
constexpr std::int64_t kMaxDurationSeconds = 315'576'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `n` digits at `pos`.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, unsigned& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  pos += n;
  return true;
}

// ".f{1,9}" at `pos` (if present) as milliseconds, floored; false when malformed.
bool fraction_ms(std::string_view s, std::size_t& pos, std::int64_t& ms) {
  ms = 0;
  if (pos >= s.size() || s[pos] != '.') return true;
  ++pos;
  std::size_t n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && n < 10) {
    if (n < 3) ms = ms * 10 + (s[pos] - '0');
    ++pos;
    ++n;
  }
  if (n == 0 || n > 9) return false;
  for (std::size_t i = n; i < 3; ++i) ms *= 10;
  return true;
}

}  // namespace

std::string timestamp_json(std::int64_t epoch_ms) {
  constexpr std::int64_t kMin = -62135596800000;  // 0001-01-01T00:00:00Z
  constexpr std::int64_t kMax = 253402300799999;  // 9999-12-31T23:59:59.999Z
  epoch_ms = std::clamp(epoch_ms, kMin, kMax);
  std::int64_t days = epoch_ms / kMsPerDay, rest = epoch_ms % kMsPerDay;
  if (rest < 0) {
    rest += kMsPerDay;
    --days;
  }
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  civil_from_days(days, y, m, d);
  const auto secs = rest / 1000, ms = rest % 1000;
  char buf[40];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  std::string out(buf, static_cast<std::size_t>(n));
  if (ms) {
    std::snprintf(buf, sizeof buf, ".%03lld", static_cast<long long>(ms));
    out += buf;
  }
  return out + "Z";
}

std::optional<std::int64_t> parse_timestamp_json(std::string_view s) {
  std::size_t pos = 0;
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  auto sep = [&](char c) { return pos < s.size() && s[pos++] == c; };
  if (!digits(s, pos, 4, y) || !sep('-') || !digits(s, pos, 2, mo) || !sep('-') || !digits(s, pos, 2, d)) return {};
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return {};
  ++pos;
  if (!digits(s, pos, 2, h) || !sep(':') || !digits(s, pos, 2, mi) || !sep(':') || !digits(s, pos, 2, se)) return {};
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 59) return {};
  std::int64_t ms = 0;
  if (!fraction_ms(s, pos, ms)) return {};
  std::int64_t offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const bool negative = s[pos++] == '-';
    unsigned oh = 0, om = 0;
    if (!digits(s, pos, 2, oh) || !sep(':') || !digits(s, pos, 2, om) || oh > 23 || om > 59) return {};
    offset_minutes = (negative ? -1 : 1) * static_cast<std::int64_t>(oh * 60 + om);
  } else {
    return {};
  }
  if (pos != s.size()) return {};
  return days_from_civil(y, mo, d) * kMsPerDay + (static_cast<std::int64_t>(h) * 3600 + mi * 60 + se) * 1000 + ms -
         offset_minutes * 60'000;
}

std::string duration_json(std::int64_t ms) {
  const bool negative = ms < 0;
  const auto magnitude = negative ? -static_cast<unsigned long long>(ms) : static_cast<unsigned long long>(ms);
  char buf[48];
  const auto secs = magnitude / 1000, frac = magnitude % 1000;
  int n = frac ? std::snprintf(buf, sizeof buf, "%s%llu.%03llus", negative ? "-" : "", secs, frac)
               : std::snprintf(buf, sizeof buf, "%s%llus", negative ? "-" : "", secs);
  return std::string(buf, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> parse_duration_json(std::string_view s) {
  if (s.size() < 2 || s.back() != 's') return {};
  s.remove_suffix(1);
  std::size_t pos = 0;
  const bool negative = s[0] == '-';
  if (negative) ++pos;
  std::int64_t secs = 0;
  std::size_t n = 0;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
    secs = secs * 10 + (s[pos] - '0');
    if (secs > kMaxDurationSeconds) return {};
    ++pos;
    ++n;
  }
  if (n == 0) return {};
  std::int64_t ms = 0;
  if (!fraction_ms(s, pos, ms) || pos != s.size()) return {};
  const std::int64_t total = secs * 1000 + ms;
  return negative ? -total : total;
}

}  // namespace sextant::util
