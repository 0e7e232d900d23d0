"""A panva/oidc-provider process (tests/oidc/strict_op.mjs, pinned in tests/oidc) and a scripted
user agent for its login pages: the strict, certified provider for the end-to-end login tests."""

import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import requests

import idp_process

CLIENT_ID = "mlflow-web"
CLIENT_SECRET = "web-secret"


def require_node_modules():
    idp_process.require_node_package("oidc-provider")


class StrictOp(idp_process.NodeProvider):
    """Starts the provider on a free loopback port with the given accounts, redirect URIs (one per
    Sextant server under test) and post-logout URIs; set_accounts() changes accounts live."""

    def __init__(self, accounts, redirect_uris, post_logout_uris):
        self.dir = tempfile.mkdtemp(prefix="strict-op-")
        self.accounts_file = os.path.join(self.dir, "accounts.json")
        self.set_accounts(accounts)
        super().__init__("strict_op.mjs", {"REDIRECT_URIS": " ".join(redirect_uris),
                                           "POST_LOGOUT_URIS": " ".join(post_logout_uris),
                                           "ACCOUNTS_FILE": self.accounts_file}, "oidc-provider")

    def set_accounts(self, accounts):
        tmp = self.accounts_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(accounts, f)
        os.replace(tmp, self.accounts_file)

    def stop(self):
        super().stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class UserAgent:
    """The provider's side of a browser: its own cookie jar, the dev login and consent forms."""

    def __init__(self, op):
        self.op = op
        self.http = requests.Session()

    def get(self, url):
        return self.http.get(url, allow_redirects=False, timeout=30)

    def sign_in(self, authorization_url, login, stop_prefix):
        """Follows the provider from `authorization_url` through login and consent until it
        redirects to a URL starting with `stop_prefix` (our callback), which it returns."""
        url = authorization_url
        for _ in range(12):
            if url.startswith(stop_prefix):
                return url
            r = self.get(url)
            if r.status_code in (302, 303):
                url = urljoin(url, r.headers["Location"])
                continue
            if r.status_code != 200:
                raise AssertionError("provider answered %d at %s: %s" % (r.status_code, url, r.text[:500]))
            prompt = re.search(r'name="prompt" value="(\w+)"', r.text)
            action = re.search(r'<form[^>]*action="([^"]+)"', r.text)
            if not prompt or not action:
                raise AssertionError("unexpected provider page at %s: %s" % (url, r.text[:500]))
            form = {"prompt": prompt.group(1)}
            if form["prompt"] == "login":
                form.update(login=login, password="any")
            r = self.http.post(urljoin(url, action.group(1)), data=form, allow_redirects=False, timeout=30)
            if r.status_code not in (302, 303):
                raise AssertionError("provider refused the %s form: %d %s" % (form["prompt"], r.status_code, r.text[:500]))
            url = urljoin(url, r.headers["Location"])
        raise AssertionError("too many provider redirects")

    def confirm_logout(self, end_session_url):
        """Opens the provider's end-session page and confirms; returns the final redirect target
        (the post_logout_redirect_uri when the provider accepted the request)."""
        r = self.get(end_session_url)
        if r.status_code != 200:
            raise AssertionError("end-session page: %d %s" % (r.status_code, r.text[:500]))
        action = re.search(r'<form[^>]*action="([^"]+)"', r.text)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', r.text)
        if not action or not xsrf:
            raise AssertionError("unexpected end-session page: " + r.text[:500])
        r = self.http.post(urljoin(end_session_url, action.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"},
                           allow_redirects=False, timeout=30)
        if r.status_code not in (302, 303):
            raise AssertionError("logout confirmation: %d %s" % (r.status_code, r.text[:500]))
        return urljoin(end_session_url, r.headers["Location"])


def program_access_token(op, redirect_uri, account, scope="openid email groups"):
    """What a program does to get a user's access token (an RS256 at+jwt with audience "mlflow"):
    the authorization code flow with PKCE as client mlflow-web, through `redirect_uri` (which
    must be registered; it is not visited), then the code at the token endpoint."""
    verifier = base64.urlsafe_b64encode(os.urandom(48)).rstrip(b"=").decode()
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    callback = UserAgent(op).sign_in(op.issuer + "/auth?" + urlencode({
        "client_id": CLIENT_ID, "response_type": "code", "scope": scope, "redirect_uri": redirect_uri,
        "state": "program-state-1", "nonce": "program-nonce-1", "code_challenge": challenge,
        "code_challenge_method": "S256"}), account, redirect_uri + "?")
    code = parse_qs(urlparse(callback).query)["code"][0]
    r = requests.post(op.issuer + "/token", auth=(CLIENT_ID, CLIENT_SECRET), timeout=30,
                      data={"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                            "redirect_uri": redirect_uri})
    if r.status_code != 200:
        raise AssertionError("token endpoint: %d %s" % (r.status_code, r.text[:500]))
    return r.json()["access_token"]
