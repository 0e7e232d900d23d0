"""Sextant on a database at MLflow's workspace revisions (issue #15): a server started with
`--create-schema-revision 7d34483879f0` (upstream head) and one with `1b5f0d9ad7c1` (the
revision that adds the `workspace` columns) serves every experiment, registry and webhook
write and read, and the rows it writes carry workspace 'default' (the database is read
directly). Rows of another workspace, put into the database beside them, are never read,
matched, changed or deleted: names are unique per workspace there, so a model or experiment of
the same name in workspace 'other' must not collide with the default workspace's.

Until the server can create a database at these revisions (`--create-schema-revision` and the
migrations up to them), the module skips, saying why.
"""

import unittest
import uuid

import harness
from harness import api_get, api_post, api_request

OTHER = "other"  # a workspace Sextant must leave alone
WEBHOOKS = harness.API + "/webhooks"


def api_delete(path, body):
    return api_request("DELETE", path, json=body)


def start_server(revision):
    """A server on a new database at `revision`; SkipTest while the flag is unknown."""
    srv = harness.SextantServer(extra_args=["--create-schema-revision", revision,
                                            "--webhook-allow-private-addresses"],
                                env={"MLFLOW_WEBHOOK_ALLOWED_SCHEMES": "http,https"})
    try:
        srv.start()
    except harness.ServerStartError:
        text = srv.stderr_text()
        srv.cleanup()
        # Until main has the flag and the migrations up to `revision` (issue #15's branches).
        for missing in ("unknown option '--create-schema-revision'", "has no migration to revision"):
            if missing in text:
                raise unittest.SkipTest("sextant cannot create a database at %s yet: %s" % (revision, text.strip()))
        raise
    return srv


class WorkspaceSchemaChecks:
    """The checks, run once per revision by the TestCase classes below."""

    REVISION = None

    @classmethod
    def setUpClass(cls):  # noqa: N802
        cls.server = start_server(cls.REVISION)
        cls._previous, harness.SERVER = harness.SERVER, cls.server

    @classmethod
    def tearDownClass(cls):  # noqa: N802
        harness.SERVER = cls._previous
        srv = cls.server
        crashed = srv.proc.poll() is not None
        rc = srv.stop()
        stderr = srv.stderr_text()
        srv.cleanup()
        if crashed or rc != 0 or "Sanitizer" in stderr or "runtime error:" in stderr:
            raise AssertionError("sextant ended badly (code %s)\n%s" % (rc, stderr))

    # --- the database ----------------------------------------------------------------------
    def query(self, sql, params=()):
        conn = self.srv.db()
        try:
            return [tuple(r) for r in conn.execute(sql, params).fetchall()]
        finally:
            conn.close()

    def execute(self, *statements):
        """Runs (sql, params) pairs, committed."""
        conn = self.srv.db()
        try:
            for sql, params in statements:
                conn.execute(sql, params)
            if hasattr(conn, "commit"):
                conn.commit()
        finally:
            conn.close()

    def workspaces_of(self, table, where, params):
        return sorted({r[0] for r in self.query("SELECT workspace FROM %s WHERE %s" % (table, where), params)})

    def assertRevision(self):
        self.assertEqual(self.query("SELECT version_num FROM alembic_version"), [(self.REVISION,)])

    # --- helpers ---------------------------------------------------------------------------
    def new_name(self, prefix):
        return "%s-%s" % (prefix, uuid.uuid4().hex[:10])

    def other_model(self, name, versions=3):
        """Model `name` in workspace OTHER with versions, tags and an alias, straight into the database."""
        rows = [("INSERT INTO registered_models (workspace, name, creation_time, last_updated_time, description) "
                 "VALUES (?, ?, 1, 1, 'theirs')", (OTHER, name)),
                ("INSERT INTO registered_model_tags (workspace, key, value, name) VALUES (?, 'k', 'theirs', ?)",
                 (OTHER, name))]
        for v in range(1, versions + 1):
            rows.append(("INSERT INTO model_versions (workspace, name, version, creation_time, last_updated_time, "
                         "current_stage, source, status) VALUES (?, ?, ?, 1, 1, 'Production', 's3://b/theirs', "
                         "'READY')", (OTHER, name, v)))
            rows.append(("INSERT INTO model_version_tags (workspace, key, value, name, version) "
                         "VALUES (?, 'k', 'theirs', ?, ?)", (OTHER, name, v)))
        rows.append(("INSERT INTO registered_model_aliases (workspace, alias, version, name) "
                     "VALUES (?, 'champion', 1, ?)", (OTHER, name)))
        self.execute(*rows)

    def other_rows(self, name):
        """Everything of model `name` in workspace OTHER, table by table."""
        return {t: sorted(self.query("SELECT * FROM %s WHERE workspace = ? AND name = ?" % t, (OTHER, name)), key=repr)
                for t in ("registered_models", "model_versions", "registered_model_tags", "model_version_tags",
                          "registered_model_aliases")}

    def registry_workspaces(self, name):
        return {t: self.workspaces_of(t, "name = ?", (name,))
                for t in ("registered_models", "model_versions", "registered_model_tags", "model_version_tags",
                          "registered_model_aliases")}

    # --- experiments -----------------------------------------------------------------------
    def test_experiments(self):
        self.assertRevision()
        self.assertEqual(self.workspaces_of("experiments", "experiment_id = 0", ()), ["default"])
        name, renamed = self.new_name("exp"), self.new_name("exp-renamed")
        # The same names in another workspace: no collision, never read.
        self.execute(*[("INSERT INTO experiments (workspace, name, artifact_location, lifecycle_stage, "
                        "creation_time, last_update_time) VALUES (?, ?, 'x', 'active', 1, 1)", (OTHER, n))
                       for n in (name, renamed)])
        eid = self.create_experiment(name, tags=[{"key": "k", "value": "v"}])
        self.assertEqual(self.workspaces_of("experiments", "experiment_id = ?", (int(eid),)), ["default"])
        self.assertError(api_post("experiments/create", {"name": name}), 400, "RESOURCE_ALREADY_EXISTS",
                         "Experiment(name=%s) already exists. Error: UNIQUE constraint failed: "
                         "experiments.workspace, experiments.name" % name)
        got = self.assertOk(api_get("experiments/get-by-name", {"experiment_name": name}))["experiment"]
        self.assertEqual(got["experiment_id"], eid)
        self.assertEqual(got["tags"], [{"key": "k", "value": "v"}])

        self.assertOk(api_post("experiments/update", {"experiment_id": eid, "new_name": renamed}))
        self.assertEqual(self.assertOk(api_get("experiments/get-by-name", {"experiment_name": renamed}))
                         ["experiment"]["experiment_id"], eid)
        self.assertNotFound(api_get("experiments/get-by-name", {"experiment_name": name}))
        other = self.create_experiment(name)  # the old name is free again (in the default workspace)
        self.assertError(api_post("experiments/update", {"experiment_id": other, "new_name": renamed}), 400,
                         "RESOURCE_ALREADY_EXISTS", "Experiment(name=%s) already exists." % renamed)

        found = self.assertOk(api_post("experiments/search", {"max_results": 1000}))["experiments"]
        names = sorted(e["name"] for e in found if e["name"] in (name, renamed))
        self.assertEqual(names, sorted([name, renamed]))  # one each: not OTHER's
        filtered = self.assertOk(api_post("experiments/search",
                                          {"filter": "name = '%s'" % renamed}))["experiments"]
        self.assertEqual([e["experiment_id"] for e in filtered], [eid])
        self.assertEqual(self.workspaces_of("experiments", "name IN (?, ?)", (name, renamed)), ["default", OTHER])
        self.assertEqual(self.query("SELECT COUNT(*) FROM experiments WHERE workspace = ? AND name IN (?, ?) "
                                    "AND artifact_location = 'x'", (OTHER, name, renamed)), [(2,)])

    # --- registered models, versions, tags, aliases ----------------------------------------
    def test_registry(self):
        name, renamed = self.new_name("rm"), self.new_name("rm-renamed")
        self.other_model(name)
        self.other_model(renamed, versions=1)
        before = {n: self.other_rows(n) for n in (name, renamed)}

        model = self.assertOk(api_post("registered-models/create", {
            "name": name, "description": "ours", "tags": [{"key": "k", "value": "v1"}]}))["registered_model"]
        self.assertEqual(model["description"], "ours")
        self.assertError(api_post("registered-models/create", {"name": name}), 400, "RESOURCE_ALREADY_EXISTS",
                         "Registered Model (name=%s) already exists." % name)
        run_id = self.create_run("0")["info"]["run_id"]
        for expected in (1, 2, 3):  # numbered within the default workspace (OTHER has 1..3 already)
            v = self.assertOk(api_post("model-versions/create", {
                "name": name, "source": "runs:/%s/model" % run_id, "run_id": run_id,
                "tags": [{"key": "vk", "value": "a"}]}))["model_version"]
            self.assertEqual(v["version"], str(expected))
            self.assertEqual(v["tags"], [{"key": "vk", "value": "a"}])

        # Tags: set, overwrite (the upsert on the workspace-qualified key), delete.
        for value in ("v2", "v3"):
            self.assertOk(api_post("registered-models/set-tag", {"name": name, "key": "k", "value": value}))
            self.assertOk(api_post("model-versions/set-tag", {"name": name, "version": "2", "key": "vk",
                                                              "value": value}))
        self.assertOk(api_post("registered-models/set-tag", {"name": name, "key": "gone", "value": "x"}))
        self.assertOk(api_delete("registered-models/delete-tag", {"name": name, "key": "gone"}))
        self.assertOk(api_delete("model-versions/delete-tag", {"name": name, "version": "3", "key": "vk"}))
        got = self.assertOk(api_get("registered-models/get", {"name": name}))["registered_model"]
        self.assertEqual(got["tags"], [{"key": "k", "value": "v3"}])
        self.assertEqual(got["description"], "ours")
        v2 = self.assertOk(api_get("model-versions/get", {"name": name, "version": "2"}))["model_version"]
        self.assertEqual(v2["tags"], [{"key": "vk", "value": "v3"}])
        v3 = self.assertOk(api_get("model-versions/get", {"name": name, "version": "3"}))["model_version"]
        self.assertNotIn("tags", v3)

        # Aliases: set, overwrite, read, delete.
        self.assertOk(api_post("registered-models/alias", {"name": name, "alias": "champion", "version": "1"}))
        self.assertOk(api_post("registered-models/alias", {"name": name, "alias": "champion", "version": "2"}))
        self.assertOk(api_post("registered-models/alias", {"name": name, "alias": "gone", "version": "3"}))
        self.assertOk(api_delete("registered-models/alias", {"name": name, "alias": "gone"}))
        by_alias = self.assertOk(api_get("registered-models/alias", {"name": name, "alias": "champion"}))
        self.assertEqual(by_alias["model_version"]["version"], "2")
        self.assertEqual(by_alias["model_version"]["aliases"], ["champion"])

        # Stages: only the default workspace's versions are archived; latest versions are ours.
        self.assertOk(api_post("model-versions/transition-stage", {
            "name": name, "version": "1", "stage": "Production", "archive_existing_versions": False}))
        self.assertOk(api_post("model-versions/transition-stage", {
            "name": name, "version": "2", "stage": "Production", "archive_existing_versions": True}))
        self.assertEqual(self.assertOk(api_get("model-versions/get", {"name": name, "version": "1"}))
                         ["model_version"]["current_stage"], "Archived")
        latest = self.assertOk(api_post("registered-models/get-latest-versions",
                                        {"name": name, "stages": ["Production"]}))["model_versions"]
        self.assertEqual([(v["version"], v["source"]) for v in latest], [("2", "runs:/%s/model" % run_id)])

        # Searches see the default workspace only.
        models = self.assertOk(api_get("registered-models/search",
                                       {"filter": "name = '%s'" % name}))["registered_models"]
        self.assertEqual([(m["name"], m.get("description")) for m in models], [(name, "ours")])
        by_tag = self.assertOk(api_get("registered-models/search",
                                       {"filter": "name = '%s' AND tags.k = 'theirs'" % name}))
        self.assertEqual(by_tag.get("registered_models", []), [])
        versions = self.assertOk(api_get("model-versions/search", {"filter": "name = '%s'" % name}))
        self.assertEqual(sorted(v["version"] for v in versions["model_versions"]), ["1", "2", "3"])
        by_vtag = self.assertOk(api_get("model-versions/search", {"filter": "name = '%s' AND tags.vk = 'v3'" % name}))
        self.assertEqual([v["version"] for v in by_vtag["model_versions"]], ["2"])

        # What we wrote carries workspace 'default', beside OTHER's rows.
        for table, workspaces in self.registry_workspaces(name).items():
            self.assertEqual(workspaces, ["default", OTHER], table)

        # Rename: versions, tags and aliases follow (ON UPDATE CASCADE on (workspace, name)); the
        # name OTHER has is no obstacle, and OTHER's model keeps its name.
        ours = {t: self.query("SELECT COUNT(*) FROM %s WHERE workspace = 'default' AND name = ?" % t, (name,))
                for t in self.registry_workspaces(name)}
        self.assertOk(api_post("registered-models/rename", {"name": name, "new_name": renamed}))
        for t, count in ours.items():
            self.assertEqual(self.query("SELECT COUNT(*) FROM %s WHERE workspace = 'default' AND name = ?" % t,
                                        (renamed,)), count, t)
            self.assertEqual(self.query("SELECT COUNT(*) FROM %s WHERE workspace = 'default' AND name = ?" % t,
                                        (name,)), [(0,)], t)
        got = self.assertOk(api_get("registered-models/get", {"name": renamed}))["registered_model"]
        self.assertEqual(got["aliases"], [{"alias": "champion", "version": "2"}])
        self.assertNotFound(api_get("registered-models/get", {"name": name}),
                            "Registered Model with name=%s not found" % name)
        self.create_model_named(name)
        self.assertError(api_post("registered-models/rename", {"name": name, "new_name": renamed}), 400,
                         "RESOURCE_ALREADY_EXISTS",
                         "Registered Model (name=%s) already exists. Error: UNIQUE constraint failed: "
                         "registered_models.workspace, registered_models.name" % renamed)

        # Deletes: a version, then the models; OTHER's rows are untouched throughout.
        self.assertOk(api_delete("model-versions/delete", {"name": renamed, "version": "3"}))
        self.assertNotFound(api_get("model-versions/get", {"name": renamed, "version": "3"}))
        for n in (renamed, name):
            self.assertOk(api_delete("registered-models/delete", {"name": n}))
            self.assertNotFound(api_get("registered-models/get", {"name": n}))
        for n in (name, renamed):
            self.assertEqual(self.other_rows(n), before[n], n)
            for table, workspaces in self.registry_workspaces(n).items():
                self.assertEqual(workspaces, [OTHER], table)

    def create_model_named(self, name):
        self.assertOk(api_post("registered-models/create", {"name": name}))

    # --- webhooks --------------------------------------------------------------------------
    def test_webhooks(self):
        theirs = "wh-" + uuid.uuid4().hex
        self.execute(("INSERT INTO webhooks (webhook_id, workspace, name, url, status, creation_timestamp, "
                      "last_updated_timestamp) VALUES (?, ?, 'theirs', 'http://127.0.0.1:9/theirs', 'ACTIVE', "
                      "9999999999999, 9999999999999)", (theirs, OTHER)))
        body = {"name": "ours", "url": "http://127.0.0.1:9/ours", "status": "DISABLED",
                "events": [{"entity": "REGISTERED_MODEL", "action": "CREATED"}]}
        hook = self.assertOk(self.srv.request("POST", WEBHOOKS, json=body))["webhook"]
        wid = hook["webhook_id"]
        self.assertEqual(self.workspaces_of("webhooks", "webhook_id = ?", (wid,)), ["default"])
        listed = self.assertOk(self.srv.request("GET", WEBHOOKS, params={"max_results": 1000}))["webhooks"]
        ids = [w["webhook_id"] for w in listed]
        self.assertIn(wid, ids)
        self.assertNotIn(theirs, ids)
        self.assertNotFound(self.srv.request("GET", WEBHOOKS + "/" + theirs))
        self.assertNotFound(self.srv.request("PATCH", WEBHOOKS + "/" + theirs, json={"name": "mine"}))
        self.assertNotFound(self.srv.request("DELETE", WEBHOOKS + "/" + theirs))
        updated = self.assertOk(self.srv.request("PATCH", WEBHOOKS + "/" + wid, json={"name": "ours2"}))["webhook"]
        self.assertEqual(updated["name"], "ours2")
        self.assertOk(self.srv.request("DELETE", WEBHOOKS + "/" + wid))
        self.assertNotFound(self.srv.request("GET", WEBHOOKS + "/" + wid))
        self.assertEqual(self.query("SELECT workspace, name, deleted_timestamp FROM webhooks WHERE webhook_id = ?",
                                    (theirs,)), [(OTHER, "theirs", None)])
        self.assertEqual(self.workspaces_of("webhooks", "webhook_id = ?", (wid,)), ["default"])


class UpstreamHead(WorkspaceSchemaChecks, harness.SextantTestCase):
    REVISION = "7d34483879f0"


class WorkspaceRevision(WorkspaceSchemaChecks, harness.SextantTestCase):
    REVISION = "1b5f0d9ad7c1"


if __name__ == "__main__":
    unittest.main()
