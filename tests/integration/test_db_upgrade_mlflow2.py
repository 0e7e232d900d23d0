"""`sextant db upgrade` from MLflow 2.0's schema (tests/compat/fixtures/mlflow-97727af70f4d.*.sql, dumped
from a database MLflow's own alembic made) to MLflow 3.6's bf29a5ff90ea: the rows survive, a failed
upgrade leaves the database where it can be upgraded again (SQLite and PostgreSQL: untouched, one
transaction; MySQL: at the last completed revision, and a migration that stopped half-way runs again).
The catalog the upgrade gives is compared with MLflow's elsewhere (unit test MigrationsMlflow2 on SQLite,
tests/compat/revisions_check.sh by hand).
"""

import os
import sqlite3
import subprocess
import tempfile
import unittest

import harness

MLFLOW2_HEAD = "97727af70f4d"
MLFLOW36_HEAD = "bf29a5ff90ea"
FIXTURE = os.path.join(harness.HERE, "..", "compat", "fixtures", "mlflow-%s.%s.sql" % (
    MLFLOW2_HEAD, {"sqlite": "sqlite", "postgresql": "postgresql", "mariadb": "mysql"}[harness.BACKEND]))
MYSQL = harness.BACKEND == "mariadb"
KEY = "`key`" if MYSQL else '"key"'  # the clients' sessions: MySQL's without ANSI_QUOTES


class Mlflow2Database:
    """A new database holding MLflow 2.0's schema (a file, or a database on the test server)."""

    def __init__(self, workdir):
        with open(FIXTURE) as f:
            ddl = f.read()
        if harness.SERVER_BACKEND:
            self.name = harness.create_database()
            self.uri = harness.uri_for(self.name)
            (harness.psql if harness.BACKEND == "postgresql" else harness.mariadb_cli)(self.uri, ddl)
        else:
            self.name = None
            self.path = os.path.join(workdir, "mlflow2.db")
            with sqlite3.connect(self.path) as c:
                c.executescript(ddl)
            self.uri = "sqlite:///" + self.path

    def execute(self, *statements):
        """Each statement by itself; {key} is the reserved column name, quoted for the database."""
        for sql in (s.replace("{key}", KEY) for s in statements):
            if harness.SERVER_BACKEND:
                (harness.psql if harness.BACKEND == "postgresql" else harness.mariadb_cli)(self.uri, sql)
            else:
                with sqlite3.connect(self.path) as c:
                    c.execute(sql)

    def rows(self, sql):
        sql = sql.replace("{key}", KEY)
        if not harness.SERVER_BACKEND:
            with sqlite3.connect(self.path) as c:
                return [tuple(str(v) for v in r) for r in c.execute(sql)]
        if harness.BACKEND == "postgresql":
            out = harness.psql(self.uri, sql)
            return [tuple(line.split("|")) for line in out.splitlines() if line]
        out = harness.mariadb_cli(self.uri, sql)
        return [tuple(line.split("\t")) for line in out.splitlines()[1:]]

    def stamp(self):
        return self.rows("SELECT version_num FROM alembic_version")

    def has_table(self, table):
        if not harness.SERVER_BACKEND:
            return bool(self.rows("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '%s'" % table))
        schema = "current_schema()" if harness.BACKEND == "postgresql" else "DATABASE()"
        return bool(self.rows("SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = '%s'"
                              % (schema, table)))

    def upgrade(self, to):
        return subprocess.run([harness.SEXTANT_BIN, "db", "upgrade", "--backend-store-uri", self.uri, "--to", to],
                              capture_output=True, text=True, timeout=120)

    def drop(self):
        if self.name:
            harness.drop_database(self.name)


class DbUpgradeFromMlflow2Test(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="sextant-upgrade-")
        self.db = Mlflow2Database(self.tmp.name)

    def tearDown(self):
        self.db.drop()
        self.tmp.cleanup()

    def assert_upgraded(self, to=MLFLOW36_HEAD):
        r = self.db.upgrade(to)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.db.stamp(), [(to,)])

    def test_rows_survive_and_the_widened_columns_take_long_values(self):
        self.db.execute(
            "INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (7, 'e', 'active')",
            "INSERT INTO runs (run_uuid, experiment_id, lifecycle_stage, status) VALUES ('r1', 7, 'active', 'RUNNING')",
            "INSERT INTO params ({key}, value, run_uuid) VALUES ('p', 'v', 'r1')",
            "INSERT INTO tags ({key}, value, run_uuid) VALUES ('t', 'w', 'r1')",
            "INSERT INTO registered_models (name) VALUES ('m')",
            "INSERT INTO model_versions (name, version) VALUES ('m', 1)",
            "INSERT INTO model_version_tags ({key}, value, name, version) VALUES ('k', 'x', 'm', 1)")
        self.assert_upgraded()
        self.assertEqual(self.db.rows("SELECT {key}, value, run_uuid FROM params"), [("p", "v", "r1")])
        self.assertEqual(self.db.rows("SELECT {key}, value, run_uuid FROM tags"), [("t", "w", "r1")])
        self.assertEqual(self.db.rows("SELECT {key}, value, name, version FROM model_version_tags"),
                         [("k", "x", "m", "1")])
        # 2d6e25af4d3e / f5a4f2784254 / bda7b8c39065 widened these columns.
        self.db.execute("INSERT INTO params ({key}, value, run_uuid) VALUES ('long', '" + "v" * 8000 + "', 'r1')",
                        "INSERT INTO tags ({key}, value, run_uuid) VALUES ('long', '" + "w" * 8000 + "', 'r1')",
                        "INSERT INTO model_version_tags ({key}, value, name, version) VALUES ('long', '" + "x" * 20000 +
                        "', 'm', 1)")
        self.assertEqual(self.db.rows("SELECT COUNT(*) FROM params"), [("2",)])

    def test_a_failed_upgrade_can_be_run_again(self):
        # A table of another application named like MLflow's jobs table (bf29a5ff90ea, the last step).
        self.db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, what VARCHAR(10))")
        r = self.db.upgrade(MLFLOW36_HEAD)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("bf29a5ff90ea", r.stderr)
        if MYSQL:  # DDL commits by itself: every migration before the failed one stays, stamped
            self.assertEqual(self.db.stamp(), [("3da73c924c2f",)])
            self.assertTrue(self.db.has_table("datasets"))
        else:  # one transaction: nothing changed
            self.assertEqual(self.db.stamp(), [(MLFLOW2_HEAD,)])
            self.assertFalse(self.db.has_table("datasets"))
        self.db.execute("DROP TABLE jobs")
        self.assert_upgraded()
        self.assertTrue(self.db.has_table("evaluation_dataset_records"))

    @unittest.skipUnless(MYSQL, "MySQL commits each DDL statement by itself; elsewhere nothing is left half-way")
    def test_mysql_migration_stopped_half_way_runs_again(self):
        self.assert_upgraded("867495a8f9d4")
        # What 5b0e9adcef9c leaves when it stops between dropping and re-adding the foreign key.
        self.db.execute("ALTER TABLE trace_tags DROP FOREIGN KEY fk_trace_tags_request_id")
        self.assert_upgraded()
        self.assertEqual(self.db.rows(
            "SELECT delete_rule FROM information_schema.referential_constraints WHERE constraint_schema = DATABASE() "
            "AND constraint_name = 'fk_trace_tags_request_id'"), [("CASCADE",)])
        # A migration that ran to its end but was not stamped (killed just before): it runs again.
        self.db.execute("UPDATE alembic_version SET version_num = '3da73c924c2f'")
        self.assert_upgraded()
        self.assertEqual(self.db.rows(
            "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = "
            "'jobs' AND index_name = 'index_jobs_function_status_creation_time'"), [("3",)])


if __name__ == "__main__":
    unittest.main()
