// auth/jwt building blocks: strict base64url, strict JSON objects, compact JWS parsing, the fetch
// URL policy, ISSUER=AUDIENCE specs.
#include <gtest/gtest.h>

#include "util/base64url.hpp"
#include "auth/jwt/fetch_policy.hpp"
#include "auth/jwt/issuer_config.hpp"
#include "auth/jwt/jws.hpp"
#include "auth/jwt/jwt_error.hpp"
#include "auth/jwt/strict_json.hpp"
#include "jwt_test_support.hpp"

using sextant::util::base64url_decode;
using sextant::util::base64url_encode;

using namespace sextant::auth::jwt;
using namespace sextant::auth::jwt::testing;

TEST(Base64Url, RoundTripsAllLengths) {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    auto enc = base64url_encode(data);
    EXPECT_EQ(enc.find('='), std::string::npos);
    auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec) << enc;
    EXPECT_EQ(*dec, data);
    data += static_cast<char>(i * 37 + 11);
  }
}

TEST(Base64Url, KnownValues) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(*base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(*base64url_decode("eyJhbGciOiJFUzI1NiJ9"), R"({"alg":"ES256"})");
  EXPECT_EQ(*base64url_decode(""), "");
}

TEST(Base64Url, RejectsPaddingStandardAlphabetAndJunk) {
  EXPECT_FALSE(base64url_decode("QQ=="));  // padding
  EXPECT_FALSE(base64url_decode("QQ="));
  EXPECT_FALSE(base64url_decode("+_8"));   // '+' from standard base64
  EXPECT_FALSE(base64url_decode("-/8"));   // '/'
  EXPECT_FALSE(base64url_decode("QU JD"));  // whitespace
  EXPECT_FALSE(base64url_decode("QUJD\n"));
  EXPECT_FALSE(base64url_decode(std::string("QU\0D", 4)));
  EXPECT_FALSE(base64url_decode("Q"));      // dangling 6 bits
  EXPECT_FALSE(base64url_decode("QUJDR"));
  EXPECT_FALSE(base64url_decode("QUJD\xc3\xa9"));
}

TEST(Base64Url, RejectsNonCanonicalTrailingBits) {
  EXPECT_TRUE(base64url_decode("QQ"));
  EXPECT_FALSE(base64url_decode("QR"));  // same byte 'A', but leftover bits set
  EXPECT_TRUE(base64url_decode("QUI"));
  EXPECT_FALSE(base64url_decode("QUJ"));
}

TEST(StrictJson, AcceptsObjects) {
  auto v = parse_strict_json_object(R"({"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]})");
  ASSERT_TRUE(v);
  EXPECT_EQ((*v)["c"][1]["a"], 4);
}

TEST(StrictJson, RejectsDuplicateMembersAtAnyDepth) {
  std::string error;
  EXPECT_FALSE(parse_strict_json_object(R"({"alg":"RS256","alg":"none"})", &error));
  EXPECT_NE(error.find("duplicate"), std::string::npos);
  EXPECT_FALSE(parse_strict_json_object(R"({"alg":"RS256","\u0061lg":"none"})"));  // same name after unescaping
  EXPECT_FALSE(parse_strict_json_object(R"({"x":{"k":1,"k":2}})"));
  EXPECT_FALSE(parse_strict_json_object(R"({"x":[{"k":1,"k":2}]})"));
  EXPECT_TRUE(parse_strict_json_object(R"({"x":{"k":1},"y":{"k":2}})"));  // same name in different objects is fine
}

TEST(StrictJson, RejectsNonObjectsAndBadText) {
  EXPECT_FALSE(parse_strict_json_object("[1,2]"));
  EXPECT_FALSE(parse_strict_json_object("\"x\""));
  EXPECT_FALSE(parse_strict_json_object("{\"a\":1} {}"));
  EXPECT_FALSE(parse_strict_json_object("{\"a\":1,}"));
  EXPECT_FALSE(parse_strict_json_object("{\"a\":\"\xff\"}"));  // invalid UTF-8
  EXPECT_FALSE(parse_strict_json_object("{/*c*/\"a\":1}"));
  EXPECT_FALSE(parse_strict_json_object(""));
  EXPECT_FALSE(parse_strict_json_object("{\"a\":" + std::string(100, '[') + std::string(100, ']') + "}"));
}

TEST(CompactJws, ParsesThreeParts) {
  const std::string token = b64(R"({"alg":"RS256"})") + "." + b64(R"({"sub":"a"})") + "." + b64("sig");
  CompactJws jws = parse_compact_jws(token);
  EXPECT_EQ(jws.header["alg"], "RS256");
  EXPECT_EQ(jws.payload["sub"], "a");
  EXPECT_EQ(jws.signature, "sig");
  EXPECT_EQ(jws.signing_input, token.substr(0, token.rfind('.')));
  EXPECT_TRUE(looks_like_compact_jws(token));
}

TEST(CompactJws, RejectsWrongPartCounts) {
  const std::string h = b64(R"({"alg":"RS256"})"), p = b64(R"({"sub":"a"})"), s = b64("sig");
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + p), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + p + "." + s + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + p + "." + s + "."), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws("." + p + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + ".." + s), JwtFailure::Malformed);
  EXPECT_FALSE(looks_like_compact_jws(h + "." + p));
  EXPECT_FALSE(looks_like_compact_jws(h + "." + p + "." + s + "." + s));
  EXPECT_FALSE(looks_like_compact_jws("." + p + "." + s));
  EXPECT_TRUE(looks_like_compact_jws(h + "." + p + "."));  // alg=none shape: ours to refuse
  EXPECT_FALSE(looks_like_compact_jws("sxt_0123456789abcdef"));
  EXPECT_FALSE(looks_like_compact_jws(h + "." + p + ".a+b"));
}

TEST(CompactJws, RejectsBadBase64AndNonObjects) {
  const std::string h = b64(R"({"alg":"RS256"})"), p = b64(R"({"sub":"a"})"), s = b64("signature");
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "=." + p + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + p + "." + s + "=="), JwtFailure::Malformed);
  std::string plus = s;
  plus[1] = '+';
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + p + "." + plus), JwtFailure::Malformed);
  std::string slash = p;
  slash[2] = '/';
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + slash + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(b64("[1]") + "." + p + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + b64("\"just a string\"") + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + b64("not json") + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(b64(R"({"alg":"RS256","alg":"none"})") + "." + p + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(h + "." + b64(R"({"sub":"a","sub":"b"})") + "." + s), JwtFailure::Malformed);
  EXPECT_JWT_FAILURE(parse_compact_jws(std::string(kMaxTokenBytes + 1, 'a')), JwtFailure::Malformed);
}

TEST(FetchPolicy, HttpsAlwaysHttpOnlyLoopback) {
  EXPECT_TRUE(fetch_url_allowed("https://login.example.com/.well-known/jwks.json", false));
  EXPECT_TRUE(fetch_url_allowed("HTTPS://idp.example:8443/keys", false));
  EXPECT_TRUE(fetch_url_allowed("http://127.0.0.1:8089/jwks", false));
  EXPECT_TRUE(fetch_url_allowed("http://127.10.0.1/jwks", false));
  EXPECT_TRUE(fetch_url_allowed("http://localhost:8089/jwks", false));
  EXPECT_TRUE(fetch_url_allowed("http://[::1]:8089/jwks", false));
  EXPECT_FALSE(fetch_url_allowed("http://idp.example.com/jwks", false));
  EXPECT_TRUE(fetch_url_allowed("http://idp.example.com/jwks", true));
  EXPECT_FALSE(fetch_url_allowed("http://127.0.0.1.evil.example/jwks", false));
  EXPECT_FALSE(fetch_url_allowed("http://localhost.evil.example/jwks", false));
  EXPECT_FALSE(fetch_url_allowed("http://127.0.0.1@evil.example/jwks", false));
  EXPECT_FALSE(fetch_url_allowed("https://user:pw@idp.example.com/jwks", false));
  EXPECT_FALSE(fetch_url_allowed("file:///etc/passwd", true));
  EXPECT_FALSE(fetch_url_allowed("ftp://idp.example.com/jwks", true));
  EXPECT_FALSE(fetch_url_allowed("https:///jwks", false));
  EXPECT_FALSE(fetch_url_allowed("https://idp.example.com/jwks#frag", false));
  EXPECT_FALSE(fetch_url_allowed("https://idp.example.com/a b", false));
  EXPECT_FALSE(fetch_url_allowed("idp.example.com/jwks", false));
}

TEST(IssuerSpec, ParsesOauth2ProxyForm) {
  auto c = parse_issuer_spec("https://accounts.google.com=32555940559.apps.googleusercontent.com");
  EXPECT_EQ(c.issuer, "https://accounts.google.com");
  EXPECT_EQ(c.audiences, std::vector<std::string>{"32555940559.apps.googleusercontent.com"});
  EXPECT_EQ(parse_issuer_spec("https://a.example=aud=x").audiences[0], "aud=x");  // first '=' splits
  EXPECT_THROW(parse_issuer_spec("https://a.example"), std::invalid_argument);
  EXPECT_THROW(parse_issuer_spec("=aud"), std::invalid_argument);
  EXPECT_THROW(parse_issuer_spec("https://a.example="), std::invalid_argument);
  auto merged = parse_issuer_specs({"https://a.example=one", "https://b.example=two", "https://a.example=three",
                                    "https://a.example=one"});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].audiences, (std::vector<std::string>{"one", "three"}));
}
