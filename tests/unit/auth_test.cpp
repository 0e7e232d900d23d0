// Unit tests for auth/: CIDR matching, token format/hash/compare, access rules, CSRF decisions,
// Host allowlist, the failure limiter, the Gate's decisions (with a fake authenticator), the
// route policies in the router table, and the auth configuration flags.
#include <gtest/gtest.h>

#include "api/router.hpp"
#include "auth/access_rules.hpp"
#include "auth/authenticators.hpp"
#include "auth/bootstrap.hpp"
#include "auth/cidr.hpp"
#include "auth/crypto.hpp"
#include "auth/gate.hpp"
#include "auth/host_allowlist.hpp"
#include "auth/password_rule.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/token_sealer.hpp"
#include "config/config.hpp"

namespace sextant::auth {
namespace {

// --- CIDR --------------------------------------------------------------------------------

TEST(Cidr, Ipv4Ranges) {
  auto c = Cidr::parse("10.1.0.0/16");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains("10.1.2.3"));
  EXPECT_TRUE(c->contains("10.1.255.255"));
  EXPECT_FALSE(c->contains("10.2.0.1"));
  EXPECT_FALSE(c->contains("not an address"));
  EXPECT_FALSE(c->contains(""));
  auto odd = Cidr::parse("192.168.1.128/25");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("192.168.1.200"));
  EXPECT_FALSE(odd->contains("192.168.1.127"));
  auto host = Cidr::parse("127.0.0.1");
  ASSERT_TRUE(host);
  EXPECT_TRUE(host->contains("127.0.0.1"));
  EXPECT_FALSE(host->contains("127.0.0.2"));
  auto all = Cidr::parse("0.0.0.0/0");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->contains("8.8.8.8"));
  EXPECT_FALSE(all->contains("::1"));  // families do not mix
}

TEST(Cidr, Ipv6AndMappedAddresses) {
  auto c = Cidr::parse("fd00::/8");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains("fd12:3456::1"));
  EXPECT_TRUE(c->contains("[fd12::1]"));
  EXPECT_FALSE(c->contains("fe80::1"));
  EXPECT_FALSE(c->contains("10.0.0.1"));
  auto lo = Cidr::parse("::1/128");
  ASSERT_TRUE(lo);
  EXPECT_TRUE(lo->contains("::1"));
  EXPECT_FALSE(lo->contains("::2"));
  // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
  auto v4 = Cidr::parse("127.0.0.0/8");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->contains("::ffff:127.0.0.1"));
  auto odd = Cidr::parse("2001:db8::/33");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("2001:db8:7fff::1"));
  EXPECT_FALSE(odd->contains("2001:db8:8000::1"));
}

TEST(Cidr, RejectsMalformed) {
  for (const char* bad : {"", "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "10.0.0/8", "host.example/8",
                          "10.0.0.0/8x", "1.2.3.4/ 8"}) {
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
  }
  // Found by fuzz_headers: inet_pton stopped at an embedded NUL, so "1.2.3.4\0evil" was an address.
  using namespace std::string_view_literals;
  for (auto bad : {"1.2.3.4\0evil"sv, "10.0.0.0\0/8"sv, "::1\0"sv}) EXPECT_FALSE(Cidr::parse(bad));
  EXPECT_FALSE(Cidr::parse("10.0.0.0/8")->contains("10.0.0.1\0x"sv));
  std::vector<Cidr> list{*Cidr::parse("10.0.0.0/8"), *Cidr::parse("::1")};
  EXPECT_TRUE(address_in(list, "10.9.9.9"));
  EXPECT_TRUE(address_in(list, "::1"));
  EXPECT_FALSE(address_in(list, "192.168.0.1"));
}

TEST(ClientAddress, WalksForwardedForFromTheRightPastLoadBalancers) {
  std::vector<Cidr> lbs{*Cidr::parse("10.0.0.0/8"), *Cidr::parse("fd00::/8")};
  // Not behind a configured balancer: the header is the caller's to forge, so it is ignored.
  EXPECT_EQ(client_address("203.0.113.9", "198.51.100.1", lbs), "203.0.113.9");
  EXPECT_EQ(client_address("203.0.113.9", "", {}), "203.0.113.9");
  // One balancer: the client is the address it appended.
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1", lbs), "198.51.100.1");
  // The caller forged entries on the left; our balancers' entries are on the right.
  EXPECT_EQ(client_address("10.0.0.5", "1.1.1.1, 198.51.100.1, 10.2.3.4", lbs), "198.51.100.1");
  EXPECT_EQ(client_address("10.0.0.5", "fd00::7,2001:db8::1", lbs), "2001:db8::1");
  // No header, or only balancers: the last balancer seen.
  EXPECT_EQ(client_address("10.0.0.5", "", lbs), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "10.1.1.1", lbs), "10.1.1.1");
  // A malformed entry stops the walk: the attacker could have written anything left of it.
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1, evil", lbs), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "198.51.100.1, 10.1.1.1, 7.7.7.0/24", lbs), "10.0.0.5");
  EXPECT_EQ(client_address("10.0.0.5", "x, 10.1.1.1", lbs), "10.1.1.1");
  EXPECT_EQ(client_address("10.0.0.5", std::string_view("1.2.3.4\0evil", 12), lbs), "10.0.0.5");
}

// --- sealing the provider's session tokens ---------------------------------------------

TEST(TokenSealer, RoundTripsAndBindsToSecretAndContext) {
  TokenSealer sealer("a-cookie-secret-of-32-bytes-len!");
  auto sealed = sealer.seal("refresh-token-value", "session-hash-1");
  EXPECT_TRUE(sealed.starts_with("v1."));
  EXPECT_EQ(sealed.find("refresh-token-value"), std::string::npos);
  EXPECT_EQ(sealer.open(sealed, "session-hash-1").value(), "refresh-token-value");
  EXPECT_NE(sealer.seal("refresh-token-value", "session-hash-1"), sealed);  // fresh nonce each time
  EXPECT_FALSE(sealer.open(sealed, "session-hash-2"));                     // moved to another session
  EXPECT_FALSE(TokenSealer("another-cookie-secret-value").open(sealed, "session-hash-1"));
  EXPECT_EQ(TokenSealer("a-cookie-secret-of-32-bytes-len!").open(sealed, "session-hash-1").value(),
            "refresh-token-value");  // another replica with the same secret
  EXPECT_EQ(sealer.open(sealer.seal("", "c"), "c").value(), "");
}

TEST(TokenSealer, RefusesTamperedAndMalformedValues) {
  TokenSealer sealer("0123456789abcdef");
  auto sealed = sealer.seal("id-token", "ctx");
  for (std::size_t i = 3; i < sealed.size(); ++i) {
    auto t = sealed;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(sealer.open(t, "ctx")) << i;
  }
  for (const char* bad : {"", "v1.", "v1.AAAA", "v2." , "plain-refresh-token", "v1.!!!!"}) EXPECT_FALSE(sealer.open(bad, "ctx")) << bad;
  EXPECT_FALSE(sealer.open(sealed.substr(0, sealed.size() - 2), "ctx"));
  EXPECT_THROW(TokenSealer("short"), std::invalid_argument);
  // Long secrets count in full, not only their first 64 bytes.
  std::string long_a(80, 'x'), long_b(80, 'x');
  long_b.back() = 'y';
  EXPECT_FALSE(TokenSealer(long_b).open(TokenSealer(long_a).seal("t", "c"), "c"));
}

// --- tokens and crypto -------------------------------------------------------------------

TEST(Crypto, TokenFormat) {
  auto t = new_personal_token();
  EXPECT_EQ(t.size(), 47u);
  EXPECT_TRUE(t.starts_with("sxt_"));
  EXPECT_TRUE(looks_like_personal_token(t));
  EXPECT_NE(t, new_personal_token());
  EXPECT_FALSE(looks_like_personal_token(t.substr(0, 46)));
  EXPECT_FALSE(looks_like_personal_token(t + "A"));
  EXPECT_FALSE(looks_like_personal_token("sxt_" + std::string(42, 'A') + "="));
  EXPECT_FALSE(looks_like_personal_token("sxx_" + t.substr(4)));
  EXPECT_EQ(new_session_secret().size(), 43u);
}

TEST(Crypto, Sha256AndConstantTimeCompare) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(constant_time_equal("", ""));
}

TEST(Crypto, Base64Url) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64url_decode("Zm9vYg").value(), "foob");
  EXPECT_EQ(base64url_decode("-_8").value(), "\xfb\xff");
  EXPECT_FALSE(base64url_decode("Zm9vYg=="));  // no padding in base64url tokens
  EXPECT_FALSE(base64url_decode("Z"));
  EXPECT_FALSE(base64url_decode("Zh"));        // non-canonical trailing bits
  auto raw = random_bytes(32);
  EXPECT_EQ(base64url_decode(base64url_encode(raw)).value(), raw);
}

TEST(Crypto, Argon2idPasswords) {
  auto h = hash_password("correct horse battery");
  EXPECT_TRUE(h.starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password("correct horse battery", h));
  EXPECT_FALSE(verify_password("correct horse batterx", h));
  EXPECT_FALSE(verify_password("x", "not a hash"));
  EXPECT_FALSE(verify_password("x", ""));
}

TEST(Bootstrap, ParsesPasswordAndTokenForms) {
  auto p = parse_bootstrap("admin:a-long-enough-password\n");
  EXPECT_EQ(p.username, "admin");
  EXPECT_EQ(p.secret, "a-long-enough-password");
  EXPECT_FALSE(p.is_token);
  auto token = new_personal_token();
  auto t = parse_bootstrap("root:" + token);
  EXPECT_TRUE(t.is_token);
  EXPECT_EQ(t.secret, token);
  EXPECT_THROW(parse_bootstrap("admin:short"), std::invalid_argument);
  EXPECT_THROW(parse_bootstrap("admin"), std::invalid_argument);
  EXPECT_THROW(parse_bootstrap(":password-long-enough"), std::invalid_argument);
  EXPECT_THROW(parse_bootstrap("admin:sxt_tooshort"), std::invalid_argument);
  try {
    parse_bootstrap("admin:secret1");
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("secret1"), std::string::npos);  // never echo secrets
  }
}

// --- headers -----------------------------------------------------------------------------

TEST(Headers, CookieAndAuthorizationParsing) {
  EXPECT_EQ(cookie_value("a=1; __Host-sextant_session=abc; b=2", kSessionCookie).value(), "abc");
  EXPECT_EQ(cookie_value("__Host-sextant_session=\"q\"", kSessionCookie).value(), "q");
  EXPECT_FALSE(cookie_value("x__Host-sextant_session=abc", kSessionCookie));
  EXPECT_FALSE(cookie_value("", kSessionCookie));
  EXPECT_EQ(authorization_param("Bearer abc", "Bearer").value(), "abc");
  EXPECT_EQ(authorization_param("bearer  abc ", "Bearer").value(), "abc");
  EXPECT_FALSE(authorization_param("Bearerabc", "Bearer"));
  EXPECT_FALSE(authorization_param("Basic abc", "Bearer"));
}

// --- access rules ------------------------------------------------------------------------

Principal external(std::string email, bool verified = true, std::vector<std::string> groups = {}) {
  Principal p;
  p.username = email;
  p.email = std::move(email);
  p.email_verified = verified;
  p.groups = std::move(groups);
  p.groups_issuer = kTrustedProxyGroups;
  p.method = "proxy";
  return p;
}

bool admitted(const AccessRules& rules, Principal p) {
  try {
    rules.apply(p);
    return true;
  } catch (const AuthError& e) {
    EXPECT_EQ(e.kind(), AuthError::Kind::Forbidden);
    return false;
  }
}

TEST(AccessRules, EmailDomains) {
  AccessRules none;  // no domain configured: no external identity enters
  EXPECT_FALSE(admitted(none, external("a@example.com")));
  AccessRules example(AccessRulesConfig{{"Example.com"}, {}, {}});
  EXPECT_TRUE(admitted(example, external("a@EXAMPLE.com")));
  EXPECT_FALSE(admitted(example, external("a@evil.com")));
  EXPECT_FALSE(admitted(example, external("a@sub.example.com")));  // exact domains only
  EXPECT_FALSE(admitted(example, external("a@example.com.evil.com")));
  EXPECT_FALSE(admitted(example, external("")));
  AccessRules any(AccessRulesConfig{{"*"}, {}, {}});
  EXPECT_TRUE(admitted(any, external("a@anything.org")));
  EXPECT_FALSE(admitted(any, external("a@anything.org", /*verified=*/false)));
  EXPECT_FALSE(admitted(example, external("a@example.com", /*verified=*/false)));
}

TEST(AccessRules, GroupsAndAdmins) {
  AccessRules rules(AccessRulesConfig{{"*"}, {"ml"}, {"ml-admins"}});
  EXPECT_TRUE(admitted(rules, external("a@x.org", true, {"other", "ml"})));
  EXPECT_FALSE(admitted(rules, external("a@x.org", true, {"other"})));
  EXPECT_FALSE(admitted(rules, external("a@x.org", true, {})));
  auto admin = external("b@x.org", true, {"ml-admins"});
  rules.apply(admin);  // an admin group also admits
  EXPECT_TRUE(admin.is_admin);
  auto member = external("c@x.org", true, {"ml"});
  rules.apply(member);
  EXPECT_FALSE(member.is_admin);
}

TEST(AccessRules, GroupsAreScopedByIssuer) {
  const std::string a = "https://a.example", b = "https://b.example", c = "https://c.example";
  AccessRules rules(AccessRulesConfig{{"*"}, {"ml", b + "#ml"}, {"admins", b + "#b-admins"}, a});
  auto from = [&](const std::string& issuer, std::vector<std::string> groups) {
    auto p = external("x@x.org", true, std::move(groups));
    p.method = "jwt";
    p.groups_issuer = issuer;
    return p;
  };
  // Plain names: groups from the browser login's issuer (a) and from the trusted proxy.
  EXPECT_TRUE(admitted(rules, from(a, {"ml"})));
  EXPECT_TRUE(admitted(rules, external("x@x.org", true, {"ml"})));
  EXPECT_TRUE(admitted(rules, from(b, {"ml"})));    // "b#ml"
  EXPECT_FALSE(admitted(rules, from(c, {"ml"})));   // c's "ml" was not meant
  EXPECT_FALSE(admitted(rules, from("", {"ml"})));  // nobody vouched for the groups
  auto other_admin = from(c, {"admins", "b-admins", "ml"});
  EXPECT_FALSE(admitted(rules, other_admin));
  auto b_admin = from(b, {"b-admins"});
  rules.apply(b_admin);
  EXPECT_TRUE(b_admin.is_admin);
  auto b_plain_admin = from(b, {"admins", "ml"});  // plain "admins" is a's and the proxy's
  rules.apply(b_plain_admin);
  EXPECT_FALSE(b_plain_admin.is_admin);
  auto a_admin = from(a, {"admins"});
  rules.apply(a_admin);
  EXPECT_TRUE(a_admin.is_admin);
  EXPECT_EQ(parse_group_rule("https://idp.example/realms/x#ml-admins").issuer, "https://idp.example/realms/x");
  EXPECT_EQ(parse_group_rule("https://idp.example/realms/x#ml-admins").name, "ml-admins");
  EXPECT_EQ(parse_group_rule("team#1").issuer, "");  // not a URL: a plain name with '#'
}

TEST(AccessRules, LocalAccountsAreExemptFromIdentityRules) {
  AccessRules rules(AccessRulesConfig{{"example.com"}, {"ml"}, {}});
  Principal local;
  local.username = "ci-bot";
  local.local_account = true;
  local.method = "basic";
  EXPECT_TRUE(admitted(rules, local));
}

// --- CSRF --------------------------------------------------------------------------------

RequestCredentials cookie_post() {
  RequestCredentials r;
  r.method = "POST";
  r.path = "/api/2.0/mlflow/experiments/create";
  r.host = "mlflow.example.com";
  r.origin = "https://mlflow.example.com";
  r.content_type = "application/json; charset=utf-8";
  return r;
}

TEST(Csrf, Decisions) {
  EXPECT_EQ(csrf_violation(cookie_post(), false), "");
  auto get = cookie_post();
  get.method = "GET";
  get.origin = "https://evil.example";
  get.content_type.clear();
  EXPECT_EQ(csrf_violation(get, false), "");  // only state-changing methods are checked

  auto form = cookie_post();
  form.content_type = "application/x-www-form-urlencoded";
  EXPECT_NE(csrf_violation(form, false), "");
  auto text = cookie_post();
  text.content_type = "text/plain";
  EXPECT_NE(csrf_violation(text, false), "");

  auto cross = cookie_post();
  cross.origin = "https://evil.example";
  EXPECT_NE(csrf_violation(cross, false), "");
  auto null_origin = cookie_post();
  null_origin.origin = "null";
  EXPECT_NE(csrf_violation(null_origin, false), "");
  auto other_port = cookie_post();
  other_port.origin = "https://mlflow.example.com:8443";
  EXPECT_NE(csrf_violation(other_port, false), "");

  auto no_proof = cookie_post();
  no_proof.origin.clear();
  EXPECT_NE(csrf_violation(no_proof, false), "");
  no_proof.sec_fetch_site = "same-origin";
  EXPECT_EQ(csrf_violation(no_proof, false), "");
  no_proof.sec_fetch_site = "cross-site";
  EXPECT_NE(csrf_violation(no_proof, false), "");
  auto mixed = cookie_post();
  mixed.sec_fetch_site = "same-site";  // a sibling subdomain is not same origin
  EXPECT_NE(csrf_violation(mixed, false), "");

  for (const char* m : {"PUT", "PATCH", "DELETE"}) {
    auto r = cookie_post();
    r.method = m;
    r.origin = "https://evil.example";
    EXPECT_NE(csrf_violation(r, false), "") << m;
  }
  // Artifact uploads carry the file's type, but must still be same-origin.
  auto upload = cookie_post();
  upload.method = "PUT";
  upload.content_type = "application/octet-stream";
  EXPECT_EQ(csrf_violation(upload, true), "");
  upload.origin = "https://evil.example";
  EXPECT_NE(csrf_violation(upload, true), "");
}

TEST(HostAllowlist, DefaultsMatchAddressesByRangeAndNamesExactly) {
  auto d = HostAllowlist::defaults("127.0.0.1");
  for (const char* ok : {"localhost", "localhost:5000", "LOCALHOST", "localhost.", "127.0.0.1:5000", "127.0.0.2",
                         "[::1]:5000", "[::1]", "0.0.0.0:5000", "10.1.2.3:80", "192.168.0.9", "172.16.0.1",
                         "172.31.255.1:5000", "[fd12::1]:5000", "[fc00::1]", "[::ffff:10.0.0.1]"}) {
    EXPECT_TRUE(d.allows(ok)) << ok;
  }
  for (const char* bad : {"evil.example", "172.32.0.1", "172.15.0.1", "8.8.8.8:5000", "", "localhost.evil.example",
                          "10.attacker.test", "10.0.0.1.attacker.test", "192.168.evil.example", "172.16.x.example",
                          "fc00.evil.example", "[2001:db8::1]", "localhost:99999", "localhost:x", "local host",
                          "localhost/x", "user@localhost", "[::1", "::1", "10.0.0.1:80:80", "[fe80::1%25eth0]"}) {
    EXPECT_FALSE(d.allows(bad)) << bad;
  }
  EXPECT_TRUE(HostAllowlist::defaults("mlflow.internal").allows("mlflow.internal:5000"));  // the --host name
  EXPECT_TRUE(HostAllowlist::defaults("203.0.113.7").allows("203.0.113.7:5000"));          // the --host address
  EXPECT_FALSE(HostAllowlist::defaults("0.0.0.0").allows("203.0.113.7"));
  EXPECT_TRUE(HostAllowlist::defaults("::").allows("[::1]:5000"));
}

TEST(HostAllowlist, PatternForms) {
  auto l = HostAllowlist::parse({"MLflow.Example.com", "*.corp.example", "api.example:8443", "10.*", "192.168.1.*",
                                 "203.0.113.0/24", "[2001:db8::5]:*", "fd00:*", "build.example:*"});
  for (const char* ok : {"mlflow.example.com", "mlflow.example.com:443", "a.corp.example", "a.b.corp.example:1",
                         "api.example:8443", "10.9.9.9", "192.168.1.7:5000", "203.0.113.200", "[2001:db8::5]:99",
                         "[fd00::7]", "build.example:9"}) {
    EXPECT_TRUE(l.allows(ok)) << ok;
  }
  for (const char* bad : {"corp.example", "evilcorp.example", "api.example", "api.example:443", "10.evil.example",
                          "192.168.2.7", "192.168.1.evil", "203.0.114.1", "[2001:db8::6]", "fd00.evil.example",
                          "mlflow.example.com.evil", "xmlflow.example.com"}) {
    EXPECT_FALSE(l.allows(bad)) << bad;
  }
  EXPECT_TRUE(HostAllowlist::parse({"*"}).allows_every_host());
  EXPECT_TRUE(HostAllowlist::parse({"*"}).allows("anything.example"));
  for (const char* bad : {"app-*.internal.com", "*example.com", "mlflow.example.?", "10.*.1.*", "300.*", "a b",
                          "host:port", "*.10.0.0.1", "10.0.0.0/33", "[::1]:*:*", "example.com:*:*", "*.*"}) {
    EXPECT_THROW(HostAllowlist::parse({bad}), std::invalid_argument) << bad;
  }
}

TEST(HostAllowlist, HostHeaderParsing) {
  auto h = parse_host_header("[::1]:5000");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "::1");
  EXPECT_TRUE(h->ip_literal);
  EXPECT_EQ(h->port, 5000);
  h = parse_host_header("Example.COM.");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->host, "example.com");
  EXPECT_FALSE(h->port);
  EXPECT_FALSE(parse_host_header("example.com:65536"));
  EXPECT_FALSE(parse_host_header(std::string(400, 'a')));
  EXPECT_FALSE(parse_host_header("a..b"));
}

// --- password rule -----------------------------------------------------------------------

TEST(PasswordRule, RefusesWeakPasswords) {
  EXPECT_EQ(password_problem("correct-battery-staple-9", "alice"), "");
  EXPECT_EQ(password_problem("ünïcödé-pässwörd"), "");
  for (const char* bad : {"", "short-pw", "            ", "\t\t\t\t\t\t\t\t\t\t\t\t", " \n \n \n \n \n \n ",
                          "aaaaaaaaaaaa", "abababababab", "password1234", "PASSWORD1234", "Password123!",
                          "qwerty123456", "123456789012", "1q2w3e4r5t6y", "correct horse battery staple",
                          "sxt_abcdefghijklmnop"}) {
    EXPECT_NE(password_problem(bad), "") << bad;
  }
  EXPECT_NE(password_problem("Alice.Wonderland", "alice.wonderland"), "");
  EXPECT_NE(password_problem(std::string(1025, 'x') + "yz1"), "");
  EXPECT_NE(password_problem("ü1234567890"), "");  // 11 characters (12 bytes)
  EXPECT_TRUE(common_password("password1234"));
  EXPECT_FALSE(common_password("zebra-lamp-orbit-7"));
}

// --- rate limiter ------------------------------------------------------------------------

TEST(FailureLimiter, BacksOffExponentiallyAndForgets) {
  RateLimiterOptions o;
  o.free_failures = 3;
  o.base_delay = std::chrono::milliseconds(1000);
  o.max_delay = std::chrono::milliseconds(8000);
  o.forget_after = std::chrono::milliseconds(60000);
  FailureLimiter l(o);
  auto t0 = FailureLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 3; ++i) l.record_failure("1.2.3.4", t0);
  EXPECT_EQ(l.blocked_for("1.2.3.4", t0).count(), 0);
  l.record_failure("1.2.3.4", t0);  // 4th: 1 s
  EXPECT_EQ(l.blocked_for("1.2.3.4", t0).count(), 1000);
  EXPECT_EQ(l.blocked_for("5.6.7.8", t0).count(), 0);  // per address
  l.record_failure("1.2.3.4", t0);  // 2 s
  EXPECT_EQ(l.blocked_for("1.2.3.4", t0).count(), 2000);
  for (int i = 0; i < 10; ++i) l.record_failure("1.2.3.4", t0);
  EXPECT_EQ(l.blocked_for("1.2.3.4", t0).count(), 8000);  // capped
  EXPECT_EQ(l.blocked_for("1.2.3.4", t0 + std::chrono::milliseconds(8000)).count(), 0);
  auto later = t0 + std::chrono::milliseconds(60001);
  EXPECT_EQ(l.blocked_for("1.2.3.4", later).count(), 0);
  l.record_failure("1.2.3.4", later);  // forgotten: counts from one again
  EXPECT_EQ(l.blocked_for("1.2.3.4", later).count(), 0);
}

TEST(FailureLimiter, MemoryIsBounded) {
  RateLimiterOptions o;
  o.max_entries = 100;
  FailureLimiter l(o);
  auto t0 = FailureLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 1000; ++i) l.record_failure("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), t0);
  EXPECT_LE(l.size(), 100u);
}

// --- the gate ----------------------------------------------------------------------------

// Accepts "Bearer good", "Bearer admin", "Bearer outsider"; refuses other bearers.
class FakeAuthenticator final : public Authenticator {
 public:
  std::optional<Principal> authenticate(const RequestCredentials& r) override {
    auto bearer = authorization_param(r.authorization, "Bearer");
    if (!bearer) {
      if (auto c = cookie_value(r.cookie, kSessionCookie)) {
        if (*c != "valid") throw AuthError(AuthError::Kind::Unauthenticated, "bad session");
        Principal p;
        p.username = "s@example.com";
        p.email = p.username;
        p.email_verified = true;
        p.method = "session";
        return p;
      }
      return std::nullopt;
    }
    if (bearer->starts_with("jwt.")) return std::nullopt;  // not its kind
    Principal p;
    p.email_verified = true;
    p.method = "token";
    if (*bearer == "good") p.username = p.email = "u@example.com";
    else if (*bearer == "admin") p.username = p.email = "a@example.com", p.is_admin = true;
    else if (*bearer == "outsider") p.username = p.email = "o@evil.com";
    else throw AuthError(AuthError::Kind::Unauthenticated, "bad token");
    return p;
  }
};

struct GateFixture : ::testing::Test {
  AuditLog audit{"/dev/null"};
  std::unique_ptr<Gate> gate;
  void SetUp() override {
    GateOptions o;
    o.authenticate = true;
    o.hosts = HostAllowlist::defaults("127.0.0.1");
    o.limiter.free_failures = 3;
    std::vector<std::unique_ptr<Authenticator>> chain;
    chain.push_back(std::make_unique<FakeAuthenticator>());
    gate = std::make_unique<Gate>(o, std::move(chain), AccessRules(AccessRulesConfig{{"example.com"}, {}, {}}), audit);
  }
  RequestCredentials req(std::string authorization = "", std::string path = "/api/2.0/mlflow/experiments/search") {
    RequestCredentials r;
    r.method = "GET";
    r.path = std::move(path);
    r.authorization = std::move(authorization);
    r.host = "127.0.0.1:5000";
    r.remote_address = "127.0.0.1";
    return r;
  }
};

TEST_F(GateFixture, DeniesByDefault) {
  auto anon = gate->check(req(), Policy::Authenticated, false);
  EXPECT_FALSE(anon.allowed);
  EXPECT_EQ(anon.status, 401);
  EXPECT_NE(anon.body.find("UNAUTHENTICATED"), std::string::npos);
  int challenges = 0;
  for (const auto& [k, v] : anon.headers) challenges += k == "WWW-Authenticate";
  EXPECT_EQ(challenges, 2);
  EXPECT_TRUE(gate->check(req(), Policy::Public, false).allowed);
  EXPECT_EQ(gate->check(req(), Policy::Unspecified, false).status, 401);
  EXPECT_EQ(gate->check(req("Bearer good"), Policy::Unspecified, false).status, 403);  // no policy: refused
  auto ok = gate->check(req("Bearer good"), Policy::Authenticated, false);
  ASSERT_TRUE(ok.allowed);
  EXPECT_EQ(ok.principal->username, "u@example.com");
  EXPECT_EQ(gate->check(req("Bearer good"), Policy::Admin, false).status, 403);
  EXPECT_TRUE(gate->check(req("Bearer admin"), Policy::Admin, false).allowed);
  EXPECT_EQ(gate->check(req("Bearer outsider"), Policy::Authenticated, false).status, 403);  // domain rule
  EXPECT_EQ(gate->check(req("Bearer jwt.x.y"), Policy::Authenticated, false).status, 401);   // nobody took it
  EXPECT_EQ(gate->check(req("Digest x"), Policy::Authenticated, false).status, 401);
}

TEST_F(GateFixture, BrowsersAreRedirectedApiClientsAreNot) {
  auto r = req("", "/");
  r.accept = "text/html,application/xhtml+xml";
  auto out = gate->check(r, Policy::Authenticated, false);
  EXPECT_EQ(out.status, 302);
  ASSERT_FALSE(out.headers.empty());
  EXPECT_EQ(out.headers[0].second, "/auth/login?rd=/");
  auto api = req();
  api.accept = "text/html";
  EXPECT_EQ(gate->check(api, Policy::Authenticated, false).status, 401);
}

TEST_F(GateFixture, HostAllowlist) {
  auto r = req("Bearer good");
  r.host = "evil.example";
  auto out = gate->check(r, Policy::Authenticated, false);
  EXPECT_EQ(out.status, 403);
  EXPECT_NE(out.body.find("DNS rebinding"), std::string::npos);
  auto health = req("", "/health");
  health.host = "evil.example";
  EXPECT_TRUE(gate->check(health, Policy::Public, false).allowed);
}

TEST_F(GateFixture, BacksOffAfterFailedChecks) {
  for (int i = 0; i < 3; ++i) EXPECT_EQ(gate->check(req("Bearer wrong"), Policy::Authenticated, false).status, 401);
  EXPECT_EQ(gate->check(req("Bearer wrong"), Policy::Authenticated, false).status, 401);  // 4th: now blocked
  auto blocked = gate->check(req("Bearer good"), Policy::Authenticated, false);
  EXPECT_EQ(blocked.status, 429);
  auto other = req("Bearer good");
  other.remote_address = "10.0.0.2";
  EXPECT_TRUE(gate->check(other, Policy::Authenticated, false).allowed);
  EXPECT_EQ(gate->check(req(), Policy::Authenticated, false).status, 401);  // no credential: plain 401
}

TEST_F(GateFixture, CookieSessionsNeedCsrfProof) {
  auto r = req();
  r.method = "POST";
  r.cookie = "__Host-sextant_session=valid";
  r.content_type = "application/x-www-form-urlencoded";
  r.origin = "https://evil.example";
  EXPECT_EQ(gate->check(r, Policy::Authenticated, false).status, 400);  // form encodings: never on the API
  r.content_type = "application/json";
  EXPECT_EQ(gate->check(r, Policy::Authenticated, false).status, 403);
  r.content_type = "application/json";
  r.origin = "http://127.0.0.1:5000";
  EXPECT_TRUE(gate->check(r, Policy::Authenticated, false).allowed);
  // Bearer credentials are not sent by browsers on their own: no CSRF check.
  auto bearer = req("Bearer good");
  bearer.method = "POST";
  bearer.origin = "https://evil.example";
  EXPECT_TRUE(gate->check(bearer, Policy::Authenticated, false).allowed);
}

TEST_F(GateFixture, AuthorizationDecidesAlone) {
  // (That the session cookie then counts for nothing is SessionAuthenticator's part:
  // test_auth_hardening.py drives it with the real chain.)
  auto r = req("");
  r.counts.authorization = 1;  // "Authorization:" present but empty
  EXPECT_EQ(gate->check(r, Policy::Authenticated, false).status, 401);
  auto two = req("Bearer good");
  two.counts.authorization = 2;
  EXPECT_EQ(gate->check(two, Policy::Authenticated, false).status, 400);
  auto hosts = req("Bearer good");
  hosts.counts.host = 2;
  EXPECT_EQ(gate->check(hosts, Policy::Authenticated, false).status, 400);
}

TEST_F(GateFixture, SameOriginPublicRoutes) {
  auto r = req("", "/api/2.0/sextant/login");
  r.method = "POST";
  r.content_type = "application/json";
  EXPECT_EQ(gate->check(r, Policy::PublicSameOrigin, false).status, 403);  // no proof of origin
  r.sec_fetch_site = "same-origin";
  EXPECT_TRUE(gate->check(r, Policy::PublicSameOrigin, false).allowed);
  r.origin = "http://evil.example";
  EXPECT_EQ(gate->check(r, Policy::PublicSameOrigin, false).status, 403);
}

TEST(FormBodies, RefusedOnEveryBodyMethodButUploadPuts) {
  RequestCredentials r;
  r.path = "/api/2.0/mlflow/runs/create";
  for (const char* m : {"POST", "PUT", "PATCH", "DELETE"}) {
    r.method = m;
    for (const char* t : {"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "TEXT/PLAIN;charset=utf-8",
                          " text/plain "}) {
      r.content_type = t;
      EXPECT_NE(form_body_violation(r, false), "") << m << " " << t;
    }
    r.content_type = "application/json";
    EXPECT_EQ(form_body_violation(r, false), "") << m;
  }
  r.method = "PUT";
  r.content_type = "text/plain";
  EXPECT_EQ(form_body_violation(r, true), "");  // an artifact upload of a .txt file
  r.method = "POST";
  EXPECT_NE(form_body_violation(r, true), "");
  r.content_type.clear();
  r.has_body = true;
  EXPECT_NE(form_body_violation(r, false), "");  // a POST body without a type
  // A POST upload (ajax-api upload-artifact) may come without a type unless a browser says cross-site.
  r.host = "mlflow.example:5000";
  EXPECT_EQ(form_body_violation(r, true), "");
  for (const char* origin : {"http://mlflow.example:5000", "https://MLflow.example:5000"}) {
    r.origin = origin;
    EXPECT_EQ(form_body_violation(r, true), "") << origin;
  }
  for (const char* origin : {"http://evil.example", "null", "http://mlflow.example:5001"}) {
    r.origin = origin;
    EXPECT_NE(form_body_violation(r, true), "") << origin;
  }
  r.origin.clear();
  for (const char* site : {"same-origin", "none"}) {
    r.sec_fetch_site = site;
    EXPECT_EQ(form_body_violation(r, true), "") << site;
  }
  for (const char* site : {"cross-site", "same-site"}) {
    r.sec_fetch_site = site;
    EXPECT_NE(form_body_violation(r, true), "") << site;
  }
  r.sec_fetch_site.clear();
  r.has_body = false;
  EXPECT_EQ(form_body_violation(r, false), "");
  r.method = "GET";
  r.content_type = "text/plain";
  EXPECT_EQ(form_body_violation(r, false), "");
}

TEST(GateOff, OnlyTheHostCheckRuns) {
  AuditLog audit{"/dev/null"};
  GateOptions o;
  o.authenticate = false;
  o.hosts = HostAllowlist::parse({"mlflow.example.com"});
  Gate g(o, {}, AccessRules{}, audit);
  RequestCredentials r;
  r.method = "POST";
  r.path = "/api/2.0/mlflow/runs/create";
  r.host = "mlflow.example.com";
  EXPECT_TRUE(g.check(r, Policy::Unspecified, false).allowed);
  r.host = "other.example.com";
  EXPECT_EQ(g.check(r, Policy::Authenticated, false).status, 403);
}

// --- router policies ---------------------------------------------------------------------

TEST(RouterPolicy, RoutesAreListedWithTheirPolicy) {
  api::Router r;
  auto h = [](const api::ApiRequest&) { return api::ApiResponse::text("x"); };
  r.add("GET", "/health", Policy::Public, h);
  r.add("GET", "/legacy", h);  // no policy
  r.add_pattern("GET", "/m/{id}", Policy::Authenticated, h);
  r.add_prefix("PUT", "/files/", Policy::Admin, h, true);
  auto routes = r.routes();
  ASSERT_EQ(routes.size(), 4u);
  std::map<std::string, std::pair<std::string, Policy>> by_path;
  for (const auto& x : routes) by_path[x.path] = {x.kind, x.policy};
  EXPECT_EQ(by_path["/health"], std::make_pair(std::string("exact"), Policy::Public));
  EXPECT_EQ(by_path["/legacy"], std::make_pair(std::string("exact"), Policy::Unspecified));
  EXPECT_EQ(by_path["/m/{id}"], std::make_pair(std::string("pattern"), Policy::Authenticated));
  EXPECT_EQ(by_path["/files/"], std::make_pair(std::string("prefix"), Policy::Admin));
  EXPECT_EQ(r.match("GET", "/legacy").route->policy, Policy::Unspecified);
  EXPECT_EQ(r.match("HEAD", "/m/7").route->policy, Policy::Authenticated);  // HEAD is GET
  EXPECT_EQ(policy_name(Policy::Unspecified), "unspecified");
}

// --- configuration -----------------------------------------------------------------------

config::EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const std::string& k) -> std::optional<std::string> {
    auto it = vars.find(k);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(AuthConfig, DefaultsAreOff) {
  auto c = config::parse_server_args({}, env_of({}));
  EXPECT_FALSE(c.auth.enabled);
  EXPECT_FALSE(c.auth.allowed_hosts);
  EXPECT_EQ(c.auth.cookie_expire_seconds, 168 * 3600);
  EXPECT_EQ(c.auth.cookie_refresh_seconds, 0);
  EXPECT_EQ(c.auth.oidc_groups_claim, "groups");
  EXPECT_EQ(c.auth.failure_limit, 10);
}

TEST(AuthConfig, FlagsRepeatAndWinOverEnvironment) {
  auto c = config::parse_server_args(
      {"--auth", "--email-domain", "example.com", "--email-domain=corp.example", "--allowed-group", "ml",
       "--admin-group", "ml-admins", "--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "::1",
       "--allowed-hosts", "mlflow.example.com,*.corp.example", "--cookie-expire", "12h", "--cookie-refresh", "1h30m",
       "--session-idle-timeout", "90m", "--admin-bootstrap-file", "/run/secrets/admin", "--port", "5001",
       "--scope", "openid email groups", "--cookie-secret-file", "/run/secrets/cookie", "--real-ip-from", "10.0.0.0/8",
       "--real-ip-from", "fd00::/8"},
      env_of({{"SEXTANT_EMAIL_DOMAIN", "ignored.example"}, {"SEXTANT_ADMIN_BOOTSTRAP", "root:from-env-secret"}}));
  EXPECT_TRUE(c.auth.enabled);
  EXPECT_EQ(c.port, 5001);
  EXPECT_EQ(c.auth.email_domains, (std::vector<std::string>{"example.com", "corp.example"}));
  EXPECT_EQ(c.auth.allowed_groups, (std::vector<std::string>{"ml"}));
  EXPECT_EQ(c.auth.admin_groups, (std::vector<std::string>{"ml-admins"}));
  EXPECT_EQ(c.auth.trusted_proxies, (std::vector<std::string>{"127.0.0.1/32", "::1"}));
  ASSERT_TRUE(c.auth.allowed_hosts);
  EXPECT_EQ(*c.auth.allowed_hosts, (std::vector<std::string>{"mlflow.example.com", "*.corp.example"}));
  EXPECT_EQ(c.auth.cookie_expire_seconds, 12 * 3600);
  EXPECT_EQ(c.auth.cookie_refresh_seconds, 5400);
  EXPECT_EQ(c.auth.session_idle_timeout_seconds, 5400);
  EXPECT_EQ(c.auth.admin_bootstrap_file, "/run/secrets/admin");
  EXPECT_EQ(c.auth.admin_bootstrap.value(), "root:from-env-secret");
  EXPECT_EQ(c.auth.scope, "openid email groups");
  EXPECT_EQ(c.auth.cookie_secret_file, "/run/secrets/cookie");
  EXPECT_EQ(c.auth.real_ip_from, (std::vector<std::string>{"10.0.0.0/8", "fd00::/8"}));
}

TEST(AuthConfig, EnvironmentAndBooleans) {
  auto c = config::parse_server_args({}, env_of({{"SEXTANT_AUTH", "on"},
                                                 {"SEXTANT_EMAIL_DOMAIN", "a.example, b.example"},
                                                 {"SEXTANT_TRUSTED_PROXY", "10.0.0.0/8"},
                                                 {"MLFLOW_SERVER_ALLOWED_HOSTS", "x.example"},
                                                 {"SEXTANT_EXTRA_JWT_ISSUERS", "https://a=aud1,https://b=aud2"},
                                                 {"SEXTANT_SKIP_JWT_BEARER_TOKENS", "true"}}));
  EXPECT_TRUE(c.auth.enabled);
  EXPECT_EQ(c.auth.email_domains, (std::vector<std::string>{"a.example", "b.example"}));
  EXPECT_EQ(c.auth.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8"}));
  EXPECT_EQ(*c.auth.allowed_hosts, (std::vector<std::string>{"x.example"}));
  ASSERT_EQ(c.auth.extra_jwt_issuers.size(), 2u);
  EXPECT_EQ(c.auth.extra_jwt_issuers[1], std::make_pair(std::string("https://b"), std::string("aud2")));
  EXPECT_TRUE(c.auth.skip_jwt_bearer_tokens);
  EXPECT_FALSE(config::parse_server_args({"--auth", "off"}, env_of({{"SEXTANT_AUTH", "on"}})).auth.enabled);
  EXPECT_FALSE(config::parse_server_args({"--auth=false"}, env_of({})).auth.enabled);
  EXPECT_TRUE(config::parse_server_args({"--auth", "--port", "1"}, env_of({})).auth.enabled);
}

TEST(AuthConfig, LifetimeBoundsAndHostPatterns) {
  auto d = config::parse_server_args({}, env_of({}));
  EXPECT_EQ(d.auth.max_token_lifetime_seconds, 90LL * 86400);
  EXPECT_EQ(d.auth.max_jwt_lifetime_seconds, 24 * 3600);
  auto c = config::parse_server_args(
      {"--max-token-lifetime", "30d", "--max-jwt-lifetime", "2h", "--max-jwt-lifetime", "https://a.example=0",
       "--max-jwt-lifetime", "https://b.example=7d"},
      env_of({}));
  EXPECT_EQ(c.auth.max_token_lifetime_seconds, 30LL * 86400);
  EXPECT_EQ(c.auth.max_jwt_lifetime_seconds, 2 * 3600);
  ASSERT_EQ(c.auth.max_jwt_lifetime_per_issuer.size(), 2u);
  EXPECT_EQ(c.auth.max_jwt_lifetime_per_issuer[0], std::make_pair(std::string("https://a.example"), std::int64_t{0}));
  EXPECT_EQ(c.auth.max_jwt_lifetime_per_issuer[1].second, 7LL * 86400);
  auto bad = [](std::vector<std::string> args) {
    EXPECT_THROW(config::parse_server_args(args, env_of({})), config::ConfigError) << args[0] << " " << args[1];
  };
  bad({"--max-token-lifetime", "3651d"});
  bad({"--max-token-lifetime", "10s"});
  bad({"--max-token-lifetime", "99999999999999999999h"});  // range-checked, not converted
  bad({"--max-jwt-lifetime", "1e300h"});
  bad({"--allowed-hosts", "app-*.internal.example"});
  bad({"--allowed-hosts", "10.*.1.*"});
  EXPECT_THROW(config::parse_server_args({}, env_of({{"MLFLOW_SERVER_ALLOWED_HOSTS", "*.*"}})), config::ConfigError);
}

TEST(AuthConfig, RejectsBadValues) {
  auto bad = [](std::vector<std::string> args) {
    EXPECT_THROW(config::parse_server_args(args, env_of({})), config::ConfigError) << args[0];
  };
  bad({"--trusted-proxy", "10.0.0.0/40"});
  bad({"--trusted-proxy", "proxy.example"});
  bad({"--cookie-expire", "soon"});
  bad({"--cookie-expire", "10x"});
  bad({"--cookie-expire", "0"});
  bad({"--cookie-refresh", "200h"});  // must be below --cookie-expire
  bad({"--extra-jwt-issuers", "no-audience"});
  bad({"--extra-jwt-issuers", "=aud"});
  bad({"--auth", "--client-secret", "x", "--client-secret-file", "/f"});
  bad({"--auth-failure-limit", "0"});
  bad({"--auth=maybe"});
  bad({"--email-domain"});
  bad({"--cookie-refresh", "1h"});  // refresh tokens are kept sealed: needs a cookie secret
  bad({"--cookie-secret", "too-short"});
  bad({"--cookie-secret", "0123456789abcdef", "--cookie-secret-file", "/f"});
  bad({"--scope", "email profile"});  // no openid
  bad({"--real-ip-from", "lb.example"});
  EXPECT_NO_THROW(config::parse_server_args({"--cookie-refresh", "1h", "--cookie-secret", "0123456789abcdef"}, env_of({})));
  EXPECT_EQ(config::parse_duration_seconds("1h30m15s", "x"), 5415);
  EXPECT_EQ(config::parse_duration_seconds("3600", "x"), 3600);
  EXPECT_EQ(config::parse_duration_seconds("1.5h", "x"), 5400);
}

TEST(AuthConfig, HelpListsTheFlags) {
  auto help = config::server_help();
  for (const char* flag : {"--auth", "--email-domain", "--allowed-group", "--oidc-groups-claim", "--admin-group",
                           "--admin-bootstrap-file", "--trusted-proxy", "--allowed-hosts", "--cookie-expire",
                           "--cookie-refresh", "--oidc-issuer-url", "--client-id", "--client-secret",
                           "--client-secret-file", "--redirect-url", "--skip-jwt-bearer-tokens",
                           "--extra-jwt-issuers", "--scope", "--cookie-secret", "--cookie-secret-file",
                           "--real-ip-from", "--max-token-lifetime", "--max-jwt-lifetime"}) {
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace sextant::auth
