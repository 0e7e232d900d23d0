"""The web UI's files as the binary serves them (src/api/ui_api.cpp), against a small UI folder
made here (--ui-dir), so this test does not depend on the npm build: content types, caching
(hashed assets immutable, pages no-cache), nosniff, a CSP without inline script, precompressed
gzip, --static-prefix, the asset-name rule, and with authentication on the exact public
allowlist (the login page's own two files) and the login page at /auth/login. Also what
artifact downloads send, so that an uploaded .html/.svg cannot run script on our origin."""

import os
import shutil
import tempfile
import gzip
import unittest

import requests

import harness

HASHED = "index-AbCd12_-.js"
PAGE = '<!doctype html><script type="module" src="./static-files/%s"></script><link rel="stylesheet" href="./static-files/index-ZZZZzzzz.css">' % HASHED
LOGIN = '<!doctype html><script type="module" src="./static-files/login.js"></script><link rel="stylesheet" href="./static-files/login.css"><form id=login-form></form>'
ADMIN, PASSWORD = "root", "bootstrap-password-123"


def make_ui(root):
    os.makedirs(os.path.join(root, "static-files"))
    files = {"index.html": PAGE, "login.html": LOGIN, "static-files/" + HASHED: "console.log('app')",
             "static-files/index-ZZZZzzzz.css": "body{}", "static-files/login.js": "console.log('login')",
             "static-files/login.css": "form{}", "static-files/.hidden": "secret"}
    for name, text in files.items():
        with open(os.path.join(root, name), "w") as f:
            f.write(text)
    with gzip.open(os.path.join(root, "static-files", HASHED + ".gz"), "wt") as f:
        f.write("console.log('app')")
    with open(os.path.join(root, "secret.txt"), "w") as f:
        f.write("not an asset")


def get(srv, path, **headers):
    return requests.get(srv.url(path), headers=headers, timeout=30, allow_redirects=False)


class UiStaticTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="sextant-ui-")
        cls.ui = os.path.join(cls.dir, "ui")
        make_ui(cls.ui)
        boot = os.path.join(cls.dir, "admin")
        with open(boot, "w") as f:
            f.write("%s:%s\n" % (ADMIN, PASSWORD))
        cls.open = harness.SextantServer(extra_args=["--ui-dir", cls.ui]).start()
        cls.prefixed = harness.SextantServer(extra_args=["--ui-dir", cls.ui, "--static-prefix", "/mlflow"]).start()
        cls.auth = harness.SextantServer(extra_args=["--ui-dir", cls.ui, "--auth", "on", "--admin-bootstrap-file", boot]).start()
        cls.none = harness.SextantServer(extra_args=["--ui-dir", os.path.join(cls.dir, "missing")]).start()

    @classmethod
    def tearDownClass(cls):
        for s in (cls.open, cls.prefixed, cls.auth, cls.none):
            s.stop()
            s.cleanup()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def assertPage(self, r):
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(r.headers["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(r.headers["Cache-Control"], "no-cache")
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        csp = r.headers["Content-Security-Policy"]
        self.assertIn("script-src 'self'", csp)
        self.assertNotIn("unsafe-inline", csp)
        self.assertNotIn("unsafe-eval", csp)
        self.assertIn("object-src 'none'", csp)
        self.assertIn("base-uri 'none'", csp)

    def test_index_and_assets(self):
        r = get(self.open, "/")
        self.assertPage(r)
        self.assertIn('src="/static-files/%s"' % HASHED, r.text)
        r = get(self.open, "/static-files/" + HASHED)
        self.assertEqual(r.status_code, 200)
        self.assertEqual(r.headers["Content-Type"], "text/javascript; charset=utf-8")
        self.assertEqual(r.headers["Cache-Control"], "public, max-age=31536000, immutable")
        self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(r.headers["Vary"], "Accept-Encoding")
        self.assertEqual(r.text, "console.log('app')")  # requests sends Accept-Encoding: gzip and decodes
        self.assertEqual(r.headers.get("Content-Encoding"), "gzip")
        raw = requests.get(self.open.url("/static-files/" + HASHED), headers={"Accept-Encoding": "identity"}, timeout=30)
        self.assertNotIn("Content-Encoding", raw.headers)
        self.assertEqual(raw.text, "console.log('app')")
        css = get(self.open, "/static-files/index-ZZZZzzzz.css")
        self.assertEqual(css.headers["Content-Type"], "text/css; charset=utf-8")
        # Fixed names (the login page's files) are revalidated, not cached for ever.
        self.assertEqual(get(self.open, "/static-files/login.js").headers["Cache-Control"], "no-cache")
        head = requests.head(self.open.url("/static-files/" + HASHED), timeout=30)
        self.assertEqual(head.status_code, 200)

    def test_only_asset_names_are_served(self):
        for path in ("/static-files/.hidden", "/static-files/../secret.txt", "/static-files/%2e%2e/secret.txt",
                     "/static-files/sub/x.js", "/static-files/", "/static-files/missing-12345678.js",
                     "/static-files/..%2Fsecret.txt", "/index.html", "/secret.txt"):
            r = get(self.open, path)
            self.assertEqual(r.status_code, 404, path)
            self.assertNotIn("not an asset", r.text)
            self.assertNotIn("secret", r.text.replace("secret.txt", ""))

    def test_static_prefix(self):
        r = get(self.prefixed, "/mlflow/")
        self.assertPage(r)
        self.assertIn('src="/mlflow/static-files/%s"' % HASHED, r.text)
        self.assertEqual(get(self.prefixed, "/mlflow/static-files/" + HASHED).status_code, 200)
        r = get(self.prefixed, "/mlflow")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/mlflow/")
        # The root leads to the UI too: the official client prints <root>/#/experiments/1/runs/<id>.
        r = get(self.prefixed, "/")
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/mlflow/")
        self.assertEqual(get(self.prefixed, "/static-files/" + HASHED).status_code, 404)
        info = requests.get(self.prefixed.url("/mlflow/ajax-api/2.0/mlflow/server-info"), timeout=30).json()
        self.assertFalse(info["auth"])

    def test_ui_not_installed(self):
        r = get(self.none, "/")
        self.assertEqual(r.status_code, 404)
        self.assertIn("not installed", r.text)
        self.assertEqual(get(self.none, "/static-files/login.js").status_code, 404)

    def test_auth_public_allowlist(self):
        html = {"Accept": "text/html"}
        # The app and its assets need a session: browsers are sent to the login page.
        r = get(self.auth, "/", **html)
        self.assertEqual(r.status_code, 302)
        self.assertEqual(r.headers["Location"], "/auth/login?rd=/")
        self.assertEqual(get(self.auth, "/static-files/" + HASHED).status_code, 401)
        self.assertEqual(get(self.auth, "/static-files/index-ZZZZzzzz.css", **html).status_code, 302)
        # The login page (no OIDC provider configured) and exactly its two files are public.
        r = get(self.auth, "/auth/login?rd=/", **html)
        self.assertPage(r)
        self.assertIn("login-form", r.text)
        for name in ("login.js", "login.css"):
            self.assertEqual(get(self.auth, "/static-files/" + name).status_code, 200, name)
        self.assertEqual(get(self.auth, "/auth/login?rd=//evil.example/").status_code, 400)
        # With a session cookie from the password login, the app loads.
        s = requests.Session()
        r = s.post(self.auth.url("/api/2.0/sextant/login"), json={"username": ADMIN, "password": PASSWORD}, timeout=30,
                   headers={"Origin": self.auth.base_url})
        self.assertEqual(r.status_code, 200, r.text)
        cookie = r.headers["Set-Cookie"].split(";")[0]
        r = get(self.auth, "/", Cookie=cookie)
        self.assertPage(r)
        self.assertEqual(get(self.auth, "/static-files/" + HASHED, Cookie=cookie).status_code, 200)
        info = requests.get(self.auth.url("/ajax-api/2.0/mlflow/server-info"), headers={"Cookie": cookie}, timeout=30).json()
        self.assertTrue(info["auth"])

    def test_artifact_downloads_cannot_script_our_origin(self):
        srv = self.open
        exp = requests.post(srv.url("/api/2.0/mlflow/experiments/create"), json={"name": harness.unique("ui")}, timeout=30).json()["experiment_id"]
        run = requests.post(srv.url("/api/2.0/mlflow/runs/create"), json={"experiment_id": exp}, timeout=30).json()["run"]["info"]
        rel = run["artifact_uri"].replace("mlflow-artifacts:/", "")
        bodies = {"evil.html": ("<script>alert(1)</script>", "text/html"),
                  "evil.svg": ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml")}
        for name, (body, ctype) in bodies.items():
            r = requests.put(srv.url("/api/2.0/mlflow-artifacts/artifacts/%s/%s" % (rel, name)), data=body, timeout=30)
            self.assertEqual(r.status_code, 200, r.text)
            for url in ("/get-artifact?run_id=%s&path=%s" % (run["run_id"], name),
                        "/api/2.0/mlflow-artifacts/artifacts/%s/%s" % (rel, name),
                        "/ajax-api/2.0/mlflow-artifacts/artifacts/%s/%s" % (rel, name)):
                r = get(srv, url)
                self.assertEqual(r.status_code, 200, url)
                self.assertEqual(r.headers["Content-Type"], ctype, url)
                self.assertTrue(r.headers["Content-Disposition"].startswith("attachment"), url)
                self.assertEqual(r.headers["X-Content-Type-Options"], "nosniff", url)
                csp = r.headers["Content-Security-Policy"]
                self.assertIn("sandbox", csp, url)
                self.assertIn("default-src 'none'", csp, url)


if __name__ == "__main__":
    unittest.main()
