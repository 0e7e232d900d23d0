// Registry webhooks: Fernet compatibility with the `cryptography` package, the SSRF address
// rule, MLflow's field validation messages, the payload text and signature.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <map>

#include "core/error.hpp"
#include "core/webhook.hpp"
#include "util/base64.hpp"
#include "util/hmac.hpp"
#include "webhooks/address_policy.hpp"
#include "webhooks/fernet.hpp"
#include "webhooks/payload.hpp"
#include "webhooks/webhook_settings.hpp"

using namespace sextant;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::MlflowError& e) {
    EXPECT_EQ(e.code(), core::ErrorCode::INVALID_PARAMETER_VALUE);
    return e.what();
  }
  return "(no error)";
}

bool non_public(const char* text) {
  sockaddr_storage s{};
  if (inet_pton(AF_INET, text, &reinterpret_cast<sockaddr_in*>(&s)->sin_addr) == 1) {
    s.ss_family = AF_INET;
  } else {
    EXPECT_EQ(inet_pton(AF_INET6, text, &reinterpret_cast<sockaddr_in6*>(&s)->sin6_addr), 1) << text;
    s.ss_family = AF_INET6;
  }
  return webhooks::is_non_public_address(reinterpret_cast<sockaddr*>(&s));
}

}  // namespace

TEST(WebhookFernet, ReadsATokenMadeByPythonsCryptographyPackage) {
  // Fernet(b'cw_0x...').encrypt(b'my_secret') with cryptography 48.
  auto key = webhooks::FernetKey::parse("cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=");
  auto plain = key.decrypt(
      "gAAAAABrFyGEy4mIXm6phmRaqd085euykLnIFKwDl1suKXrZQoi2mp33uTdd9lHkLSUIBy5bKB69lOJP-359_xoEzC8bO5IXqQ==");
  ASSERT_TRUE(plain);
  EXPECT_EQ(*plain, "my_secret");
}

TEST(WebhookFernet, RoundTripsAndRefusesOtherKeysAndTampering) {
  auto key = webhooks::FernetKey::parse(webhooks::FernetKey::generate());
  auto other = webhooks::FernetKey::parse(webhooks::FernetKey::generate());
  for (const std::string& secret : std::vector<std::string>{"", "s", "exactly16bytes!!", std::string(100, 'x')}) {
    auto token = key.encrypt(secret);
    EXPECT_EQ(token.rfind("gAAAAA", 0), 0u);
    EXPECT_EQ(key.decrypt(token).value_or("?"), secret);
    EXPECT_FALSE(other.decrypt(token));
    std::string tampered = token;
    tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(key.decrypt(tampered));
  }
  EXPECT_FALSE(key.decrypt(""));
  EXPECT_FALSE(key.decrypt("not a token"));
  EXPECT_THROW(webhooks::FernetKey::parse("short"), std::invalid_argument);
  EXPECT_THROW(webhooks::FernetKey::parse(""), std::invalid_argument);
}

TEST(WebhookAddressPolicy, RefusesEveryNonPublicRange) {
  for (const char* a : {"127.0.0.1", "127.255.0.9", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                        "192.168.1.1", "169.254.169.254", "100.64.0.1", "224.0.0.1", "255.255.255.255", "::",
                        "::1", "fe80::1", "fc00::1", "fd00:ec2::254", "fec0::1", "ff02::1", "::ffff:127.0.0.1",
                        "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::127.0.0.1",
                        "::ffff:0:127.0.0.1", "::ffff:0:a9fe:a9fe", "64:ff9b:1::a9fe:a9fe", "64:ff9b:1:ffff::1",
                        "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:2::1", "2001:1ff::1"}) {
    EXPECT_TRUE(non_public(a)) << a;
  }
  for (const char* a : {"93.184.216.34", "8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111",
                        "::ffff:8.8.8.8", "2002:0808:0808::", "::ffff:0:8.8.8.8", "2001:200::1",
                        "2001:4860:4860::8888", "64:ff9b::808:808"}) {
    EXPECT_FALSE(non_public(a)) << a;
  }
}

TEST(WebhookValidation, UrlMessagesAreMlflows) {
  std::vector<std::string> https{"https"};
  EXPECT_EQ(message_of([&] { core::validate_webhook_url("   ", https); }),
            "Webhook URL cannot be empty or just whitespace: '   '");
  EXPECT_EQ(message_of([&] { core::validate_webhook_url("ftp://example.com", https); }),
            "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: https.");
  EXPECT_EQ(message_of([&] { core::validate_webhook_url("http://[invalid", https); }),
            "Invalid webhook URL 'http://[invalid': ValueError('Invalid IPv6 URL')");
  EXPECT_EQ(message_of([&] { core::validate_webhook_url("https://[invalid]/", https); }),
            "Invalid webhook URL 'https://[invalid]/': ValueError(\"'invalid' does not appear to be an IPv4 or IPv6 "
            "address\")");
  EXPECT_EQ(message_of([&] { core::validate_webhook_url("HTTPS://x", https); }), "(no error)");
  EXPECT_EQ(message_of([&] { core::validate_webhook_url(" \thttps://x", https); }), "(no error)");
  EXPECT_EQ(message_of([&] { core::validate_webhook_url("1https://x", https); }),
            "Invalid webhook URL scheme: ''. Allowed schemes are: https.");
}

TEST(WebhookValidation, NamesEventsAndStatus) {
  EXPECT_EQ(message_of([] { core::validate_webhook_name("ok.Name_1-x"); }), "(no error)");
  for (const std::string& bad : std::vector<std::string>{"", "-a", "a-", "a b", std::string(64, 'a')}) {
    EXPECT_NE(message_of([&] { core::validate_webhook_name(bad); }).find("is invalid. It must start and end"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(core::webhook_event_from_proto_names("MODEL_VERSION_TAG", "SET"),
            (core::WebhookEvent{"model_version_tag", "set"}));
  EXPECT_EQ(message_of([] { core::webhook_event_from_proto_names("REGISTERED_MODEL", "SET"); }),
            "Invalid action 'set' for entity 'registered_model'. Valid actions are: ['created']");
  EXPECT_NE(message_of([] { core::webhook_event_from_proto_names("model_version", "CREATED"); }), "(no error)");
  EXPECT_NE(message_of([] { core::webhook_event_from_proto_names("ENTITY_UNSPECIFIED", "CREATED"); }), "(no error)");
  EXPECT_NE(message_of([] { core::webhook_status_from_proto_name("PAUSED"); }), "(no error)");
}

TEST(WebhookPayload, BodyIsJsonDumpsTextAndTheSignatureCoversIdTimestampAndBody) {
  webhooks::Payload data{{"name", "m\u00e9"}, {"version", "1"}, {"run_id", nullptr}};
  auto d = webhooks::make_delivery({"model_version", "created"}, data);
  EXPECT_EQ(d.body.rfind("{\"entity\": \"model_version\", \"action\": \"created\", \"timestamp\": \"", 0), 0u);
  EXPECT_NE(d.body.find("\"data\": {\"name\": \"m\\u00e9\", \"version\": \"1\", \"run_id\": null}}"), std::string::npos);
  EXPECT_EQ(d.delivery_id.size(), 36u);
  auto sig = webhooks::signature("k", d);
  EXPECT_EQ(sig, "v1," + util::base64_encode(util::hmac_sha256("k", d.delivery_id + "." + d.timestamp + "." + d.body)));
  auto headers = webhooks::delivery_headers(d, nullptr);
  for (const auto& h : headers) EXPECT_EQ(h.find("X-MLflow-Signature"), std::string::npos);
}

TEST(WebhookSettings, MlflowsVariablesAndTheirBounds) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
      auto it = vars.find(name);
      return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
  };
  auto d = webhooks::webhook_settings_from_env(env({}), false);
  EXPECT_EQ(d.allowed_schemes, std::vector<std::string>{"https"});
  EXPECT_FALSE(d.key);
  EXPECT_EQ(d.max_retries, 3);
  EXPECT_EQ(d.request_timeout.count(), 30);
  auto s = webhooks::webhook_settings_from_env(
      env({{"MLFLOW_WEBHOOK_ALLOWED_SCHEMES", "http, https"}, {"MLFLOW_WEBHOOK_REQUEST_MAX_RETRIES", "0"},
           {"MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY", webhooks::FernetKey::generate()}}),
      true);
  EXPECT_EQ(s.allowed_schemes, (std::vector<std::string>{"http", "https"}));
  EXPECT_EQ(s.max_retries, 0);
  EXPECT_TRUE(s.key);
  EXPECT_TRUE(s.allow_private_addresses);
  EXPECT_THROW(webhooks::webhook_settings_from_env(env({{"MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY", "x"}}), false),
               std::invalid_argument);
  EXPECT_THROW(webhooks::webhook_settings_from_env(env({{"MLFLOW_WEBHOOK_REQUEST_TIMEOUT", "-1"}}), false),
               std::invalid_argument);
}
