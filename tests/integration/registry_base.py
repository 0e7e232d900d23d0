"""Helpers shared by the model registry modules (test_registry, test_model_versions)."""

import os
import sqlite3
import uuid

import harness
from harness import api_get, api_post, api_request, now_ms, unique


def api_delete(path, body, **kw):
    return api_request("DELETE", path, json=body, **kw)


def api_patch(path, body, **kw):
    return api_request("PATCH", path, json=body, **kw)


class RegistryTestCase(harness.SextantTestCase):
    """Registry factories on top of the tracking ones."""

    def create_model(self, name=None, **fields):
        body = {"name": name or unique("rm")}
        body.update(fields)
        return self.assertOk(api_post("registered-models/create", body), "create model")["registered_model"]

    def get_model(self, name):
        return self.assertOk(api_get("registered-models/get", {"name": name}), "get model")["registered_model"]

    def run_with_artifacts(self, experiment_id=None):
        """A run; returns (run_id, artifact_uri)."""
        info = self.create_run(experiment_id or "0")["info"]
        return info["run_id"], info["artifact_uri"]

    def create_version(self, name, source=None, run_id=None, **fields):
        if source is None:
            run_id = run_id or self.create_run_id()
            source = "runs:/%s/model" % run_id
        body = {"name": name, "source": source}
        if run_id is not None:
            body["run_id"] = run_id
        body.update(fields)
        return self.assertOk(api_post("model-versions/create", body), "create version")["model_version"]

    def try_version(self, name, source, **fields):
        body = {"name": name, "source": source}
        body.update(fields)
        return api_post("model-versions/create", body)

    def get_version(self, name, version):
        return self.assertOk(api_get("model-versions/get", {"name": name, "version": str(version)}),
                             "get version")["model_version"]

    def versions_of(self, name):
        data = self.assertOk(api_get("model-versions/search", {"filter": "name = '%s'" % name}))
        return data.get("model_versions", [])

    def set_alias(self, name, alias, version):
        self.assertOk(api_post("registered-models/alias",
                               {"name": name, "alias": alias, "version": str(version)}), "set alias")

    def transition(self, name, version, stage, archive=False):
        return self.assertOk(api_post("model-versions/transition-stage",
                                      {"name": name, "version": str(version), "stage": stage,
                                       "archive_existing_versions": archive}),
                             "transition")["model_version"]

    def delete_version(self, name, version):
        self.assertOk(api_delete("model-versions/delete", {"name": name, "version": str(version)}),
                      "delete version")

    # direct database access (the module server's own file) ---------------------------------
    def db(self):
        return self.srv.db()

    def insert_logged_model(self, experiment_id, run_id=None, location=None):
        """A logged model row as the logged-models API would write it; returns (id, location)."""
        model_id = "m-" + uuid.uuid4().hex
        location = location or "mlflow-artifacts:/%s/models/%s/artifacts" % (experiment_id, model_id)
        with self.db() as conn:
            conn.execute(
                "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, "
                "creation_timestamp_ms, last_updated_timestamp_ms, status, lifecycle_stage, model_type, "
                "source_run_id, status_message) VALUES (?, ?, 'model', ?, ?, ?, 2, 'active', NULL, ?, NULL)",
                (model_id, int(experiment_id), location, now_ms(), now_ms(), run_id))
        return model_id, location

    def logged_model_tag(self, model_id, key):
        with self.db() as conn:
            row = conn.execute("SELECT tag_value FROM logged_model_tags WHERE model_id = ? AND tag_key = ?",
                               (model_id, key)).fetchone()
        return row[0] if row else None

    def version_rows(self, name):
        """All model_versions rows of a model (including soft-deleted ones) as dicts."""
        with self.db() as conn:
            if harness.BACKEND == "sqlite":
                conn.row_factory = sqlite3.Row
            rows = conn.execute("SELECT * FROM model_versions WHERE name = ? ORDER BY version",
                                (name,)).fetchall()
        return [dict(r) for r in rows]


def server_path(*parts):
    return os.path.join(harness.server().workdir, *parts)
