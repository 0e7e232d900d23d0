"""Runs: create / get / update / delete / restore (spec §2.2, §1.2, §1.3, §5.7)."""

import re
import unittest

import harness
from harness import api_get, api_post, ajax_get, ajax_post, now_ms, unique, tags_of
from harness import setUpModule, tearDownModule  # noqa: F401

RUN_NAME_TAG = "mlflow.runName"


class RunsBase(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        cls.exp = harness.SextantTestCase().create_experiment(unique("runs"))


class TestCreateRun(RunsBase):
    def test_create_shape(self):
        st = now_ms() - 5000
        data = self.assertOk(api_post("runs/create", {
            "experiment_id": self.exp, "user_id": "alice", "start_time": st,
            "run_name": "my-run", "tags": [{"key": "mlflow.user", "value": "alice"},
                                           {"key": "custom", "value": "x"}]}))
        run = data["run"]
        info = run["info"]
        self.assertRegex(info["run_id"], harness.RUN_ID_RE)
        self.assertEqual(info["run_uuid"], info["run_id"])
        self.assertEqual(info["experiment_id"], self.exp)
        self.assertEqual(info["user_id"], "alice")
        self.assertEqual(info["status"], "RUNNING")
        self.assertEqual(info["start_time"], st)
        self.assertIsInstance(info["start_time"], int)
        self.assertEqual(info["lifecycle_stage"], "active")
        self.assertEqual(info["run_name"], "my-run")
        self.assertEqual(info["artifact_uri"],
                         "mlflow-artifacts:/%s/%s/artifacts" % (self.exp, info["run_id"]))
        self.assertNotIn("end_time", info)
        tags = tags_of(run)
        self.assertEqual(tags[RUN_NAME_TAG], "my-run")
        self.assertEqual(tags["custom"], "x")
        self.assertEqual(tags["mlflow.user"], "alice")

    def test_ids_unique_lowercase_hex(self):
        ids = {self.create_run_id(self.exp) for _ in range(5)}
        self.assertEqual(len(ids), 5)
        for i in ids:
            self.assertRegex(i, r"^[0-9a-f]{32}$")

    def test_get_matches_create(self):
        created = self.create_run(self.exp, run_name="getme")
        got = self.get_run(created["info"]["run_id"])
        self.assertEqual(got["info"], created["info"])
        self.assertEqual(tags_of(got), tags_of(created))

    def test_run_name_from_tag(self):
        run = self.create_run(self.exp, tags=[{"key": RUN_NAME_TAG, "value": "from-tag"}])
        self.assertEqual(run["info"]["run_name"], "from-tag")
        self.assertEqual(tags_of(run)[RUN_NAME_TAG], "from-tag")
        self.assertEqual(self.get_run(run["info"]["run_id"])["info"]["run_name"], "from-tag")

    def test_run_name_and_same_tag(self):
        run = self.create_run(self.exp, run_name="same",
                              tags=[{"key": RUN_NAME_TAG, "value": "same"}])
        self.assertEqual(run["info"]["run_name"], "same")
        self.assertEqual(tags_of(run)[RUN_NAME_TAG], "same")

    def test_run_name_conflicts_with_tag(self):
        r = api_post("runs/create", {"experiment_id": self.exp, "start_time": now_ms(),
                                     "run_name": "a",
                                     "tags": [{"key": RUN_NAME_TAG, "value": "b"}]})
        self.assertBadParam(r, "Both 'run_name' argument and 'mlflow.runName' tag are specified")

    def test_generated_run_name(self):
        run = self.create_run(self.exp)
        name = run["info"]["run_name"]
        self.assertRegex(name, r"^[a-z]+-[a-z]+-\d{1,3}$")
        self.assertLessEqual(len(name), 20)
        self.assertEqual(tags_of(run)[RUN_NAME_TAG], name)

    def test_unknown_experiment(self):
        self.assertNotFound(api_post("runs/create", {"experiment_id": "987654321",
                                                     "start_time": now_ms()}))

    def test_deleted_experiment(self):
        eid = self.create_experiment()
        self.delete_experiment(eid)
        self.assertBadParam(api_post("runs/create", {"experiment_id": eid,
                                                     "start_time": now_ms()}),
                            "must be in the 'active' state")

    def test_experiment_id_as_number(self):
        # §1.2: a JSON-number experiment_id is converted to a string
        run = self.assertOk(api_post("runs/create", {"experiment_id": int(self.exp),
                                                     "start_time": now_ms()}))["run"]
        self.assertEqual(run["info"]["experiment_id"], self.exp)

    def test_start_time_as_string(self):
        run = self.assertOk(api_post("runs/create", {"experiment_id": self.exp,
                                                     "start_time": "1700000000123"}))["run"]
        self.assertEqual(run["info"]["start_time"], 1700000000123)

    def test_empty_experiment_id_means_default(self):
        run = self.assertOk(api_post("runs/create", {"start_time": now_ms()}))["run"]
        self.assertEqual(run["info"]["experiment_id"], "0")
        self.assertEqual(run["info"]["artifact_uri"],
                         "mlflow-artifacts:/0/%s/artifacts" % run["info"]["run_id"])

    def test_empty_user_id_emitted(self):
        run = self.assertOk(api_post("runs/create", {"experiment_id": self.exp,
                                                     "start_time": now_ms(),
                                                     "user_id": ""}))["run"]
        self.assertIn("user_id", run["info"])
        self.assertEqual(run["info"]["user_id"], "")

    def test_create_via_ajax(self):
        run = self.assertOk(ajax_post("runs/create", {"experiment_id": self.exp,
                                                      "start_time": now_ms()}))["run"]
        got = self.assertOk(ajax_get("runs/get", {"run_id": run["info"]["run_id"]}))["run"]
        self.assertEqual(got["info"]["run_id"], run["info"]["run_id"])

    def test_camel_case_fields(self):
        run = self.assertOk(api_post("runs/create", {"experimentId": self.exp,
                                                     "startTime": 1700000000000,
                                                     "runName": "camel"}))["run"]
        self.assertEqual(run["info"]["experiment_id"], self.exp)
        self.assertEqual(run["info"]["start_time"], 1700000000000)
        self.assertEqual(run["info"]["run_name"], "camel")


class TestGetRun(RunsBase):
    def test_unknown(self):
        rid = "0" * 32
        self.assertNotFound(api_get("runs/get", {"run_id": rid}),
                            "Run with id=%s not found" % rid)

    def test_uppercase_id_not_found(self):
        rid = self.create_run_id(self.exp)
        self.assertNotFound(api_get("runs/get", {"run_id": rid.upper()}))

    def test_missing_run_id(self):
        self.assertBadParam(api_get("runs/get"),
                            "Missing value for required parameter 'run_id'")

    def test_by_run_uuid(self):
        rid = self.create_run_id(self.exp)
        run = self.assertOk(api_get("runs/get", {"run_uuid": rid}))["run"]
        self.assertEqual(run["info"]["run_id"], rid)

    def test_data_shape(self):
        rid = self.create_run_id(self.exp, run_name="shape")
        self.log_metric(rid, "m", 1.5, timestamp=10, step=0)
        self.log_param(rid, "p", "v")
        self.set_tag(rid, "t", "x")
        run = self.get_run(rid)
        self.assertEqual(run["data"]["metrics"],
                         [{"key": "m", "value": 1.5, "timestamp": 10, "step": 0}])
        self.assertEqual(run["data"]["params"], [{"key": "p", "value": "v"}])
        self.assertEqual(tags_of(run), {"t": "x", RUN_NAME_TAG: "shape"})

    def test_response_is_json(self):
        rid = self.create_run_id(self.exp)
        r = api_get("runs/get", {"run_id": rid})
        self.assertTrue(r.headers.get("Content-Type", "").startswith("application/json"))


class TestUpdateRun(RunsBase):
    def update(self, body, ajax=False):
        return (ajax_post if ajax else api_post)("runs/update", body)

    def test_finish(self):
        rid = self.create_run_id(self.exp, run_name="upd")
        end = now_ms()
        info = self.assertOk(self.update({"run_id": rid, "status": "FINISHED",
                                          "end_time": end}))["run_info"]
        self.assertEqual(info["run_id"], rid)
        self.assertEqual(info["status"], "FINISHED")
        self.assertEqual(info["end_time"], end)
        self.assertEqual(info["run_name"], "upd")
        got = self.get_run(rid)["info"]
        self.assertEqual(got["status"], "FINISHED")
        self.assertEqual(got["end_time"], end)

    def test_status_as_number_and_run_uuid(self):
        rid = self.create_run_id(self.exp)
        info = self.assertOk(self.update({"run_uuid": rid, "status": 4}))["run_info"]
        self.assertEqual(info["status"], "FAILED")
        self.assertEqual(self.get_run(rid)["info"]["status"], "FAILED")

    def test_all_statuses_and_back_to_running(self):
        rid = self.create_run_id(self.exp)
        for st in ("SCHEDULED", "FINISHED", "KILLED", "FAILED", "RUNNING"):
            info = self.assertOk(self.update({"run_id": rid, "status": st}))["run_info"]
            self.assertEqual(info["status"], st)

    def test_rename_updates_tag(self):
        rid = self.create_run_id(self.exp, run_name="before")
        info = self.assertOk(self.update({"run_id": rid, "run_name": "after"}))["run_info"]
        self.assertEqual(info["run_name"], "after")
        self.assertEqual(info["status"], "RUNNING")  # only present fields change
        run = self.get_run(rid)
        self.assertEqual(run["info"]["run_name"], "after")
        self.assertEqual(tags_of(run)[RUN_NAME_TAG], "after")
        self.assertNotIn("end_time", run["info"])

    def test_only_present_fields_change(self):
        rid = self.create_run_id(self.exp, run_name="keep")
        self.assertOk(self.update({"run_id": rid, "status": "FINISHED", "end_time": 123}))
        info = self.assertOk(self.update({"run_id": rid, "status": "KILLED"}))["run_info"]
        self.assertEqual(info["end_time"], 123)
        self.assertEqual(info["run_name"], "keep")

    def test_via_ajax(self):
        rid = self.create_run_id(self.exp)
        self.assertOk(self.update({"run_id": rid, "status": "KILLED"}, ajax=True))
        self.assertEqual(self.get_run(rid)["info"]["status"], "KILLED")

    def test_unknown_run(self):
        self.assertNotFound(self.update({"run_id": "f" * 32, "status": "FINISHED"}))

    def test_missing_run_id(self):
        self.assertBadParam(self.update({"status": "FINISHED"}))

    def test_deleted_run(self):
        rid = self.create_run_id(self.exp)
        self.delete_run(rid)
        self.assertBadParam(self.update({"run_id": rid, "status": "FINISHED"}),
                            "must be in the 'active' state")

    def test_invalid_status(self):
        rid = self.create_run_id(self.exp)
        self.assertBadParam(self.update({"run_id": rid, "status": "BOGUS"}))


class TestDeleteRestoreRun(RunsBase):
    def test_delete_restore(self):
        rid = self.create_run_id(self.exp)
        self.assertOk(api_post("runs/delete", {"run_id": rid}))
        self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "deleted")
        # idempotent
        self.assertOk(api_post("runs/delete", {"run_id": rid}))
        self.assertOk(api_post("runs/restore", {"run_id": rid}))
        self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "active")

    def test_via_ajax(self):
        rid = self.create_run_id(self.exp)
        self.assertOk(ajax_post("runs/delete", {"run_id": rid}))
        self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "deleted")
        self.assertOk(ajax_post("runs/restore", {"run_id": rid}))
        self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "active")

    def test_restore_run_in_deleted_experiment(self):
        # RestoreRun does not check the experiment's state (§2.2)
        eid = self.create_experiment()
        rid = self.create_run_id(eid)
        self.delete_experiment(eid)
        self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "deleted")
        self.assertOk(api_post("runs/restore", {"run_id": rid}))
        self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "active")

    def test_delete_unknown(self):
        self.assertNotFound(api_post("runs/delete", {"run_id": "e" * 32}))

    def test_restore_unknown(self):
        self.assertNotFound(api_post("runs/restore", {"run_id": "e" * 32}))

    def test_delete_missing_id(self):
        self.assertBadParam(api_post("runs/delete", {}))

    def test_logging_into_deleted_run(self):
        rid = self.create_run_id(self.exp)
        self.delete_run(rid)
        ts = now_ms()
        cases = [
            ("runs/log-metric", {"run_id": rid, "key": "m", "value": 1, "timestamp": ts}),
            ("runs/log-parameter", {"run_id": rid, "key": "p", "value": "v"}),
            ("runs/set-tag", {"run_id": rid, "key": "t", "value": "v"}),
            ("runs/delete-tag", {"run_id": rid, "key": RUN_NAME_TAG}),
            ("runs/log-batch", {"run_id": rid, "metrics": [{"key": "m", "value": 1,
                                                              "timestamp": ts}]}),
            ("runs/log-inputs", {"run_id": rid, "datasets": [
                {"dataset": {"name": "d", "digest": "x", "source_type": "local",
                             "source": "{}"}}]}),
        ]
        for path, body in cases:
            self.assertBadParam(api_post(path, body), "must be in the 'active' state", msg=path)
        run = self.get_run(rid)
        self.assertEqual(run["data"].get("metrics", []), [])
        self.assertEqual(run["data"].get("params", []), [])
        self.assertIn(RUN_NAME_TAG, tags_of(run))

    def test_deleted_run_still_readable(self):
        rid = self.create_run_id(self.exp)
        self.log_param(rid, "p", "1")
        self.delete_run(rid)
        run = self.get_run(rid)
        self.assertEqual(harness.params_of(run), {"p": "1"})


if __name__ == "__main__":
    unittest.main()
