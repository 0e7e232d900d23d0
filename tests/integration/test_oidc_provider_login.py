"""End-to-end browser login against a strict, certified OpenID provider (panva/oidc-provider,
tests/oidc/strict_op.mjs): registered redirect URIs, client_secret_basic, PKCE required,
single-use codes, real login and consent pages. Driven with plain HTTP like a browser: the
provider's cookies in a jar, Sextant's cookies checked by hand. Covers the authorization request
(--scope, PKCE S256, state, nonce), login -> callback -> session -> API, RFC 9207 iss, callback
replay, session refresh with the provider's refresh token (claims and rules re-applied; an
account removed at the provider loses its session), absolute session expiry and clean-up,
logout with id_token_hint at the provider's end-session endpoint, the domain/verified/group
rules, a local account not taken over by an identity of the same name, and the provider's
access token (at+jwt) as a bearer token for programs."""

import hashlib
import os
import shutil
import tempfile
import time
import unittest
from urllib.parse import parse_qs, urlencode, urlparse

import requests

import browser_http
import harness
import strict_op

COOKIE = "__Host-sextant_session"
LOGIN_COOKIE = "__Host-sextant_login"
SCOPE = "openid email groups"
ADMIN = ("root", "root-password-12345")

ACCOUNTS = {
    "alice": {"email": "alice@example.test", "email_verified": True, "groups": ["mlflow-admins", "ml-team"]},
    "bob": {"email": "bob@example.test", "email_verified": True, "groups": ["ml-team"]},
    "carol": {"email": "carol@evil.example", "email_verified": True, "groups": ["ml-team"]},
    "dave": {"email": "dave@example.test", "email_verified": False, "groups": ["ml-team"]},
    "erin": {"email": "erin@example.test", "email_verified": True, "groups": ["ml-team"]},
}

OP = None
MAIN = None   # --cookie-refresh 2s with --cookie-secret; bearer JWTs from the provider
SHORT = None  # --cookie-expire 3s, no cookie secret
WORKDIR = None


def start_server(port, args):
    server = harness.SextantServer(port=port, extra_args=args, env={"SEXTANT_ADMIN_BOOTSTRAP": "%s:%s" % ADMIN})
    server.start()
    return server


def setUpModule():  # noqa: N802
    global OP, MAIN, SHORT, WORKDIR
    strict_op.require_node_modules()
    WORKDIR = tempfile.mkdtemp(prefix="sextant-op-")
    main_port, short_port = harness.free_port(), harness.free_port()
    urls = ["http://127.0.0.1:%d" % p for p in (main_port, short_port)]
    OP = strict_op.StrictOp(ACCOUNTS, [u + "/auth/callback" for u in urls], [u + "/" for u in urls])
    secret = os.path.join(WORKDIR, "client-secret")
    with open(secret, "w") as f:
        f.write(strict_op.CLIENT_SECRET + "\n")
    cookie_secret = os.path.join(WORKDIR, "cookie-secret")
    with open(cookie_secret, "w") as f:
        f.write("a-long-random-cookie-secret-for-tests\n")
    common = ["--auth", "on", "--oidc-issuer-url", OP.issuer, "--client-id", strict_op.CLIENT_ID,
              "--client-secret-file", secret, "--scope", SCOPE, "--email-domain", "example.test",
              "--allowed-group", "ml-team", "--admin-group", "mlflow-admins", "--auth-failure-limit", "100000"]
    MAIN = start_server(main_port, common + [
        "--redirect-url", urls[0] + "/auth/callback", "--cookie-refresh", "2s", "--cookie-secret-file", cookie_secret,
        "--skip-jwt-bearer-tokens", "--extra-jwt-issuers", OP.issuer + "=mlflow",
        "--audit-log", os.path.join(WORKDIR, "audit-main.log")])
    SHORT = start_server(short_port, common + [
        "--redirect-url", urls[1] + "/auth/callback", "--cookie-expire", "3s", "--session-idle-timeout", "3s",
        "--audit-log", os.path.join(WORKDIR, "audit-short.log")])


def tearDownModule():  # noqa: N802
    try:
        for server in (MAIN, SHORT):
            if server:
                harness.SERVER = server
                harness.tearDownModule()
    finally:
        if OP:
            OP.stop()
        shutil.rmtree(WORKDIR, ignore_errors=True)


get = browser_http.get
set_cookies = browser_http.set_cookies


def audit_events(name, log="audit-main.log"):
    return browser_http.audit_events(os.path.join(WORKDIR, log), name)


def whoami(server, cookie):
    return get(server.base_url + "/api/2.0/sextant/whoami", {"Cookie": cookie})



def logout(srv, cookie):
    """The browser logout: a same-origin JSON POST, answered with where to go next."""
    return requests.post(srv.base_url + "/auth/logout", json={}, timeout=30, allow_redirects=False,
                         headers={"Cookie": cookie, "Origin": srv.base_url})

class StrictProviderLoginTest(unittest.TestCase):
    def setUp(self):
        OP.set_accounts(ACCOUNTS)

    def begin(self, server, rd="/#/experiments"):
        """Sextant's /auth/login: the authorization URL and the browser's login cookie."""
        r = get(server.base_url + "/auth/login?" + urlencode({"rd": rd}))
        self.assertEqual(r.status_code, 302, r.text)
        value = set_cookies(r)[LOGIN_COOKIE][0]
        return r.headers["Location"], {"Cookie": LOGIN_COOKIE + "=" + value}

    def login(self, server, account, rd="/#/experiments", ua=None):
        """The whole browser login; returns the session cookie ("name=value")."""
        ua = ua or strict_op.UserAgent(OP)
        location, browser = self.begin(server, rd)
        callback = ua.sign_in(location, account, server.base_url + "/auth/callback?")
        r = get(callback, browser)
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], rd)
        return COOKIE + "=" + set_cookies(r)[COOKIE][0]

    def test_login_with_pkce_end_to_end(self):
        location, browser = self.begin(MAIN)
        self.assertTrue(location.startswith(OP.issuer + "/auth?"), location)
        q = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        self.assertEqual(q["client_id"], strict_op.CLIENT_ID)
        self.assertEqual(q["response_type"], "code")
        self.assertEqual(q["scope"], SCOPE)  # --scope
        self.assertEqual(q["redirect_uri"], MAIN.base_url + "/auth/callback")
        self.assertEqual(q["code_challenge_method"], "S256")
        self.assertEqual(len(q["code_challenge"]), 43)
        self.assertGreaterEqual(len(q["state"]), 32)
        self.assertGreaterEqual(len(q["nonce"]), 32)

        ua = strict_op.UserAgent(OP)
        callback = ua.sign_in(location, "alice", MAIN.base_url + "/auth/callback?")
        cq = {k: v[0] for k, v in parse_qs(urlparse(callback).query).items()}
        self.assertEqual(cq["state"], q["state"])
        self.assertEqual(cq["iss"], OP.issuer)  # RFC 9207, which this provider sends
        r = get(callback, browser)
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], "/#/experiments")
        cookies = set_cookies(r)
        value, attrs = cookies[COOKIE]
        self.assertEqual(len(value), 43)
        for attr in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
            self.assertIn(attr, attrs)
        self.assertIn("Max-Age=0", cookies[LOGIN_COOKIE][1])  # the login cookie is spent
        cookie = COOKIE + "=" + value

        me = whoami(MAIN, cookie)
        self.assertEqual(me.status_code, 200, me.text)
        me = me.json()
        self.assertEqual(me["username"], "alice@example.test")
        self.assertEqual(me["issuer"], OP.issuer)
        self.assertTrue(me["email_verified"])
        self.assertEqual(sorted(me["groups"]), ["ml-team", "mlflow-admins"])
        self.assertTrue(me["is_admin"])  # --admin-group mlflow-admins
        r = get(MAIN.url("/api/2.0/mlflow/experiments/get?experiment_id=0"), {"Cookie": cookie})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["experiment"]["name"], "Default")
        self.assertTrue(audit_events("login_success"))

        # The callback cannot be replayed: the state is spent (and the provider's code too).
        r = get(callback, browser)
        self.assertEqual(r.status_code, 400)
        self.assertNotIn(COOKIE, set_cookies(r))

    def test_refresh_reapplies_claims_and_rules(self):
        cookie = self.login(MAIN, "bob")
        self.assertEqual(whoami(MAIN, cookie).json()["groups"], ["ml-team"])
        digest = hashlib.sha256(cookie.split("=", 1)[1].encode()).hexdigest()
        with MAIN.db() as db:
            refresh, id_token = db.execute("SELECT refresh_token, id_token FROM sextant_sessions WHERE session_hash = ?",
                                           (digest,)).fetchone()
        self.assertTrue(refresh.startswith("v1.") and id_token.startswith("v1."))  # sealed, not plain

        # bob leaves ml-team at the provider: the next refresh (after 2 s) brings the new groups
        # and the group rule refuses him, although the session itself is still valid.
        OP.set_accounts(dict(ACCOUNTS, bob=dict(ACCOUNTS["bob"], groups=["sales"])))
        time.sleep(2.5)
        r = whoami(MAIN, cookie)
        self.assertEqual(r.status_code, 403, r.text)
        self.assertTrue([e for e in audit_events("session_refreshed") if e.get("user") == "bob@example.test"])
        # Back in the group: let in again after the next refresh.
        OP.set_accounts(ACCOUNTS)
        time.sleep(2.5)
        r = whoami(MAIN, cookie)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.json()["groups"], ["ml-team"])
        # Removed at the provider: the refresh fails and the session ends for good.
        OP.set_accounts({k: v for k, v in ACCOUNTS.items() if k != "bob"})
        time.sleep(2.5)
        self.assertEqual(whoami(MAIN, cookie).status_code, 401)
        OP.set_accounts(ACCOUNTS)
        self.assertEqual(whoami(MAIN, cookie).status_code, 401)
        self.assertTrue([e for e in audit_events("session_ended") if e.get("user") == "bob@example.test"])

    def test_logout_at_the_provider_with_id_token_hint(self):
        ua = strict_op.UserAgent(OP)
        cookie = self.login(MAIN, "alice", ua=ua)
        self.assertEqual(whoami(MAIN, cookie).status_code, 200)
        r = logout(MAIN, cookie)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIn("Max-Age=0", set_cookies(r)[COOKIE][1])
        end = r.json()["location"]
        self.assertTrue(end.startswith(OP.issuer + "/session/end?"), end)
        q = {k: v[0] for k, v in parse_qs(urlparse(end).query).items()}
        self.assertEqual(q["client_id"], strict_op.CLIENT_ID)
        self.assertEqual(q["post_logout_redirect_uri"], MAIN.base_url + "/")
        self.assertEqual(q["id_token_hint"].count("."), 2)  # the session's ID token, opened
        # The provider accepts the hint and the registered URI and sends the browser back.
        self.assertEqual(ua.confirm_logout(end), MAIN.base_url + "/")
        # Our session is gone, and so is the provider's: the next login asks for the password.
        self.assertEqual(whoami(MAIN, cookie).status_code, 401)
        location, _ = self.begin(MAIN)
        r = ua.get(location)
        page = ua.get(requests.compat.urljoin(location, r.headers["Location"]))
        self.assertIn('name="prompt" value="login"', page.text)

    def test_session_expiry_and_cleanup(self):
        cookie = self.login(SHORT, "alice")
        self.assertEqual(whoami(SHORT, cookie).status_code, 200)
        time.sleep(3.3)  # --cookie-expire 3s
        self.assertEqual(whoami(SHORT, cookie).status_code, 401)
        r = get(SHORT.base_url + "/", {"Cookie": cookie, "Accept": "text/html"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/auth/login?rd=/")
        # The next login deletes expired sessions.
        expired = hashlib.sha256(cookie.split("=", 1)[1].encode()).hexdigest()
        fresh = self.login(SHORT, "bob")
        with SHORT.db() as db:
            self.assertIsNone(db.execute("SELECT 1 FROM sextant_sessions WHERE session_hash = ?", (expired,)).fetchone())
            # Without --cookie-secret the provider's tokens are not kept at all.
            self.assertEqual(db.execute("SELECT refresh_token, id_token FROM sextant_sessions WHERE session_hash = ?",
                                        (hashlib.sha256(fresh.split("=", 1)[1].encode()).hexdigest(),)).fetchone(),
                             (None, None))
        # Logout without a kept ID token still reaches the provider, with client_id only.
        r = logout(SHORT, fresh)
        q = parse_qs(urlparse(r.json()["location"]).query)
        self.assertEqual(q["client_id"], [strict_op.CLIENT_ID])
        self.assertNotIn("id_token_hint", q)

    def test_rules_refuse_foreign_domain_and_unverified_email(self):
        for account in ("carol", "dave"):
            location, browser = self.begin(MAIN)
            callback = strict_op.UserAgent(OP).sign_in(location, account, MAIN.base_url + "/auth/callback?")
            r = get(callback, browser)
            self.assertEqual(r.status_code, 403, account)
            self.assertNotIn(COOKIE, set_cookies(r), account)

    def test_local_account_is_not_taken_over(self):
        admin = requests.auth.HTTPBasicAuth(*ADMIN)
        r = requests.post(MAIN.url("/api/2.0/sextant/users/create"), auth=admin, timeout=30,
                          json={"username": "erin@example.test", "password": "local-password-1234", "is_admin": True})
        self.assertEqual(r.status_code, 200, r.text)
        location, browser = self.begin(MAIN)
        callback = strict_op.UserAgent(OP).sign_in(location, "erin", MAIN.base_url + "/auth/callback?")
        r = get(callback, browser)
        self.assertEqual(r.status_code, 403, r.text)
        self.assertNotIn(COOKIE, set_cookies(r))
        # The local account still works with its own password.
        r = requests.get(MAIN.url("/api/2.0/sextant/whoami"), auth=("erin@example.test", "local-password-1234"),
                         timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(r.json()["local_account"])

    def test_provider_access_token_as_bearer(self):
        """A program's token from the same provider (code flow with PKCE, at+jwt for urn:mlflow)."""
        token = strict_op.program_access_token(OP, MAIN.base_url + "/auth/callback", "alice")
        self.assertEqual(token.count("."), 2)
        bearer = {"Authorization": "Bearer " + token}
        r = get(MAIN.url("/api/2.0/mlflow/experiments/get?experiment_id=0"), bearer)
        self.assertEqual(r.status_code, 200, r.text)
        me = get(MAIN.url("/api/2.0/sextant/whoami"), bearer).json()
        self.assertEqual((me["username"], me["method"], me["is_admin"]), ("alice@example.test", "jwt", True))
        head, payload, sig = token.split(".")
        tampered = ".".join([head, payload, sig[:-4] + ("AAAA" if not sig.endswith("AAAA") else "BBBB")])
        r = get(MAIN.url("/api/2.0/mlflow/experiments/get?experiment_id=0"), {"Authorization": "Bearer " + tampered})
        self.assertEqual(r.status_code, 401)


if __name__ == "__main__":
    unittest.main()
