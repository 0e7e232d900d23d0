// The S3 client's pure parts: XML extraction, credential parsing (INI profiles, ECS/IMDS JSON,
// STS XML, ISO 8601), the container URI rule, the refresh rule of the chain, S3 settings.
#include <gtest/gtest.h>

#include <map>

#include "artifacts/s3/credentials.hpp"
#include "artifacts/s3/s3_client.hpp"
#include "artifacts/s3/s3_config.hpp"
#include "artifacts/s3/xml.hpp"

using namespace sextant::artifacts::s3;
using namespace std::chrono_literals;

TEST(S3Xml, ElementsTextAndEntities) {
  const char* doc = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated>
<Contents><Key>a&amp;b &lt;c&gt; &#233;&#x4e2d;</Key><Size>5</Size></Contents><Contents><Key>x/y</Key><Size>0</Size></Contents>
<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes><NextContinuationToken>1/Ab+c=</NextContinuationToken><Empty/></ListBucketResult>)";
  auto contents = xml::elements(doc, "Contents");
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(xml::text(contents[0], "Key"), "a&b <c> \xC3\xA9\xE4\xB8\xAD");
  EXPECT_EQ(xml::text(contents[1], "Size"), "0");
  EXPECT_EQ(xml::text(doc, "NextContinuationToken"), "1/Ab+c=");
  EXPECT_EQ(xml::text(doc, "Empty"), "");
  EXPECT_FALSE(xml::text(doc, "Missing"));
  EXPECT_EQ(xml::text("<a:Error><a:Code>SlowDown</a:Code></a:Error>", "Code"), "SlowDown");
  EXPECT_EQ(xml::escape("<k&'\">"), "&lt;k&amp;&apos;&quot;&gt;");
  EXPECT_EQ(xml::decode(xml::escape("a\nb&c")), "a\nb&c");
  // nested elements of the same name
  auto outer = xml::elements("<E><E>in</E>tail</E>", "E");
  ASSERT_EQ(outer.size(), 1u);
  EXPECT_EQ(outer[0], "<E>in</E>tail");
}

TEST(S3Credentials, Parsers) {
  auto t = parse_iso8601("2026-11-30T09:15:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*t), 1796030100);
  EXPECT_TRUE(parse_iso8601("2026-11-30T09:15:00.123+00:00"));
  EXPECT_FALSE(parse_iso8601("2026-11-30 09:15"));
  EXPECT_FALSE(parse_iso8601("2026-13-30T09:15:00Z"));

  auto kv = ini_section("[default]\naws_access_key_id=A\n# c\n[profile  ci]\n AWS_Secret_Access_Key = s = x \n",
                        "profile ci");
  ASSERT_TRUE(kv);
  ASSERT_EQ(kv->size(), 1u);
  EXPECT_EQ((*kv)[0].first, "aws_secret_access_key");
  EXPECT_EQ((*kv)[0].second, "s = x");
  EXPECT_FALSE(ini_section("[default]\n", "other"));

  auto c = parse_credentials_json(R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"2026-11-30T09:15:00Z"})",
                                  "x");
  EXPECT_EQ(c.session_token, "T");
  EXPECT_TRUE(c.expiration);
  EXPECT_THROW(parse_credentials_json(R"({"Code":"Failure"})", "x"), CredentialsError);
  EXPECT_THROW(parse_credentials_json("not json", "x"), CredentialsError);

  auto sts = parse_sts_credentials(
      "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA</AccessKeyId>"
      "<SecretAccessKey>sec</SecretAccessKey><SessionToken>tok&amp;</SessionToken><Expiration>2026-11-30T09:15:00Z"
      "</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>");
  EXPECT_EQ(sts.access_key_id, "ASIA");
  EXPECT_EQ(sts.session_token, "tok&");
  EXPECT_THROW(parse_sts_credentials("<Error/>"), CredentialsError);
}

TEST(S3Credentials, ContainerUriRule) {
  for (const char* ok : {"https://creds.example/x", "http://127.0.0.1:8080/c", "http://localhost/c",
                         "http://169.254.170.2/v2/c", "http://169.254.170.23/v1/c", "http://[fd00:ec2::23]/c",
                         "http://[::1]:9/c", "http://127.1.2.3/c"})
    EXPECT_TRUE(container_uri_allowed(ok)) << ok;
  for (const char* bad : {"http://192.0.2.1/c", "http://10.0.0.1/c", "http://127.0.0.1.evil.com/c",
                          "http://user@127.0.0.1/c", "http://localhost.evil/c", "file:///etc/passwd", "ftp://x/",
                          "http://169.254.169.254/latest"})
    EXPECT_FALSE(container_uri_allowed(bad)) << bad;
}

namespace {
struct ScriptedSource : CredentialSource {
  int* loads;
  std::optional<Credentials> answer;
  bool fail = false;
  std::string name() const override { return "scripted"; }
  std::optional<Credentials> load() override {
    ++*loads;
    if (fail) throw CredentialsError("down");
    return answer;
  }
};
}  // namespace

TEST(S3Credentials, ChainRefreshesBeforeExpiryAndKeepsValidOnFailure) {
  auto now = std::chrono::system_clock::from_time_t(1000000);
  int absent_loads = 0, loads = 0;
  auto absent = std::make_unique<ScriptedSource>();
  absent->loads = &absent_loads;
  auto src = std::make_unique<ScriptedSource>();
  src->loads = &loads;
  src->answer = Credentials{"A", "S", "T", now + 10min};
  auto* raw = src.get();
  std::vector<std::unique_ptr<CredentialSource>> sources;
  sources.push_back(std::move(absent));
  sources.push_back(std::move(src));
  ChainProvider chain(std::move(sources), [&] { return now; }, 5min);
  EXPECT_EQ(chain.get().access_key_id, "A");
  EXPECT_EQ(chain.get().access_key_id, "A");
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(absent_loads, 1);
  now += 6min;  // within the margin: refreshed, from the same source only
  raw->answer = Credentials{"B", "S", "T", now + 60min};
  EXPECT_EQ(chain.get().access_key_id, "B");
  EXPECT_EQ(loads, 2);
  EXPECT_EQ(absent_loads, 1);
  now += 57min;  // refresh fails, old ones still valid for 3 min: kept
  raw->fail = true;
  EXPECT_EQ(chain.get().access_key_id, "B");
  now += 4min;  // expired and the source still fails
  EXPECT_THROW(chain.get(), CredentialsError);
  EXPECT_EQ(chain.source(), "scripted");
}

TEST(S3Credentials, EnvironmentAndNothing) {
  auto env = [](const std::string& k) -> std::optional<std::string> {
    if (k == "AWS_ACCESS_KEY_ID") return "AKID";
    if (k == "AWS_SECRET_ACCESS_KEY") return "SECRET";
    if (k == "AWS_SESSION_TOKEN") return "TOKEN";
    return std::nullopt;
  };
  auto c = environment_source(env)->load();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->session_token, "TOKEN");
  auto half = [](const std::string& k) -> std::optional<std::string> {
    if (k == "AWS_ACCESS_KEY_ID") return "AKID";
    return std::nullopt;
  };
  EXPECT_THROW(environment_source(half)->load(), CredentialsError);
  auto none = [](const std::string& k) -> std::optional<std::string> {
    if (k == "AWS_EC2_METADATA_DISABLED") return "true";
    if (k == "HOME") return "/nonexistent";
    return std::nullopt;
  };
  try {
    default_credentials_chain(none)->get();
    FAIL();
  } catch (const CredentialsError& e) {
    EXPECT_NE(std::string(e.what()).find("no AWS credentials found"), std::string::npos);
  }
}

TEST(S3Config, FromEnvironment) {
  std::map<std::string, std::string> vars = {
      {"MLFLOW_S3_ENDPOINT_URL", "http://127.0.0.1:9000/"},
      {"AWS_ENDPOINT_URL_S3", "http://ignored"},
      {"AWS_DEFAULT_REGION", "eu-west-3"},
      {"MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE", "virtual"},
      {"MLFLOW_S3_UPLOAD_EXTRA_ARGS", R"({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "alias/k", "BucketKeyEnabled": true})"},
      {"SEXTANT_S3_PART_SIZE", "16M"},
      {"HOME", "/nonexistent"}};
  auto env = [&](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  auto c = s3_config_from_env(env);
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(c.region, "eu-west-3");
  EXPECT_EQ(c.addressing, Addressing::Virtual);
  EXPECT_EQ(c.part_size, 16u << 20);
  std::map<std::string, std::string> headers(c.upload_headers.begin(), c.upload_headers.end());
  EXPECT_EQ(headers, (std::map<std::string, std::string>{{"x-amz-server-side-encryption", "aws:kms"},
                                                         {"x-amz-server-side-encryption-aws-kms-key-id", "alias/k"},
                                                         {"x-amz-server-side-encryption-bucket-key-enabled", "true"}}));
  vars["MLFLOW_S3_UPLOAD_EXTRA_ARGS"] = R"({"ServerSideEncryption": "DES"})";
  EXPECT_THROW(s3_config_from_env(env), std::runtime_error);
  vars["MLFLOW_S3_UPLOAD_EXTRA_ARGS"] = R"({"Metadata": {"a": "b"}})";
  EXPECT_THROW(s3_config_from_env(env), std::runtime_error);
  vars["MLFLOW_S3_UPLOAD_EXTRA_ARGS"] = "";
  vars["SEXTANT_S3_PART_SIZE"] = "1M";  // below S3's 5 MiB minimum
  EXPECT_THROW(s3_config_from_env(env), std::runtime_error);
  EXPECT_TRUE(virtual_host_compatible("my-bucket-1"));
  EXPECT_FALSE(virtual_host_compatible("my.bucket"));
  EXPECT_FALSE(virtual_host_compatible("My_Bucket"));
}

namespace {
struct StaticCredentials : CredentialsProvider {
  Credentials get() override { return {"AKID", "SECRET", "", std::nullopt}; }
  std::string source() const override { return "static"; }
};

std::string presigned(Addressing style, const std::string& endpoint, const std::string& bucket) {
  S3Config c;
  c.region = "eu-west-3";
  c.endpoint = endpoint;
  c.addressing = style;
  S3Client client(c, std::make_shared<StaticCredentials>());
  auto url = client.presign_upload_part(bucket, "dir/a b.bin", "up+id", 2);
  return url.substr(0, url.find("X-Amz-Algorithm"));
}
}  // namespace

TEST(S3Client, AddressingStyles) {
  EXPECT_EQ(presigned(Addressing::Auto, "", "my-bucket"),
            "https://my-bucket.s3.eu-west-3.amazonaws.com/dir/a%20b.bin?");
  EXPECT_EQ(presigned(Addressing::Auto, "", "my.bucket"),  // dots break TLS wildcards: path-style
            "https://s3.eu-west-3.amazonaws.com/my.bucket/dir/a%20b.bin?");
  EXPECT_EQ(presigned(Addressing::Path, "", "my-bucket"), "https://s3.eu-west-3.amazonaws.com/my-bucket/dir/a%20b.bin?");
  EXPECT_EQ(presigned(Addressing::Auto, "http://127.0.0.1:9000", "my-bucket"), "http://127.0.0.1:9000/my-bucket/dir/a%20b.bin?");
  EXPECT_EQ(presigned(Addressing::Virtual, "https://minio.example:9000/base", "my-bucket"),
            "https://my-bucket.minio.example:9000/base/dir/a%20b.bin?");
  // The query carries the part and upload id, signed.
  S3Config c;
  c.region = "eu-west-3";
  S3Client client(c, std::make_shared<StaticCredentials>());
  auto url = client.presign_upload_part("b-1", "k", "up+id", 2);
  EXPECT_NE(url.find("partNumber=2&uploadId=up%2Bid"), std::string::npos) << url;
  EXPECT_NE(url.find("X-Amz-Expires=3600"), std::string::npos) << url;
}
