"""Bearer JWTs from real OIDC provider processes (oauth2-mock-server, pinned in tests/oidc for
Node 20), as oauth2-proxy's --skip-jwt-bearer-tokens + --extra-jwt-issuers: two issuers with
different audiences, the e-mail domain / email_verified / group rules applied to JWT principals,
and the token attacks (alg=none, HS256 keyed with the public key, unknown key under a trusted
kid, jku/x5u/jwk headers, exp-less / expired / not-yet-valid tokens, wrong iss or aud,
tampering, a lifetime beyond --max-jwt-lifetime), each refused without changing anything;
groups scoped per issuer (one issuer's groups never grant what another's were given), and
personal tokens minted by a JWT identity acting with the groups the provider gives now."""

import base64
import json
import os
import shutil
import tempfile
import time
import unittest

import requests

import harness
import mock_idp

API = "/api/2.0/mlflow"

IDPS = []
SERVER = None
WORKDIR = None


class Idp(mock_idp.MockIdp):
    """One provider process; claims come from the token request."""

    def token(self, aud="mlflow", sub="alice", email="alice@example.test", verified="true",
              groups="ml-team", expires_in=None):
        form = {"grant_type": "client_credentials", "scope": "openid email", "aud": aud, "x_sub": sub,
                "x_email_verified": verified, "x_groups": groups}
        if email:
            form["x_email"] = email
        if expires_in is not None:
            form["x_expires_in"] = str(expires_in)
        r = requests.post(self.issuer + "/token", data=form, auth=("any", "any"), timeout=10)
        r.raise_for_status()
        return r.json()["access_token"]


def setUpModule():  # noqa: N802
    global SERVER, WORKDIR
    mock_idp.require_node_modules()
    IDPS.append(Idp("RS256,ES256"))
    IDPS.append(Idp("PS256,EdDSA"))
    WORKDIR = tempfile.mkdtemp(prefix="sextant-jwt-")
    SERVER = harness.SextantServer(extra_args=[
        "--auth", "on", "--skip-jwt-bearer-tokens",
        "--extra-jwt-issuers", IDPS[0].issuer + "=mlflow",
        "--extra-jwt-issuers", IDPS[1].issuer + "=tracking-b",
        "--email-domain", "example.test", "--auth-failure-limit", "100000",
        # Groups are per issuer: ISSUER#GROUP (a plain name would be --oidc-issuer-url's / the proxy's).
        "--allowed-group", IDPS[0].issuer + "#ml-team", "--allowed-group", IDPS[1].issuer + "#ml-team",
        "--admin-group", IDPS[0].issuer + "#ml-admins"])
    SERVER.start()


def tearDownModule():  # noqa: N802
    try:
        harness.SERVER = SERVER
        harness.tearDownModule()
    finally:
        for idp in IDPS:
            idp.stop()
        shutil.rmtree(WORKDIR, ignore_errors=True)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def forge(token, header_changes=None, claim_changes=None, signature=None):
    """Re-encodes a real token with changed header/claims, keeping (or replacing) its signature."""
    h, p, s = token.split(".")
    header = json.loads(unb64url(h))
    claims = json.loads(unb64url(p))
    header.update(header_changes or {})
    for k, v in (claim_changes or {}).items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    sig = s if signature is None else signature
    return "%s.%s.%s" % (b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()), sig)


class JwtBearerTest(unittest.TestCase):
    def call(self, token, path="/experiments/search", body=None):
        headers = {"Authorization": "Bearer " + token} if token is not None else {}
        return requests.post(SERVER.base_url + API + path, json=body or {"max_results": 10}, headers=headers,
                             timeout=30)

    def assertRefused(self, resp, status=401):
        self.assertEqual(resp.status_code, status, resp.text)
        self.assertEqual(resp.json()["error_code"], "UNAUTHENTICATED" if status == 401 else "PERMISSION_DENIED")

    def experiment_count(self):
        good = IDPS[0].token()
        r = self.call(good, body={"max_results": 1000, "view_type": "ALL"})
        self.assertEqual(r.status_code, 200, r.text)
        return len(r.json().get("experiments", []))

    # -- accepted -------------------------------------------------------------------
    def test_two_issuers_with_their_own_audiences(self):
        for idp, aud in ((IDPS[0], "mlflow"), (IDPS[1], "tracking-b")):
            for _ in range(2):  # the providers rotate through their keys (two algorithms each)
                r = self.call(idp.token(aud=aud))
                self.assertEqual(r.status_code, 200, r.text)

    def test_writes_work_and_whoami_shows_the_claims(self):
        token = IDPS[1].token(aud="tracking-b", email="bob@example.test", sub="bob")
        r = self.call(token, "/experiments/create", {"name": "jwt-exp-%d" % time.time_ns()})
        self.assertEqual(r.status_code, 200, r.text)
        who = requests.get(SERVER.base_url + "/api/2.0/sextant/whoami",
                           headers={"Authorization": "Bearer " + token}, timeout=10)
        self.assertEqual(who.status_code, 200, who.text)
        self.assertIn("bob@example.test", who.text)

    # -- audience and issuer --------------------------------------------------------
    def test_audience_of_the_other_issuer_is_refused(self):
        self.assertRefused(self.call(IDPS[0].token(aud="tracking-b")))
        self.assertRefused(self.call(IDPS[1].token(aud="mlflow")))

    def test_array_audience_needs_an_accepted_value(self):
        real = IDPS[0].token()
        self.assertRefused(self.call(forge(real, claim_changes={"aud": ["x", "y"]})))

    def test_wrong_issuer_is_refused(self):
        real = IDPS[0].token()
        self.assertRefused(self.call(forge(real, claim_changes={"iss": IDPS[0].issuer + "/"})))
        self.assertRefused(self.call(forge(real, claim_changes={"iss": IDPS[1].issuer})))

    # -- access rules ---------------------------------------------------------------
    def test_foreign_domain_unverified_email_and_missing_group_are_forbidden(self):
        before = self.experiment_count()
        for token in (IDPS[0].token(email="eve@evil.example"),
                      IDPS[0].token(verified="false"),
                      IDPS[0].token(groups="other-team")):
            r = self.call(token, "/experiments/create", {"name": "should-not-exist-%d" % time.time_ns()})
            self.assertRefused(r, 403)
        self.assertEqual(self.experiment_count(), before)

    # -- token attacks --------------------------------------------------------------
    def test_alg_none_is_refused(self):
        real = IDPS[0].token()
        self.assertRefused(self.call(forge(real, {"alg": "none"}, signature="")))
        self.assertRefused(self.call(forge(real, {"alg": "none"})))

    def test_hs256_keyed_with_the_public_key_is_refused(self):
        import hashlib
        import hmac
        real = IDPS[0].token()
        jwks = requests.get(IDPS[0].issuer + "/jwks", timeout=10).text.encode()
        h, p, _ = forge(real, {"alg": "HS256"}).split(".")
        sig = b64url(hmac.new(jwks, ("%s.%s" % (h, p)).encode(), hashlib.sha256).digest())
        self.assertRefused(self.call("%s.%s.%s" % (h, p, sig)))

    def test_signature_from_another_key_under_a_trusted_kid_is_refused(self):
        a = IDPS[0].token()
        b = IDPS[1].token(aud="mlflow")  # a valid signature, but by the other issuer's key
        kid_a = json.loads(unb64url(a.split(".")[0]))["kid"]
        self.assertRefused(self.call(forge(b, {"kid": kid_a}, {"iss": IDPS[0].issuer})))

    def test_key_carrying_headers_are_refused(self):
        real = IDPS[0].token()
        for header in ({"jku": "http://127.0.0.1:1/jwks"}, {"x5u": "http://127.0.0.1:1/cert"},
                       {"jwk": {"kty": "oct", "k": "AAAA"}}):
            self.assertRefused(self.call(forge(real, header)))

    def test_time_claims(self):
        real = IDPS[0].token()
        now = int(time.time())
        self.assertRefused(self.call(forge(real, claim_changes={"exp": None})))
        self.assertRefused(self.call(IDPS[0].token(expires_in=-3600)))
        self.assertRefused(self.call(forge(real, claim_changes={"nbf": now + 3600})))

    def test_lifetime_beyond_the_issuers_maximum_is_refused(self):
        self.assertRefused(self.call(IDPS[0].token(expires_in=100 * 365 * 86400)))  # the 100 years
        self.assertRefused(self.call(IDPS[1].token(aud="tracking-b", expires_in=24 * 3600 + 3600)))
        self.assertEqual(self.call(IDPS[0].token(expires_in=23 * 3600)).status_code, 200)

    # -- groups -----------------------------------------------------------------------
    def whoami(self, token):
        return requests.get(SERVER.base_url + "/api/2.0/sextant/whoami", headers={"Authorization": "Bearer " + token},
                            timeout=10)

    def test_groups_are_scoped_per_issuer(self):
        a = self.whoami(IDPS[0].token(groups="ml-team,ml-admins"))
        self.assertEqual(a.status_code, 200, a.text)
        self.assertTrue(a.json()["is_admin"])
        # The other issuer's "ml-admins" is not the admin group (it was given for IDPS[0] only).
        b = self.whoami(IDPS[1].token(aud="tracking-b", email="b-admin@example.test", groups="ml-team,ml-admins"))
        self.assertEqual(b.status_code, 200, b.text)
        self.assertFalse(b.json()["is_admin"])
        self.assertEqual(self.call(IDPS[1].token(aud="tracking-b", groups="ml-admins")).status_code, 403)

    def test_personal_tokens_act_with_the_providers_current_groups(self):
        email = "pat-%d@example.test" % time.time_ns()
        jwt = IDPS[0].token(email=email, sub=email, groups="ml-team,ml-admins")
        r = requests.post(SERVER.base_url + "/api/2.0/sextant/tokens/create", json={"name": "ci"},
                          headers={"Authorization": "Bearer " + jwt}, timeout=10)
        self.assertEqual(r.status_code, 200, r.text)
        pat = r.json()["secret"]
        self.assertTrue(self.whoami(pat).json()["is_admin"])
        # The provider took ml-admins away: the next JWT says so, and the token follows.
        self.assertEqual(self.whoami(IDPS[0].token(email=email, sub=email, groups="ml-team")).status_code, 200)
        who = self.whoami(pat)
        self.assertEqual(who.status_code, 200, who.text)
        self.assertFalse(who.json()["is_admin"])
        # ... and then every allowed group: the JWT is refused, and so is the token.
        self.assertEqual(self.call(IDPS[0].token(email=email, sub=email, groups="other")).status_code, 403)
        self.assertRefused(self.call(pat), 403)

    def test_tampered_payload_and_truncation_are_refused(self):
        real = IDPS[0].token()
        self.assertRefused(self.call(forge(real, claim_changes={"email": "mallory@example.test"})))
        self.assertRefused(self.call(real[:-4]))
        self.assertRefused(self.call(real + ".x"))

    def test_no_credentials_is_401(self):
        r = self.call(None)
        self.assertEqual(r.status_code, 401)
        self.assertIn("Bearer", r.headers.get("WWW-Authenticate", ""))


if __name__ == "__main__":
    unittest.main()
