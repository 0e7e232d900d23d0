"""Persistence and schema version: restart on the same DB, alembic_version, foreign DBs
(spec §0.1 #10, §5.1, §5.2, §5.6, §5.7, Appendix A)."""

import os
import shutil
import sqlite3
import tempfile
import time
import unittest

import harness
from harness import SextantServer, api_get, api_post, now_ms, unique, metrics_of, params_of, tags_of

HEAD = "bf29a5ff90ea"
FIXTURE_DDL = os.path.join(harness.HERE, "fixtures", "schema_bf29a5ff90ea.sql")


def tables(db_path):
    with sqlite3.connect(db_path) as c:
        return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def columns(db_path, table):
    with sqlite3.connect(db_path) as c:
        return [r[1] for r in c.execute("PRAGMA table_info(%s)" % table)]


class PersistenceBase(harness.SextantTestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="sextant-persist-")
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            if s.is_running():
                s.stop()
        if not os.environ.get("SEXTANT_KEEP_TMP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def server(self, **kw):
        s = SextantServer(workdir=self.workdir, **kw)
        self.servers.append(s)
        return s

    def stop_clean(self, s):
        rc = s.stop()
        self.assertFalse(s.killed, "server needed SIGKILL after SIGTERM:\n" + s.stderr_text())
        return rc


class TestRestart(PersistenceBase):
    def test_data_survives_restart(self):
        s1 = self.server().start()
        exp_name = unique("persist")
        eid = self.assertOk(api_post("experiments/create",
                                     {"name": exp_name, "tags": [{"key": "k", "value": "v"}]},
                                     srv=s1))["experiment_id"]
        run = self.assertOk(api_post("runs/create", {"experiment_id": eid, "start_time": 1234,
                                                     "run_name": "keep-me",
                                                     "user_id": "u"}, srv=s1))["run"]
        rid = run["info"]["run_id"]
        self.assertOk(api_post("runs/log-batch", {"run_id": rid, "metrics": [
            {"key": "m", "value": 1.5, "timestamp": 10, "step": 2},
            {"key": "m", "value": 0.5, "timestamp": 20, "step": 1},
            {"key": "n", "value": "NaN", "timestamp": 10, "step": 0},
            {"key": "inf", "value": "Infinity", "timestamp": 10, "step": 0}],
            "params": [{"key": "p", "value": "v"}],
            "tags": [{"key": "t", "value": "x"}]}, srv=s1))
        self.assertOk(api_post("runs/log-inputs", {"run_id": rid, "datasets": [
            {"tags": [{"key": "mlflow.data.context", "value": "training"}],
             "dataset": {"name": "d", "digest": "g", "source_type": "local", "source": "{}"}}]},
            srv=s1))
        self.assertOk(api_post("runs/update", {"run_id": rid, "status": "FINISHED",
                                               "end_time": 9999}, srv=s1))
        deleted_eid = self.assertOk(api_post("experiments/create", {"name": unique("gone")},
                                             srv=s1))["experiment_id"]
        self.assertOk(api_post("experiments/delete", {"experiment_id": deleted_eid}, srv=s1))
        r = s1.request("PUT", harness.ARTIFACTS + "/%s/%s/artifacts/f.txt" % (eid, rid),
                       data=b"persisted", headers={"Content-Type": "text/plain"})
        self.assertOk(r)
        self.stop_clean(s1)

        s2 = self.server().start()
        exp = self.assertOk(api_get("experiments/get-by-name", {"experiment_name": exp_name},
                                    srv=s2))["experiment"]
        self.assertEqual(exp["experiment_id"], eid)
        self.assertEqual(harness.as_dict(exp["tags"]), {"k": "v"})
        self.assertEqual(exp["artifact_location"], "mlflow-artifacts:/%s" % eid)
        got = self.assertOk(api_get("runs/get", {"run_id": rid}, srv=s2))["run"]
        self.assertEqual(got["info"]["run_name"], "keep-me")
        self.assertEqual(got["info"]["status"], "FINISHED")
        self.assertEqual(got["info"]["start_time"], 1234)
        self.assertEqual(got["info"]["end_time"], 9999)
        self.assertEqual(got["info"]["artifact_uri"], run["info"]["artifact_uri"])
        ms = metrics_of(got)
        self.assertEqual(ms["m"], {"key": "m", "value": 1.5, "timestamp": 10, "step": 2})
        self.assertEqual(ms["n"]["value"], "NaN")
        self.assertEqual(ms["inf"]["value"], harness.DBL_MAX)
        self.assertEqual(params_of(got), {"p": "v"})
        self.assertEqual(tags_of(got)["t"], "x")
        self.assertEqual(got["inputs"]["dataset_inputs"][0]["dataset"]["name"], "d")
        hist = self.assertOk(api_get("metrics/get-history", {"run_id": rid, "metric_key": "m",
                                                             "max_results": 100}, srv=s2))
        self.assertEqual(len(hist["metrics"]), 2)
        self.assertEqual(self.assertOk(api_get("experiments/get",
                                               {"experiment_id": deleted_eid},
                                               srv=s2))["experiment"]["lifecycle_stage"],
                         "deleted")
        r = s2.request("GET", harness.ARTIFACTS + "/%s/%s/artifacts/f.txt" % (eid, rid))
        self.assertEqual(r.content, b"persisted")
        # default experiment still unique; ids keep increasing
        data = self.assertOk(api_post("experiments/search",
                                      {"max_results": 1000, "view_type": "ALL",
                                       "filter": "name = 'Default'"}, srv=s2))
        self.assertEqual([e["experiment_id"] for e in data["experiments"]], ["0"])
        new_eid = self.assertOk(api_post("experiments/create", {"name": unique("after")},
                                         srv=s2))["experiment_id"]
        self.assertGreater(int(new_eid), int(deleted_eid))
        # name uniqueness survives too
        self.assertError(api_post("experiments/create", {"name": exp_name}, srv=s2), 400,
                         "RESOURCE_ALREADY_EXISTS")
        self.stop_clean(s2)

    def test_schema_on_disk(self):
        s = self.server().start()
        eid = self.assertOk(api_post("experiments/create", {"name": unique("schema")},
                                     srv=s))["experiment_id"]
        rid = self.assertOk(api_post("runs/create", {"experiment_id": eid,
                                                     "start_time": 42}, srv=s))["run"]["info"][
            "run_id"]
        self.assertOk(api_post("runs/log-metric", {"run_id": rid, "key": "nan", "value": "NaN",
                                                   "timestamp": 1}, srv=s))
        self.assertOk(api_post("runs/log-metric", {"run_id": rid, "key": "inf",
                                                   "value": "-Infinity", "timestamp": 1}, srv=s))
        self.assertOk(api_post("experiments/set-experiment-tag",
                               {"experiment_id": eid, "key": "ek", "value": "ev"}, srv=s))
        self.assertOk(api_post("runs/log-parameter", {"run_id": rid, "key": "pk",
                                                      "value": "pv"}, srv=s))
        gone = self.assertOk(api_post("runs/create", {"experiment_id": eid, "start_time": 1},
                                      srv=s))["run"]["info"]["run_id"]
        back = self.assertOk(api_post("runs/create", {"experiment_id": eid, "start_time": 1},
                                      srv=s))["run"]["info"]["run_id"]
        self.assertOk(api_post("runs/delete", {"run_id": gone}, srv=s))
        self.assertOk(api_post("runs/delete", {"run_id": back}, srv=s))
        self.assertOk(api_post("runs/restore", {"run_id": back}, srv=s))
        self.stop_clean(s)

        db = s.db_path
        self.assertTrue(os.path.isfile(db))
        with sqlite3.connect(db) as c:
            self.assertEqual([r[0] for r in c.execute("SELECT version_num FROM alembic_version")],
                             [HEAD])
            row = c.execute("SELECT experiment_id, name, artifact_location, lifecycle_stage "
                            "FROM experiments WHERE experiment_id = 0").fetchone()
            self.assertEqual(row, (0, "Default", "mlflow-artifacts:/0", "active"))
            row = c.execute("SELECT run_uuid, experiment_id, status, lifecycle_stage, "
                            "artifact_uri, start_time, source_type FROM runs").fetchone()
            self.assertEqual(row, (rid, int(eid), "RUNNING", "active",
                                   "mlflow-artifacts:/%s/%s/artifacts" % (eid, rid), 42,
                                   "UNKNOWN"))
            nan = c.execute("SELECT value, is_nan FROM metrics WHERE key = 'nan'").fetchone()
            self.assertEqual((float(nan[0]), int(nan[1])), (0.0, 1))
            inf = c.execute("SELECT value, is_nan FROM latest_metrics "
                            "WHERE key = 'inf'").fetchone()
            self.assertEqual((float(inf[0]), int(inf[1])), (-harness.DBL_MAX, 0))
            tag = c.execute("SELECT value FROM tags WHERE key = 'mlflow.runName' AND "
                            "run_uuid = ?", (rid,)).fetchone()
            self.assertIsNotNone(tag)
            self.assertEqual(c.execute("SELECT value FROM experiment_tags WHERE key = 'ek' "
                                       "AND experiment_id = ?", (int(eid),)).fetchone(), ("ev",))
            self.assertEqual(c.execute("SELECT value FROM params WHERE key = 'pk' AND "
                                       "run_uuid = ?", (rid,)).fetchone(), ("pv",))
            row = c.execute("SELECT lifecycle_stage, deleted_time FROM runs WHERE run_uuid = ?",
                            (gone,)).fetchone()
            self.assertEqual(row[0], "deleted")
            self.assertIsInstance(row[1], int)
            self.assertEqual(c.execute("SELECT lifecycle_stage, deleted_time FROM runs WHERE "
                                       "run_uuid = ?", (back,)).fetchone(), ("active", None))
        expected_tables = {"alembic_version", "experiments", "experiment_tags", "runs", "tags",
                           "params", "metrics", "latest_metrics", "datasets", "inputs",
                           "input_tags", "registered_models", "model_versions",
                           "registered_model_tags", "model_version_tags",
                           "registered_model_aliases", "trace_info", "trace_tags",
                           "trace_request_metadata", "logged_models", "logged_model_metrics",
                           "logged_model_params", "logged_model_tags"}
        self.assertTrue(expected_tables <= tables(db), expected_tables - tables(db))
        self.assertEqual(set(columns(db, "metrics")),
                         {"key", "value", "timestamp", "run_uuid", "step", "is_nan"})
        self.assertEqual(set(columns(db, "runs")),
                         {"run_uuid", "name", "source_type", "source_name", "entry_point_name",
                          "user_id", "status", "start_time", "end_time", "source_version",
                          "lifecycle_stage", "artifact_uri", "experiment_id", "deleted_time"})


class TestSchemaMatchesReference(PersistenceBase):
    def test_fresh_db_has_reference_schema(self):
        # §5.1: a new DB should get the head schema of Appendix A so Python MLflow can open it
        s = self.server().start()
        self.stop_clean(s)
        ref = os.path.join(self.workdir, "reference.db")
        with open(FIXTURE_DDL) as f, sqlite3.connect(ref) as c:
            c.executescript(f.read())
        missing_tables = sorted(tables(ref) - tables(s.db_path))
        self.assertEqual(missing_tables, [], "tables missing from the server-created DB")
        diffs = []
        for t in sorted(tables(ref)):
            want, got = set(columns(ref, t)), set(columns(s.db_path, t))
            if want != got:
                diffs.append("%s: missing %s, extra %s" % (t, sorted(want - got),
                                                           sorted(got - want)))
        self.assertEqual(diffs, [])

        def pk(db, t):
            with sqlite3.connect(db) as c:
                return sorted((r[5], r[1]) for r in c.execute("PRAGMA table_info(%s)" % t)
                              if r[5])
        pk_diffs = ["%s: %s != %s" % (t, pk(s.db_path, t), pk(ref, t)) for t in
                    sorted(tables(ref)) if pk(s.db_path, t) != pk(ref, t)]
        self.assertEqual(pk_diffs, [])


class TestSchemaVersion(PersistenceBase):
    def make_db(self, version=HEAD, with_default=True):
        db = os.path.join(self.workdir, "foreign.db")
        with open(FIXTURE_DDL) as f:
            ddl = f.read()
        with sqlite3.connect(db) as c:
            c.executescript(ddl)
            if version != HEAD:
                c.execute("UPDATE alembic_version SET version_num = ?", (version,))
            if with_default:
                t = now_ms()
                c.execute("INSERT INTO experiments (experiment_id, name, artifact_location, "
                          "lifecycle_stage, creation_time, last_update_time) VALUES "
                          "(0, 'Default', 'mlflow-artifacts:/0', 'active', ?, ?)", (t, t))
        return db

    def test_unknown_revision_served_after_inspection(self):
        # A newer MLflow's revision whose tables accept Sextant's rows is served (issue 15).
        db = self.make_db(version="deadbeef0000")
        s = self.server(db_path=db)
        s.start()
        self.assertIn("deadbeef0000", s.stderr_text())
        exp = s.request("POST", "/api/2.0/mlflow/experiments/create", json={"name": "on-unknown"})
        self.assertEqual(exp.status_code, 200, exp.text)
        self.stop_clean(s)
        with sqlite3.connect(db) as c:
            self.assertEqual([r[0] for r in c.execute("SELECT version_num FROM alembic_version")],
                             ["deadbeef0000"])

    def test_unknown_revision_refused_when_strict(self):
        db = self.make_db(version="deadbeef0000")
        s = self.server(db_path=db, extra_args=["--schema-check", "strict"])
        s.spawn()
        rc = s.wait_exit(15)
        if rc is None:
            s.stop()
            self.fail("server kept running on a DB at an unknown alembic revision")
        self.assertNotEqual(rc, 0, "exit code must be non-zero")
        out = s.stderr_text() + s.stdout_text()
        self.assertTrue("deadbeef0000" in out or HEAD in out,
                        "message should name the found/expected revision:\n" + out)
        # the DB must not have been modified
        with sqlite3.connect(db) as c:
            self.assertEqual([r[0] for r in c.execute("SELECT version_num FROM alembic_version")],
                             ["deadbeef0000"])

    def test_python_created_db_is_accepted(self):
        # A DB with the reference DDL at the head revision (as created by Python MLflow)
        db = self.make_db()
        with sqlite3.connect(db) as c:
            c.execute("INSERT INTO experiments (experiment_id, name, artifact_location, "
                      "lifecycle_stage, creation_time, last_update_time) VALUES "
                      "(7, 'from-python', 'mlflow-artifacts:/7', 'active', 1, 2)")
            c.execute("INSERT INTO runs (run_uuid, name, source_type, source_name, "
                      "entry_point_name, user_id, status, start_time, end_time, source_version, "
                      "lifecycle_stage, artifact_uri, experiment_id, deleted_time) VALUES "
                      "(?, 'py-run', 'UNKNOWN', '', '', 'bob', 'FINISHED', 100, 200, '', "
                      "'active', ?, 7, NULL)", ("a" * 32, "mlflow-artifacts:/7/%s/artifacts"
                                                % ("a" * 32)))
            c.execute("INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', "
                      "'py-run', ?)", ("a" * 32,))
            c.execute("INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
                      "VALUES ('m', 0, 5, ?, 0, 1)", ("a" * 32,))
            c.execute("INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, "
                      "run_uuid) VALUES ('m', 0, 5, 0, 1, ?)", ("a" * 32,))
            c.execute("INSERT INTO params (key, value, run_uuid) VALUES ('p', 'q', ?)",
                      ("a" * 32,))
            # a very old run: runs.name empty, name only in the mlflow.runName tag (§2.2)
            c.execute("INSERT INTO runs (run_uuid, name, source_type, source_name, "
                      "entry_point_name, user_id, status, start_time, end_time, source_version, "
                      "lifecycle_stage, artifact_uri, experiment_id, deleted_time) VALUES "
                      "(?, '', 'LOCAL', 'x.py', '', 'old', 'KILLED', 50, NULL, '', "
                      "'active', ?, 7, NULL)", ("b" * 32, "mlflow-artifacts:/7/%s/artifacts"
                                                % ("b" * 32)))
            c.execute("INSERT INTO tags (key, value, run_uuid) VALUES ('mlflow.runName', "
                      "'legacy-name', ?)", ("b" * 32,))
        s = self.server(db_path=db).start()
        exp = self.assertOk(api_get("experiments/get", {"experiment_id": "7"},
                                    srv=s))["experiment"]
        self.assertEqual(exp["name"], "from-python")
        run = self.assertOk(api_get("runs/get", {"run_id": "a" * 32}, srv=s))["run"]
        self.assertEqual(run["info"]["run_name"], "py-run")
        self.assertEqual(run["info"]["status"], "FINISHED")
        self.assertEqual(metrics_of(run)["m"]["value"], "NaN")
        self.assertEqual(params_of(run), {"p": "q"})
        data = self.assertOk(api_post("runs/search", {"experiment_ids": ["7"],
                                                      "filter": "params.p = 'q'"}, srv=s))
        self.assertEqual(len(data["runs"]), 1)
        old = self.assertOk(api_get("runs/get", {"run_id": "b" * 32}, srv=s))["run"]
        self.assertEqual(old["info"]["run_name"], "legacy-name")
        self.assertNotIn("end_time", old["info"])
        new_eid = self.assertOk(api_post("experiments/create", {"name": unique("new")},
                                         srv=s))["experiment_id"]
        self.assertGreater(int(new_eid), 7)
        self.stop_clean(s)
        with sqlite3.connect(db) as c:
            self.assertEqual([r[0] for r in c.execute("SELECT version_num FROM alembic_version")],
                             [HEAD])

    def test_metric_history_index_of_earlier_builds_replaced(self):
        # Earlier builds added a narrow (run_uuid, key, step) index; it gives way to the covering
        # one, and an MLflow database gains the covering one, without touching MLflow's own.
        db = self.make_db()
        with sqlite3.connect(db) as c:
            c.execute("CREATE INDEX sextant_metrics_run_key_step ON metrics (run_uuid, key, step)")
        s = self.server(db_path=db).start()
        self.stop_clean(s)
        with sqlite3.connect(db) as c:
            idx = {r[0]: r[1] for r in c.execute(
                "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='metrics'")}
        self.assertNotIn("sextant_metrics_run_key_step", idx)
        self.assertIn("(run_uuid, key, step, timestamp, value, is_nan)",
                      idx.get("sextant_metrics_run_key_step_value", ""))
        self.assertIn("index_metrics_run_uuid", idx)

    def test_one_line_tables_of_earlier_builds_get_sqlalchemys_layout(self):
        # Earlier builds stored each CREATE TABLE on one line; MLflow's own alembic (SQLAlchemy's
        # line-by-line CHECK reflection) then fails to rebuild such tables (issue 15). A start
        # rewrites exactly those texts, whitespace only; data and integrity stay.
        db = os.path.join(self.workdir, "earlier.db")
        s = self.server(db_path=db).start()
        run = self.assertOk(api_post("runs/create", {"experiment_id": "0"}, srv=s))["run"]["info"]
        self.assertOk(api_post("runs/log-parameter", {"run_id": run["run_id"], "key": "k", "value": "v"}, srv=s))
        self.stop_clean(s)

        def one_line(sql):
            return sql.replace("(\n\t", "( ").replace(", \n\t", ", ").replace("\n)", ")")

        with sqlite3.connect(db) as c:
            layout = dict(c.execute("SELECT name, sql FROM sqlite_master WHERE type='table' "
                                    "AND name IN ('experiments', 'runs', 'params')"))
            self.assertIn("\n", layout["experiments"])
            version = c.execute("PRAGMA schema_version").fetchone()[0]
            c.execute("PRAGMA writable_schema=ON")
            for name, sql in layout.items():
                c.execute("UPDATE sqlite_master SET sql = ? WHERE type='table' AND name = ?", (one_line(sql), name))
            c.execute("PRAGMA schema_version=%d" % (version + 1))
            c.execute("PRAGMA writable_schema=OFF")
        with sqlite3.connect(db) as c:
            self.assertNotIn("\n", c.execute("SELECT sql FROM sqlite_master WHERE name='runs'").fetchone()[0])
        s = self.server(db_path=db).start()
        self.assertIn("rewrote the stored CREATE TABLE text of 3 tables", s.stderr_text())
        got = self.assertOk(api_get("runs/get", {"run_id": run["run_id"]}, srv=s))["run"]
        self.assertEqual(got["data"]["params"], [{"key": "k", "value": "v"}])
        self.stop_clean(s)
        with sqlite3.connect(db) as c:
            self.assertEqual(dict(c.execute("SELECT name, sql FROM sqlite_master WHERE type='table' "
                                            "AND name IN ('experiments', 'runs', 'params')")), layout)
            self.assertEqual(c.execute("PRAGMA integrity_check").fetchall(), [("ok",)])

    def test_missing_default_experiment_created(self):
        db = self.make_db(with_default=False)
        s = self.server(db_path=db).start()
        exp = self.assertOk(api_get("experiments/get", {"experiment_id": "0"},
                                    srv=s))["experiment"]
        self.assertEqual(exp["name"], "Default")
        self.assertEqual(exp["lifecycle_stage"], "active")
        self.stop_clean(s)


class TestSigterm(PersistenceBase):
    def test_sigterm_exits_promptly(self):
        s = self.server().start()
        self.assertOk(api_post("experiments/create", {"name": unique("x")}, srv=s))
        t0 = time.time()
        self.stop_clean(s)
        self.assertLess(time.time() - t0, harness.STOP_TIMEOUT)


if __name__ == "__main__":
    unittest.main()
