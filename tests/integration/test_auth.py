"""Built-in authentication with --auth on: deny by default over the whole route table (listed by
`sextant routes`), admin bootstrap, local Basic users, personal tokens as Bearer and as the Basic
password, revocation and expiry, admin-only routes, trusted-proxy headers (honoured from a
configured proxy address, ignored otherwise), e-mail domain and group rules, password sessions
with CSRF checks and logout, the Host allowlist, browser redirects, back-off and the audit log."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import requests

import harness

ADMIN = "root"
ADMIN_PASSWORD = "bootstrap-password-123"
SEXTANT = "/api/2.0/sextant"
PUBLIC_ROUTES = {("GET", "/health"), ("GET", "/ready"),
                 # the browser OIDC login (test_oidc_login.py)
                 ("GET", "/auth/login"), ("GET", "/auth/callback"),
                 # the web UI's login page's own script and style (test_ui_static.py)
                 ("GET", "/static-files/login.js"), ("GET", "/static-files/login.css")}

SERVER = None
AUDIT = None
WORKDIR = None


def start(extra_args, env=None):
    srv = harness.SextantServer(extra_args=extra_args, env=env)
    srv.start()
    return srv


def setUpModule():  # noqa: N802
    global SERVER, AUDIT, WORKDIR
    workdir = WORKDIR = tempfile.mkdtemp(prefix="sextant-auth-")
    bootstrap = os.path.join(workdir, "admin")
    with open(bootstrap, "w") as f:
        f.write("%s:%s\n" % (ADMIN, ADMIN_PASSWORD))
    AUDIT = os.path.join(workdir, "audit.jsonl")
    SERVER = start(["--auth", "on", "--admin-bootstrap-file", bootstrap, "--email-domain", "example.com",
                    "--audit-log", AUDIT, "--auth-failure-limit", "1000"])


def tearDownModule():  # noqa: N802
    harness.SERVER = SERVER
    try:
        harness.tearDownModule()
    finally:
        shutil.rmtree(WORKDIR, ignore_errors=True)


def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()}


def bearer(token):
    return {"Authorization": "Bearer " + token}


CLIENT = {"User-Agent": "mlflow-python-client/3.6.0", "X-MLflow-Client-Version": "3.6.0"}


def call(method, path, headers=None, srv=None, **kw):
    h = dict(CLIENT)
    h.update(headers or {})
    return requests.request(method, (srv or SERVER).url(path), headers=h, timeout=60,
                            allow_redirects=False, **kw)


def routes():
    out = subprocess.run([harness.SEXTANT_BIN, "routes"], capture_output=True, text=True, check=True).stdout
    table = []
    for line in out.splitlines():
        parts = line.split()
        table.append({"method": parts[0], "kind": parts[1], "policy": parts[2], "path": parts[3]})
    return table


def concrete(route):
    if route["kind"] == "pattern":
        return "/".join("x1" if s.startswith("{") else s for s in route["path"].split("/"))
    if route["kind"] == "prefix":
        return route["path"] + "x1/file.txt"
    return route["path"]


class AuthTest(harness.SextantTestCase):
    def assertUnauthenticated(self, r, msg=None):
        self.assertError(r, 401, "UNAUTHENTICATED", msg=msg)
        self.assertIn("Bearer", r.headers.get("WWW-Authenticate", ""), msg)
        self.assertIn("Basic", r.headers.get("WWW-Authenticate", ""), msg)

    def admin(self):
        return basic(ADMIN, ADMIN_PASSWORD)

    def make_user(self, name=None, password="user-password-1234", is_admin=False):
        name = name or harness.unique("user")
        r = call("POST", SEXTANT + "/users/create", self.admin(),
                 json={"username": name, "password": password, "is_admin": is_admin})
        self.assertOk(r)
        return name, password

    def make_token(self, headers, **body):
        body.setdefault("name", "ci")
        data = self.assertOk(call("POST", SEXTANT + "/tokens/create", headers, json=body))
        self.assertTrue(data["secret"].startswith("sxt_"))
        return data["secret"], data["token"]["token_id"]

    # -- deny by default ------------------------------------------------------------------
    def test_every_route_is_refused_anonymously(self):
        table = routes()
        self.assertGreater(len(table), 100)
        unspecified = [r for r in table if r["policy"] == "unspecified"]
        self.assertEqual(unspecified, [], "routes without an explicit access policy")
        public = {(r["method"], r["path"]) for r in table if r["policy"] == "public"}
        self.assertEqual(public, PUBLIC_ROUTES, "the public allowlist changed")
        # Public, but only as same-origin JSON POSTs from the browser (test_auth_hardening.py).
        same_origin = {(r["method"], r["path"]) for r in table if r["policy"] == "public-same-origin"}
        self.assertEqual(same_origin, {("POST", SEXTANT + "/login"), ("POST", "/auth/logout")})
        for route in table:
            if route["policy"] in ("public", "public-same-origin"):
                continue
            path = concrete(route)
            r = call(route["method"], path, json={} if route["method"] in ("POST", "PATCH") else None)
            self.assertUnauthenticated(r, "%s %s" % (route["method"], path))
            if route["method"] == "GET":
                r = call("HEAD", path)
                self.assertEqual(r.status_code, 401, "HEAD %s" % path)
        # Unknown paths too: anonymous callers cannot probe the table.
        self.assertUnauthenticated(call("GET", "/api/2.0/mlflow/no-such-route"))
        self.assertEqual(call("GET", "/health").status_code, 200)

    def test_browsers_are_sent_to_login(self):
        r = call("GET", "/", {"Accept": "text/html,application/xhtml+xml"})
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/auth/login?rd=/")
        r = call("GET", "/api/2.0/mlflow/experiments/search", {"Accept": "text/html"})
        self.assertEqual(r.status_code, 401)

    def test_host_allowlist(self):
        r = call("GET", "/api/2.0/mlflow/experiments/search", dict(self.admin(), Host="evil.example"))
        self.assertEqual(r.status_code, 403)
        self.assertIn("DNS rebinding", r.text)
        self.assertEqual(call("GET", "/health", {"Host": "evil.example"}).status_code, 200)

    # -- admin bootstrap and local users ------------------------------------------------------
    def test_admin_bootstrap(self):
        me = self.assertOk(call("GET", SEXTANT + "/whoami", self.admin()))
        self.assertEqual(me["username"], ADMIN)
        self.assertTrue(me["is_admin"])
        self.assertEqual(me["method"], "basic")
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", basic(ADMIN, "wrong-password-000")))
        users = self.assertOk(call("GET", SEXTANT + "/users/list", self.admin()))["users"]
        self.assertIn(ADMIN, [u["username"] for u in users])
        self.assertNotIn("password_hash", json.dumps(users))

    def test_webhooks_are_for_administrators(self):
        # A webhook sends registry contents to a URL of its creator's choosing: admin-only.
        name, password = self.make_user()
        h = basic(name, password)
        body = {"name": "hook", "url": "https://example.com/x", "events": [{"entity": "MODEL_VERSION", "action": "CREATED"}]}
        self.assertError(call("POST", "/api/2.0/mlflow/webhooks", h, json=body), 403, "PERMISSION_DENIED")
        self.assertError(call("GET", "/api/2.0/mlflow/webhooks", h), 403, "PERMISSION_DENIED")
        hook = self.assertOk(call("POST", "/api/2.0/mlflow/webhooks", self.admin(), json=body))["webhook"]
        self.assertError(call("POST", "/api/2.0/mlflow/webhooks/%s/test" % hook["webhook_id"], h, json={}), 403,
                         "PERMISSION_DENIED")
        self.assertOk(call("DELETE", "/api/2.0/mlflow/webhooks/" + hook["webhook_id"], self.admin()))

    def test_local_basic_users(self):
        name, password = self.make_user()
        h = basic(name, password)
        self.assertOk(call("POST", "/api/2.0/mlflow/experiments/search", h, json={"max_results": 1}))
        eid = self.assertOk(call("POST", "/api/2.0/mlflow/experiments/create", h,
                                 json={"name": harness.unique("auth")}))["experiment_id"]
        self.assertOk(call("GET", "/api/2.0/mlflow/experiments/get", h, params={"experiment_id": eid}))
        self.assertUnauthenticated(call("GET", "/api/2.0/mlflow/experiments/get", basic(name, "nope-nope-nope"),
                                        params={"experiment_id": eid}))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", basic("nobody", password)))
        # Not an admin, also when the path is spelled with repeated slashes (served as the merged path).
        self.assertError(call("GET", SEXTANT + "/users/list", h), 403, "PERMISSION_DENIED")
        self.assertError(call("GET", "/" + SEXTANT.replace("/", "//") + "//users/list", h), 403, "PERMISSION_DENIED")
        self.assertUnauthenticated(call("GET", "//api/2.0//mlflow/experiments/get", params={"experiment_id": eid}))
        self.assertOk(call("GET", "//api/2.0//mlflow/experiments/get", h, params={"experiment_id": eid}))
        self.assertError(call("POST", SEXTANT + "/users/create", h, json={"username": "x"}), 403,
                         "PERMISSION_DENIED")
        # Password change takes effect at once (the verified-password cache is revalidated).
        self.assertOk(call("POST", SEXTANT + "/users/set-password", self.admin(),
                           json={"username": name, "password": "another-password-42"}))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", h))
        self.assertOk(call("GET", SEXTANT + "/whoami", basic(name, "another-password-42")))
        # Deleting the user ends its access.
        self.assertOk(call("POST", SEXTANT + "/users/delete", self.admin(), json={"username": name}))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", basic(name, "another-password-42")))

    def test_weak_or_token_like_passwords_are_refused(self):
        for pw in ("short", "sxt_looks-like-a-token-000"):
            r = call("POST", SEXTANT + "/users/create", self.admin(), json={"username": harness.unique("u"),
                                                                          "password": pw})
            self.assertBadParam(r)

    # -- personal tokens ------------------------------------------------------------------
    def test_personal_tokens_as_bearer_and_basic(self):
        name, password = self.make_user()
        secret, token_id = self.make_token(basic(name, password))
        # Bearer (MLFLOW_TRACKING_TOKEN).
        me = self.assertOk(call("GET", SEXTANT + "/whoami", bearer(secret)))
        self.assertEqual(me["username"], name)
        self.assertEqual(me["method"], "token")
        run_exp = self.assertOk(call("POST", "/api/2.0/mlflow/experiments/create", bearer(secret),
                                     json={"name": harness.unique("tok")}))["experiment_id"]
        # As the Basic password (MLFLOW_TRACKING_USERNAME/PASSWORD), any user name.
        for user in (name, "token"):
            self.assertOk(call("GET", "/api/2.0/mlflow/experiments/get", basic(user, secret),
                               params={"experiment_id": run_exp}))
        # Listed without the secret.
        listed = self.assertOk(call("GET", SEXTANT + "/tokens/list", bearer(secret)))["tokens"]
        self.assertEqual([t["token_id"] for t in listed], [token_id])
        self.assertNotIn(secret, json.dumps(listed))
        self.assertNotIn(secret[4:], json.dumps(listed))
        # A token cannot mint tokens.
        self.assertError(call("POST", SEXTANT + "/tokens/create", bearer(secret), json={"name": "x"}), 403,
                         "PERMISSION_DENIED")
        # Other users cannot revoke it; the owner can.
        other, other_pw = self.make_user()
        self.assertNotFound(call("POST", SEXTANT + "/tokens/revoke", basic(other, other_pw),
                                 json={"token_id": token_id}))
        self.assertOk(call("POST", SEXTANT + "/tokens/revoke", basic(name, password), json={"token_id": token_id}))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", bearer(secret)))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", basic(name, secret)))
        listed = self.assertOk(call("GET", SEXTANT + "/tokens/list", basic(name, password)))["tokens"]
        self.assertTrue(listed[0]["revoked"])

    def test_malformed_and_unknown_tokens(self):
        for value in ("sxt_", "sxt_" + "A" * 43, "sxt_" + "A" * 42 + "!", "not-a-jwt"):
            self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", bearer(value)), value)
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", {"Authorization": "Basic !!!"}))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", {"Authorization": "Digest x"}))

    def test_token_expiry(self):
        name, password = self.make_user()
        secret, _ = self.make_token(basic(name, password), expires_in_seconds=1)
        self.assertOk(call("GET", SEXTANT + "/whoami", bearer(secret)))
        time.sleep(1.3)
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", bearer(secret)))
        self.assertBadParam(call("POST", SEXTANT + "/tokens/create", basic(name, password),
                                 json={"name": "x", "expires_in_days": 100000}))

    # -- identity headers -----------------------------------------------------------------
    def test_proxy_headers_are_ignored_without_trusted_proxy(self):
        h = {"X-Forwarded-Email": "boss@example.com", "X-Forwarded-User": "boss", "X-Forwarded-Groups": "admins"}
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", h))
        me = self.assertOk(call("GET", SEXTANT + "/whoami", dict(h, **self.admin())))
        self.assertEqual(me["username"], ADMIN)  # the headers did not change who we are

    # -- sessions and CSRF ----------------------------------------------------------------
    def login(self, name, password):
        r = call("POST", SEXTANT + "/login", {"Origin": SERVER.base_url}, json={"username": name, "password": password})
        self.assertOk(r)
        cookie = r.headers["Set-Cookie"]
        for attr in ("__Host-sextant_session=", "Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
            self.assertIn(attr, cookie)
        return cookie.split(";")[0]

    def test_session_login_csrf_and_logout(self):
        name, password = self.make_user()
        self.assertError(call("POST", SEXTANT + "/login", {"Origin": SERVER.base_url},
                              json={"username": name, "password": "wrong-wrong-1"}),
                         401, "UNAUTHENTICATED")
        cookie = self.login(name, password)
        origin = SERVER.base_url
        same = {"Cookie": cookie, "Origin": origin}
        me = self.assertOk(call("GET", SEXTANT + "/whoami", {"Cookie": cookie}))
        self.assertEqual((me["username"], me["method"]), (name, "session"))
        exp_name = harness.unique("csrf")
        # A cross-site HTML form post with the session cookie.
        r = call("POST", "/api/2.0/mlflow/experiments/create",
                 {"Cookie": cookie, "Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site",
                  "Content-Type": "application/x-www-form-urlencoded"}, data="name=" + exp_name)
        self.assertError(r, 400, "INVALID_PARAMETER_VALUE")  # form encodings: never on the API
        # JSON from another origin, and a same-origin form post, are refused too.
        r = call("POST", "/api/2.0/mlflow/experiments/create", {"Cookie": cookie, "Origin": "https://evil.example"},
                 json={"name": exp_name})
        self.assertError(r, 403, "PERMISSION_DENIED")
        r = call("POST", "/api/2.0/mlflow/experiments/create",
                 dict(same, **{"Content-Type": "application/x-www-form-urlencoded"}), data="name=" + exp_name)
        self.assertError(r, 400, "INVALID_PARAMETER_VALUE")
        r = call("POST", "/api/2.0/mlflow/experiments/create", {"Cookie": cookie}, json={"name": exp_name})
        self.assertError(r, 403, "PERMISSION_DENIED")  # no Origin nor Sec-Fetch-Site
        # Nothing was created.
        self.assertNotFound(call("GET", "/api/2.0/mlflow/experiments/get-by-name", self.admin(),
                                 params={"experiment_name": exp_name}))
        # Same-origin JSON works.
        self.assertOk(call("POST", "/api/2.0/mlflow/experiments/create", same, json={"name": exp_name}))
        self.assertOk(call("POST", "/api/2.0/mlflow/experiments/search", {"Cookie": cookie,
                                                                         "Sec-Fetch-Site": "same-origin"},
                           json={"max_results": 1}))
        # A tampered cookie, then logout and replay.
        tampered = cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB")
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", {"Cookie": tampered}))
        self.assertOk(call("POST", SEXTANT + "/logout", same, json={}))
        self.assertUnauthenticated(call("GET", SEXTANT + "/whoami", {"Cookie": cookie}))

    def test_audit_log_records_without_secrets(self):
        name, password = self.make_user()
        secret, token_id = self.make_token(basic(name, password))
        self.assertOk(call("POST", SEXTANT + "/tokens/revoke", basic(name, password), json={"token_id": token_id}))
        call("GET", SEXTANT + "/whoami", bearer(secret))
        with open(AUDIT) as f:
            lines = [json.loads(line) for line in f]
        events = {(e["audit"], e.get("token_id")) for e in lines}
        self.assertIn(("token_created", token_id), events)
        self.assertIn(("token_revoked", token_id), events)
        self.assertIn("auth_failure", {e["audit"] for e in lines})
        self.assertIn("admin_bootstrap", {e["audit"] for e in lines})
        with open(AUDIT) as f:
            text = f.read()
        for s in (secret, secret[4:], password, ADMIN_PASSWORD):
            self.assertNotIn(s, text)

    def test_official_client_shapes(self):
        """What mlflow's client sends: Basic from MLFLOW_TRACKING_USERNAME/PASSWORD, else Bearer."""
        name, password = self.make_user()
        secret, _ = self.make_token(basic(name, password))
        s = requests.Session()
        s.headers.update(CLIENT)
        s.auth = (name, password)
        exp = s.post(SERVER.url("/api/2.0/mlflow/experiments/create"), json={"name": harness.unique("c")})
        self.assertEqual(exp.status_code, 200, exp.text)
        eid = exp.json()["experiment_id"]
        run = s.post(SERVER.url("/api/2.0/mlflow/runs/create"), json={"experiment_id": eid, "start_time": 1})
        self.assertEqual(run.status_code, 200, run.text)
        run_id = run.json()["run"]["info"]["run_id"]
        r = requests.post(SERVER.url("/api/2.0/mlflow/runs/log-batch"), headers=dict(CLIENT, **bearer(secret)),
                          json={"run_id": run_id, "metrics": [{"key": "m", "value": 1, "timestamp": 1, "step": 0}]})
        self.assertEqual(r.status_code, 200, r.text)
        # Artifact upload and download through the proxy with a token.
        art = "/api/2.0/mlflow-artifacts/artifacts/%s/%s/artifacts/a.txt" % (eid, run_id)
        r = requests.put(SERVER.url(art), data=b"hello", headers=dict(CLIENT, **bearer(secret)))
        self.assertEqual(r.status_code, 200, r.text)
        r = requests.get(SERVER.url(art), headers=dict(CLIENT, **bearer(secret)))
        self.assertEqual(r.content, b"hello")
        self.assertEqual(requests.get(SERVER.url(art)).status_code, 401)
        self.assertEqual(requests.get(SERVER.url("/version"), headers=basic(name, password)).status_code, 200)
        self.assertEqual(requests.get(SERVER.url("/version")).status_code, 401)


class TrustedProxyTest(unittest.TestCase):
    """oauth2-proxy in front: identity headers honoured from 127.0.0.1 only because it is configured."""

    @classmethod
    def setUpClass(cls):
        cls.srv = start(["--auth", "--trusted-proxy", "127.0.0.1/32", "--trusted-proxy", "::1",
                         "--email-domain", "example.com", "--allowed-group", "ml", "--admin-group", "ml-admins"])

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        cls.srv.cleanup()

    def who(self, **headers):
        return call("GET", SEXTANT + "/whoami", headers, srv=self.srv)

    def test_identity_headers_and_rules(self):
        r = self.who(**{"X-Forwarded-Email": "ann@example.com", "X-Forwarded-Groups": "x, ml"})
        self.assertEqual(r.status_code, 200, r.text)
        me = r.json()
        self.assertEqual((me["username"], me["method"], me["is_admin"]), ("ann@example.com", "proxy", False))
        self.assertEqual(me["groups"], ["x", "ml"])
        # Foreign domain, no allowed group: refused with 403.
        r = self.who(**{"X-Forwarded-Email": "eve@evil.example", "X-Forwarded-Groups": "ml"})
        self.assertEqual((r.status_code, r.json()["error_code"]), (403, "PERMISSION_DENIED"))
        r = self.who(**{"X-Forwarded-Email": "bob@example.com", "X-Forwarded-Groups": "other"})
        self.assertEqual(r.status_code, 403)
        r = self.who(**{"X-Forwarded-User": "no-email"})
        self.assertEqual(r.status_code, 403)
        # The admin group makes administrators.
        h = {"X-Forwarded-Email": "boss@example.com", "X-Forwarded-Groups": "ml-admins"}
        self.assertEqual(call("GET", SEXTANT + "/users/list", h, srv=self.srv).status_code, 200)
        # A proxy user can mint a personal token and use it directly afterwards.
        r = call("POST", SEXTANT + "/tokens/create", dict(h), srv=self.srv, json={"name": "laptop"})
        self.assertEqual(r.status_code, 200, r.text)
        me = call("GET", SEXTANT + "/whoami", bearer(r.json()["secret"]), srv=self.srv).json()
        self.assertEqual(me["username"], "boss@example.com")
        # Anonymous without headers: 401.
        self.assertEqual(self.who().status_code, 401)


class BackoffTest(unittest.TestCase):
    def test_failed_checks_back_off_per_address(self):
        srv = start(["--auth", "on", "--auth-failure-limit", "2"],
                    env={"SEXTANT_ADMIN_BOOTSTRAP": "%s:%s" % (ADMIN, ADMIN_PASSWORD)})
        try:
            for _ in range(3):
                r = call("GET", SEXTANT + "/whoami", basic(ADMIN, "wrong-password-1"), srv=srv)
                self.assertEqual(r.status_code, 401)
            r = call("GET", SEXTANT + "/whoami", basic(ADMIN, ADMIN_PASSWORD), srv=srv)
            self.assertEqual(r.status_code, 429, r.text)
            self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
            # Without credentials the answer stays a plain 401; /health stays open.
            self.assertEqual(call("GET", SEXTANT + "/whoami", srv=srv).status_code, 401)
            self.assertEqual(call("GET", "/health", srv=srv).status_code, 200)
            time.sleep(1.2)
            r = call("GET", SEXTANT + "/whoami", basic(ADMIN, ADMIN_PASSWORD), srv=srv)
            self.assertEqual(r.status_code, 200, r.text)
        finally:
            srv.stop()
            srv.cleanup()

    def test_back_off_per_client_behind_a_load_balancer(self):
        """With --real-ip-from (here: loopback is the load balancer), the client named in
        X-Forwarded-For is the back-off key, so one client's failures do not lock out the others;
        without it the header is ignored and cannot be used to escape the back-off."""
        env = {"SEXTANT_ADMIN_BOOTSTRAP": "%s:%s" % (ADMIN, ADMIN_PASSWORD)}
        srv = start(["--auth", "on", "--auth-failure-limit", "2", "--real-ip-from", "127.0.0.0/8",
                     "--audit-log", os.path.join(WORKDIR, "lb-audit.log")], env=env)
        plain = start(["--auth", "on", "--auth-failure-limit", "2"], env=env)
        try:
            def whoami(server, password, client):
                return call("GET", SEXTANT + "/whoami", dict(basic(ADMIN, password), **{"X-Forwarded-For": client}),
                            srv=server)
            for _ in range(3):
                self.assertEqual(whoami(srv, "wrong-password-1", "198.51.100.7").status_code, 401)
            self.assertEqual(whoami(srv, ADMIN_PASSWORD, "198.51.100.7").status_code, 429)
            # Forged entries left of the balancer's own do not change who the client is.
            self.assertEqual(whoami(srv, ADMIN_PASSWORD, "203.0.113.1, 198.51.100.7").status_code, 429)
            # Another client behind the same balancer is not locked out.
            self.assertEqual(whoami(srv, ADMIN_PASSWORD, "198.51.100.8").status_code, 200)
            with open(os.path.join(WORKDIR, "lb-audit.log")) as f:
                failures = [json.loads(line) for line in f if '"auth_failure"' in line]
            self.assertEqual({e["remote"] for e in failures}, {"198.51.100.7"})

            for _ in range(3):
                self.assertEqual(whoami(plain, "wrong-password-1", "198.51.100.7").status_code, 401)
            self.assertEqual(whoami(plain, ADMIN_PASSWORD, "198.51.100.9").status_code, 429)
        finally:
            for server in (srv, plain):
                server.stop()
                server.cleanup()


class SessionsTableUpgradeTest(unittest.TestCase):
    def test_old_sessions_table_with_plain_refresh_tokens_is_replaced(self):
        """Earlier builds kept the provider's refresh token in plain text (no id_token column):
        such a table is dropped at start, so no plain token survives an upgrade."""
        srv = start(["--auth", "on"], env={"SEXTANT_ADMIN_BOOTSTRAP": "%s:%s" % (ADMIN, ADMIN_PASSWORD)})
        try:
            srv.stop()
            with srv.db() as db:
                db.execute("DROP TABLE sextant_sessions")
                db.execute("CREATE TABLE sextant_sessions (session_hash CHAR(64) NOT NULL, username VARCHAR(256) NOT "
                           "NULL, created_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL, expires_ms BIGINT NOT NULL, "
                           "idle_expires_ms BIGINT NOT NULL, refresh_token TEXT, issuer VARCHAR(1000), email "
                           "VARCHAR(320), email_verified INTEGER NOT NULL DEFAULT 0, groups TEXT, revoked_ms BIGINT, "
                           "PRIMARY KEY (session_hash))")
                db.execute("INSERT INTO sextant_sessions VALUES (?, ?, 0, 0, 9999999999999, 9999999999999, "
                           "'plain-refresh-token', 'https://idp.example', 'a@example.test', 1, '[]', NULL)",
                           ("a" * 64, ADMIN))
            srv.start()
            with srv.db() as db:  # the new table has the column, and no row
                self.assertEqual(db.execute("SELECT COUNT(*), MAX(id_token) FROM sextant_sessions").fetchone()[0], 0)
            r = call("POST", SEXTANT + "/login", {"Origin": srv.base_url}, srv=srv,
                     json={"username": ADMIN, "password": ADMIN_PASSWORD})
            self.assertEqual(r.status_code, 200, r.text)
        finally:
            srv.stop()
            srv.cleanup()


if __name__ == "__main__":
    unittest.main()
