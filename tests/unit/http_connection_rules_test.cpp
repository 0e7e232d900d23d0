// The HTTP layer's pure rules: request framing (RFC 9112 §6), request path decoding, the transfer
// budget behind the body and write timeouts, connection admission and eviction, refusal bytes.
#include <gtest/gtest.h>

#include <string>

#include "http/connection_slots.hpp"
#include "http/error_response.hpp"
#include "http/request_framing.hpp"
#include "http/request_target.hpp"
#include "http/transfer_budget.hpp"

using namespace sextant::http;

namespace {

FramingFields with(std::vector<std::string_view> te, std::vector<std::string_view> cl, unsigned version = 11) {
  return FramingFields{version, std::move(te), std::move(cl), {"example.test"}};
}

}  // namespace

TEST(RequestFraming, PlainBodiesAndChunkedAreAccepted) {
  EXPECT_TRUE(check_framing(with({}, {})).ok());
  EXPECT_TRUE(check_framing(with({}, {"0"})).ok());
  EXPECT_TRUE(check_framing(with({}, {" 100000 "})).ok());
  EXPECT_TRUE(check_framing(with({"chunked"}, {})).ok());
  EXPECT_TRUE(check_framing(with({"Chunked"}, {})).ok());
  EXPECT_TRUE(check_framing(with({}, {"12"}, 10)).ok());
}

TEST(RequestFraming, UnknownOrMisplacedCodingsAre400) {
  for (std::vector<std::string_view> te : std::vector<std::vector<std::string_view>>{
           {"xchunked"}, {"chunked, gzip"}, {"chunked", "gzip"}, {"identity"}, {""}, {"chunked,"},
           {"chunked;x=1"}, {"chunked, chunked"}, {"chunked", "chunked"}, {" "}, {"\"chunked\""}}) {
    auto v = check_framing(with(te, {}));
    EXPECT_EQ(v.status, 400) << (te.empty() ? "" : std::string(te.front()));
  }
  // chunked last but another coding before it: understood framing, unsupported coding.
  EXPECT_EQ(check_framing(with({"gzip, chunked"}, {})).status, 501);
  EXPECT_EQ(check_framing(with({"gzip", "chunked"}, {})).status, 501);
}

TEST(RequestFraming, AmbiguousLengthsAre400) {
  EXPECT_EQ(check_framing(with({"chunked"}, {"5"})).status, 400);     // TE + CL
  EXPECT_EQ(check_framing(with({"xchunked"}, {"5"})).status, 400);
  EXPECT_EQ(check_framing(with({}, {"5", "6"})).status, 400);         // CL, CL
  EXPECT_EQ(check_framing(with({}, {"5", "5"})).status, 400);         // even equal
  EXPECT_EQ(check_framing(with({}, {"5, 5"})).status, 400);           // list form
  EXPECT_EQ(check_framing(with({}, {"+5"})).status, 400);
  EXPECT_EQ(check_framing(with({}, {"-1"})).status, 400);
  EXPECT_EQ(check_framing(with({}, {"0x10"})).status, 400);
  EXPECT_EQ(check_framing(with({}, {""})).status, 400);
  EXPECT_EQ(check_framing(with({}, {"99999999999999999999"})).status, 400);
  EXPECT_EQ(check_framing(with({"chunked"}, {}, 10)).status, 400);    // TE on HTTP/1.0
}

TEST(RequestFraming, HostMustBeOne) {
  FramingFields f = with({}, {});
  f.host = {};
  EXPECT_EQ(check_framing(f).status, 400);
  f.version = 10;
  EXPECT_TRUE(check_framing(f).ok());
  f.version = 11;
  f.host = {"a.test", "b.test"};
  EXPECT_EQ(check_framing(f).status, 400);
}

TEST(RequestTarget, DecodesOnceAndRefusesWhatNamesNothing) {
  EXPECT_EQ(decode_path("/a%20b/%2e%2E/c"), "/a b/../c");
  EXPECT_EQ(decode_path("/%252e"), "/%2e");
  EXPECT_EQ(decode_path("/caf%C3%A9"), "/caf\xC3\xA9");
  EXPECT_EQ(decode_path("/\xF0\x9F\x98\x80"), "/\xF0\x9F\x98\x80");
  for (std::string_view bad : {"/%ff", "/%FF%FE", "/%", "/%4", "/%zz", "/a%g0", "/%C0%AF", "/%E0%80%AF",
                               "/%ED%A0%80", "/%F4%90%80%80", "/%C3", "/\xff", "/%80", "/%F8%88%80%80%80"}) {
    EXPECT_FALSE(decode_path(bad).has_value()) << bad;
  }
}

TEST(TransferBudget, NoProgressForTimeoutFails) {
  TransferBudget b(2000, 0);
  EXPECT_EQ(b.deadline(100), 2100);
  b.record(100, 1100, 0);  // a second without a byte
  EXPECT_EQ(b.deadline(1100), 2100);
  b.record(1100, 1500, 10);  // progress resets the stall
  EXPECT_EQ(b.deadline(1500), 3500);
}

TEST(TransferBudget, MinimumRateAfterTheFirstTimeout) {
  TransferBudget b(2000, 1000);  // 1000 bytes/s after 2 s
  EXPECT_EQ(b.deadline(0), 2000);
  // A trickle: 1 byte every 1.5 s keeps the no-progress rule happy but not the rate.
  std::int64_t t = 0;
  for (int i = 0; i < 3; ++i) {
    b.record(t, t + 1500, 1);
    t += 1500;
  }
  EXPECT_LE(b.deadline(t), t);  // 4.5 s blocked for 3 bytes: spent
  // Fast enough: 1000 bytes a second.
  TransferBudget ok(2000, 1000);
  for (int i = 0; i < 10; ++i) ok.record(i * 1000, i * 1000 + 1000, 1000);
  EXPECT_EQ(ok.deadline(10000), 12000);
}

TEST(TransferBudget, TimeBetweenOperationsIsNotCounted) {
  TransferBudget b(2000, 1000);
  b.record(0, 10, 100);
  // The server spent a minute elsewhere (database, S3): the client is not blamed.
  EXPECT_EQ(b.deadline(60000), 62000);
}

TEST(ConnectionSlots, PerAddressAndTotalCaps) {
  ConnectionSlots s(4, 2);
  EXPECT_EQ(s.admit("10.0.0.1", true), ConnectionSlots::Admission::Admitted);
  EXPECT_EQ(s.admit("10.0.0.1", true), ConnectionSlots::Admission::Admitted);
  EXPECT_EQ(s.admit("10.0.0.1", true), ConnectionSlots::Admission::AddressFull);
  EXPECT_EQ(s.admit("10.0.0.9", false), ConnectionSlots::Admission::Admitted);  // a balancer
  EXPECT_EQ(s.admit("10.0.0.9", false), ConnectionSlots::Admission::Admitted);
  EXPECT_EQ(s.admit("10.0.0.2", true), ConnectionSlots::Admission::Full);
  EXPECT_EQ(s.active(), 4u);
  s.release("10.0.0.1", true);
  EXPECT_EQ(s.from("10.0.0.1"), 1u);
  EXPECT_EQ(s.admit("10.0.0.2", true), ConnectionSlots::Admission::Admitted);
  s.release("10.0.0.2", true);
  EXPECT_EQ(s.from("10.0.0.2"), 0u);
  EXPECT_EQ(s.active(), 3u);
}

TEST(ConnectionSlots, EvictsTheLongestIdleThenTheSlowestHead) {
  using S = EvictionCandidate::State;
  std::vector<EvictionCandidate> open = {{S::Busy, 0}, {S::Idle, 500}, {S::Idle, 300}, {S::ReadingHeader, 100}};
  EXPECT_EQ(choose_eviction(open, 5000, 1000), 2u);
  open = {{S::Busy, 0}, {S::ReadingHeader, 4500}, {S::ReadingHeader, 3000}};
  EXPECT_EQ(choose_eviction(open, 5000, 1000), 2u);
  open = {{S::Busy, 0}, {S::ReadingHeader, 4500}};  // a head arriving for only 0.5 s stays
  EXPECT_FALSE(choose_eviction(open, 5000, 1000).has_value());
  EXPECT_FALSE(choose_eviction({}, 5000, 1000).has_value());
}

TEST(RefusalResponse, ContentLengthIsExact) {
  auto r = refusal_response(503, "Service Unavailable", "TEMPORARILY_UNAVAILABLE", "Too many connections; retry.", 1);
  auto split = r.find("\r\n\r\n");
  ASSERT_NE(split, std::string::npos);
  auto head = r.substr(0, split);
  auto body = r.substr(split + 4);
  EXPECT_EQ(r.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u);
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(body.size())), std::string::npos);
  EXPECT_NE(head.find("\r\nRetry-After: 1"), std::string::npos);
  EXPECT_NE(head.find("\r\nConnection: close"), std::string::npos);
  EXPECT_EQ(body, R"({"error_code":"TEMPORARILY_UNAVAILABLE","message":"Too many connections; retry."})");
}
