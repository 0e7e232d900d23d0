// The browser login's pure pieces: the same-origin redirect-target rule and PKCE S256.
#include <gtest/gtest.h>

#include "auth/oidc_login.hpp"

namespace sextant::auth {
namespace {

TEST(OidcLogin, PkceS256MatchesRfc7636AppendixB) {
  EXPECT_EQ(pkce_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  EXPECT_EQ(pkce_challenge_s256("x").size(), 43u);
}

TEST(OidcLogin, SameOriginPathsAreSafeRedirectTargets) {
  for (const char* ok : {"/", "/#/experiments/1", "/ajax-api/x?y=1&z=2", "/a/b%20c", "/static-files/index.html",
                         "/path:with:colons", "/?next=https://x"}) {
    EXPECT_TRUE(safe_redirect_target(ok)) << ok;
  }
}

TEST(OidcLogin, OpenRedirectsAreRefused) {
  for (const char* bad : {"", "//evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example",
                          "http:/evil.example", "evil.example", "javascript:alert(1)", "/%2F/evil.example",
                          "/%2f%2fevil.example", "/%5Cevil.example", "/%5cevil", "/a%0d%0aSet-Cookie:x=1",
                          "/a\r\nLocation: //evil", "/a\tb", "/a b", "/\x7f", "/caf\xc3\xa9", "/%", "/%2",
                          "/%zz", "/a\\b", "/%00"}) {
    EXPECT_FALSE(safe_redirect_target(bad)) << bad;
  }
  EXPECT_FALSE(safe_redirect_target("/" + std::string(2048, 'a')));
}

}  // namespace
}  // namespace sextant::auth
