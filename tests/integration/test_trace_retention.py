"""Trace retention: `sextant gc --older-than` beside a running server (docs/operations.md). Old
traces go with their spans, tags, metadata, assessments, run links and artifact directory; recent
ones and other experiments' stay; an mlflow.artifactLocation tag pointing anywhere but the trace's
own directory (outside the artifact root, at another trace's directory, with '..') is never
followed."""

import os
import subprocess
import tempfile
import time
import uuid

import harness
from harness import ARTIFACTS, SEXTANT_BIN, api_request, unique
from harness import setUpModule, tearDownModule  # noqa: F401

DAY_MS = 86400 * 1000


class TraceRetentionTest(harness.SextantTestCase):
    def gc(self, *args):
        srv = self.srv
        cmd = [SEXTANT_BIN, "gc", "--backend-store-uri", srv.backend_store_uri,
               "--artifacts-destination", srv.artifacts_dir] + list(args)
        env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env)

    def new_trace(self, exp, age_days, srv=None):
        """A trace as StartTraceV3 + OTLP ingest + an assessment + a run link leave it, written
        straight into MLflow's tables (the retention reads nothing else), and its artifacts
        uploaded through the proxy as a v2 client does."""
        srv = srv or self.srv
        trace_id = "tr-" + uuid.uuid4().hex
        ts = int(time.time() * 1000) - age_days * DAY_MS
        location = "mlflow-artifacts:/%s/traces/%s/artifacts" % (exp, trace_id)
        with srv.db() as db:
            db.execute("INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, execution_time_ms, status) "
                       "VALUES (?, ?, ?, ?, ?)", (trace_id, int(exp), ts, 5, "OK"))
            for key, value in (("mlflow.artifactLocation", location), ("team", "qa")):
                db.execute("INSERT INTO trace_tags (key, value, request_id) VALUES (?, ?, ?)", (key, value, trace_id))
            db.execute("INSERT INTO trace_request_metadata (key, value, request_id) VALUES (?, ?, ?)",
                       ("mlflow.trace_schema.version", "3", trace_id))
            db.execute("INSERT INTO spans (trace_id, experiment_id, span_id, name, status, start_time_unix_nano, "
                       "end_time_unix_nano, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (trace_id, int(exp), "00000000000000aa", "root", "OK", 1, 2, "{}"))
            db.execute("INSERT INTO assessments (assessment_id, trace_id, name, assessment_type, value, "
                       "created_timestamp, last_updated_timestamp, source_type, valid) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       ("a-" + uuid.uuid4().hex, trace_id, "q", "feedback", "1.0", ts, ts, "HUMAN", True))
            db.execute("INSERT INTO entity_associations (association_id, source_type, source_id, destination_type, "
                       "destination_id, created_time) VALUES (?, ?, ?, ?, ?, ?)",
                       (uuid.uuid4().hex, "trace", trace_id, "run", uuid.uuid4().hex, 1))
        self.assertOk(api_request("PUT", "%s/%s/traces/%s/artifacts/traces.json" % (ARTIFACTS, exp, trace_id),
                                  data=b'{"spans": []}', srv=srv))
        return trace_id

    def trace_exists(self, trace_id, srv=None):
        return bool(self.rows("trace_info", "request_id", [trace_id], srv))

    def artifact_dir(self, exp, trace_id):
        return os.path.join(self.srv.artifacts_dir, exp, "traces", trace_id)

    def set_artifact_tag(self, trace_id, value):
        with self.srv.db() as db:
            db.execute("UPDATE trace_tags SET value = ? WHERE request_id = ? AND key = ?",
                       (value, trace_id, "mlflow.artifactLocation"))

    def rows(self, table, column, ids, srv=None):
        with (srv or self.srv).db() as db:
            marks = ", ".join("?" for _ in ids)
            return db.execute("SELECT %s FROM %s WHERE %s IN (%s)" % (column, table, column, marks),
                              tuple(ids)).fetchall()

    def test_gc_deletes_old_traces_and_only_their_own_artifacts(self):
        exp = self.create_experiment(unique("ret"))
        other_exp = self.create_experiment(unique("ret-other"))
        old = [self.new_trace(exp, 40) for _ in range(5)]
        recent = [self.new_trace(exp, 1) for _ in range(2)]
        other_old = self.new_trace(other_exp, 40)

        # Two old traces whose tag a client rewrote: a file outside the artifact root, and a recent
        # trace's directory. Neither may be touched; the traces' rows still go.
        victim_dir = tempfile.mkdtemp(prefix="sextant-victim-")
        victim = os.path.join(victim_dir, "keep.txt")
        with open(victim, "w") as f:
            f.write("precious")
        self.set_artifact_tag(old[0], victim_dir)
        self.set_artifact_tag(old[1], "mlflow-artifacts:/%s/traces/%s/artifacts" % (exp, recent[0]))
        self.set_artifact_tag(old[2], "mlflow-artifacts:/%s/traces/%s/artifacts/../../%s/artifacts"
                              % (exp, old[2], recent[1]))
        for t in old + recent + [other_old]:
            self.assertTrue(os.path.isdir(self.artifact_dir(exp if t != other_old else other_exp, t)), t)

        bad = self.gc("--older-than", "30d", "--batch-size", "0")
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertEqual(self.gc("--experiment-ids", exp).returncode, 2)
        self.assertEqual(self.gc("--older-than", "30d", "--experiment-ids", "x1").returncode, 2)
        self.assertEqual(self.gc("--older-than", "soon").returncode, 2)

        # Batches of 2 while the server keeps running; only `exp`.
        r = self.gc("--older-than", "30d", "--batch-size", "2", "--experiment-ids", exp)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("experiment %s: 5 traces deleted" % exp, r.stdout)
        self.assertIn("5 traces deleted in 3 batches; 5 artifact directories removed, 3 artifact locations "
                      "left alone", r.stdout)
        for t in old[:3]:
            self.assertIn(t, r.stderr)

        for t in old:  # their own directories go, whatever their tags say
            self.assertFalse(os.path.exists(self.artifact_dir(exp, t)), t)
        for table, column in (("trace_info", "request_id"), ("trace_tags", "request_id"),
                              ("trace_request_metadata", "request_id"), ("spans", "trace_id"),
                              ("assessments", "trace_id"), ("entity_associations", "source_id")):
            self.assertEqual(self.rows(table, column, old), [], table)
        # What was not the old traces' own is untouched.
        with open(victim) as f:
            self.assertEqual(f.read(), "precious")
        for t in recent:
            for table, column in (("trace_info", "request_id"), ("spans", "trace_id"), ("assessments", "trace_id"),
                                  ("trace_request_metadata", "request_id"), ("entity_associations", "source_id")):
                self.assertEqual(len(self.rows(table, column, [t])), 1, table)
            self.assertEqual(len(self.rows("trace_tags", "request_id", [t])), 2)
            self.assertTrue(os.path.isfile(os.path.join(self.artifact_dir(exp, t), "artifacts", "traces.json")), t)
        self.assertTrue(self.trace_exists(other_old))
        self.assertTrue(os.path.isdir(self.artifact_dir(other_exp, other_old)))

        # All experiments now; a second pass finds nothing more.
        r = self.gc("--older-than", "30d")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("experiment %s: 1 traces deleted" % other_exp, r.stdout)
        self.assertFalse(os.path.exists(self.artifact_dir(other_exp, other_old)))
        r = self.gc("--older-than", "30d")
        self.assertIn("0 traces deleted", r.stdout)
        for t in recent:
            self.assertTrue(self.trace_exists(t))

    def test_server_flag_runs_the_same_pass(self):
        """--trace-retention: the server deletes expired traces by itself (a pass at start)."""
        srv = harness.SextantServer()
        try:
            srv.start()
            r = api_request("POST", harness.API + "/experiments/create", json={"name": unique("ret-flag")}, srv=srv)
            exp = self.assertOk(r)["experiment_id"]
            old, recent = self.new_trace(exp, 40, srv), self.new_trace(exp, 1, srv)
            srv.stop()
            srv.extra_args = ["--trace-retention", "30d"]
            srv.start()
            deadline = time.time() + 20
            while self.trace_exists(old, srv) and time.time() < deadline:
                time.sleep(0.2)
            self.assertFalse(self.trace_exists(old, srv))
            self.assertTrue(self.trace_exists(recent, srv))
            self.assertFalse(os.path.exists(os.path.join(srv.artifacts_dir, exp, "traces", old)))
            self.assertTrue(os.path.exists(os.path.join(srv.artifacts_dir, exp, "traces", recent)))
            self.assertIn("trace retention: 1 traces deleted", srv.stderr_text())
        finally:
            srv.stop()
            srv.cleanup()
