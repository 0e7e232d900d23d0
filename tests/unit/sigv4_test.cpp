// SigV4 signer: AWS's published test vectors (the aws-sig-v4-test-suite cases as shipped in
// awslabs/aws-c-auth tests/aws-signing-test-suite/v4, and the worked S3 examples of the S3 API
// reference: "Signature Calculations for the Authorization Header" and "Authenticating Requests:
// Using Query Parameters"), then botocore's signatures for the same requests
// (tests/tools/botocore_sigv4_cases.py prints them).
#include "artifacts/s3/sigv4.hpp"

#include <gtest/gtest.h>

using namespace sextant::artifacts::s3;

namespace {

// --- the generic suite: AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service" ---------
const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", std::nullopt};
const SigningScope kSuiteScope{"us-east-1", "service", "20150830T123600Z"};

SignedRequest suite(const std::string& method, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> query = {},
                    std::vector<std::pair<std::string, std::string>> headers = {},
                    const Credentials& creds = kSuite) {
  SigningRequest r;
  r.method = method;
  r.host = "example.amazonaws.com";
  r.path = path;
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.payload_hash = std::string(kEmptySha256);
  return sign_request(r, creds, kSuiteScope, SigningOptions{false});
}

std::string header(const SignedRequest& s, const std::string& name) {
  for (const auto& [k, v] : s.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST(SigV4Suite, GetVanilla) {
  auto s = suite("GET", "/");
  EXPECT_EQ(s.signed_headers, "host;x-amz-date");
  EXPECT_EQ(header(s, "Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  EXPECT_EQ(header(s, "X-Amz-Date"), "20150830T123600Z");
  EXPECT_EQ(header(s, "X-Amz-Content-Sha256"), "");  // generic rules: no payload header
}

TEST(SigV4Suite, QueryOrderKeyCase) {
  EXPECT_EQ(suite("GET", "/", {{"Param2", "value2"}, {"Param1", "value1"}}).signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4Suite, EmptyQueryKeyAndUnreservedCharacters) {
  EXPECT_EQ(suite("GET", "/", {{"Param1", "value1"}}).signature,
            "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb");
  const std::string unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  EXPECT_EQ(suite("GET", "/" + unreserved).signature, "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f");
  EXPECT_EQ(suite("GET", "/", {{unreserved, unreserved}}).signature,
            "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197");
}

TEST(SigV4Suite, Utf8PathAndQuery) {
  // get-utf8: the request line carries the raw UTF-8 path; the generic rules encode it (S3 would
  // take the path as sent, already encoded).
  EXPECT_EQ(suite("GET", "/\xE1\x88\xB4").signature, "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
  EXPECT_EQ(suite("GET", "/", {{"\xE1\x88\xB4", "bar"}}).signature,
            "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04");
}

TEST(SigV4Suite, HeaderValuesTrimmed) {
  auto s = suite("GET", "/", {}, {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}});
  EXPECT_EQ(s.signed_headers, "host;my-header1;my-header2;x-amz-date");
  EXPECT_EQ(s.signature, "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736");
}

TEST(SigV4Suite, SessionToken) {
  Credentials creds = kSuite;
  creds.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  auto s = suite("GET", "/", {}, {}, creds);
  EXPECT_EQ(s.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(s.signature, "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8");
  EXPECT_EQ(header(s, "X-Amz-Security-Token"), creds.session_token);
}

// --- the S3 reference's worked examples: examplebucket, 2013-05-24, us-east-1 ---------------------
namespace {
const Credentials kS3Doc{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "", std::nullopt};
const SigningScope kS3DocScope{"us-east-1", "s3", "20130524T000000Z"};

SigningRequest s3doc(const std::string& method, const std::string& path) {
  SigningRequest r;
  r.method = method;
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = path;
  r.payload_hash = std::string(kEmptySha256);
  return r;
}
}  // namespace

TEST(SigV4S3Examples, GetObjectWithRange) {
  auto r = s3doc("GET", "/test.txt");
  r.headers = {{"Range", "bytes=0-9"}};
  auto s = sign_request(r, kS3Doc, kS3DocScope);
  EXPECT_EQ(s.signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(sha256_hex(s.canonical_request), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4S3Examples, PutObjectSignedPayload) {
  auto r = s3doc("PUT", "/" + uri_encode("test$file.text", false));
  EXPECT_EQ(r.path, "/test%24file.text");
  r.payload_hash = sha256_hex("Welcome to Amazon S3.");
  EXPECT_EQ(r.payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  auto s = sign_request(r, kS3Doc, kS3DocScope);
  EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4S3Examples, GetBucketLifecycleAndListObjects) {
  auto r = s3doc("GET", "/");
  r.query = {{"lifecycle", ""}};
  EXPECT_EQ(sign_request(r, kS3Doc, kS3DocScope).signature,
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  EXPECT_EQ(sign_request(r, kS3Doc, kS3DocScope).signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4S3Examples, PresignedGet) {
  auto r = s3doc("GET", "/test.txt");
  EXPECT_EQ(presign_query(r, kS3Doc, kS3DocScope, 86400),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
            "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

// --- botocore 1.43.11 (S3SigV4Auth / S3SigV4QueryAuth) for the requests the S3 client makes ---------
namespace {
const Credentials kBoto{"AKIDSEXTANTTEST", "sextant/test+secret/KEY0123456789abcdefgh", "", std::nullopt};
const Credentials kBotoToken{"AKIDSEXTANTTEST", "sextant/test+secret/KEY0123456789abcdefgh",
                             "IQoJb3JpZ2luX2VjEXAMPLE//token+with/slashes==", std::nullopt};
const SigningScope kBotoScope{"eu-west-3", "s3", "20261130T091500Z"};

std::string boto(const std::string& method, const std::string& path,
                 std::vector<std::pair<std::string, std::string>> query,
                 std::vector<std::pair<std::string, std::string>> headers, const std::string& payload_hash,
                 bool token) {
  SigningRequest r;
  r.method = method;
  r.host = "127.0.0.1:9000";
  r.path = path;
  r.query = std::move(query);
  r.headers = std::move(headers);
  r.payload_hash = payload_hash;
  return sign_request(r, token ? kBotoToken : kBoto, kBotoScope).signature;
}
}  // namespace

TEST(SigV4Botocore, Requests) {
  const std::string empty(kEmptySha256);
  EXPECT_EQ(boto("GET", "/bucket/1/run/artifacts/a%20b.txt", {}, {}, empty, false),
            "7831b24bb851462b5abdb9fd76a57e3001116dba82a7a10f592f90e91bfcf99f");
  EXPECT_EQ(boto("GET", "/bucket/dir/file.bin", {}, {{"Range", "bytes=0-99"}}, empty, true),
            "cb10b14745077a7cde96a10acaf226e87afd4ec01282d7b00b572d64d8c1f9e9");
  EXPECT_EQ(boto("GET", "/bucket",
                 {{"list-type", "2"}, {"prefix", "p/1/"}, {"delimiter", "/"}, {"continuation-token", "1/Ab+c="}}, {},
                 empty, false),
            "61c469026e717cdb68cbef38596ab82c59e6a8cfc262d4b1701d0b5f626ef45a");
  EXPECT_EQ(boto("POST", "/bucket/big.bin", {{"uploads", ""}},
                 {{"x-amz-server-side-encryption", "aws:kms"},
                  {"x-amz-server-side-encryption-aws-kms-key-id", "alias/sextant"},
                  {"Content-Type", "application/octet-stream"}},
                 empty, true),
            "4dd5223eaf6067debf4acc7eed7c7733839f6b8d49f985957eb2bafdda69cedb");
  EXPECT_EQ(boto("PUT", "/bucket/big.bin", {{"partNumber", "3"}, {"uploadId", "abc+def"}}, {{"Content-Length", "11"}},
                 sha256_hex("hello world"), false),
            "1a0adbb23665293508e3d32454b660038d7a19c59b3a397ec6d3adaaf774ceaa");
  const std::string body = "<Delete><Object><Key>k</Key></Object></Delete>";
  std::vector<std::pair<std::string, std::string>> del_headers = {{"Content-MD5", "XrY7u+Ae7tCTyyK7j1rNww=="},
                                                                  {"Content-Type", "application/xml"}};
  EXPECT_EQ(boto("POST", "/bucket", {{"delete", ""}}, del_headers, sha256_hex(body), false),
            "75d4e346bb9452276f873ba4811ae8f6c0b5398fbc809c421137b5d3b1d400ea");
  EXPECT_EQ(boto("POST", "/bucket", {{"delete", ""}}, del_headers, std::string(kUnsignedPayload), false),
            "3613660bafb4ce5e3358e42a215a2880db93fdfdc0cd986b18d119cd5e0f789a");
  EXPECT_EQ(boto("PUT", "/bucket/" + uri_encode("sp\xC3\xA9" "cial!'()*$@=+,;.txt", false), {}, {}, sha256_hex("x"),
                 true),
            "823f35eaf0c3461449b98473be42a87ed5bfe44eb97c17b87aa820ec015c406e");
}

TEST(SigV4Botocore, PresignedUploadPart) {
  SigningRequest r;
  r.method = "PUT";
  r.host = "127.0.0.1:9000";
  r.path = "/bucket/big%20file.bin";
  r.query = {{"partNumber", "7"}, {"uploadId", "x+y"}};
  auto q = presign_query(r, kBoto, kBotoScope, 900);
  EXPECT_TRUE(q.ends_with("&X-Amz-Signature=478d028fb35ae51b72015846c0bded37d006abff15fbda444a7a70f243f34eec")) << q;
  q = presign_query(r, kBotoToken, kBotoScope, 900);
  EXPECT_NE(q.find("X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2Ftoken%2Bwith%2Fslashes%3D%3D"), std::string::npos);
  EXPECT_TRUE(q.ends_with("&X-Amz-Signature=4eba5f90f214255ebcab3ca932f4b1caca8d64cc3dd7ad288639a5fdab79893e")) << q;
}

TEST(SigV4, EncodingAndDates) {
  EXPECT_EQ(uri_encode("a b/c+d~", false), "a%20b/c%2Bd~");
  EXPECT_EQ(uri_encode("a b/c", true), "a%20b%2Fc");
  EXPECT_EQ(canonical_query({{"b", "2"}, {"a", "1"}, {"A", "0"}, {"uploads", ""}}), "A=0&a=1&b=2&uploads=");
  EXPECT_EQ(amz_date(std::chrono::system_clock::from_time_t(1440938160)), "20150830T123600Z");
  EXPECT_THROW(sign_request(SigningRequest{}, kSuite, SigningScope{"us-east-1", "s3", "2015-08-30"}),
               std::invalid_argument);
}
