"""MLflow 3.6's registered scorers under /api/3.0/mlflow/scorers
(docs/design/tracing/datasets-scorers-prompts.md §2): register (max + 1 versions), list (latest
per name), versions, get, delete (one version or all), the experiment checks and MLflow's
not-found texts; serialized scorers round-trip byte for byte."""

import json
import re
import unittest

import harness
from harness import api_get, api_post, api_request, unique
from harness import setUpModule, tearDownModule  # noqa: F401

V3 = "/api/3.0/mlflow"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def register(experiment_id, name, serialized='{"name": "s"}'):
    return api_post(V3 + "/scorers/register",
                    {"experiment_id": experiment_id, "name": name, "serialized_scorer": serialized})


def get(path, **params):
    return api_get(V3 + "/scorers/" + path, params)


def delete(**body):
    return api_request("DELETE", V3 + "/scorers/delete", json=body)


class Scorers(harness.SextantTestCase):
    def versions(self, e, name):
        return [s["scorer_version"] for s in self.assertOk(get("versions", experiment_id=e, name=name))["scorers"]]

    def test_crud(self):
        e = self.create_experiment()
        first = self.assertOk(register(e, "test_scorer", '{"name": "test_scorer", "v": 1}'))
        self.assertEqual(first["version"], 1)
        self.assertEqual(first["experiment_id"], e)  # a string in RegisterScorer's response
        self.assertEqual(first["name"], "test_scorer")
        self.assertRegex(first["scorer_id"], UUID_RE)
        self.assertIsInstance(first["creation_time"], int)
        listed = self.assertOk(get("list", experiment_id=e))["scorers"]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["experiment_id"], int(e))  # a number in Scorer
        self.assertEqual((listed[0]["scorer_name"], listed[0]["scorer_version"]), ("test_scorer", 1))
        second = self.assertOk(register(e, "test_scorer", '{"name": "test_scorer", "v": 2}'))
        self.assertEqual(second["version"], 2)
        self.assertEqual(second["scorer_id"], first["scorer_id"])
        listed = self.assertOk(get("list", experiment_id=e))["scorers"]
        self.assertEqual([(s["scorer_name"], s["scorer_version"]) for s in listed], [("test_scorer", 2)])
        self.assertEqual(self.versions(e, "test_scorer"), [1, 2])
        latest = self.assertOk(get("get", experiment_id=e, name="test_scorer"))["scorer"]
        self.assertEqual((latest["scorer_version"], latest["serialized_scorer"]), (2, '{"name": "test_scorer", "v": 2}'))
        v1 = self.assertOk(get("get", experiment_id=e, name="test_scorer", version=1))["scorer"]
        self.assertEqual(v1["serialized_scorer"], '{"name": "test_scorer", "v": 1}')
        self.assertEqual(self.assertOk(delete(experiment_id=e, name="test_scorer", version=1)), {})
        self.assertEqual(self.versions(e, "test_scorer"), [2])
        self.assertEqual(self.assertOk(delete(experiment_id=e, name="test_scorer")), {})
        self.assertEqual(self.assertOk(get("list", experiment_id=e)), {})
        # All versions gone with the name: the next registration starts again, with a new id.
        again = self.assertOk(register(e, "test_scorer"))
        self.assertEqual(again["version"], 1)
        self.assertNotEqual(again["scorer_id"], first["scorer_id"])

    def test_versions_are_max_plus_one_and_list_is_by_name(self):
        e = self.create_experiment()
        for _ in range(3):
            self.assertOk(register(e, "b"))
        self.assertOk(register(e, "a"))
        self.assertOk(delete(experiment_id=e, name="b", version=3))
        self.assertEqual(self.assertOk(register(e, "b"))["version"], 3)  # max + 1 of what remains
        self.assertOk(delete(experiment_id=e, name="b", version=2))
        listed = self.assertOk(get("list", experiment_id=e))["scorers"]
        self.assertEqual([(s["scorer_name"], s["scorer_version"]) for s in listed], [("a", 1), ("b", 3)])
        # Scorers are per experiment.
        other = self.create_experiment()
        self.assertEqual(self.assertOk(get("list", experiment_id=other)), {})
        self.assertNotFound(get("get", experiment_id=other, name="a"),
                            "Scorer with name 'a' not found for experiment %s." % other)

    def test_serialized_scorer_round_trips(self):
        e = self.create_experiment()
        text = '{ "name":"ü😀",\n "x" : [1.0, 1e5]  }'
        self.assertOk(register(e, "exact", text))
        self.assertEqual(self.assertOk(get("get", experiment_id=e, name="exact"))["scorer"]["serialized_scorer"], text)

    def test_not_found_texts(self):
        e = self.create_experiment()
        self.assertOk(register(e, "s"))
        self.assertNotFound(get("get", experiment_id=e, name="nope"), "Scorer with name 'nope' not found for experiment %s." % e)
        self.assertNotFound(get("versions", experiment_id=e, name="nope"),
                            "Scorer with name 'nope' not found for experiment %s." % e)
        self.assertNotFound(get("get", experiment_id=e, name="s", version=7),
                            "Scorer with name 's' and version 7 not found for experiment %s." % e)
        self.assertNotFound(delete(experiment_id=e, name="s", version=7),
                            "Scorer with name 's' and version 7 not found for experiment %s." % e)
        self.assertNotFound(delete(experiment_id=e, name="nope"), "Scorer with name 'nope' not found for experiment %s." % e)
        self.assertEqual(self.versions(e, "s"), [1])

    def test_experiment_checks(self):
        self.assertNotFound(register("987654321", "s"), "No Experiment with id=987654321 exists")
        self.assertNotFound(get("list", experiment_id="987654321"), "No Experiment with id=987654321 exists")
        self.assertNotFound(get("list", experiment_id="abc"), "No Experiment with id=abc exists")
        e = self.create_experiment()
        self.assertOk(register(e, "s"))
        self.assertOk(api_post("experiments/delete", {"experiment_id": e}))
        deleted = "The experiment %s must be in the 'active' state. Current state is deleted." % e
        self.assertBadParam(register(e, "s"), deleted)
        self.assertBadParam(get("list", experiment_id=e), deleted)
        self.assertBadParam(get("get", experiment_id=e, name="s"), deleted)
        self.assertBadParam(delete(experiment_id=e, name="s"), deleted)
        self.assertOk(api_post("experiments/restore", {"experiment_id": e}))
        self.assertEqual(self.versions(e, "s"), [1])

    def test_required_fields(self):
        e = self.create_experiment()
        missing = "Missing value for required parameter '%s'"
        self.assertBadParam(api_post(V3 + "/scorers/register", {"name": "s", "serialized_scorer": "{}"}),
                            missing % "experiment_id")
        self.assertBadParam(api_post(V3 + "/scorers/register", {"experiment_id": e, "serialized_scorer": "{}"}),
                            missing % "name")
        self.assertBadParam(api_post(V3 + "/scorers/register", {"experiment_id": e, "name": "s"}),
                            missing % "serialized_scorer")
        self.assertBadParam(api_post(V3 + "/scorers/register", {"experiment_id": e, "name": ["s"],
                                                                "serialized_scorer": "{}"}))
        self.assertBadParam(get("list"), missing % "experiment_id")
        self.assertBadParam(get("versions", experiment_id=e), missing % "name")
        self.assertBadParam(get("get", experiment_id=e, name="s", version="x"), "version")
        self.assertBadParam(delete(experiment_id=e, name="s", version="x"), "version")
        self.assertEqual(self.assertOk(get("list", experiment_id=e)), {})


if __name__ == "__main__":
    unittest.main()
