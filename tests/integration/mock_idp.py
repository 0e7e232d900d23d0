"""An oauth2-mock-server process (tests/oidc/jwt_mock_idp.mjs, npm packages pinned in tests/oidc)
for the auth integration tests; claims come from the token/authorize requests."""

import os
import subprocess
import tempfile
import time

import requests

import harness

OIDC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oidc")
IDP_SCRIPT = os.path.join(OIDC_DIR, "jwt_mock_idp.mjs")


def require_node_modules():
    if not os.path.isdir(os.path.join(OIDC_DIR, "node_modules", "oauth2-mock-server")):
        raise RuntimeError("tests/oidc/node_modules is missing: run `make test-deps` (.ci/run does)")


class MockIdp:
    """Starts the provider on a free loopback port; waits for its discovery document."""

    def __init__(self, algs="RS256"):
        self.port = harness.free_port()
        self.issuer = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.NamedTemporaryFile(prefix="idp-", suffix=".log", delete=False)
        env = dict(os.environ, PORT=str(self.port), ALGS=algs)
        self.proc = subprocess.Popen(["node", IDP_SCRIPT], cwd=OIDC_DIR, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                if requests.get(self.issuer + "/.well-known/openid-configuration", timeout=1).ok:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        with open(self.log.name) as f:
            output = f.read()
        self.stop()
        raise RuntimeError("oauth2-mock-server did not start:\n" + output)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        os.unlink(self.log.name)
