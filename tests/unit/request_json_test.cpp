// Unit tests for api/request_json (the request decoder: nesting and size limits while parsing,
// bounded valid-UTF-8 excerpts for messages) and util::utf8_escape_invalid.
#include <gtest/gtest.h>

#include <string>

#include "api/page_token.hpp"
#include "api/request_json.hpp"
#include "core/error.hpp"
#include "util/base64.hpp"
#include "util/strings.hpp"

namespace sextant::api {
namespace {

using core::ErrorCode;
using core::MlflowError;
using nlohmann::json;

std::string nested(std::size_t depth, std::string_view open = "[", std::string_view close = "]") {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += open;
  s += "1";
  for (std::size_t i = 0; i < depth; ++i) s += close;
  return s;
}

// The message of the MlflowError `fn` throws; fails the test when it does not.
template <typename Fn>
std::string error_of(Fn fn) {
  try {
    fn();
  } catch (const MlflowError& e) {
    EXPECT_EQ(e.code(), ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  ADD_FAILURE() << "expected an MlflowError";
  return {};
}

TEST(RequestJson, DecodesOrdinaryDocuments) {
  auto j = decode_request_json(R"({"run_id": "abc", "metrics": [{"key": "m", "value": 1.5}], "x": null})");
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["run_id"], "abc");
  EXPECT_EQ(j["metrics"][0]["value"], 1.5);
  EXPECT_TRUE(decode_request_json("\"double\"").is_string());
}

TEST(RequestJson, MalformedIsDiscardedNotThrown) {
  for (std::string_view bad : {"", "{", "{\"a\":}", "[1,]", "{} x", "\"\xff\"", "{\"a\":1}{}", "nul"}) {
    EXPECT_TRUE(decode_request_json(bad).is_discarded()) << bad;
  }
}

TEST(RequestJson, NestingLimitIsExactAndCheckedWhileParsing) {
  EXPECT_TRUE(decode_request_json(nested(request_json_limits::kMaxDepth)).is_array());
  std::string msg = error_of([] { decode_request_json(nested(request_json_limits::kMaxDepth + 1)); });
  EXPECT_NE(msg.find("nested deeper than 64 levels"), std::string::npos) << msg;
  // 50,000 deep (the crash of issue 13), objects and arrays mixed, and an unterminated one: the
  // limit fires before the end of input, so neither the parser nor a later dump recurses.
  error_of([] { decode_request_json("{\"experiment_id\": " + nested(50'000) + "}"); });
  error_of([] { decode_request_json(nested(50'000, "{\"a\":", "}")); });
  error_of([] { decode_request_json(std::string(1'000'000, '[')); });
}

TEST(RequestJson, ValueLimitBoundsWideDocuments) {
  std::string wide = "[";
  for (std::size_t i = 0; i < request_json_limits::kMaxValues; ++i) wide += "{},";
  wide += "{}]";
  std::string msg = error_of([&] { decode_request_json(wide); });
  EXPECT_NE(msg.find("more than 100000 values"), std::string::npos) << msg;
  // Keys count too: an object with many members.
  std::string members = "{";
  for (std::size_t i = 0; i < request_json_limits::kMaxValues / 2 + 1; ++i) members += "\"k\":0,";
  members += "\"k\":0}";
  error_of([&] { decode_request_json(members); });
  // A full log-batch (1000 metrics) is far below the limit.
  std::string batch = R"({"run_id": "r", "metrics": [)";
  for (int i = 0; i < 1000; ++i) batch += std::string(i ? "," : "") + R"({"key":"m","value":1,"timestamp":1,"step":2})";
  batch += "]}";
  EXPECT_TRUE(decode_request_json(batch).is_object());
}

TEST(RequestJson, CustomLimits) {
  JsonLimits tight{2, 5};
  EXPECT_TRUE(decode_request_json("[[1]]", tight).is_array());
  error_of([&] { decode_request_json("[[[1]]]", tight); });
  error_of([&] { decode_request_json("[1,2,3,4,5]", tight); });
}

TEST(Excerpt, ScalarsAsMlflowShowsThem) {
  EXPECT_EQ(excerpt(json("abc")), "abc");
  EXPECT_EQ(excerpt(json(12)), "12");
  EXPECT_EQ(excerpt(json(true)), "true");
  EXPECT_EQ(excerpt(json(nullptr)), "null");
  EXPECT_EQ(excerpt(json::parse(R"([1, "a", {"b": null}])")), R"([1,"a",{"b":null}])");
  EXPECT_EQ(excerpt_json(json("1001")), "\"1001\"");
  EXPECT_EQ(excerpt_json(json("a\"b")), R"("a\"b")");
}

TEST(Excerpt, BoundedInLengthAndDepth) {
  std::string big(1 << 20, 'x');
  auto e = excerpt(json(big));
  EXPECT_EQ(e, std::string(request_json_limits::kMaxExcerpt, 'x') + "...");
  auto deep = decode_request_json(nested(request_json_limits::kMaxDepth));
  EXPECT_EQ(excerpt(deep), "[[[[[...]]]]]");
  json wide = json::array();
  for (int i = 0; i < 100000; ++i) wide.push_back(i);
  EXPECT_LE(util::utf8_length(excerpt(wide)), request_json_limits::kMaxExcerpt + 3);
}

TEST(Excerpt, AlwaysValidUtf8) {
  std::string bad = "a\xff" "b\xc3";  // invalid byte, truncated sequence
  EXPECT_EQ(excerpt(json(bad)), "a\\xffb\\xc3");
  json arr = json::array({bad});
  EXPECT_EQ(excerpt(arr), R"(["a\\xffb\\xc3"])");
  EXPECT_NO_THROW(json(excerpt(arr)).dump());
  EXPECT_EQ(python_type_name(json::array()), "list");
  EXPECT_EQ(python_type_name(json(1.5)), "float");
}

TEST(Utf8EscapeInvalid, KeepsValidAndEscapesTheRest) {
  EXPECT_EQ(util::utf8_escape_invalid("plain é ✓ 😀"), "plain é ✓ 😀");
  EXPECT_EQ(util::utf8_escape_invalid("\xff"), "\\xff");
  EXPECT_EQ(util::utf8_escape_invalid("\xc0\xaf"), "\\xc0\\xaf");              // overlong '/'
  EXPECT_EQ(util::utf8_escape_invalid("\xed\xa0\x80"), "\\xed\\xa0\\x80");      // surrogate
  EXPECT_EQ(util::utf8_escape_invalid("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // > U+10FFFF
  EXPECT_EQ(util::utf8_escape_invalid("\xe2\x9c"), "\\xe2\\x9c");              // truncated
  // Every byte string escapes to something nlohmann serialises.
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_NO_THROW(json(util::utf8_escape_invalid(all)).dump());
}

TEST(PageToken, OffsetsAreBounded) {
  EXPECT_EQ(decode_page_token(encode_page_token(kMaxPageOffset)), kMaxPageOffset);
  error_of([] { decode_page_token(encode_page_token(kMaxPageOffset + 1)); });
  error_of([] { decode_page_token(util::base64_encode("{\"offset\": 99999999999999999999}")); });
  error_of([] { decode_page_token(util::base64_encode("{\"offset\": " + nested(50'000) + "}")); });
  std::string msg = error_of([] { decode_page_token(util::base64_encode("\xff" + std::string(100'000, 'a'))); });
  EXPECT_LT(msg.size(), 1000u);
  LoggedModelPageQuery q;
  error_of([&] { decode_logged_model_page_token(util::base64_encode("{\"experiment_ids\": " + nested(50'000) + "}"), q); });
  error_of([&] {
    decode_logged_model_page_token(util::base64_encode(R"({"experiment_ids": [], "offset": 9007199254740992})"), q);
  });
}

}  // namespace
}  // namespace sextant::api
