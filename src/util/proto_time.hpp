// google.protobuf.Timestamp and Duration in their JSON forms (RFC 3339 "2025-01-02T03:04:05.123Z",
// "1.534s"), at MLflow's millisecond precision. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sextant::util {

// Milliseconds since the epoch as protobuf prints a Timestamp: UTC, "Z", no fraction for whole
// seconds, else 3 digits. Years outside 0001-9999 are clamped to that range's ends.
std::string timestamp_json(std::int64_t epoch_ms);
// A Timestamp string as protobuf's parser accepts it ("YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)"),
// in milliseconds (sub-millisecond digits floored); nullopt when malformed.
std::optional<std::int64_t> parse_timestamp_json(std::string_view text);

// Milliseconds as protobuf prints a Duration: "2s", "1.534s", "-0.500s".
std::string duration_json(std::int64_t ms);
// "<seconds>[.f{1,9}]s" with an optional '-', in milliseconds (truncated toward zero); nullopt
// when malformed or beyond protobuf's +-315,576,000,000 s.
std::optional<std::int64_t> parse_duration_json(std::string_view text);

}  // namespace sextant::util
