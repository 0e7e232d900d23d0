"""Issue #15: the databases of every MLflow release since 3.6 (alembic revisions bf29a5ff90ea up to
7d34483879f0, and the opendatahub-io fork's 1b5f0d9ad7c1), an unknown newer revision, and
`sextant db upgrade` from MLflow 2.0's revision.

Each database here is made by Sextant's own DDL (`--create-schema-revision`, `sextant db upgrade`),
a fresh one per case on the module's database server (one database goes up the whole chain,
carrying what the client wrote at each revision); MLflow's own migrations are the manual check
tests/compat/revisions_check.sh. The catalog an upgrade to the head must give is
tests/compat/expected/catalog-7d34483879f0.<sqlite|postgresql|mysql>.json (schema_compare.py --dump
of `sextant db upgrade` from MLflow 2.0's schema; equal to what MLflow's own migrations give).
"""

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest
import urllib.parse
import uuid

import harness
from harness import SextantServer, api_get, api_post, api_request, metrics_of, params_of, tags_of, unique

UPSTREAM = ["bf29a5ff90ea", "1bd49d398cd23", "b7c8d9e0f1a2", "5d2d30f0abce", "c9d4e5f6a7b8", "2c33131f4dae",
            "d3e4f5a6b7c8", "d0e1f2a3b4c5", "c8d9e0f1a2b3", "1b5f0d9ad7c1", "e1f2a3b4c5d6", "76601a5f987d",
            "c3d6457b6d8a", "a5b4c3d2e1f0", "ae8bbe7743c9", "7d34483879f0"]
HEAD = UPSTREAM[-1]
MLFLOW2_HEAD = "97727af70f4d"
FORK = "opendatahub-io:1b5f0d9ad7c1"  # the CLI's name of the fork's revision (stamped 1b5f0d9ad7c1)
FORK_STAMP = "1b5f0d9ad7c1"
WORKSPACE_REVISIONS = set(UPSTREAM[UPSTREAM.index("1b5f0d9ad7c1"):]) | {FORK}
FUTURE = "f00dfacefeed"  # a revision no Sextant knows

COMPAT = os.path.normpath(os.path.join(harness.HERE, "..", "compat"))
SCHEMA_COMPARE = os.path.join(COMPAT, "schema_compare.py")
FIXTURE_SUFFIX = {"sqlite": "sqlite", "postgresql": "postgresql", "mariadb": "mysql"}[harness.BACKEND]
MLFLOW2_FIXTURE = os.path.join(COMPAT, "fixtures", "mlflow-%s.%s.sql" % (MLFLOW2_HEAD, FIXTURE_SUFFIX))
EXPECTED_CATALOG = os.path.join(COMPAT, "expected", "catalog-%s.%s.json" % (HEAD, FIXTURE_SUFFIX))
CLI_TIMEOUT = 120


class Database:
    """A fresh, empty database for one case: a file, or a new database on the test server."""

    def __init__(self, workdir):
        self.path, self.name = None, None
        if harness.SERVER_BACKEND:
            self.name = harness.create_database()
            self.uri = harness.uri_for(self.name)
        else:
            self.path = os.path.join(workdir, "db-%s.sqlite" % uuid.uuid4().hex[:8])
            self.uri = "sqlite:///" + self.path

    def server(self, workdir, extra_args=()):
        if self.path:
            return SextantServer(workdir=workdir, db_path=self.path, extra_args=extra_args)
        return SextantServer(workdir=workdir, backend_store_uri=self.uri, extra_args=extra_args)

    def connect(self):
        return sqlite3.connect(self.path) if self.path else harness.ServerDbConnection(self.uri)

    def execute(self, *statements):
        """DDL/DML in order (each statement by itself)."""
        with self.connect() as c:
            for sql in statements:
                c.execute(sql)

    def query(self, sql, params=()):
        with self.connect() as c:
            return [tuple(r) for r in c.execute(sql, params)]

    def stamp(self):
        return [r[0] for r in self.query("SELECT version_num FROM alembic_version")]

    def columns(self, table):
        if self.path:
            return [r[1] for r in self.query("SELECT * FROM pragma_table_info(?)", (table,))]
        schema = "'public'" if harness.BACKEND == "postgresql" else "DATABASE()"
        return [r[0] for r in self.query("SELECT column_name FROM information_schema.columns WHERE "
                                         "table_schema = %s AND table_name = ?" % schema, (table,))]

    def load(self, sql_file):
        """Runs a SQL script (a fixture dump) into the database."""
        if self.path:
            with open(sql_file) as f, sqlite3.connect(self.path) as c:
                c.executescript(f.read())
            return
        if harness.BACKEND == "postgresql":
            cmd, env = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.uri, "-f", sql_file], None
        else:
            u = urllib.parse.urlsplit(self.uri)
            cmd = ["mariadb", "--no-defaults", "-h", u.hostname, "-P", str(u.port or 3306),
                   "-u", urllib.parse.unquote(u.username or ""), self.name]
            env = dict(os.environ, MYSQL_PWD=urllib.parse.unquote(u.password or ""))
        with open(sql_file) as f:
            r = subprocess.run(cmd, stdin=f, capture_output=True, text=True, timeout=CLI_TIMEOUT, env=env)
        if r.returncode != 0:
            raise RuntimeError("loading %s failed:\n%s" % (sql_file, r.stderr))

    def drop(self):
        if self.name and not os.environ.get("SEXTANT_KEEP_TMP"):
            harness.drop_database(self.name)


def sextant_cli(*args):
    """Runs `sextant ARGS`; returns (exit code, stdout + stderr)."""
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
    r = subprocess.run([harness.SEXTANT_BIN] + list(args), capture_output=True, text=True, timeout=CLI_TIMEOUT,
                       env=env, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout + r.stderr


class RevisionsBase(harness.SextantTestCase):
    def setUp(self):
        self.workdir = tempfile.mkdtemp(prefix="sextant-revisions-")
        self.servers, self.databases = [], []

    def tearDown(self):
        harness.SERVER = None
        for s in self.servers:
            if s.is_running():
                s.stop()
        for d in self.databases:
            d.drop()
        if not os.environ.get("SEXTANT_KEEP_TMP"):
            shutil.rmtree(self.workdir, ignore_errors=True)

    def database(self):
        d = Database(self.workdir)
        self.databases.append(d)
        return d

    def server(self, db, *extra_args):
        s = db.server(self.workdir, extra_args)
        self.servers.append(s)
        return s

    def start(self, db, *extra_args):
        """Starts a server on `db`; it becomes the one api_get/api_post talk to."""
        harness.SERVER = self.server(db, *extra_args).start()
        return harness.SERVER

    def stop_clean(self, s):
        rc = s.stop()
        err = s.stderr_text()
        self.assertFalse(s.killed, "server needed SIGKILL after SIGTERM:\n" + err)
        self.assertEqual(rc, 0, "exit code after SIGTERM:\n" + err)
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            self.assertNotIn(marker, err)

    def refused(self, db, *extra_args):
        """Starts a server that must refuse the database; returns its output."""
        s = self.server(db, *extra_args)
        s.spawn()
        rc = s.wait_exit(harness.STARTUP_TIMEOUT)
        if rc is None:
            s.stop()
            self.fail("the server kept running:\n" + s.stderr_text())
        self.assertNotEqual(rc, 0)
        return s.stderr_text() + s.stdout_text()

    def assertCatalog(self, db):
        """db's catalog is Sextant's expected one at the head (Sextant's own tables aside)"""
        r = subprocess.run([sys.executable, SCHEMA_COMPARE, "--expect", EXPECTED_CATALOG, db.uri],
                           capture_output=True, text=True, timeout=CLI_TIMEOUT)
        self.assertEqual(r.returncode, 0, "catalog differs from %s:\n%s%s"
                         % (EXPECTED_CATALOG, r.stdout[-6000:], r.stderr[-2000:]))

    def cli_ok(self, *args):
        rc, out = sextant_cli(*args)
        self.assertEqual(rc, 0, "sextant %s:\n%s" % (" ".join(args), out))
        return out

    def create_at(self, revision):
        """A database Sextant created at `revision` (a server started on an empty one, stopped)."""
        db = self.database()
        self.stop_clean(self.server(db, "--create-schema-revision", revision).start())
        self.assertEqual(db.stamp(), [revision])
        return db

    # the client's workflow ------------------------------------------------------------------
    def workflow(self, db, workspace):
        """What an MLflow client does, over HTTP, with the answers checked; then the rows the
        registry writes carry workspace 'default' where the schema has the column."""
        exp_name = unique("rev-exp")
        eid = self.assertOk(api_post("experiments/create", {"name": exp_name, "tags": [
            {"key": "team", "value": "a"}]}))["experiment_id"]
        self.assertOk(api_post("experiments/set-experiment-tag",
                               {"experiment_id": eid, "key": "team", "value": "b"}))  # an upsert
        renamed = exp_name + "-renamed"
        self.assertOk(api_post("experiments/update", {"experiment_id": eid, "new_name": renamed}))
        exp = self.assertOk(api_get("experiments/get-by-name", {"experiment_name": renamed}))["experiment"]
        self.assertEqual(exp["experiment_id"], eid)
        self.assertEqual({t["key"]: t["value"] for t in exp.get("tags", [])}, {"team": "b"})
        self.assertError(api_post("experiments/create", {"name": renamed}), 400, "RESOURCE_ALREADY_EXISTS")
        found = self.assertOk(api_post("experiments/search", {"filter": "name = '%s'" % renamed,
                                                              "max_results": 10}))
        self.assertEqual([e["experiment_id"] for e in found["experiments"]], [eid])

        run = self.assertOk(api_post("runs/create", {"experiment_id": eid, "run_name": "r1", "start_time": 1000,
                                                     "tags": [{"key": "src", "value": "ci"}]}))["run"]
        rid = run["info"]["run_id"]
        self.assertOk(api_post("runs/log-parameter", {"run_id": rid, "key": "lr", "value": "0.1"}))
        self.assertOk(api_post("runs/log-metric", {"run_id": rid, "key": "loss", "value": 2.0, "timestamp": 5,
                                                   "step": 0}))
        self.assertOk(api_post("runs/set-tag", {"run_id": rid, "key": "stage", "value": "x"}))
        self.assertOk(api_post("runs/log-batch", {"run_id": rid, "metrics": [
            {"key": "loss", "value": 1.0, "timestamp": 6, "step": 1},
            {"key": "acc", "value": 0.5, "timestamp": 6, "step": 1}],
            "params": [{"key": "epochs", "value": "3"}], "tags": [{"key": "stage", "value": "y"}]}))
        self.assertOk(api_post("runs/update", {"run_id": rid, "status": "FINISHED", "end_time": 2000}))
        got = self.assertOk(api_get("runs/get", {"run_id": rid}))["run"]
        self.assertEqual(got["info"]["status"], "FINISHED")
        self.assertEqual(params_of(got), {"lr": "0.1", "epochs": "3"})
        self.assertEqual({k: m["value"] for k, m in metrics_of(got).items()}, {"loss": 1.0, "acc": 0.5})
        self.assertEqual(tags_of(got)["stage"], "y")
        hist = self.assertOk(api_get("metrics/get-history", {"run_id": rid, "metric_key": "loss"}))["metrics"]
        self.assertEqual(sorted((m["step"], m["value"]) for m in hist), [(0, 2.0), (1, 1.0)])
        runs = self.assertOk(api_post("runs/search", {"experiment_ids": [eid],
                                                      "filter": "metrics.loss < 1.5 and params.epochs = '3'"}))
        self.assertEqual([r["info"]["run_id"] for r in runs["runs"]], [rid])

        model = unique("rev-model")
        self.assertOk(api_post("registered-models/create", {"name": model, "tags": [{"key": "k", "value": "1"}]}))
        v1 = self.assertOk(api_post("model-versions/create", {"name": model, "source": "runs:/%s/model" % rid,
                                                              "run_id": rid}))["model_version"]
        self.assertEqual(v1["version"], "1")
        v2 = self.assertOk(api_post("model-versions/create", {"name": model, "source": "runs:/%s/m2" % rid}))
        self.assertEqual(v2["model_version"]["version"], "2")
        self.assertOk(api_post("registered-models/set-tag", {"name": model, "key": "k", "value": "2"}))  # upsert
        for value in ("a", "b"):  # the second one an upsert
            self.assertOk(api_post("model-versions/set-tag", {"name": model, "version": "1", "key": "vk",
                                                              "value": value}))
        for version in ("1", "2"):  # the alias moves: an upsert
            self.assertOk(api_post("registered-models/alias", {"name": model, "alias": "champion",
                                                               "version": version}))
        new_model = model + "-renamed"
        self.assertOk(api_post("registered-models/rename", {"name": model, "new_name": new_model}))
        self.assertNotFound(api_get("registered-models/get", {"name": model}))
        rm = self.assertOk(api_get("registered-models/get", {"name": new_model}))["registered_model"]
        self.assertEqual({t["key"]: t["value"] for t in rm.get("tags", [])}, {"k": "2"})
        self.assertEqual([(a["alias"], a["version"]) for a in rm.get("aliases", [])], [("champion", "2")])
        by_alias = self.assertOk(api_get("registered-models/alias", {"name": new_model, "alias": "champion"}))
        self.assertEqual(by_alias["model_version"]["version"], "2")
        mv = self.assertOk(api_get("model-versions/get", {"name": new_model, "version": "1"}))["model_version"]
        self.assertEqual({t["key"]: t["value"] for t in mv.get("tags", [])}, {"vk": "b"})
        self.assertEqual(mv["run_id"], rid)
        found = self.assertOk(api_get("registered-models/search", {"filter": "name = '%s'" % new_model}))
        self.assertEqual([m["name"] for m in found["registered_models"]], [new_model])
        self.assertOk(api_request("DELETE", "model-versions/delete", json={"name": new_model, "version": "1"}))
        self.assertNotFound(api_get("model-versions/get", {"name": new_model, "version": "1"}))

        # What the registry wrote, as MLflow of that release reads it.
        if workspace:
            for table in ("experiments", "registered_models", "model_versions", "registered_model_tags",
                          "registered_model_aliases"):
                rows = db.query("SELECT workspace FROM %s WHERE name = ?" % table,
                                (renamed if table == "experiments" else new_model,))
                self.assertTrue(rows, table)
                self.assertEqual({r[0] for r in rows}, {"default"}, table)
        self.assertEqual(db.query("SELECT COUNT(*) FROM model_version_tags WHERE name = ?", (model,)), [(0,)])
        return eid, rid, new_model


class TestKnownRevisions(RevisionsBase):
    """Sextant serves a database it created at a known revision (--create-schema-revision)."""

    def serve(self, revision):
        db = self.database()
        srv = self.start(db, "--create-schema-revision", revision)
        self.assertEqual(db.stamp(), [FORK_STAMP if revision == FORK else revision])
        workspace = revision in WORKSPACE_REVISIONS
        self.assertEqual("workspace" in db.columns("registered_models"), workspace)
        self.workflow(db, workspace)
        self.stop_clean(srv)
        self.assertEqual(db.stamp(), [FORK_STAMP if revision == FORK else revision])
        if revision == HEAD:  # a new database at the head: the catalog an upgrade gives
            self.assertCatalog(db)


def _serve_case(revision):
    def test(self):
        self.serve(revision)
    test.__doc__ = "a database at %s: served, the client's workflow passes" % revision
    return test


# A fresh database per revision on SQLite (where creating at a newer revision rebuilds tables
# with foreign keys off, unlike `db upgrade`); on the database servers, whose creations are slower
# (MariaDB's DDL: about 3 s), the fork's and the head's: TestRevisionChain serves every revision.
for _rev in UPSTREAM + [FORK] if harness.BACKEND == "sqlite" else [FORK, HEAD]:
    setattr(TestKnownRevisions, "test_revision_%s" % _rev.replace("-", "_").replace(":", "_"), _serve_case(_rev))


class TestRevisionChain(RevisionsBase):
    def test_upgrade_chain_with_data(self):
        """One database from MLflow 3.6's revision up the chain, `sextant db upgrade --to` one
        revision at a time: at each, the server serves it, the workflow passes and what every
        earlier revision's workflow wrote is still there; at the head, the expected catalog"""
        db = self.database()
        written = []  # (experiment id, run id, model name) per revision
        for revision in UPSTREAM:
            if written:
                self.cli_ok("db", "upgrade", "--backend-store-uri", db.uri, "--to", revision)
            srv = self.start(db)
            self.assertEqual(db.stamp(), [revision])
            eids = [w[0] for w in written]
            if written:
                runs = self.assertOk(api_post("runs/search", {"experiment_ids": eids, "max_results": 100}))
                self.assertEqual(sorted(r["info"]["run_id"] for r in runs["runs"]), sorted(w[1] for w in written),
                                 revision)
                models = self.assertOk(api_get("registered-models/search", {"filter": "name LIKE 'rev-model%'",
                                                                           "max_results": 100}))
                self.assertEqual(sorted((m["name"], [a["alias"] for a in m.get("aliases", [])])
                                        for m in models["registered_models"]),
                                 sorted((w[2], ["champion"]) for w in written), revision)
            written.append(self.workflow(db, revision in WORKSPACE_REVISIONS))
            self.stop_clean(srv)
        self.assertCatalog(db)


class TestFutureRevision(RevisionsBase):
    """A revision Sextant does not know: served when every table it writes takes its rows."""

    def future_database(self):
        """The head, plus a new table, a new nullable column on runs, a new column with a default on
        experiments, at an unknown revision."""
        db = self.create_at(HEAD)
        db.execute("CREATE TABLE future_things (thing_id VARCHAR(36) NOT NULL, payload TEXT, "
                   "CONSTRAINT future_things_pk PRIMARY KEY (thing_id))",
                   "ALTER TABLE runs ADD COLUMN future_note VARCHAR(100)",
                   "ALTER TABLE experiments ADD COLUMN future_quota INTEGER DEFAULT 7 NOT NULL",
                   "UPDATE alembic_version SET version_num = '%s'" % FUTURE)
        return db

    def test_future_revision(self):
        """served, the workflow passes and the new columns get what their definitions say;
        --schema-check strict refuses it; then an unknown NOT NULL column without a default on
        metrics (a table Sextant writes) is refused, named in the message"""
        db = self.future_database()
        srv = self.start(db)
        log = srv.stderr_text() + srv.stdout_text()
        for found in (FUTURE, "future_things", "future_note", "future_quota"):
            self.assertIn(found, log, "the log says what it found")
        eid, rid, _ = self.workflow(db, "workspace" in db.columns("registered_models"))
        self.assertEqual(db.query("SELECT future_quota FROM experiments WHERE experiment_id = ?", (int(eid),)),
                         [(7,)])
        self.assertEqual(db.query("SELECT future_note FROM runs WHERE run_uuid = ?", (rid,)), [(None,)])
        self.stop_clean(srv)
        self.assertEqual(db.stamp(), [FUTURE])
        self.assertEqual(db.query("SELECT COUNT(*) FROM future_things"), [(0,)])

        out = self.refused(db, "--schema-check", "strict")
        self.assertIn(FUTURE, out)
        self.assertIn("serves it", self.cli_ok("db", "check", "--backend-store-uri", db.uri))

        add_not_null_column(db, "metrics", "future_required", "VARCHAR(10)")
        for out in (self.refused(db), sextant_cli("db", "check", "--backend-store-uri", db.uri)[1]):
            self.assertRegex(out, r"table metrics has column future_required \(.*NOT NULL without a default")
        self.assertEqual(sextant_cli("db", "check", "--backend-store-uri", db.uri)[0], 1)
        self.assertEqual(db.stamp(), [FUTURE])


def add_not_null_column(db, table, column, sql_type):
    """What a future migration that adds a NOT NULL column without a default does: the column is
    added, the rows there are backfilled ('x'), and no default is left."""
    if not db.path:
        db.execute("ALTER TABLE %s ADD COLUMN %s %s DEFAULT 'x' NOT NULL" % (table, column, sql_type),
                   "ALTER TABLE %s ALTER COLUMN %s DROP DEFAULT" % (table, column))
        return
    with sqlite3.connect(db.path) as c:  # SQLite adds no such column: the table is rebuilt
        (create,) = c.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        indexes = [r[0] for r in c.execute("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                                           "AND sql IS NOT NULL", (table,))]
        columns = ", ".join('"%s"' % r[1] for r in c.execute("SELECT * FROM pragma_table_info(?)", (table,)))
        rest = create.split("(", 1)[1]
        c.execute("PRAGMA foreign_keys = OFF")
        c.execute("CREATE TABLE %s_new (%s %s NOT NULL, %s" % (table, column, sql_type, rest))
        c.execute("INSERT INTO %s_new (%s, %s) SELECT %s, 'x' FROM %s" % (table, columns, column, columns, table))
        c.execute("DROP TABLE %s" % table)
        c.execute("ALTER TABLE %s_new RENAME TO %s" % (table, table))
        for sql in indexes:
            c.execute(sql)


class TestUpgrade(RevisionsBase):
    """`sextant db upgrade` gives Sextant's expected catalog at the head."""

    def test_upgrade_from_mlflow2(self):
        """MLflow 2.0's schema, upgraded: the expected catalog, and then served"""
        db = self.database()
        db.load(MLFLOW2_FIXTURE)
        self.assertEqual(db.stamp(), [MLFLOW2_HEAD])
        self.cli_ok("db", "upgrade", "--backend-store-uri", db.uri)
        self.assertEqual(db.stamp(), [HEAD])
        self.assertCatalog(db)
        self.assertIn("serves it", self.cli_ok("db", "check", "--backend-store-uri", db.uri))
        srv = self.start(db)
        self.workflow(db, workspace=True)
        self.stop_clean(srv)

    def test_upgrade_from_mlflow36(self):
        db = self.create_at(UPSTREAM[0])
        self.assertEqual(db.stamp(), [UPSTREAM[0]])
        self.cli_ok("db", "upgrade", "--backend-store-uri", db.uri, "--to", HEAD)
        self.assertEqual(db.stamp(), [HEAD])
        self.assertCatalog(db)


if __name__ == "__main__":
    unittest.main()
