"""The browser login (OIDC authorization code flow with PKCE S256) against a real
oauth2-mock-server process (tests/oidc/jwt_mock_idp.mjs), driven with plain HTTP: redirects are
followed by hand, cookies checked by hand. Covers login -> provider -> callback -> session cookie
-> API call -> logout -> replay refused; reused and tampered state; open redirects; the access
rules (foreign domain, unverified e-mail, group); RFC 9207 `iss`; and --cookie-refresh (refresh
at the token endpoint, a failed refresh ends the session)."""

import os
import shutil
import tempfile
import time
import unittest
from urllib.parse import parse_qs, urlencode, urlparse

import requests

import browser_http
import harness
import mock_idp

CLIENT_ID = "sextant-ui"
COOKIE = "__Host-sextant_session"
LOGIN_COOKIE = "__Host-sextant_login"

IDP = None
SERVER = None
WORKDIR = None
AUDIT = None



def logout(srv, cookie):
    """The browser logout: a same-origin JSON POST, answered with where to go next."""
    return requests.post(srv.base_url + "/auth/logout", json={}, timeout=30, allow_redirects=False,
                         headers={"Cookie": cookie, "Origin": srv.base_url})

class Idp(mock_idp.MockIdp):
    def __init__(self):
        super().__init__("RS256")


def setUpModule():  # noqa: N802
    global IDP, SERVER, WORKDIR, AUDIT
    mock_idp.require_node_modules()
    IDP = Idp()
    WORKDIR = tempfile.mkdtemp(prefix="sextant-oidc-")
    AUDIT = os.path.join(WORKDIR, "audit.log")
    secret = os.path.join(WORKDIR, "client-secret")
    with open(secret, "w") as f:
        f.write("s3cret-value\n")
    port = harness.free_port()
    SERVER = harness.SextantServer(port=port, extra_args=[
        "--auth", "on", "--oidc-issuer-url", IDP.issuer, "--client-id", CLIENT_ID,
        "--client-secret-file", secret, "--redirect-url", "http://127.0.0.1:%d/auth/callback" % port,
        "--email-domain", "example.test", "--allowed-group", "ml-team", "--cookie-refresh", "2s",
        "--cookie-secret", "test-cookie-secret-0123456789",
        "--audit-log", AUDIT, "--auth-failure-limit", "100000"])
    SERVER.start()


def tearDownModule():  # noqa: N802
    try:
        harness.SERVER = SERVER
        harness.tearDownModule()
    finally:
        if IDP:
            IDP.stop()
        shutil.rmtree(WORKDIR, ignore_errors=True)


get = browser_http.get
set_cookies = browser_http.set_cookies


def audit_events(name):
    return browser_http.audit_events(AUDIT, name)


class OidcLoginTest(unittest.TestCase):
    browser = None  # the login cookie of the last start(): what a browser would send back

    def start(self, rd="/#/experiments"):
        r = get(SERVER.base_url + "/auth/login" + ("?" + urlencode({"rd": rd}) if rd is not None else ""))
        self.assertEqual(r.status_code, 302, r.text)
        cookies = set_cookies(r)
        self.assertEqual(list(cookies), [LOGIN_COOKIE])
        value, attrs = cookies[LOGIN_COOKIE]
        for attr in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
            self.assertIn(attr, attrs)
        self.browser = {"Cookie": LOGIN_COOKIE + "=" + value}
        return r.headers["Location"]

    def callback(self, url, headers=None):
        return get(url, self.browser if headers is None else headers)

    def authorize(self, location, email="alice@example.test", groups="ml-team", verified="true"):
        """The provider's half: its /authorize answers with a redirect to our callback."""
        sep = "&" if "?" in location else "?"
        r = get(location + sep + urlencode({"x_email": email, "x_groups": groups, "x_email_verified": verified}))
        self.assertEqual(r.status_code, 302, r.text)
        callback = r.headers["Location"]
        self.assertTrue(callback.startswith(SERVER.base_url + "/auth/callback?"), callback)
        return callback

    def login(self, rd="/#/experiments", **claims):
        callback = self.authorize(self.start(rd), **claims)
        r = self.callback(callback)
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], rd)
        return COOKIE + "=" + set_cookies(r)[COOKIE][0]

    def whoami(self, cookie):
        return get(SERVER.base_url + "/api/2.0/sextant/whoami", {"Cookie": cookie})

    def test_authorization_request(self):
        location = self.start()
        url = urlparse(location)
        self.assertEqual("%s://%s" % (url.scheme, url.netloc), IDP.issuer)
        self.assertEqual(url.path, "/authorize")
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.assertEqual(q["response_type"], "code")
        self.assertEqual(q["client_id"], CLIENT_ID)
        self.assertEqual(q["redirect_uri"], SERVER.base_url + "/auth/callback")
        self.assertEqual(q["code_challenge_method"], "S256")
        self.assertEqual(len(q["code_challenge"]), 43)
        self.assertIn("openid", q["scope"].split())
        self.assertGreaterEqual(len(q["state"]), 32)
        self.assertGreaterEqual(len(q["nonce"]), 32)
        self.assertNotEqual(q["state"], parse_qs(urlparse(self.start()).query)["state"][0])

    def test_login_session_logout_and_replay(self):
        callback = self.authorize(self.start("/#/models"))
        r = self.callback(callback)
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], "/#/models")
        cookies = set_cookies(r)
        value, attrs = cookies[COOKIE]
        self.assertEqual(len(value), 43)
        for attr in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
            self.assertIn(attr, attrs)
        self.assertFalse(any(a.lower().startswith("domain=") for a in attrs))
        self.assertIn("Max-Age=0", cookies[LOGIN_COOKIE][1])  # the login cookie is cleared
        cookie = COOKIE + "=" + value
        me = self.whoami(cookie)
        self.assertEqual(me.status_code, 200, me.text)
        self.assertEqual(me.json()["username"], "alice@example.test")
        self.assertEqual(me.json()["groups"], ["ml-team"])
        self.assertEqual(me.json()["issuer"], IDP.issuer)
        self.assertEqual(me.json()["method"], "session")
        r = requests.post(SERVER.base_url + "/api/2.0/mlflow/experiments/search", json={"max_results": 5},
                          headers={"Cookie": cookie, "Origin": SERVER.base_url}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(any(e["user"] == "alice@example.test" and e["method"] == "oidc"
                            for e in audit_events("login_success")))
        # Logout revokes the session and sends the browser to the provider's end-session endpoint.
        r = logout(SERVER, cookie)
        self.assertEqual(r.status_code, 200, r.text)
        end = urlparse(r.json()["location"])
        self.assertEqual("%s://%s%s" % (end.scheme, end.netloc, end.path), IDP.issuer + "/endsession")
        q = parse_qs(end.query)
        self.assertEqual(q["post_logout_redirect_uri"], [SERVER.base_url + "/"])
        self.assertIn("Max-Age=0", r.headers["Set-Cookie"])
        self.assertEqual(self.whoami(cookie).status_code, 401)
        # Replaying the callback (same code and state) does not log in again.
        r = self.callback(callback)
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("Set-Cookie", r.headers)

    def test_local_logout_api_revokes_oidc_session(self):
        cookie = self.login()
        r = requests.post(SERVER.base_url + "/api/2.0/sextant/logout", json={},
                          headers={"Cookie": cookie, "Origin": SERVER.base_url}, timeout=30)
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.whoami(cookie).status_code, 401)

    def test_tampered_cookie_refused(self):
        cookie = self.login()
        tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
        self.assertEqual(self.whoami(tampered).status_code, 401)

    def test_state_reuse_refused(self):
        location = self.start()
        callback = self.authorize(location)
        self.assertEqual(self.callback(callback).status_code, 302)
        # A second authorization with the same (already consumed) state.
        callback2 = self.authorize(location)
        r = self.callback(callback2)
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("Set-Cookie", r.headers)

    def test_callback_in_another_browser_refused(self):
        """Login CSRF: an attacker's own completed authorization cannot be replayed in a victim's
        browser (the state is bound to the login cookie of the browser that started it)."""
        callback = self.authorize(self.start(), email="attacker@example.test")
        attacker = self.browser
        self.start()  # the victim's browser has a login cookie of its own
        for headers in ({}, self.browser, {"Cookie": LOGIN_COOKIE + "=" + "A" * 43}):
            r = self.callback(callback, headers)
            self.assertEqual(r.status_code, 400, headers)
            self.assertNotIn(COOKIE, set_cookies(r))
        self.assertEqual(self.callback(callback, attacker).status_code, 302)

    def test_tampered_or_missing_state_refused(self):
        callback = self.authorize(self.start())
        url = urlparse(callback)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        for state in (q["state"][:-1] + ("A" if q["state"][-1] != "A" else "B"), "", "x" * 300):
            bad = dict(q, state=state)
            r = self.callback(SERVER.base_url + "/auth/callback?" + urlencode(bad))
            self.assertEqual(r.status_code, 400, state)
            self.assertNotIn("Set-Cookie", r.headers)
        r = self.callback(SERVER.base_url + "/auth/callback?" + urlencode({"code": q["code"]}))
        self.assertEqual(r.status_code, 400)
        # The untampered state still works once (tampering did not consume it).
        self.assertEqual(self.callback(callback).status_code, 302)

    def test_open_redirects_refused(self):
        for rd in ("//evil.example", "/\\evil.example", "https://evil.example/", "http:evil.example",
                   "evil.example", "/%2F/evil.example", "/%5Cevil.example", "/a\r\nLocation: //evil.example",
                   "/\tx", "javascript:alert(1)"):
            r = get(SERVER.base_url + "/auth/login?" + urlencode({"rd": rd}))
            self.assertEqual(r.status_code, 400, rd)
            self.assertNotIn("Location", r.headers)
        # Encoded on the wire: %2F%2F and %5C decode to the forms above.
        for raw in ("%2F%2Fevil.example", "%2F%5Cevil.example", "%252F%252Fevil.example", "/%252F%252Fevil.example",
                    "%2F%09%2Fevil.example"):
            r = get(SERVER.base_url + "/auth/login?rd=" + raw)
            self.assertEqual(r.status_code, 400, raw)
        # Without rd: back to "/".
        callback = self.authorize(self.start(rd=None))
        self.assertEqual(self.callback(callback).headers["Location"], "/")

    def test_access_rules_refuse_without_session(self):
        for claims in ({"email": "mallory@evil.test"}, {"email": "alice@example.test.evil.test"},
                       {"email": "bob@example.test", "verified": "false"},
                       {"email": "carol@example.test", "groups": "other-team"}):
            callback = self.authorize(self.start(), **claims)
            r = self.callback(callback)
            self.assertEqual(r.status_code, 403, claims)
            self.assertNotIn("Set-Cookie", r.headers)
        users = {e["user"] for e in audit_events("login_success")}
        self.assertNotIn("mallory@evil.test", users)

    def test_callback_iss_must_match(self):
        callback = self.authorize(self.start())
        r = self.callback(callback + "&" + urlencode({"iss": "https://evil.example"}))
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("Set-Cookie", r.headers)
        # The state was consumed by the refused attempt.
        self.assertEqual(self.callback(callback).status_code, 400)
        callback = self.authorize(self.start("/ok"))
        r = self.callback(callback + "&" + urlencode({"iss": IDP.issuer}))
        self.assertEqual(r.status_code, 302, r.text)
        self.assertEqual(r.headers["Location"], "/ok")

    def test_provider_error_refused(self):
        location = self.start()
        state = parse_qs(urlparse(location).query)["state"][0]
        r = self.callback(SERVER.base_url + "/auth/callback?" + urlencode({"error": "access_denied", "state": state}))
        self.assertEqual(r.status_code, 400)
        self.assertNotIn("Set-Cookie", r.headers)

    def test_cookie_refresh(self):
        cookie = self.login()
        time.sleep(2.5)  # older than --cookie-refresh 2s
        self.assertEqual(self.whoami(cookie).status_code, 200)
        self.assertTrue(audit_events("session_refreshed"))
        digest = __import__("hashlib").sha256(cookie.split("=", 1)[1].encode()).hexdigest()
        with SERVER.db() as db:
            refresh, id_token = db.execute("SELECT refresh_token, id_token FROM sextant_sessions WHERE session_hash = ?",
                                           (digest,)).fetchone()
        # The provider's tokens are kept sealed with --cookie-secret, never in plain text.
        self.assertTrue(refresh.startswith("v1.") and id_token.startswith("v1."), (refresh, id_token))
        self.assertNotIn(".", refresh[3:])  # not a JWT or other readable token
        # A refresh the provider refuses ends the session.
        time.sleep(2.5)
        with SERVER.db() as db:
            db.execute("UPDATE sextant_sessions SET refresh_token = 'bogus' WHERE session_hash = ?", (digest,))
        self.assertEqual(self.whoami(cookie).status_code, 401)
        self.assertEqual(self.whoami(cookie).status_code, 401)
        self.assertTrue(audit_events("session_ended"))

    def test_browsers_are_sent_to_login(self):
        r = get(SERVER.base_url + "/", {"Accept": "text/html"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/auth/login?rd=/")


if __name__ == "__main__":
    unittest.main()
