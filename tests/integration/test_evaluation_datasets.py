"""MLflow 3.6's GenAI evaluation datasets under /api/3.0/mlflow/datasets
(docs/design/tracing/datasets-scorers-prompts.md §1): create, get, delete, search (filter, order,
pages), tags, records upsert (input hash, merge rules, all-or-nothing) and read (cursor pages),
experiment links; errors as MLflow answers them, and bad input changes nothing."""

import base64
import hashlib
import json
import re
import time
import unittest

import harness
from harness import api_get, api_post, api_request, unique
from harness import setUpModule, tearDownModule  # noqa: F401

V3 = "/api/3.0/mlflow"
AJAX_V3 = "/ajax-api/3.0/mlflow"
DATASET_ID_RE = re.compile(r"^d-[0-9a-f]{32}$")
RECORD_ID_RE = re.compile(r"^dr-[0-9a-f]{32}$")


def input_hash(inputs):
    """MLflow's unique key of a record: sha256 of json.dumps(inputs, sort_keys=True)."""
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


def post(path, body):
    return api_post(V3 + path, body)


def get(path, params=None):
    return api_get(V3 + path, params)


def delete(path, body=None):
    return api_request("DELETE", V3 + path, **({"json": body} if body is not None else {}))


class DatasetsBase(harness.SextantTestCase):
    def create(self, name=None, experiment_ids=(), tags=None):
        body = {"name": name or unique("ds"), "experiment_ids": list(experiment_ids)}
        if tags is not None:
            body["tags"] = json.dumps(tags)
        return self.assertOk(post("/datasets/create", body), "create dataset")["dataset"]

    def get_dataset(self, dataset_id):
        return self.assertOk(get("/datasets/" + dataset_id))["dataset"]

    def upsert(self, dataset_id, records):
        return self.assertOk(post("/datasets/%s/records" % dataset_id, {"records": json.dumps(records)}))

    def all_records(self, dataset_id, page_size=1000):
        out, token = [], None
        for _ in range(100):
            params = {"max_results": page_size}
            if token:
                params["page_token"] = token
            data = self.assertOk(get("/datasets/%s/records" % dataset_id, params))
            out.extend(json.loads(data["records"]))
            token = data.get("next_page_token")
            if not token:
                return out
        self.fail("records paging did not end")

    def experiment_ids(self, dataset_id):
        return self.assertOk(get("/datasets/%s/experiment-ids" % dataset_id)).get("experiment_ids", [])


class CreateGetDelete(DatasetsBase):
    def test_create_and_get(self):
        e = self.create_experiment()
        d = self.create(tags={"environment": "test", "mlflow.user": "alice"}, experiment_ids=[e])
        self.assertRegex(d["dataset_id"], DATASET_ID_RE)
        self.assertEqual(json.loads(d["tags"]), {"environment": "test", "mlflow.user": "alice"})
        self.assertEqual(d["experiment_ids"], [e])  # only create reports them
        self.assertEqual(d["created_by"], "alice")
        self.assertEqual(d["last_updated_by"], "alice")
        self.assertRegex(d["digest"], r"^[0-9a-f]{8}$")
        self.assertIsInstance(d["created_time"], int)
        self.assertEqual(d["created_time"], d["last_update_time"])
        self.assertNotIn("schema", d)
        self.assertNotIn("profile", d)
        got = self.get_dataset(d["dataset_id"])
        self.assertNotIn("experiment_ids", got)
        self.assertEqual(json.loads(got["tags"]), json.loads(d["tags"]))
        self.assertEqual({k: got[k] for k in ("name", "digest", "created_time")},
                         {k: d[k] for k in ("name", "digest", "created_time")})
        # The UI's prefix serves the same routes.
        self.assertEqual(self.assertOk(api_get(AJAX_V3 + "/datasets/" + d["dataset_id"]))["dataset"]["name"],
                         d["name"])

    def test_create_without_tags_or_experiments(self):
        d = self.create()
        self.assertEqual(d["tags"], "{}")
        self.assertNotIn("experiment_ids", d)
        self.assertNotIn("created_by", d)

    def test_create_refusals_store_nothing(self):
        name = unique("refused")
        cases = [
            ({"tags": "{}"}, "Missing value for required parameter 'name'"),
            ({"name": name, "tags": "{not json"}, "tags"),
            ({"name": name, "tags": "[1, 2]"}, "tags"),
            ({"name": name, "tags": json.dumps({"k": {"nested": 1}})}, "tag 'k'"),
            ({"name": "x" * 256}, "Dataset name"),
            ({"name": name, "tags": json.dumps({"k" * 256: "v"})}, "Tag key"),
            ({"name": name, "tags": json.dumps({"k": "v" * 5001})}, "Value of tag"),
            ({"name": name, "experiment_ids": ["1" * 37]}, "Experiment id"),
            ({"name": name, "experiment_ids": [{"a": 1}]}, "experiment_ids"),
        ]
        for body, message in cases:
            self.assertBadParam(post("/datasets/create", body), message, msg=json.dumps(body)[:80])
        found = self.assertOk(post("/datasets/search", {"filter_string": "name = '%s'" % name}))
        self.assertNotIn("datasets", found)

    def test_delete_is_idempotent_and_removes_everything(self):
        e = self.create_experiment()
        d = self.create(tags={"a": "1"}, experiment_ids=[e])
        self.upsert(d["dataset_id"], [{"inputs": {"q": 1}}])
        self.assertEqual(self.assertOk(delete("/datasets/" + d["dataset_id"])), {})
        self.assertNotFound(get("/datasets/" + d["dataset_id"]),
                            "Evaluation dataset with id '%s' not found" % d["dataset_id"])
        self.assertEqual(self.experiment_ids(d["dataset_id"]), [])
        self.assertEqual(self.assertOk(delete("/datasets/" + d["dataset_id"])), {})
        self.assertEqual(self.assertOk(delete("/datasets/d-unknown")), {})
        with self.srv.db() as conn:
            for table in ("evaluation_dataset_tags", "evaluation_dataset_records"):
                rows = conn.execute("SELECT COUNT(*) AS n FROM %s WHERE dataset_id = ?" % table,
                                    (d["dataset_id"],)).fetchone()
                self.assertEqual(rows[0], 0, table)

    def test_unknown_dataset_errors(self):
        self.assertNotFound(get("/datasets/d-nope"), "Evaluation dataset with id 'd-nope' not found")
        self.assertNotFound(get("/datasets/d-nope/records"), "Could not find evaluation dataset with ID d-nope")
        self.assertNotFound(post("/datasets/d-nope/records", {"records": "[]"}),
                            "Could not find evaluation dataset with ID d-nope")
        self.assertNotFound(api_request("PATCH", V3 + "/datasets/d-nope/tags", json={"tags": "{}"}),
                            "Could not find evaluation dataset with ID d-nope")
        self.assertEqual(self.assertOk(delete("/datasets/d-nope/tags/k")), {})
        self.assertEqual(self.assertOk(get("/datasets/d-nope/experiment-ids")), {})


class Tags(DatasetsBase):
    def test_set_merges_and_delete_removes(self):
        d = self.create(tags={"initial": "x", "env": "dev"})
        path = "/datasets/%s/tags" % d["dataset_id"]
        self.assertEqual(self.assertOk(api_request("PATCH", V3 + path, json={
            "tags": json.dumps({"env": "staging", "new_tag": "new_value", "skipped": None, "n": 1.5})})), {})
        self.assertEqual(json.loads(self.get_dataset(d["dataset_id"])["tags"]),
                         {"initial": "x", "env": "staging", "new_tag": "new_value", "n": "1.5"})
        self.assertEqual(self.assertOk(delete(path + "/new_tag")), {})
        self.assertEqual(self.assertOk(delete(path + "/never-there")), {})
        self.assertEqual(json.loads(self.get_dataset(d["dataset_id"])["tags"]),
                         {"initial": "x", "env": "staging", "n": "1.5"})
        # Tag changes leave the digest and update time alone.
        after = self.get_dataset(d["dataset_id"])
        self.assertEqual((after["digest"], after["last_update_time"]), (d["digest"], d["last_update_time"]))

    def test_bad_tags_change_nothing(self):
        d = self.create(tags={"a": "1"})
        path = V3 + "/datasets/%s/tags" % d["dataset_id"]
        self.assertBadParam(api_request("PATCH", path, json={}), "Missing value for required parameter 'tags'")
        self.assertBadParam(api_request("PATCH", path, json={"tags": json.dumps({"b": "2", "c": [1]})}), "tag 'c'")
        self.assertBadParam(api_request("PATCH", path, json={"tags": "nope"}))
        self.assertEqual(json.loads(self.get_dataset(d["dataset_id"])["tags"]), {"a": "1"})


class Records(DatasetsBase):
    def test_insert_then_update_counts(self):
        d = self.create()
        path = V3 + "/datasets/%s/records" % d["dataset_id"]
        first = [{"inputs": {"question": "What is MLflow?"}, "expectations": {"answer": "A platform"}},
                 {"inputs": {"question": "What is Python?"}, "expectations": {"answer": "A language"}}]
        self.assertEqual(self.assertOk(api_post(path, {"records": json.dumps(first)})),
                         {"inserted_count": 2, "updated_count": 0})
        second = [{"inputs": {"question": "What is MLflow?"}, "expectations": {"answer": "Updated"}},
                  {"inputs": {"question": "What is Docker?"}}]
        self.assertEqual(self.assertOk(api_post(path, {"records": json.dumps(second)})),
                         {"inserted_count": 1, "updated_count": 1})
        # Equal inputs inside one request: the second merges into the first.
        self.assertEqual(self.upsert(d["dataset_id"], [{"inputs": {"k": 1}}, {"inputs": {"k": 1}}]),
                         {"inserted_count": 1, "updated_count": 1})
        self.assertEqual(self.upsert(d["dataset_id"], []), {"inserted_count": 0, "updated_count": 0})
        self.assertEqual(len(self.all_records(d["dataset_id"])), 4)

    def test_merge_rules(self):
        d = self.create()
        ds = d["dataset_id"]
        self.upsert(ds, [{"inputs": {"q": "a"}, "outputs": "first", "expectations": {"x": 1, "y": 2},
                          "tags": {"t1": "v", "mlflow.user": "alice"},
                          "source": {"source_type": "trace", "source_data": {"trace_id": "tr-123"}}}])
        (rec,) = self.all_records(ds)
        self.assertRegex(rec["dataset_record_id"], RECORD_ID_RE)
        self.assertEqual(rec["source"], {"source_type": "TRACE", "source_data": {"trace_id": "tr-123"}})
        self.assertEqual((rec["source_type"], rec["source_id"]), ("TRACE", "tr-123"))
        self.assertEqual(rec["created_by"], "alice")
        created = rec["created_time"]
        self.upsert(ds, [{"inputs": {"q": "a"}, "outputs": {"o": 1}, "expectations": {"y": 3, "z": 4},
                          "tags": {"t2": "w", "mlflow.user": "bob"}, "source": {"source_type": "HUMAN"}}])
        (rec,) = self.all_records(ds)
        self.assertEqual(rec["outputs"], {"o": 1})
        self.assertEqual(rec["expectations"], {"x": 1, "y": 3, "z": 4})
        self.assertEqual(rec["tags"], {"t1": "v", "mlflow.user": "bob", "t2": "w"})
        self.assertEqual(rec["source_type"], "TRACE")  # the source never changes
        self.assertEqual((rec["created_by"], rec["last_updated_by"]), ("alice", "bob"))
        self.assertEqual(rec["created_time"], created)
        # An explicit null clears outputs; absent outputs on insert store {}.
        self.upsert(ds, [{"inputs": {"q": "a"}, "outputs": None}, {"inputs": {"q": "b"}}])
        recs = {r["inputs"]["q"]: r for r in self.all_records(ds)}
        self.assertNotIn("outputs", recs["a"])
        self.assertEqual(recs["b"]["outputs"], {})
        self.assertEqual(recs["b"]["tags"], {})
        self.assertNotIn("source", recs["b"])
        dataset = self.get_dataset(ds)
        self.assertEqual(json.loads(dataset["profile"]), {"num_records": 2})
        self.assertEqual(json.loads(dataset["schema"]),
                         {"inputs": {"q": "string"}, "outputs": "string",  # the first outputs were a str
                          "expectations": {"x": "integer", "y": "integer", "z": "integer"}, "version": "1.0"})
        self.assertNotIn("last_updated_by", dataset)  # the last upsert carried no mlflow.user
        self.assertNotEqual(dataset["digest"], d["digest"])

    def test_input_hash_matches_python(self):
        d = self.create()
        inputs = {"z": {"b": [1.0, 2, None, True]}, "é": "ü😀", "a": "x\n\"y\""}
        self.upsert(d["dataset_id"], [{"inputs": inputs}])
        with self.srv.db() as conn:
            row = conn.execute("SELECT input_hash FROM evaluation_dataset_records WHERE dataset_id = ?",
                               (d["dataset_id"],)).fetchone()
        self.assertEqual(row[0], input_hash(inputs))

    def test_rows_written_by_mlflow_merge(self):
        """A record MLflow wrote (its JSON text, its hash) is found again by its inputs."""
        d = self.create()
        inputs = {"question": "Wie heißt du?", "n": 1}
        with self.srv.db() as conn:
            conn.execute(
                "INSERT INTO evaluation_dataset_records (dataset_record_id, dataset_id, inputs, outputs, expectations, "
                "tags, source, source_id, source_type, created_time, last_update_time, created_by, last_updated_by, "
                "input_hash) VALUES (?, ?, ?, ?, ?, NULL, ?, NULL, ?, 1, 1, NULL, NULL, ?)",
                ("dr-" + "0" * 32, d["dataset_id"], json.dumps(inputs), json.dumps({"mlflow_wrapped": "old"}),
                 json.dumps({"a": 1}), json.dumps({"source_type": "CODE", "source_data": {}}), "CODE",
                 input_hash(inputs)))
            if hasattr(conn, "commit"):
                conn.commit()
        self.assertEqual(self.upsert(d["dataset_id"], [{"inputs": {"n": 1, "question": "Wie heißt du?"},
                                                        "expectations": {"b": 2}}]),
                         {"inserted_count": 0, "updated_count": 1})
        (rec,) = self.all_records(d["dataset_id"])
        self.assertEqual(rec["expectations"], {"a": 1, "b": 2})
        self.assertEqual((rec["outputs"], rec["source_type"]), ("old", "CODE"))

    def test_bad_records_change_nothing(self):
        d = self.create()
        ds = d["dataset_id"]
        self.upsert(ds, [{"inputs": {"q": 0}}])
        before = self.get_dataset(ds)
        path = V3 + "/datasets/%s/records" % ds
        cases = [
            ({}, "Missing value for required parameter 'records'"),
            ({"records": "not json"}, "records"),
            ({"records": json.dumps({"inputs": {}})}, "expected a JSON list"),
            ({"records": json.dumps([{"inputs": {"q": 1}}, "x"])}, "records[1]"),
            ({"records": json.dumps([{"inputs": {"q": 1}}, {"inputs": [1]}])}, "records[1].inputs"),
            ({"records": json.dumps([{"inputs": {"q": 1}}, {"inputs": None}])}, "records[1].inputs"),
            ({"records": json.dumps([{"inputs": {"q": 1}}, {"inputs": {}, "tags": "x"}])}, "records[1].tags"),
            ({"records": json.dumps([{"inputs": {"q": 0}, "outputs": 5}, {"inputs": {"q": 2},
                                     "source": {"source_type": "robot"}}])},
             "Invalid dataset record source type: ROBOT. Valid source types: "
             "['UNSPECIFIED', 'TRACE', 'HUMAN', 'DOCUMENT', 'CODE']"),
        ]
        for body, message in cases:
            self.assertBadParam(api_post(path, body), message, msg=str(body)[:80])
        (rec,) = self.all_records(ds)
        self.assertEqual(rec["outputs"], {})
        self.assertEqual(self.get_dataset(ds), before)

    def test_record_pages(self):
        d = self.create()
        ds = d["dataset_id"]
        self.upsert(ds, [{"inputs": {"i": i}} for i in range(7)])
        first = self.assertOk(get("/datasets/%s/records" % ds, {"max_results": 3}))
        self.assertEqual(len(json.loads(first["records"])), 3)
        cursor = base64.b64decode(first["next_page_token"]).decode()
        self.assertRegex(cursor, r"^\d+:dr-[0-9a-f]{32}$")
        walked = self.all_records(ds, page_size=3)
        self.assertEqual(len(walked), 7)
        self.assertEqual(len({r["dataset_record_id"] for r in walked}), 7)
        self.assertEqual(walked, sorted(walked, key=lambda r: (r["created_time"], r["dataset_record_id"])))
        # A plain offset is MLflow's fallback token.
        offset = self.assertOk(get("/datasets/%s/records" % ds, {"max_results": 10, "page_token": "5"}))
        self.assertEqual(len(json.loads(offset["records"])), 2)
        self.assertNotIn("next_page_token", offset)
        empty = self.create()
        self.assertEqual(self.assertOk(get("/datasets/%s/records" % empty["dataset_id"])), {"records": "[]"})
        for params in ({"page_token": "garbage!"}, {"page_token": base64.b64encode(b"x:dr-1").decode()},
                       {"max_results": -1}, {"max_results": 50001}, {"max_results": "abc"}):
            self.assertBadParam(get("/datasets/%s/records" % ds, params), msg=str(params))


class ExperimentLinks(DatasetsBase):
    def test_add_remove_idempotent(self):
        e1, e2, e3 = (self.create_experiment() for _ in range(3))
        d = self.create(experiment_ids=[e1, e1])
        self.assertEqual(d["experiment_ids"], [e1])
        ds = d["dataset_id"]
        r = self.assertOk(post("/datasets/%s/add-experiments" % ds, {"dataset_id": ds, "experiment_ids": [e2, e3, e1, e2]}))
        self.assertEqual(r["dataset"]["dataset_id"], ds)
        self.assertEqual(sorted(self.experiment_ids(ds)), sorted([e1, e2, e3]))
        self.assertOk(post("/datasets/%s/remove-experiments" % ds, {"experiment_ids": [e2, "424242"]}))
        self.assertEqual(sorted(self.experiment_ids(ds)), sorted([e1, e3]))
        self.assertOk(post("/datasets/%s/remove-experiments" % ds, {"experiment_ids": [e1, e3]}))
        self.assertEqual(self.assertOk(get("/datasets/%s/experiment-ids" % ds)), {})

    def test_errors_link_nothing(self):
        e = self.create_experiment()
        missing = "d-nonexistent1234567890abcdef1234"
        self.assertNotFound(post("/datasets/%s/add-experiments" % missing, {"experiment_ids": [e]}),
                            "Dataset '%s' not found" % missing)
        self.assertNotFound(post("/datasets/%s/remove-experiments" % missing, {"experiment_ids": [e]}),
                            "Dataset '%s' not found" % missing)
        d = self.create()
        for bad in ("99999999", "abc", "1e3"):
            self.assertNotFound(post("/datasets/%s/add-experiments" % d["dataset_id"], {"experiment_ids": [e, bad]}),
                                "No Experiment with id=%s" % bad)
        self.assertEqual(self.experiment_ids(d["dataset_id"]), [])
        # A deleted experiment still counts as found (MLflow checks existence only).
        gone = self.create_experiment()
        self.assertOk(api_post("experiments/delete", {"experiment_id": gone}))
        self.assertOk(post("/datasets/%s/add-experiments" % d["dataset_id"], {"experiment_ids": [gone]}))
        self.assertEqual(self.experiment_ids(d["dataset_id"]), [gone])


class Search(DatasetsBase):
    @classmethod
    def setUpClass(cls):
        t = harness.SextantTestCase()
        cls.exp = t.create_experiment(unique("search"))
        cls.prefix = unique("srch")
        cls.ids = {}
        for name, team in (("b", "ml"), ("a", "ml"), ("c", "data")):
            body = {"name": "%s-%s" % (cls.prefix, name), "experiment_ids": [cls.exp],
                    "tags": json.dumps({"team": team, "mlflow.user": "u-" + name})}
            cls.ids[name] = t.assertOk(post("/datasets/create", body))["dataset"]["dataset_id"]
            time.sleep(0.005)  # distinct created_time / last_update_time: the order tests below rely on it

    def names(self, resp):
        return [d["name"].rsplit("-", 1)[1] for d in self.assertOk(resp).get("datasets", [])]

    def search(self, **body):
        body.setdefault("experiment_ids", [self.exp])
        return post("/datasets/search", body)

    def test_filters_and_order(self):
        self.assertEqual(self.names(self.search(order_by=["name ASC"])), ["a", "b", "c"])
        self.assertEqual(self.names(self.search()), ["c", "a", "b"])  # created_time DESC
        self.assertEqual(self.names(self.search(filter_string="tags.team = 'ml'", order_by=["name DESC"])), ["b", "a"])
        self.assertEqual(self.names(self.search(filter_string="name LIKE '%-a'")), ["a"])
        self.assertEqual(self.names(self.search(filter_string="name ILIKE '%s-C'" % self.prefix.upper())), ["c"])
        self.assertEqual(self.names(self.search(filter_string="created_by != 'u-a' AND tags.team LIKE 'm%'")), ["b"])
        self.assertEqual(self.names(self.search(filter_string="created_time > 0", order_by=["last_update_time ASC"])),
                         ["b", "a", "c"])
        self.assertEqual(self.names(self.search(filter_string="created_time < 0")), [])
        self.assertEqual(self.names(self.search(experiment_ids=["9999999"])), [])
        # GET with repeated query keys.
        got = api_get(V3 + "/datasets/search", [("experiment_ids", self.exp), ("order_by", "name ASC"),
                                                ("filter_string", "tags.team = 'data'")])
        self.assertEqual(self.names(got), ["c"])

    def test_pages(self):
        seen, token = [], None
        for _ in range(5):
            body = {"max_results": 1, "order_by": ["name ASC"]}
            if token:
                body["page_token"] = token
            data = self.assertOk(self.search(**body))
            seen += [d["name"].rsplit("-", 1)[1] for d in data.get("datasets", [])]
            token = data.get("next_page_token")
            if not token:
                break
        self.assertEqual(seen, ["a", "b", "c"])
        self.assertEqual(json.loads(base64.b64decode(self.assertOk(self.search(max_results=2))["next_page_token"])),
                         {"offset": 2})

    def test_refusals(self):
        cases = [
            ({"max_results": 0}, "Invalid value None for parameter 'max_results' supplied. It must be a positive integer"),
            ({"max_results": -3}, "Invalid value -3 for parameter 'max_results' supplied"),
            ({"max_results": 50001}, "It must be at most 50000"),
            ({"filter_string": "digest = 'x'"}, "Invalid attribute key 'digest' specified"),
            ({"filter_string": "params.x = 'x'"}, "Invalid identifier token 'params' specified"),
            ({"filter_string": "name > 'x'"}, "Invalid comparator for string attribute: >"),
            ({"filter_string": "created_time LIKE 1"}, "Invalid comparator for numeric attribute: LIKE"),
            ({"filter_string": "tags.x < 'x'"}, "Invalid comparator for tag: <"),
            ({"filter_string": "created_time = 'x'"}, "Expected numeric value type for numeric attribute"),
            ({"filter_string": "name = 'a' OR name = 'b'"}, "Invalid clause(s) in filter string"),
            ({"order_by": ["digest"]}, "Invalid attribute key 'digest' specified"),
            ({"order_by": ["name SIDEWAYS"]}, "Invalid ordering key"),
            ({"page_token": "%%%"}, "Invalid page token"),
        ]
        for body, message in cases:
            self.assertBadParam(self.search(**body), message, msg=str(body))


if __name__ == "__main__":
    unittest.main()
