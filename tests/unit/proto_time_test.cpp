// Unit tests for util/proto_time: protobuf's Timestamp and Duration JSON forms at millisecond
// precision (what MLflow's TraceInfoV3 and Assessment messages print and accept).
#include <gtest/gtest.h>

#include "util/proto_time.hpp"

namespace sextant {
namespace {

TEST(ProtoTime, TimestampPrintsLikeProtobuf) {
  EXPECT_EQ(util::timestamp_json(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(util::timestamp_json(1000), "1970-01-01T00:00:01Z");
  EXPECT_EQ(util::timestamp_json(1744706958699), "2025-04-15T08:49:18.699Z");
  EXPECT_EQ(util::timestamp_json(1709164800005), "2024-02-29T00:00:00.005Z");
  EXPECT_EQ(util::timestamp_json(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(util::timestamp_json(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(util::timestamp_json(INT64_MAX), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(util::timestamp_json(INT64_MIN), "0001-01-01T00:00:00Z");
}

TEST(ProtoTime, TimestampParses) {
  EXPECT_EQ(util::parse_timestamp_json("2025-04-15T08:49:18.699Z"), 1744706958699);
  EXPECT_EQ(util::parse_timestamp_json("1970-01-01T00:00:01Z"), 1000);
  EXPECT_EQ(util::parse_timestamp_json("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_EQ(util::parse_timestamp_json("1970-01-01T00:00:01.123456789Z"), 1123);
  EXPECT_EQ(util::parse_timestamp_json("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(util::parse_timestamp_json("1969-12-31T23:00:00-01:00"), 0);
  EXPECT_EQ(util::parse_timestamp_json("2024-02-29T00:00:00Z"), 1709164800000);
  for (const char* bad : {"", "2025-04-15", "2025-04-15T08:49:18", "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z",
                          "2025-04-15T24:00:00Z", "2025-04-15T08:49:18.Z", "2025-04-15T08:49:18.1234567890Z",
                          "2025-04-15T08:49:18Zx", "0000-01-01T00:00:00Z", "1000", "2025-04-15 08:49:18Z"}) {
    EXPECT_FALSE(util::parse_timestamp_json(bad).has_value()) << bad;
  }
}

TEST(ProtoTime, Durations) {
  EXPECT_EQ(util::duration_json(2000), "2s");
  EXPECT_EQ(util::duration_json(1534), "1.534s");
  EXPECT_EQ(util::duration_json(4), "0.004s");
  EXPECT_EQ(util::duration_json(0), "0s");
  EXPECT_EQ(util::duration_json(-500), "-0.500s");
  EXPECT_EQ(util::parse_duration_json("2s"), 2000);
  EXPECT_EQ(util::parse_duration_json("0.004s"), 4);
  EXPECT_EQ(util::parse_duration_json("1.5s"), 1500);
  EXPECT_EQ(util::parse_duration_json("-1.5s"), -1500);
  EXPECT_EQ(util::parse_duration_json("1.000000001s"), 1000);
  for (const char* bad : {"", "s", "2", "-s", "1.s", "1.5ss", "a1s", "315576000001s", "1.2.3s"}) {
    EXPECT_FALSE(util::parse_duration_json(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sextant
