"""A Node.js OIDC provider process from tests/oidc (npm packages pinned there), started on a free
loopback port; ready once its discovery document answers. Base of mock_idp.MockIdp
(oauth2-mock-server) and strict_op.StrictOp (panva/oidc-provider)."""

import os
import subprocess
import tempfile
import time

import requests

import harness

OIDC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "oidc")


def require_node_package(package):
    if not os.path.isdir(os.path.join(OIDC_DIR, "node_modules", package)):
        raise RuntimeError("tests/oidc/node_modules is missing: run `make test-deps` (.ci/run does)")


class NodeProvider:
    def __init__(self, script, env, name):
        self.port = harness.free_port()
        self.issuer = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.NamedTemporaryFile(prefix="idp-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(["node", os.path.join(OIDC_DIR, script)], cwd=OIDC_DIR,
                                     env=dict(os.environ, PORT=str(self.port), **env), stdout=self.log,
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
        raise RuntimeError(name + " did not start:\n" + output)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if os.path.exists(self.log.name):
            os.unlink(self.log.name)
