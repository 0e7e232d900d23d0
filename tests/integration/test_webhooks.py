"""Registry webhooks (issue #14): the REST API with MLflow's messages, every registry event
delivered to a real receiver process on loopback (webhook_receiver.py) with MLflow's payload,
headers and HMAC signature, retries, a dead and a slow receiver, the SSRF refusals without
--webhook-allow-private-addresses, and secrets encrypted at rest (Fernet, as MLflow stores them).
"""

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import time
import unittest
import uuid

import requests

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
RECEIVER = {}  # proc, port
SRV = None
WEBHOOKS = harness.API + "/webhooks"


def start_server(allow_private=True, key=KEY, workdir=None):
    env = {"MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https", "MLFLOW_WEBHOOK_REQUEST_TIMEOUT": "5",
           "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": key or ""}
    args = ["--webhook-allow-private-addresses"] if allow_private else []
    return harness.SextantServer(workdir=workdir, extra_args=args, env=env).start()


def finish(srv):
    """Stops `srv`; fails on a crash, an unclean exit or a sanitizer report."""
    crashed = srv.proc.poll() is not None
    rc = srv.stop()
    stderr = srv.stderr_text()
    if crashed or rc != 0 or "Sanitizer" in stderr or "runtime error:" in stderr:
        raise AssertionError("sextant ended badly (code %s)\n%s" % (rc, stderr))


def setUpModule():  # noqa: N802
    global SRV
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "webhook_receiver.py")], stdout=subprocess.PIPE)
    RECEIVER.update(proc=proc, port=int(proc.stdout.readline()))
    SRV = start_server()


def tearDownModule():  # noqa: N802
    try:
        finish(SRV)
    finally:
        SRV.cleanup()
        RECEIVER["proc"].kill()
        RECEIVER["proc"].wait()


def hook_url(path):
    return "http://127.0.0.1:%d%s" % (RECEIVER["port"], path)


def received(prefix):
    r = requests.get("http://127.0.0.1:%d/log" % RECEIVER["port"], params={"prefix": prefix}, timeout=10)
    return r.json()


def wait_received(prefix, count, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        rows = received(prefix)
        if len(rows) >= count:
            return rows
        time.sleep(0.05)
    raise AssertionError("%s: %d deliveries after %ss, wanted %d" % (prefix, len(received(prefix)), timeout, count))


def event(entity, action):
    return {"entity": entity, "action": action}


MODEL_EVENTS = [event("REGISTERED_MODEL", "CREATED"), event("MODEL_VERSION", "CREATED"),
                event("MODEL_VERSION_TAG", "SET"), event("MODEL_VERSION_TAG", "DELETED"),
                event("MODEL_VERSION_ALIAS", "CREATED"), event("MODEL_VERSION_ALIAS", "DELETED")]
PROMPT_EVENTS = [event("PROMPT", "CREATED"), event("PROMPT_VERSION", "CREATED"), event("PROMPT_TAG", "SET"),
                 event("PROMPT_TAG", "DELETED"), event("PROMPT_VERSION_TAG", "SET"),
                 event("PROMPT_VERSION_TAG", "DELETED"), event("PROMPT_ALIAS", "CREATED"),
                 event("PROMPT_ALIAS", "DELETED")]


def create(srv=None, **fields):
    body = {"name": "hook-" + uuid.uuid4().hex[:8], "url": hook_url("/ok/" + uuid.uuid4().hex),
            "events": [event("REGISTERED_MODEL", "CREATED")]}
    body.update(fields)
    return (srv or SRV).request("POST", WEBHOOKS, json=body)


def created(srv=None, **fields):
    r = create(srv, **fields)
    assert r.status_code == 200, r.text
    return r.json()["webhook"]


def call(method, path, srv=None, **kw):
    r = (srv or SRV).request(method, harness.API + "/" + path, **kw)
    assert r.status_code == 200, (path, r.status_code, r.text)
    return r.json()


def new_run():
    return call("POST", "runs/create", json={"experiment_id": "0"})["run"]["info"]["run_id"]


def tag_and_alias_version_1(name, alias):
    """Sets and deletes a tag of version 1, then an alias to it: four events."""
    call("POST", "model-versions/set-tag", json={"name": name, "version": "1", "key": "a", "value": "b"})
    call("DELETE", "model-versions/delete-tag", json={"name": name, "version": "1", "key": "a"})
    call("POST", "registered-models/alias", json={"name": name, "alias": alias, "version": "1"})
    call("DELETE", "registered-models/alias", json={"name": name, "alias": alias})


def settled(path, count):
    """The deliveries to `path` once `count` arrived and a moment passed for any extra one."""
    wait_received(path, count)
    time.sleep(0.3)
    return received(path)


def error(r):
    return r.status_code, r.json().get("error_code"), r.json().get("message")


def verify_signature(secret, row):
    h = row["headers"]
    mac = hmac.new(secret.encode(), ("%s.%s.%s" % (h["x-mlflow-delivery-id"], h["x-mlflow-timestamp"],
                                                   row["body"])).encode(), hashlib.sha256).digest()
    return hmac.compare_digest(h.get("x-mlflow-signature", ""), "v1," + base64.b64encode(mac).decode())


class WebhookApi(unittest.TestCase):
    def test_create_get_update_delete_with_mlflows_shapes(self):
        w = created(url="https://example.com/hook", description="d", secret="s3cret",
                    events=[event("MODEL_VERSION_ALIAS", "CREATED"), event("MODEL_VERSION", "CREATED")])
        self.assertEqual(len(w["webhook_id"]), 36)
        self.assertEqual(w["status"], "ACTIVE")
        self.assertEqual(w["events"], [event("MODEL_VERSION", "CREATED"), event("MODEL_VERSION_ALIAS", "CREATED")])
        self.assertNotIn("secret", json.dumps(w))
        self.assertNotIn("s3cret", json.dumps(w))
        got = call("GET", "webhooks/" + w["webhook_id"])["webhook"]
        self.assertEqual(got, w)
        ajax = SRV.request("GET", harness.AJAX + "/webhooks/" + w["webhook_id"]).json()["webhook"]
        self.assertEqual(ajax, w)
        up = call("PATCH", "webhooks/" + w["webhook_id"], json={"name": "renamed", "status": "DISABLED",
                                                                "events": [event("PROMPT_ALIAS", "DELETED")]})["webhook"]
        self.assertEqual((up["name"], up["status"], up["url"], up["description"]),
                         ("renamed", "DISABLED", "https://example.com/hook", "d"))
        self.assertEqual(up["events"], [event("PROMPT_ALIAS", "DELETED")])
        self.assertGreater(up["last_updated_timestamp"], w["last_updated_timestamp"])
        self.assertEqual(call("DELETE", "webhooks/" + w["webhook_id"]), {})
        for method in ("GET", "PATCH", "DELETE"):
            r = SRV.request(method, WEBHOOKS + "/" + w["webhook_id"], json={"name": "x"} if method == "PATCH" else None)
            self.assertEqual(error(r), (404, "RESOURCE_DOES_NOT_EXIST", "Webhook with ID %s not found." % w["webhook_id"]))

    def test_refusals_carry_mlflows_messages_and_change_nothing(self):
        cases = [
            ({"url": "   "}, "Webhook URL cannot be empty or just whitespace: '   '"),
            ({"url": "ftp://example.com"}, "Invalid webhook URL scheme: 'ftp'. Allowed schemes are: http, https."),
            ({"url": "http://[invalid"}, "Invalid webhook URL 'http://[invalid': ValueError('Invalid IPv6 URL')"),
            ({"name": "-bad"}, "Webhook name '-bad' is invalid. It must start and end with a letter or digit, be less "
                               "than 63 characters long, and contain only letters, digits, dots (.), underscores (_), "
                               "and hyphens (-)."),
            ({"events": []}, "Webhook events must be a non-empty list of WebhookEvent objects: []."),
            ({"events": [event("REGISTERED_MODEL", "SET")]},
             "Invalid action 'set' for entity 'registered_model'. Valid actions are: ['created']"),
            ({"events": [event("RUN", "CREATED")]}, None),
            ({"status": "PAUSED"}, None),
            ({"url": None}, "Missing value for required parameter 'url'. See the API docs for more information "
                            "about request parameters."),
        ]
        before = call("GET", "webhooks", params={"max_results": 1000}).get("webhooks", [])
        for fields, message in cases:
            r = create(**fields)
            self.assertEqual(r.status_code, 400, (fields, r.text))
            self.assertEqual(r.json()["error_code"], "INVALID_PARAMETER_VALUE")
            if message:
                self.assertEqual(r.json()["message"], message)
        w = created()
        for fields, _ in cases[:4]:
            r = SRV.request("PATCH", WEBHOOKS + "/" + w["webhook_id"], json=fields)
            self.assertEqual(r.status_code, 400, (fields, r.text))
        self.assertEqual(call("GET", "webhooks/" + w["webhook_id"])["webhook"], w)
        after = call("GET", "webhooks", params={"max_results": 1000}).get("webhooks", [])
        self.assertEqual(len(after), len(before) + 1)

    def test_list_pages_newest_first_without_overlap(self):
        for _ in range(5):
            created()
        seen, token = [], None
        while True:
            params = {"max_results": 2}
            if token:
                params["page_token"] = token
            page = call("GET", "webhooks", params=params)
            self.assertLessEqual(len(page.get("webhooks", [])), 2)
            seen += [w["webhook_id"] for w in page.get("webhooks", [])]
            token = page.get("next_page_token")
            if not token:
                break
        self.assertEqual(len(seen), len(set(seen)))
        everything = call("GET", "webhooks", params={"max_results": 1000})["webhooks"]
        self.assertEqual(seen, [w["webhook_id"] for w in everything])
        stamps = [w["creation_timestamp"] for w in everything]
        self.assertEqual(stamps, sorted(stamps, reverse=True))
        for bad in (-1, 1001):
            r = SRV.request("GET", WEBHOOKS, params={"max_results": bad})
            self.assertEqual(error(r)[:2], (400, "INVALID_PARAMETER_VALUE"))


class WebhookDelivery(unittest.TestCase):
    def test_model_events_reach_the_receiver_signed_with_mlflows_payloads(self):
        path = "/ok/" + uuid.uuid4().hex
        secret = "sig-" + uuid.uuid4().hex
        created(url=hook_url(path), secret=secret, events=MODEL_EVENTS)
        name = "model-" + uuid.uuid4().hex[:8]
        run_id = new_run()
        call("POST", "registered-models/create", json={"name": name, "tags": [{"key": "k", "value": "v"}]})
        call("POST", "registered-models/set-tag", json={"name": name, "key": "x", "value": "y"})  # no event
        call("POST", "model-versions/create", json={"name": name, "source": "runs:/%s/model" % run_id,
                                                    "run_id": run_id})
        tag_and_alias_version_1(name, "champion")
        rows = settled(path, 6)
        self.assertEqual(len(rows), 6)
        bodies = {}
        for row in rows:
            self.assertTrue(verify_signature(secret, row), row)
            self.assertEqual(row["headers"]["content-type"], "application/json")
            self.assertLess(abs(int(row["headers"]["x-mlflow-timestamp"]) - time.time()), 120)
            body = json.loads(row["body"])
            self.assertEqual(list(body), ["entity", "action", "timestamp", "data"])
            self.assertTrue(body["timestamp"].endswith("+00:00"))
            self.assertIn('"entity": "', row["body"])  # json.dumps separators
            bodies[(body["entity"], body["action"])] = body["data"]
        self.assertEqual(len({r["headers"]["x-mlflow-delivery-id"] for r in rows}), 6)
        self.assertEqual(bodies, {
            ("registered_model", "created"): {"name": name, "tags": {"k": "v"}, "description": ""},
            ("model_version", "created"): {"name": name, "version": "1", "source": "runs:/%s/model" % run_id,
                                           "run_id": run_id, "tags": {}, "description": None},
            ("model_version_tag", "set"): {"name": name, "version": "1", "key": "a", "value": "b"},
            ("model_version_tag", "deleted"): {"name": name, "version": "1", "key": "a"},
            ("model_version_alias", "created"): {"name": name, "alias": "champion", "version": "1"},
            ("model_version_alias", "deleted"): {"name": name, "alias": "champion"},
        })

    def test_prompt_events_and_only_active_subscribed_webhooks(self):
        path = "/ok/" + uuid.uuid4().hex
        created(url=hook_url(path), events=PROMPT_EVENTS)
        quiet = "/ok/" + uuid.uuid4().hex
        created(url=hook_url(quiet), events=PROMPT_EVENTS, status="DISABLED")
        gone = created(url=hook_url(quiet), events=PROMPT_EVENTS)
        call("DELETE", "webhooks/" + gone["webhook_id"])
        models_only = created(url=hook_url(quiet), events=MODEL_EVENTS)
        self.assertTrue(models_only)
        name = "prompt-" + uuid.uuid4().hex[:8]
        prompt_tag = {"key": "mlflow.prompt.is_prompt", "value": "true"}
        call("POST", "registered-models/create", json={"name": name, "tags": [
            prompt_tag, {"key": "_mlflow_prompt_type", "value": "text"}, {"key": "team", "value": "a"}]})
        run_id = new_run()
        call("POST", "model-versions/create", json={"name": name, "source": "runs:/%s/p" % run_id, "run_id": run_id,
                                                    "description": "first",
                                                    "tags": [prompt_tag, {"key": "mlflow.prompt.text",
                                                                          "value": "Hi {{x}}"}]})
        call("POST", "registered-models/set-tag", json={"name": name, "key": "t", "value": "1"})
        call("DELETE", "registered-models/delete-tag", json={"name": name, "key": "t"})
        tag_and_alias_version_1(name, "prod")
        rows = settled(path, 8)
        data = {}
        for row in rows:
            body = json.loads(row["body"])
            data[(body["entity"], body["action"])] = body["data"]
            self.assertNotIn("x-mlflow-signature", row["headers"])
        self.assertEqual(len(rows), 8)
        self.assertEqual(data[("prompt", "created")], {"name": name, "tags": {"team": "a"}, "description": ""})
        self.assertEqual(data[("prompt_version", "created")], {"name": name, "version": "1", "template": "Hi {{x}}",
                                                               "tags": {}, "description": "first"})
        self.assertEqual(data[("prompt_tag", "set")], {"name": name, "key": "t", "value": "1"})
        self.assertEqual(data[("prompt_version_tag", "deleted")], {"name": name, "version": "1", "key": "a"})
        self.assertEqual(data[("prompt_alias", "created")], {"name": name, "alias": "prod", "version": "1"})
        self.assertEqual(len(data), 8)
        self.assertEqual(received(quiet), [])

    def test_retries_keep_the_delivery_and_stop_on_client_errors(self):
        uid = uuid.uuid4().hex
        paths = {"/fail/2/503/ra/" + uid: 3, "/fail/1/500/" + uid: 2, "/status/400/" + uid: 1,
                 "/fail/9/429/ra/" + uid: 4}
        for p in paths:
            created(url=hook_url(p), secret="s", events=[event("REGISTERED_MODEL", "CREATED")])
        call("POST", "registered-models/create", json={"name": "retry-" + uid[:8]})
        for p, count in paths.items():
            rows = wait_received(p, count)
            self.assertEqual(len({(r["headers"]["x-mlflow-delivery-id"], r["headers"]["x-mlflow-signature"],
                                   r["body"]) for r in rows}), 1, p)
        time.sleep(0.5)
        for p, count in paths.items():  # 429 x 9: 1 attempt + MLflow's 3 retries, then given up
            self.assertEqual(len(received(p)), count, p)

    def test_a_huge_retry_after_waits_the_longest_back_off(self):
        # A receiver's Retry-After of LONG_MAX seconds: the back-off is the cap (60 s), computed
        # without overflow (seconds * 1000 overflowed: a crash under the sanitizers, an immediate
        # retry otherwise).
        p = "/fail/9/503/rahuge/" + uuid.uuid4().hex
        created(url=hook_url(p), events=[event("REGISTERED_MODEL", "CREATED")])
        call("POST", "registered-models/create", json={"name": "huge-" + uuid.uuid4().hex[:8]})
        wait_received(p, 1)
        time.sleep(1.5)
        self.assertEqual(len(received(p)), 1)
        self.assertEqual(requests.get(SRV.url("/health"), timeout=5).status_code, 200)

    def test_dead_and_slow_receivers_never_hold_up_requests(self):
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            dead = "http://127.0.0.1:%d/dead" % s.getsockname()[1]
        slow = "/slow/" + uuid.uuid4().hex
        ok = "/ok/" + uuid.uuid4().hex
        for url in (dead, hook_url(slow)):
            created(url=url, events=[event("REGISTERED_MODEL", "CREATED")])
        created(url=hook_url(ok), events=[event("REGISTERED_MODEL", "CREATED")])
        started = time.time()
        for i in range(40):
            t0 = time.time()
            call("POST", "registered-models/create", json={"name": "busy-%s-%d" % (uuid.uuid4().hex[:6], i)})
            self.assertLess(time.time() - t0, 2.0)  # liveness bound: never waits for a receiver (3 s)
        self.assertLess(time.time() - started, 30)
        # The live receiver is served while the others hang or refuse: the slow one alone needs
        # 40 x 3 s of its own on at most a quarter of the workers, not everyone's (sharing all ten
        # workers first come first served, the last live delivery would come after ~12 s).
        wait_received(ok, 40, timeout=8)
        self.assertEqual(requests.get(SRV.url("/health"), timeout=5).status_code, 200)

    def test_test_endpoint_sends_the_example_payload(self):
        path = "/ok/" + uuid.uuid4().hex
        w = created(url=hook_url(path), secret="t", events=[event("MODEL_VERSION_TAG", "SET")])
        r = call("POST", "webhooks/%s/test" % w["webhook_id"], json={})
        self.assertEqual(r, {"result": {"success": True, "response_status": 200, "response_body": "received"}})
        r = call("POST", "webhooks/%s/test" % w["webhook_id"], json={"event": event("PROMPT_ALIAS", "CREATED")})
        self.assertTrue(r["result"]["success"])
        rows = wait_received(path, 2)
        self.assertEqual(json.loads(rows[0]["body"])["data"], {"name": "example_model", "version": "1",
                                                                "key": "example_key", "value": "example_value"})
        self.assertEqual(json.loads(rows[1]["body"])["data"], {"name": "example_prompt", "alias": "example_alias",
                                                                "version": "1"})
        self.assertTrue(all(verify_signature("t", row) for row in rows))
        w404 = created(url=hook_url("/status/404/" + uuid.uuid4().hex))
        r = call("POST", "webhooks/%s/test" % w404["webhook_id"], json={})
        self.assertEqual(r["result"], {"success": False, "response_status": 404, "response_body": "status 404"})
        r = SRV.request("POST", WEBHOOKS + "/nope/test", json={})
        self.assertEqual(error(r)[:2], (404, "RESOURCE_DOES_NOT_EXIST"))


def insert_webhook(srv, url, secret_token=None, events=(("registered_model", "created"),)):
    """A webhook row written straight into the database (as MLflow itself, or a pre-flag server, would)."""
    webhook_id = str(uuid.uuid4())
    conn = srv.db()
    try:
        conn.execute("INSERT INTO webhooks (webhook_id, name, url, status, secret, creation_timestamp, "
                     "last_updated_timestamp) VALUES (?, ?, ?, 'ACTIVE', ?, ?, ?)",
                     (webhook_id, "raw-" + webhook_id[:8], url, secret_token, harness.now_ms(), harness.now_ms()))
        for entity, action in events:
            conn.execute("INSERT INTO webhook_events (webhook_id, entity, action) VALUES (?, ?, ?)",
                         (webhook_id, entity, action))
        getattr(conn, "commit", lambda: None)()
    finally:
        conn.close()
    return webhook_id


class WebhookSsrf(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = start_server(allow_private=False)

    @classmethod
    def tearDownClass(cls):
        try:
            finish(cls.srv)
        finally:
            cls.srv.cleanup()

    def test_non_public_targets_are_refused_without_the_flag(self):
        before = call("GET", "webhooks", srv=self.srv).get("webhooks", [])
        for url in ("http://127.0.0.1:%d/x" % RECEIVER["port"], "http://localhost/x", "http://[::1]/x",
                    "http://169.254.169.254/latest/meta-data", "http://10.0.0.1/", "http://192.168.1.1/",
                    "http://[fd00::1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0x7f.1/",
                    "http://0.0.0.0/", "https://user:pw@127.0.0.1:443/"):
            r = create(self.srv, url=url)
            self.assertEqual(r.status_code, 400, (url, r.text))
            self.assertIn("non-public address", r.json()["message"], url)
            self.assertNotIn("127.0.0.1 ", r.json()["message"].replace("'127.0.0.1'", ""), url)
        self.assertEqual(call("GET", "webhooks", srv=self.srv).get("webhooks", []), before)

    def test_a_stored_loopback_webhook_is_never_delivered(self):
        path = "/ok/" + uuid.uuid4().hex
        webhook_id = insert_webhook(self.srv, hook_url(path))
        r = call("POST", "webhooks/%s/test" % webhook_id, srv=self.srv, json={})
        self.assertFalse(r["result"]["success"])
        self.assertIn("'127.0.0.1' is or resolves to a non-public address", r["result"]["error_message"])
        call("POST", "registered-models/create", srv=self.srv, json={"name": "ssrf-" + uuid.uuid4().hex[:8]})
        time.sleep(1.0)
        self.assertEqual(received(path), [])


class WebhookSecrets(unittest.TestCase):
    def test_secret_is_stored_as_a_fernet_token_under_the_key(self):
        w = created(secret="plain-secret-value")
        conn = SRV.db()
        try:
            stored = conn.execute("SELECT secret FROM webhooks WHERE webhook_id = ?", (w["webhook_id"],)).fetchone()[0]
        finally:
            conn.close()
        self.assertNotIn("plain-secret-value", stored)
        self.assertTrue(stored.startswith("gAAAAA"), stored)
        try:
            from cryptography.fernet import Fernet
        except ImportError:
            return
        self.assertEqual(Fernet(KEY.encode()).decrypt(stored.encode()), b"plain-secret-value")

    def test_a_secret_mlflow_stored_signs_our_deliveries(self):
        try:
            from cryptography.fernet import Fernet
        except ImportError:
            self.skipTest("python3-cryptography not installed")
        path = "/ok/" + uuid.uuid4().hex
        token = Fernet(KEY.encode()).encrypt(b"from-mlflow").decode()
        webhook_id = insert_webhook(SRV, hook_url(path), token)
        self.assertTrue(call("POST", "webhooks/%s/test" % webhook_id, json={})["result"]["success"])
        self.assertTrue(verify_signature("from-mlflow", wait_received(path, 1)[0]))

    def test_other_key_no_key_and_a_bad_key(self):
        srv = start_server()
        try:
            self.check_keys(srv)
        finally:
            srv.cleanup()

    def check_keys(self, srv):
        path = "/ok/" + uuid.uuid4().hex
        w = created(srv, url=hook_url(path), secret="k1-secret")
        finish(srv)
        other = start_server(key=base64.urlsafe_b64encode(os.urandom(32)).decode(), workdir=srv.workdir)
        try:
            self.assertEqual(call("GET", "webhooks/" + w["webhook_id"], srv=other)["webhook"]["name"], w["name"])
            r = call("POST", "webhooks/%s/test" % w["webhook_id"], srv=other, json={})
            self.assertFalse(r["result"]["success"])
            self.assertIn("MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY", r["result"]["error_message"])
            self.assertEqual(received(path), [])  # never sent unsigned
        finally:
            finish(other)
        keyless = start_server(key=None, workdir=srv.workdir)
        try:
            r = create(keyless, secret="x")
            self.assertEqual(error(r)[:2], (400, "INVALID_PARAMETER_VALUE"))
            self.assertIn("MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY", r.json()["message"])
            self.assertEqual(create(keyless).status_code, 200)
        finally:
            finish(keyless)
        bad = harness.SextantServer(workdir=srv.workdir, env={"MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY": "not-a-key"})
        with self.assertRaises(harness.ServerStartError):
            bad.start(timeout=10, attempts=1)
        self.assertIn("Fernet key must be 32 url-safe base64-encoded bytes", bad.stderr_text())


if __name__ == "__main__":
    unittest.main()
