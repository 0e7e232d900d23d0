"""Experiments: create / get / get-by-name / update / delete / restore / tags (spec §2.1, §4)."""

import os
import unittest

import harness
harness.SERVER_ARGS = ["--allowed-artifact-root", "s3://bucket",
                       "--allowed-artifact-root", "wasbs://c@a.blob.core.windows.net/p?x=1",
                       "--allowed-artifact-root", "{workdir}/roots"]

from harness import api_get, api_post, ajax_get, ajax_post, now_ms, unique, as_dict
from harness import setUpModule, tearDownModule  # noqa: F401


class TestDefaultExperiment(harness.SextantTestCase):
    def test_default_experiment_exists(self):
        exp = self.get_experiment("0")
        self.assertEqual(exp["experiment_id"], "0")
        self.assertEqual(exp["name"], "Default")
        self.assertEqual(exp["lifecycle_stage"], "active")
        self.assertEqual(exp["artifact_location"], "mlflow-artifacts:/0")

    def test_default_experiment_by_name(self):
        data = self.assertOk(api_get("experiments/get-by-name", {"experiment_name": "Default"}))
        self.assertEqual(data["experiment"]["experiment_id"], "0")


class TestCreateExperiment(harness.SextantTestCase):
    def test_create_and_get(self):
        name = unique("create")
        before = now_ms()
        eid = self.create_experiment(name)
        after = now_ms()
        self.assertRegex(eid, r"^[0-9]+$")
        self.assertNotEqual(eid, "0")
        exp = self.get_experiment(eid)
        self.assertEqual(exp["experiment_id"], eid)
        self.assertEqual(exp["name"], name)
        self.assertEqual(exp["lifecycle_stage"], "active")
        self.assertEqual(exp["artifact_location"], "mlflow-artifacts:/%s" % eid)
        self.assertIsInstance(exp["creation_time"], int)
        self.assertIsInstance(exp["last_update_time"], int)
        self.assertGreaterEqual(exp["creation_time"], before - 1000)
        self.assertLessEqual(exp["creation_time"], after + 1000)
        self.assertEqual(exp["creation_time"], exp["last_update_time"])
        self.assertNotIn("tags", exp)  # empty repeated fields are omitted (§1.3)

    def test_ids_increase(self):
        a = int(self.create_experiment())
        b = int(self.create_experiment())
        self.assertGreater(b, a)

    def test_create_with_tags(self):
        eid = self.create_experiment(tags=[{"key": "team", "value": "ml"},
                                           {"key": "prio", "value": "1"}])
        exp = self.get_experiment(eid)
        self.assertEqual(as_dict(exp.get("tags")), {"team": "ml", "prio": "1"})

    def test_create_via_ajax(self):
        name = unique("ajax")
        data = self.assertOk(ajax_post("experiments/create", {"name": name}))
        eid = data["experiment_id"]
        exp = self.assertOk(ajax_get("experiments/get", {"experiment_id": eid}))["experiment"]
        self.assertEqual(exp["name"], name)
        exp2 = self.assertOk(ajax_get("experiments/get-by-name",
                                      {"experiment_name": name}))["experiment"]
        self.assertEqual(exp2["experiment_id"], eid)

    def test_missing_name(self):
        self.assertBadParam(api_post("experiments/create", {}),
                            "Missing value for required parameter 'name'")

    def test_empty_name(self):
        self.assertBadParam(api_post("experiments/create", {"name": ""}),
                            "Missing value for required parameter 'name'")

    def test_name_too_long(self):
        self.assertBadParam(api_post("experiments/create", {"name": "x" * 501}),
                            "'name' exceeds the maximum length of 500 characters")

    def test_name_of_256_chars_ok(self):
        name = unique("long") + "y" * (256 - 20)
        name = name[:256]
        eid = self.create_experiment(name)
        self.assertEqual(self.get_experiment(eid)["name"], name)

    def test_duplicate_name(self):
        name = unique("dup")
        self.create_experiment(name)
        self.assertError(api_post("experiments/create", {"name": name}), 400,
                         "RESOURCE_ALREADY_EXISTS", "already exists")

    def test_duplicate_name_of_deleted_experiment(self):
        name = unique("dupdel")
        eid = self.create_experiment(name)
        self.delete_experiment(eid)
        self.assertError(api_post("experiments/create", {"name": name}), 400,
                         "RESOURCE_ALREADY_EXISTS", "already exists")

    def test_special_characters_in_name(self):
        name = unique("it's a \"name\" with + & = % \u00e9 \u4e2d /slash?")
        eid = self.create_experiment(name)
        self.assertEqual(self.get_experiment(eid)["name"], name)
        data = self.assertOk(api_get("experiments/get-by-name", {"experiment_name": name}))
        self.assertEqual(data["experiment"]["experiment_id"], eid)

    def test_relative_local_artifact_location_made_absolute(self):
        # Relative to the server's working directory, which is no artifact root here: the
        # absolute path is what the refusal names.
        rel = unique("rel-loc")
        r = api_post("experiments/create", {"name": unique("rel"), "artifact_location": rel})
        self.assertBadParam(r, "outside this server's artifact roots")
        self.assertIn("/" + rel + "'", r.json()["message"])

    def test_local_artifact_location_inside_an_allowed_root(self):
        loc = os.path.join(self.srv.workdir, "roots", unique("exp"))
        eid = self.create_experiment(artifact_location=loc)
        self.assertEqual(self.get_experiment(eid)["artifact_location"], loc)

    def test_artifact_location_outside_the_roots_refused(self):
        for loc in ("s3://other-bucket/x", "s3://bucket-other/x", "s3://bucket2", "/etc", "/tmp/elsewhere",
                    os.path.join(self.srv.workdir, "roots-sibling"),
                    os.path.join(self.srv.workdir, "roots", "..", "escape"),
                    "s3://bucket/a/../../other", "s3://bucket/a/%2e%2e/x", "s3://bucket/a/%252E%252E/x",
                    "s3://bucket/a\\..\\x", "gs://bucket/x", "mlflow-artifacts://evil.example/1",
                    "file://" + os.path.join(self.srv.workdir, "roots", "x"),
                    "http://127.0.0.1:1/api/2.0/mlflow-artifacts/artifacts/x",
                    "https://example.com/x"):
            r = api_post("experiments/create", {"name": unique("out"), "artifact_location": loc})
            self.assertBadParam(r, msg=loc)

    def test_names_are_case_sensitive(self):
        name = unique("case")
        self.create_experiment(name)
        self.create_experiment(name.upper())

    def test_explicit_artifact_location(self):
        eid = self.create_experiment(artifact_location="s3://bucket/some/path")
        exp = self.get_experiment(eid)
        self.assertEqual(exp["artifact_location"], "s3://bucket/some/path")
        run = self.create_run(eid)
        self.assertEqual(run["info"]["artifact_uri"],
                         "s3://bucket/some/path/%s/artifacts" % run["info"]["run_id"])

    def test_artifact_location_trailing_slash_joined_once(self):
        eid = self.create_experiment(artifact_location="s3://bucket/trail/")
        run = self.create_run(eid)
        self.assertEqual(run["info"]["artifact_uri"],
                         "s3://bucket/trail/%s/artifacts" % run["info"]["run_id"])

    def test_artifact_location_query_preserved(self):
        eid = self.create_experiment(
            artifact_location="wasbs://c@a.blob.core.windows.net/p?x=1")
        run = self.create_run(eid)
        self.assertEqual(run["info"]["artifact_uri"],
                         "wasbs://c@a.blob.core.windows.net/p/%s/artifacts?x=1"
                         % run["info"]["run_id"])

    def test_artifact_location_fragment_rejected(self):
        self.assertBadParam(api_post("experiments/create",
                                     {"name": unique("frag"),
                                      "artifact_location": "s3://bucket/path#frag"}),
                            "can't include fragments or params")

    def test_artifact_location_params_rejected(self):
        self.assertBadParam(api_post("experiments/create",
                                     {"name": unique("params"),
                                      "artifact_location": "s3://bucket/path;x=1"}),
                            "can't include fragments or params")

    def test_artifact_location_query_dotdot_rejected(self):
        for loc in ("s3://bucket/path?a=../b", "s3://bucket/path?a=%2E%2E/b",
                    "s3://bucket/path?a=%252E%252E/b"):
            self.assertBadParam(api_post("experiments/create",
                                         {"name": unique("q"), "artifact_location": loc}),
                                "Invalid query string", msg=loc)

    def test_artifact_location_too_long(self):
        loc = "s3://bucket/" + "a" * 2100
        self.assertBadParam(api_post("experiments/create",
                                     {"name": unique("longloc"), "artifact_location": loc}))

    def test_failed_create_leaves_nothing(self):
        name = unique("failed")
        self.assertBadParam(api_post("experiments/create",
                                     {"name": name, "artifact_location": "s3://b/p#x"}))
        self.assertNotFound(api_get("experiments/get-by-name", {"experiment_name": name}))

    def test_content_type_checked(self):
        r = harness.api_request("POST", "experiments/create", data=b'{"name": "ct-x"}')
        self.assertBadParam(r, "Content-Type header is missing")
        r = harness.api_request("POST", "experiments/create", data=b'{"name": "ct-y"}',
                                headers={"Content-Type": "text/plain"})
        self.assertBadParam(r, "Content-Type must be one of ['application/json']")
        name = unique("ct")
        r = harness.api_request("POST", "experiments/create",
                                data=('{"name": "%s"}' % name).encode(),
                                headers={"Content-Type": "application/json; charset=utf-8"})
        self.assertOk(r)


class TestGetExperiment(harness.SextantTestCase):
    def test_unknown_id(self):
        self.assertNotFound(api_get("experiments/get", {"experiment_id": "987654321"}),
                            "No Experiment with id=987654321 exists")

    def test_missing_id(self):
        self.assertBadParam(api_get("experiments/get"),
                            "Missing value for required parameter 'experiment_id'")

    def test_empty_id(self):
        self.assertBadParam(api_get("experiments/get", {"experiment_id": ""}))

    def test_non_numeric_id_is_4xx(self):
        # reference answers 500 here; §2.1 says return 400/404 instead
        for bad in ("abc", "1.5", "-1", "99999999999999999999999", "1; DROP TABLE runs"):
            r = api_get("experiments/get", {"experiment_id": bad})
            self.assertIn(r.status_code, (400, 404), harness.describe(r))
            self.assertIn(r.json().get("error_code"),
                          ("INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"), bad)

    def test_get_deleted_experiment(self):
        eid = self.create_experiment()
        self.delete_experiment(eid)
        exp = self.get_experiment(eid)
        self.assertEqual(exp["lifecycle_stage"], "deleted")

    def test_get_by_name(self):
        name = unique("byname")
        eid = self.create_experiment(name, tags=[{"key": "k", "value": "v"}])
        exp = self.assertOk(api_get("experiments/get-by-name",
                                    {"experiment_name": name}))["experiment"]
        self.assertEqual(exp["experiment_id"], eid)
        self.assertEqual(exp["name"], name)
        self.assertEqual(exp["artifact_location"], "mlflow-artifacts:/%s" % eid)
        self.assertEqual(as_dict(exp.get("tags")), {"k": "v"})

    def test_get_by_name_unknown(self):
        name = unique("nosuch")
        self.assertNotFound(api_get("experiments/get-by-name", {"experiment_name": name}),
                            "Could not find experiment with name '%s'" % name)

    def test_get_by_name_is_exact(self):
        name = unique("exact")
        self.create_experiment(name)
        self.assertNotFound(api_get("experiments/get-by-name",
                                    {"experiment_name": name.upper()}))
        self.assertNotFound(api_get("experiments/get-by-name",
                                    {"experiment_name": name[:-1] + "%"}))

    def test_get_by_name_deleted(self):
        name = unique("bynamedel")
        eid = self.create_experiment(name)
        self.delete_experiment(eid)
        exp = self.assertOk(api_get("experiments/get-by-name",
                                    {"experiment_name": name}))["experiment"]
        self.assertEqual(exp["lifecycle_stage"], "deleted")

    def test_get_by_name_missing_param(self):
        self.assertBadParam(api_get("experiments/get-by-name"))


class TestUpdateExperiment(harness.SextantTestCase):
    def test_rename(self):
        eid = self.create_experiment()
        old = self.get_experiment(eid)
        new_name = unique("renamed")
        self.assertOk(api_post("experiments/update", {"experiment_id": eid,
                                                      "new_name": new_name}))
        exp = self.get_experiment(eid)
        self.assertEqual(exp["name"], new_name)
        self.assertGreaterEqual(exp["last_update_time"], old["last_update_time"])
        self.assertEqual(exp["creation_time"], old["creation_time"])
        by_name = self.assertOk(api_get("experiments/get-by-name",
                                        {"experiment_name": new_name}))
        self.assertEqual(by_name["experiment"]["experiment_id"], eid)
        self.assertNotFound(api_get("experiments/get-by-name", {"experiment_name": old["name"]}))

    def test_rename_via_ajax(self):
        eid = self.create_experiment()
        new_name = unique("ajaxrename")
        self.assertOk(ajax_post("experiments/update", {"experiment_id": eid,
                                                       "new_name": new_name}))
        self.assertEqual(self.get_experiment(eid)["name"], new_name)

    def test_rename_collision(self):
        a = unique("coll")
        self.create_experiment(a)
        eid = self.create_experiment()
        r = api_post("experiments/update", {"experiment_id": eid, "new_name": a})
        # §2.1: reference 400 BAD_REQUEST; RESOURCE_ALREADY_EXISTS suggested (also 400).
        self.assertError(r, 400, ("RESOURCE_ALREADY_EXISTS", "BAD_REQUEST"))
        self.assertNotEqual(self.get_experiment(eid)["name"], a)

    def test_rename_missing_new_name(self):
        eid = self.create_experiment()
        self.assertBadParam(api_post("experiments/update", {"experiment_id": eid}),
                            "Missing value for required parameter 'new_name'")
        self.assertBadParam(api_post("experiments/update", {"experiment_id": eid,
                                                            "new_name": ""}))

    def test_rename_missing_id(self):
        self.assertBadParam(api_post("experiments/update", {"new_name": unique("x")}))

    def test_rename_unknown(self):
        self.assertNotFound(api_post("experiments/update", {"experiment_id": "987654321",
                                                            "new_name": unique("x")}))

    def test_rename_deleted_experiment(self):
        eid = self.create_experiment()
        self.delete_experiment(eid)
        r = api_post("experiments/update", {"experiment_id": eid, "new_name": unique("x")})
        # Reference: 500 INVALID_STATE; §7 #6 says return a 4xx instead.
        self.assertIn(r.status_code, (400, 404), harness.describe(r))
        self.assertIn(r.json().get("error_code"),
                      ("INVALID_PARAMETER_VALUE", "BAD_REQUEST", "RESOURCE_DOES_NOT_EXIST",
                       "INVALID_STATE"))


class TestDeleteRestore(harness.SextantTestCase):
    def test_delete_and_restore_follow_runs(self):
        eid = self.create_experiment()
        r1 = self.create_run_id(eid)
        r2 = self.create_run_id(eid)
        r3 = self.create_run_id(eid)
        self.delete_run(r3)  # deleted individually before the experiment
        before = self.get_experiment(eid)
        self.assertOk(api_post("experiments/delete", {"experiment_id": eid}))
        exp = self.get_experiment(eid)
        self.assertEqual(exp["lifecycle_stage"], "deleted")
        self.assertGreaterEqual(exp["last_update_time"], before["last_update_time"])
        for rid in (r1, r2, r3):
            self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "deleted")

        self.assertOk(api_post("experiments/restore", {"experiment_id": eid}))
        exp = self.get_experiment(eid)
        self.assertEqual(exp["lifecycle_stage"], "active")
        # §2.1: restore sets every run active again, incl. runs deleted individually before.
        for rid in (r1, r2, r3):
            self.assertEqual(self.get_run(rid)["info"]["lifecycle_stage"], "active")

    def test_delete_twice(self):
        eid = self.create_experiment()
        self.delete_experiment(eid)
        self.assertNotFound(api_post("experiments/delete", {"experiment_id": eid}),
                            "No Experiment with id=%s exists" % eid)

    def test_delete_unknown(self):
        self.assertNotFound(api_post("experiments/delete", {"experiment_id": "987654321"}))

    def test_delete_missing_id(self):
        self.assertBadParam(api_post("experiments/delete", {}))

    def test_restore_active(self):
        eid = self.create_experiment()
        self.assertNotFound(api_post("experiments/restore", {"experiment_id": eid}))

    def test_restore_unknown(self):
        self.assertNotFound(api_post("experiments/restore", {"experiment_id": "987654321"}))

    def test_create_run_in_deleted_experiment(self):
        eid = self.create_experiment()
        self.delete_experiment(eid)
        self.assertBadParam(api_post("runs/create", {"experiment_id": eid,
                                                     "start_time": now_ms()}),
                            "must be in the 'active' state")

    def test_numeric_experiment_id_in_body(self):
        # §1.2: a JSON-number experiment_id is converted to a string
        eid = self.create_experiment()
        self.assertOk(api_post("experiments/set-experiment-tag",
                               {"experiment_id": int(eid), "key": "n", "value": "1"}))
        self.assertOk(api_post("experiments/delete", {"experiment_id": int(eid)}))
        self.assertEqual(self.get_experiment(eid)["lifecycle_stage"], "deleted")
        self.assertOk(api_post("experiments/restore", {"experiment_id": int(eid)}))
        self.assertEqual(self.get_experiment(eid)["lifecycle_stage"], "active")

    def test_delete_restore_via_ajax(self):
        eid = self.create_experiment()
        self.assertOk(ajax_post("experiments/delete", {"experiment_id": eid}))
        self.assertEqual(self.get_experiment(eid)["lifecycle_stage"], "deleted")
        self.assertOk(ajax_post("experiments/restore", {"experiment_id": eid}))
        self.assertEqual(self.get_experiment(eid)["lifecycle_stage"], "active")


class TestExperimentTags(harness.SextantTestCase):
    def set_tag(self, eid, key, value):
        return api_post("experiments/set-experiment-tag",
                        {"experiment_id": eid, "key": key, "value": value})

    def test_set_and_upsert(self):
        eid = self.create_experiment()
        before = self.get_experiment(eid)
        self.assertOk(self.set_tag(eid, "k", "v1"))
        self.assertOk(self.set_tag(eid, "k", "v2"))
        self.assertOk(self.set_tag(eid, "other.key/x y:z-1", "w"))
        exp = self.get_experiment(eid)
        self.assertEqual(as_dict(exp.get("tags")), {"k": "v2", "other.key/x y:z-1": "w"})
        # SetExperimentTag does not touch last_update_time (§2.1)
        self.assertEqual(exp["last_update_time"], before["last_update_time"])

    def test_set_via_ajax(self):
        eid = self.create_experiment()
        self.assertOk(ajax_post("experiments/set-experiment-tag",
                                {"experiment_id": eid, "key": "a", "value": "b"}))
        self.assertEqual(as_dict(self.get_experiment(eid).get("tags")), {"a": "b"})

    def test_value_limits(self):
        eid = self.create_experiment()
        self.assertOk(self.set_tag(eid, "ok", "v" * 5000))
        self.assertBadParam(self.set_tag(eid, "toolong", "v" * 5001))
        tags = as_dict(self.get_experiment(eid).get("tags"))
        self.assertEqual(len(tags["ok"]), 5000)
        self.assertNotIn("toolong", tags)

    def test_key_limits(self):
        eid = self.create_experiment()
        self.assertOk(self.set_tag(eid, "k" * 250, "v"))
        self.assertBadParam(self.set_tag(eid, "k" * 251, "v"))
        for bad in ("bad!key", "a/../b", "/a", "a//b", "./a", ".."):
            self.assertBadParam(self.set_tag(eid, bad, "v"), msg=bad)

    def test_missing_key(self):
        eid = self.create_experiment()
        self.assertBadParam(api_post("experiments/set-experiment-tag",
                                     {"experiment_id": eid, "value": "v"}))

    def test_unknown_experiment(self):
        self.assertNotFound(self.set_tag("987654321", "k", "v"))

    def test_deleted_experiment(self):
        eid = self.create_experiment()
        self.delete_experiment(eid)
        self.assertBadParam(self.set_tag(eid, "k", "v"), "must be in the 'active' state")

    def test_delete_tag(self):
        eid = self.create_experiment()
        self.assertOk(self.set_tag(eid, "a", "1"))
        self.assertOk(self.set_tag(eid, "b", "2"))
        self.assertOk(api_post("experiments/delete-experiment-tag",
                               {"experiment_id": eid, "key": "a"}))
        self.assertEqual(as_dict(self.get_experiment(eid).get("tags")), {"b": "2"})

    def test_delete_tag_via_ajax(self):
        eid = self.create_experiment()
        self.assertOk(self.set_tag(eid, "a", "1"))
        self.assertOk(ajax_post("experiments/delete-experiment-tag",
                                {"experiment_id": eid, "key": "a"}))
        self.assertNotIn("tags", self.get_experiment(eid))

    def test_delete_missing_tag(self):
        eid = self.create_experiment()
        self.assertNotFound(api_post("experiments/delete-experiment-tag",
                                     {"experiment_id": eid, "key": "nope"}),
                            "No tag with name: nope in experiment with id %s" % eid)

    def test_delete_tag_unknown_experiment(self):
        self.assertNotFound(api_post("experiments/delete-experiment-tag",
                                     {"experiment_id": "987654321", "key": "k"}))


if __name__ == "__main__":
    unittest.main()
