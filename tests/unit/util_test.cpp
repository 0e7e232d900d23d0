#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <limits>
#include <set>

#include "api/page_token.hpp"
#include "core/artifact_uri.hpp"
#include "core/error.hpp"
#include "core/step_sampling.hpp"
#include "core/step_union.hpp"
#include "util/base64.hpp"
#include "util/random_id.hpp"
#include "util/strings.hpp"
#include "util/url.hpp"

using namespace sextant;

TEST(Url, PercentDecodeOnce) {
  EXPECT_EQ(util::percent_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(util::percent_decode("%252e"), "%2e");
  EXPECT_EQ(util::percent_decode("100%"), "100%");
  EXPECT_EQ(util::percent_decode("%zz%4"), "%zz%4");
  EXPECT_EQ(util::percent_decode("a+b", true), "a b");
  EXPECT_EQ(util::percent_decode("a+b"), "a+b");
}

TEST(Url, ParseQueryKeepsRepeatsInOrder) {
  auto q = util::parse_query("run_ids=a&run_ids=b&metric_key=m%20x&flag&=v");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"run_ids", "a"}));
  EXPECT_EQ(q[1].second, "b");
  EXPECT_EQ(q[2].second, "m x");
  EXPECT_EQ(q[3].first, "flag");
  EXPECT_EQ(q[4].first, "");
}

TEST(Base64, RoundTripAndMlflowToken) {
  for (std::string s : {"", "a", "ab", "abc", "abcd", "{\"offset\": 1000}"}) {
    auto enc = util::base64_encode(s);
    EXPECT_EQ(util::base64_decode(enc).value(), s);
  }
  EXPECT_EQ(util::base64_encode("{\"offset\": 1000}"), "eyJvZmZzZXQiOiAxMDAwfQ==");
  EXPECT_FALSE(util::base64_decode("!!!!"));
  EXPECT_FALSE(util::base64_decode("a"));
}

TEST(PageToken, MlflowFormat) {
  EXPECT_EQ(api::encode_page_token(1000), "eyJvZmZzZXQiOiAxMDAwfQ==");
  EXPECT_EQ(api::decode_page_token(std::string("eyJvZmZzZXQiOiAxMDAwfQ==")), 1000);
  EXPECT_EQ(api::decode_page_token(std::nullopt), 0);
  EXPECT_EQ(api::decode_page_token(std::string("")), 0);
  EXPECT_THROW(api::decode_page_token(std::string("not base64!")), core::MlflowError);
  EXPECT_THROW(api::decode_page_token(util::base64_encode("{\"offset\": 0}")), core::MlflowError);
  EXPECT_THROW(api::decode_page_token(util::base64_encode("[1]")), core::MlflowError);
}

TEST(Strings, Utf8) {
  EXPECT_EQ(util::utf8_length("héllo"), 5u);
  EXPECT_EQ(util::utf8_truncate("héllo", 2), "hé");
  EXPECT_EQ(util::utf8_truncate("abc", 10), "abc");
  EXPECT_EQ(util::utf8_length("\xff\xfe"), 2u);  // invalid bytes count one each
}

TEST(RandomId, RunIdFormat) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = util::uuid4_hex();
    ASSERT_EQ(id.size(), 32u);
    for (char c : id) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
    EXPECT_EQ(id[12], '4');
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomId, Uuid7IsTimeOrderedAndStrictlyIncreasing) {
  // 10,000 ids in a tight loop span few milliseconds: the counter must keep them increasing.
  std::string previous;
  for (int i = 0; i < 10000; ++i) {
    auto id = util::uuid7_hex();
    ASSERT_EQ(id.size(), 32u);
    for (char c : id) ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << id;
    ASSERT_EQ(id[12], '7') << id;
    ASSERT_TRUE(id[16] == '8' || id[16] == '9' || id[16] == 'a' || id[16] == 'b') << id;
    ASSERT_LT(previous, id);
    previous = id;
  }
  auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  auto id_ms = static_cast<long long>(std::stoull(util::uuid7_hex().substr(0, 12), nullptr, 16));
  EXPECT_LE(std::llabs(id_ms - now_ms), 5000);
}

TEST(ArtifactUri, JoinFollowsMlflow) {
  EXPECT_EQ(core::artifact_uri_join("mlflow-artifacts:/", "1"), "mlflow-artifacts:/1");
  EXPECT_EQ(core::artifact_uri_join("mlflow-artifacts:/1", "abc/artifacts"), "mlflow-artifacts:/1/abc/artifacts");
  EXPECT_EQ(core::artifact_uri_join("s3://b/p", "1"), "s3://b/p/1");
  EXPECT_EQ(core::artifact_uri_join("s3://b/p/", "1"), "s3://b/p/1");
  EXPECT_EQ(core::artifact_uri_join("/abs/root", "0"), "/abs/root/0");
  EXPECT_EQ(core::artifact_uri_join("wasbs://c@a.blob.core.windows.net/p?x=1", "1"),
            "wasbs://c@a.blob.core.windows.net/p/1?x=1");
}

TEST(ArtifactUri, ProxiedPaths) {
  std::string p;
  ASSERT_TRUE(core::proxied_artifact_path("mlflow-artifacts:/1/abc/artifacts", p));
  EXPECT_EQ(p, "1/abc/artifacts");
  ASSERT_TRUE(core::proxied_artifact_path("mlflow-artifacts://host:5000/1/x", p));
  EXPECT_EQ(p, "1/x");
  ASSERT_TRUE(core::proxied_artifact_path("http://h/api/2.0/mlflow-artifacts/artifacts/2/y", p));
  EXPECT_EQ(p, "2/y");
  EXPECT_FALSE(core::proxied_artifact_path("s3://bucket/1", p));
  EXPECT_FALSE(core::proxied_artifact_path("/local/path", p));
}

TEST(StepSampling, KeepsEndpointsAndSamples) {
  std::vector<std::int64_t> steps;
  for (int i = 0; i < 10000; ++i) steps.push_back(i);
  auto sampled = core::sample_steps({steps}, std::nullopt, std::nullopt, 100);
  EXPECT_GE(sampled.size(), 100u);
  EXPECT_LE(sampled.size(), 102u);
  EXPECT_EQ(sampled.front(), 0);
  EXPECT_EQ(sampled.back(), 9999);
  EXPECT_TRUE(std::is_sorted(sampled.begin(), sampled.end()));
}

TEST(StepSampling, RangeAndPerRunMinMax) {
  std::vector<std::int64_t> a = {0, 5, 10, 15, 20}, b = {3, 7};
  auto all = core::sample_steps({a, b}, std::nullopt, std::nullopt, 2500);
  EXPECT_EQ(all, (std::vector<std::int64_t>{0, 3, 5, 7, 10, 15, 20}));
  auto ranged = core::sample_steps({a, b}, 4, 12, 2500);
  EXPECT_EQ(ranged, (std::vector<std::int64_t>{5, 7, 10}));
  auto few = core::sample_steps({a, b}, std::nullopt, std::nullopt, 2);
  // two evenly spaced steps (indices 0 and 3 of 7), the last one, and each run's min and max
  EXPECT_EQ(few, (std::vector<std::int64_t>{0, 3, 7, 20}));
  // a run's min/max outside the range is not added back
  auto inner = core::sample_steps({{0, 5, 10, 15, 20}}, 6, 14, 2500);
  EXPECT_EQ(inner, (std::vector<std::int64_t>{10}));
  EXPECT_TRUE(core::sample_steps({{}, {}}, std::nullopt, std::nullopt, 10).empty());
  // the union of runs with different steps, an empty run first
  EXPECT_EQ(core::sample_steps({{}, {2, 4, 9}, {1, 4}, {2, 4, 9}}, std::nullopt, std::nullopt, 2500),
            (std::vector<std::int64_t>{1, 2, 4, 9}));
  // a range past every step: nothing
  EXPECT_TRUE(core::sample_steps({a, b}, 21, 30, 2500).empty());
}

TEST(StepUnion, CoversOnlyGapFreeStretches) {
  core::StepUnion u;
  EXPECT_FALSE(u.covers(0, 0));
  EXPECT_TRUE(u.covers(5, 4));  // an empty span adds nothing
  u.add({0, 1, 2, 3, 4, 5, 10, 11, 12});
  EXPECT_TRUE(u.covers(0, 5));
  EXPECT_TRUE(u.covers(2, 3));
  EXPECT_TRUE(u.covers(10, 12));
  EXPECT_TRUE(u.covers(4, 4));
  EXPECT_FALSE(u.covers(4, 10));   // 6..9 missing
  EXPECT_FALSE(u.covers(-1, 3));   // below the first
  EXPECT_FALSE(u.covers(11, 13));  // past the last
  EXPECT_FALSE(u.covers(6, 6));
  u.add({6, 7, 8, 9, 13});
  EXPECT_TRUE(u.covers(0, 13));
  EXPECT_EQ(u.steps().size(), 14u);
  u.add({0, 13});  // already there: unchanged
  EXPECT_EQ(u.steps().size(), 14u);
  core::StepUnion extremes;
  extremes.add({std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()});
  EXPECT_FALSE(extremes.covers(std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()));
  EXPECT_TRUE(extremes.covers(std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::max()));
}

TEST(StepSampling, SpansFormMatchesFullStepsForm) {
  // The store's form (the in-range union plus each run's first and last step) gives what the
  // per-run lists give, for the default range and for explicit ones.
  std::vector<std::vector<std::int64_t>> runs = {{-3, -1, 0, 2, 4, 6}, {1, 2, 3}, {}, {50, 70}};
  for (auto [s, e] : std::vector<std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>>{
           {std::nullopt, std::nullopt}, {-5, 3}, {3, 60}, {71, 80}}) {
    for (std::int64_t max : {1, 2, 3, 2500}) {
      core::StepUnion in_range;
      std::vector<core::StepSpan> spans;
      for (const auto& r : runs) {
        if (r.empty()) continue;
        spans.push_back({r.front(), r.back()});
        std::vector<std::int64_t> part;
        for (auto x : r)
          if (x >= s.value_or(0) && x <= e.value_or(std::numeric_limits<std::int64_t>::max())) part.push_back(x);
        in_range.add(part);
      }
      EXPECT_EQ(core::sample_steps(in_range.steps(), spans, s, e, max), core::sample_steps(runs, s, e, max))
          << (s ? *s : -99) << " " << max;
    }
  }
}
