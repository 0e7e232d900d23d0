"""MLflow's GraphQL endpoint (mlflow/server/graphql/, handlers.py `_graphql`) over HTTP against the
real server: every Query and Mutation field of MLflow 3.6's schema, at /graphql and
/ajax-api/graphql, by POST, by GET with a JSON body (MLflow's way) and with query parameters;
batches (a JSON array of operations); MLflow's answer shape {"data", "errors"} with NaN metrics
as null and int64s as strings; request errors (400) and document errors (200 with messages,
MLflow's texts for the depth, selection, root-field and alias limits); fragments that would
multiply work; a bound on the REST calls of one operation; --static-prefix; and with --auth on,
nothing for a caller without credentials, any user's data as over REST, browser sessions only by
same-origin JSON (CSRF)."""

import base64
import json
import math
import os
import shutil
import tempfile
import unittest

import requests

import harness
from harness import setUpModule, tearDownModule  # noqa: F401

RUN_FIELDS = """
  info { runId runUuid runName experimentId userId status startTime endTime artifactUri lifecycleStage }
  data { metrics { key value timestamp step } params { key value } tags { key value } }
  inputs { datasetInputs { tags { key value } dataset { name digest sourceType source schema profile } }
           modelInputs { modelId } }
  outputs { modelOutputs { modelId step } }
  experiment { experimentId name artifactLocation lifecycleStage creationTime lastUpdateTime tags { key value } }
  modelVersions { name version status source runId currentStage creationTimestamp tags { key value } aliases }
  __typename
"""


def gql(query, variables=None, operation=None, path="/graphql", method="POST", srv=None, headers=None):
    body = {"query": query}
    if variables is not None:
        body["variables"] = variables
    if operation is not None:
        body["operationName"] = operation
    srv = srv or harness.server()
    return requests.request(method, srv.url(path), data=json.dumps(body), timeout=60,
                            headers=dict({"Content-Type": "application/json"}, **(headers or {})))


class GraphqlTest(harness.SextantTestCase):
    @classmethod
    def setUpClass(cls):
        case = cls("run")
        cls.exp_id = case.create_experiment(name=harness.unique("gql"), tags=[{"key": "team", "value": "a"}])
        cls.run_id = case.create_run_id(cls.exp_id, run_name="first", start_time=1000)
        cls.run2_id = case.create_run_id(cls.exp_id, run_name="second", start_time=2000)
        case.log_batch(cls.run_id, metrics=[{"key": "loss", "value": v, "timestamp": 10 + i, "step": i}
                                            for i, v in enumerate([0.5, 0.25, 0.125])],
                       params=[{"key": "lr", "value": "0.1"}], tags=[{"key": "t", "value": "v"}])
        harness.api_post("runs/log-metric", {"run_id": cls.run_id, "key": "nan", "value": "NaN",
                                             "timestamp": 7, "step": 3})
        harness.api_post("runs/log-inputs", {"run_id": cls.run_id, "datasets": [{
            "tags": [{"key": "mlflow.data.context", "value": "training"}],
            "dataset": {"name": "ds", "digest": "d1", "source_type": "local", "source": "{}"}}]})
        srv = harness.server()
        for name in ("a.txt", "dir/b.txt"):
            r = srv.request("PUT", "/api/2.0/mlflow-artifacts/artifacts/%s/%s/artifacts/%s"
                            % (cls.exp_id, cls.run_id, name), data=b"hello")
            assert r.status_code == 200, r.text
        cls.model = harness.unique("gqlmodel")
        harness.api_post("registered-models/create", {"name": cls.model})
        r = harness.api_post("model-versions/create", {"name": cls.model, "run_id": cls.run_id,
                                                       "source": "runs:/%s/model" % cls.run_id})
        assert r.status_code == 200, r.text

    def ok(self, resp):
        self.assertEqual(resp.status_code, 200, resp.text)
        body = resp.json()
        self.assertEqual(set(body), {"data", "errors"})
        return body

    def data(self, resp):
        body = self.ok(resp)
        self.assertIsNone(body["errors"], body)
        return body["data"]

    # -- every field --------------------------------------------------------------------------
    def test_get_run_every_field_matches_rest(self):
        rest = self.get_run(self.run_id)
        q = 'query GetRun($data: MlflowGetRunInput!) @component(name: "x") { mlflowGetRun(input: $data) {' \
            ' apiError { code message helpUrl } run {' + RUN_FIELDS + '} } }'
        run = self.data(gql(q, {"data": {"runId": self.run_id}}, "GetRun"))["mlflowGetRun"]
        self.assertIsNone(run["apiError"])
        run = run["run"]
        info = run["info"]
        self.assertEqual(info["runId"], self.run_id)
        self.assertEqual(info["runUuid"], self.run_id)
        self.assertEqual(info["runName"], "first")
        self.assertEqual(info["experimentId"], self.exp_id)
        self.assertEqual(info["status"], rest["info"]["status"])
        self.assertEqual(info["startTime"], "1000")  # LongString
        self.assertEqual(info["endTime"], "0")        # unset: the protobuf default, as MLflow's
        self.assertEqual(info["artifactUri"], rest["info"]["artifact_uri"])
        self.assertEqual(info["lifecycleStage"], "active")
        metrics = {m["key"]: m for m in run["data"]["metrics"]}
        self.assertEqual(metrics["loss"], {"key": "loss", "value": 0.125, "timestamp": "12", "step": "2"})
        self.assertIsNone(metrics["nan"]["value"])  # MLflow's MlflowMetricExtension: NaN -> null
        self.assertEqual(metrics["nan"]["step"], "3")
        self.assertEqual(run["data"]["params"], [{"key": "lr", "value": "0.1"}])
        self.assertIn({"key": "t", "value": "v"}, run["data"]["tags"])
        ds = run["inputs"]["datasetInputs"][0]
        self.assertEqual(ds["dataset"]["name"], "ds")
        self.assertEqual(ds["dataset"]["schema"], "")  # unset string: ""
        self.assertEqual(run["inputs"]["modelInputs"], [])
        self.assertEqual(run["outputs"], {"modelOutputs": []})
        self.assertEqual(run["experiment"]["experimentId"], self.exp_id)
        self.assertEqual(run["experiment"]["tags"], [{"key": "team", "value": "a"}])
        self.assertEqual([v["name"] for v in run["modelVersions"]], [self.model])
        self.assertEqual(run["modelVersions"][0]["version"], "1")
        self.assertEqual(run["modelVersions"][0]["aliases"], [])
        self.assertEqual(run["__typename"], "MlflowRunExtension")

    def test_get_experiment_over_every_path_and_method(self):
        q = 'query Q($id: String) { mlflowGetExperiment(input: {experimentId: $id}) { experiment { name ' \
            'experimentId creationTime } __typename } }'
        rest = self.get_experiment(self.exp_id)
        srv = harness.server()
        for path in ("/graphql", "/ajax-api/graphql"):
            for method in ("POST", "GET"):
                d = self.data(gql(q, {"id": self.exp_id}, path=path, method=method))
                self.assertEqual(d["mlflowGetExperiment"]["experiment"]["name"], rest["name"], (path, method))
                self.assertEqual(d["mlflowGetExperiment"]["experiment"]["creationTime"], str(rest["creation_time"]))
            # GET with query parameters (variables as JSON text)
            r = requests.get(srv.url(path), params={"query": q, "variables": json.dumps({"id": self.exp_id})})
            self.assertEqual(self.data(r)["mlflowGetExperiment"]["experiment"]["experimentId"], self.exp_id)

    def test_search_runs_as_query_and_mutation(self):
        for op in ("query", "mutation"):
            q = op + ' { mlflowSearchRuns(input: {experimentIds: ["%s"], runViewType: ALL, maxResults: 1, ' \
                     'orderBy: ["start_time DESC"]}) { runs { info { runId } data { params { key } } } ' \
                     'nextPageToken } }' % self.exp_id
            d = self.data(gql(q))["mlflowSearchRuns"]
            self.assertEqual([r["info"]["runId"] for r in d["runs"]], [self.run2_id])
            self.assertTrue(d["nextPageToken"])
            q2 = op + ' Q($t: String) { mlflowSearchRuns(input: {experimentIds: ["%s"], maxResults: 1, ' \
                      'orderBy: ["start_time DESC"], pageToken: $t}) { runs { info { runId } } } }' % self.exp_id
            d2 = self.data(gql(q2, {"t": d["nextPageToken"]}))["mlflowSearchRuns"]
            self.assertEqual([r["info"]["runId"] for r in d2["runs"]], [self.run_id])
        q = '{ mlflowSearchRuns(input: {experimentIds: ["%s"], filter: "params.lr = \'0.1\'"}) ' \
            '{ runs { info { runName } } } }' % self.exp_id
        self.assertEqual(self.data(gql(q))["mlflowSearchRuns"]["runs"], [{"info": {"runName": "first"}}])

    def test_metric_history_bulk_interval(self):
        q = 'query { mlflowGetMetricHistoryBulkInterval(input: {runIds: ["%s"], metricKey: "loss"}) ' \
            '{ __typename metrics { key step timestamp value runId } apiError { code } } }' % self.run_id
        d = self.data(gql(q))["mlflowGetMetricHistoryBulkInterval"]
        self.assertEqual(d["__typename"], "MlflowGetMetricHistoryBulkIntervalResponse")
        self.assertEqual(d["metrics"], [{"key": "loss", "step": str(i), "timestamp": str(10 + i), "value": v,
                                         "runId": self.run_id} for i, v in enumerate([0.5, 0.25, 0.125])])
        # A NaN here is graphene's Float: the value is null and the error says why (as MLflow).
        q = 'query { mlflowGetMetricHistoryBulkInterval(input: {runIds: ["%s"], metricKey: "nan"}) ' \
            '{ metrics { step value } } }' % self.run_id
        body = self.ok(gql(q))
        self.assertEqual(body["data"]["mlflowGetMetricHistoryBulkInterval"]["metrics"], [{"step": "3", "value": None}])
        self.assertEqual(body["errors"], ["Float cannot represent non numeric value: nan"])

    def test_list_artifacts(self):
        q = 'query Q($p: String) { files: mlflowListArtifacts(input: {runId: "%s", path: $p}) ' \
            '{ rootUri files { path isDir fileSize } } }' % self.run_id
        d = self.data(gql(q))["files"]
        self.assertEqual(d["files"], [{"path": "a.txt", "isDir": False, "fileSize": "5"},
                                      {"path": "dir", "isDir": True, "fileSize": "0"}])
        self.assertTrue(d["rootUri"].endswith("/artifacts"))
        d = self.data(gql(q, {"p": "dir"}))["files"]
        self.assertEqual(d["files"], [{"path": "dir/b.txt", "isDir": False, "fileSize": "5"}])

    def test_search_datasets_and_model_versions(self):
        q = 'mutation { mlflowSearchDatasets(input: {experimentIds: ["%s"]}) { datasetSummaries ' \
            '{ experimentId name digest context } } }' % self.exp_id
        self.assertEqual(self.data(gql(q))["mlflowSearchDatasets"]["datasetSummaries"],
                         [{"experimentId": self.exp_id, "name": "ds", "digest": "d1", "context": "training"}])
        q = 'query { mlflowSearchModelVersions(input: {filter: "name=\'%s\'", maxResults: 5}) ' \
            '{ modelVersions { name version runId status } nextPageToken } }' % self.model
        d = self.data(gql(q))["mlflowSearchModelVersions"]
        self.assertEqual(d["modelVersions"], [{"name": self.model, "version": "1", "runId": self.run_id,
                                               "status": "READY"}])
        self.assertEqual(d["nextPageToken"], "")

    def test_test_fields_fragments_and_operations(self):
        d = self.data(gql('query testQuery {test(inputString: "abc") { output }}', operation="testQuery"))
        self.assertEqual(d, {"test": {"output": "abc"}})
        d = self.data(gql('mutation { testMutation(inputString: "m") { output } __typename }'))
        self.assertEqual(d, {"testMutation": None, "__typename": "Mutation"})  # as MLflow answers
        d = self.data(gql('query A { x: test(inputString: "a") { output } } query B { ...F } '
                          'fragment F on Query { ... on Query { test(inputString: "b") { output } } }', operation="B"))
        self.assertEqual(d, {"test": {"output": "b"}})

    # -- errors --------------------------------------------------------------------------------
    def test_field_errors_keep_the_rest(self):
        q = '{ test(inputString: "ok") { output } mlflowGetRun(input: {runId: "no-such-run"}) { run { info ' \
            '{ runId } } } }'
        body = self.ok(gql(q))
        self.assertEqual(body["data"], {"test": {"output": "ok"}, "mlflowGetRun": None})
        rest = harness.api_get("runs/get", {"run_id": "no-such-run"}).json()["message"]
        self.assertEqual(body["errors"], [rest])  # the REST route's own message

    def test_document_errors(self):
        cases = [
            ("{ test(inputString: \"abc\") { output  }", "Syntax Error: Expected Name, found <EOF>."),
            ("{ test(inputString: \"a\") { output nope } }", "Cannot query field 'nope' on type 'Test'."),
            ("{ test(inputString: \"a\") { output @skip(if: true) } }", "Unknown directive '@skip'."),
            ("query A { __typename } query B { __typename }",
             "Must provide operation name if query contains multiple operations."),
        ]
        for q, message in cases:
            body = self.ok(gql(q))
            self.assertIsNone(body["data"], q)
            self.assertEqual(body["errors"], [message], q)
        body = self.ok(gql("query Q($i: MlflowGetExperimentInput!) { mlflowGetExperiment(input: $i) "
                           "{ experiment { name } } }", {}))
        self.assertEqual(body["errors"], ["Variable '$i' of required type 'MlflowGetExperimentInput!' was not provided."])
        body = self.ok(gql("query Q($i: MlflowSearchRunsInput) { mlflowSearchRuns(input: $i) { nextPageToken } }",
                           {"i": {"experimentIds": ["0"], "runViewType": "NOPE"}}))
        self.assertEqual(body["errors"], ["Variable '$i' got invalid value 'NOPE' at 'i.runViewType'; Value 'NOPE' "
                                          "does not exist in 'MlflowViewType' enum."])
        # A long non-ASCII value is cut before a UTF-8 sequence, never inside one (no U+FFFD).
        long_value = "a" + "\u00e9" * 300
        body = self.ok(gql("query Q($r: MlflowGetRunInput) { mlflowGetRun(input: $r) { run { info { runId } } } }",
                           {"r": {"runId": ["x", long_value, {"k": long_value}]}}))
        self.assertEqual(len(body["errors"]), 1)
        self.assertIn("\u00e9\u00e9...", body["errors"][0])
        self.assertNotIn("\ufffd", body["errors"][0])

    def test_request_errors_are_mlflow_error_json(self):
        srv = harness.server()
        r = requests.post(srv.url("/graphql"), data='{"query": "{ __typename }"}', headers={"Content-Type": "text/plain"})
        self.assertBadParam(r, "Bad Request. Content-Type must be one of ['application/json'].")
        self.assertBadParam(requests.post(srv.url("/graphql"), data="{not json", headers={"Content-Type": "application/json"}))
        self.assertBadParam(requests.post(srv.url("/graphql"), json={"variables": {}}),
                            "Missing value for required parameter 'query'. See the API docs for more information "
                            "about request parameters.")
        self.assertBadParam(requests.post(srv.url("/graphql"), json={"query": 5}))
        self.assertBadParam(requests.get(srv.url("/graphql")))
        self.assertEqual(requests.put(srv.url("/graphql"), json={"query": "{ __typename }"}).status_code, 405)

    # -- batching and limits -----------------------------------------------------------------
    def test_batch(self):
        srv = harness.server()
        batch = [{"query": '{ test(inputString: "1") { output } }'},
                 {"query": "query Q($id: String) { mlflowGetExperiment(input: {experimentId: $id}) "
                           "{ experiment { experimentId } } }", "variables": {"id": self.exp_id}},
                 {"query": "{ nope }"}]
        r = requests.post(srv.url("/graphql"), json=batch)
        self.assertEqual(r.status_code, 200, r.text)
        out = r.json()
        self.assertEqual(out[0], {"data": {"test": {"output": "1"}}, "errors": None})
        self.assertEqual(out[1]["data"]["mlflowGetExperiment"]["experiment"]["experimentId"], self.exp_id)
        self.assertEqual(out[2], {"data": None, "errors": ["Cannot query field 'nope' on type 'Query'."]})
        self.assertBadParam(requests.post(srv.url("/graphql"), json=[batch[0]] * 11),
                            "A GraphQL batch holds 1 to 10 operations, got 11")
        self.assertBadParam(requests.post(srv.url("/graphql"), json=[]))

    def test_mlflow_limits(self):
        roots = "query testQuery {" + " ".join('key_%d: test(inputString: "abc") { output }' % i
                                               for i in range(12)) + "}"
        self.assertIn("GraphQL queries should have at most 10 root fields, got 12 root fields",
                      self.ok(gql(roots))["errors"][0])
        aliases = 'query { mlflowGetExperiment(input: {experimentId: "%s"}) {' % self.exp_id + \
                  " ".join("e_%d: experiment { name }" % i for i in range(12)) + "}}"
        self.assertIn("queries should have at most 10 aliases", self.ok(gql(aliases))["errors"][0])
        inner = "name"
        for _ in range(12):
            inner = "name { %s }" % inner
        deep = '{ mlflowGetExperiment(input: {experimentId: "1"}) { experiment { %s } } }' % inner
        self.assertEqual(self.ok(gql(deep))["errors"], ["Query exceeds maximum depth of 10"])
        wide = '{ mlflowGetExperiment(input: {experimentId: "1"}) { experiment { ' + \
               " ".join("f_%d { name }" % i for i in range(1002)) + " } } }"
        self.assertEqual(self.ok(gql(wide))["errors"], ["Query exceeds maximum total selections of 1000"])

    def test_hostile_documents_are_bounded(self):
        # 2^30 fields once fragments are expanded; a few hundred bytes of text.
        bomb = "{ ...F0 }" + "".join(" fragment F%d on Query { ...F%d ...F%d }" % (i, i + 1, i + 1)
                                     for i in range(30)) + ' fragment F30 on Query { test(inputString: "x") { output } }'
        self.assertEqual(self.ok(gql(bomb))["errors"], ["Query exceeds maximum total selections of 1000"])
        self.assertEqual(self.ok(gql("{ a " * 5000))["errors"], ["Query exceeds maximum nesting of 32 levels"])
        self.assertEqual(self.ok(gql("{ ...A } fragment A on Query { ...A }"))["errors"],
                         ["Cannot spread fragment 'A' within itself."])
        self.assertEqual(self.ok(gql("{ a(x: \"" + "x" * 300000 + "\") }"))["errors"],
                         ["Query exceeds maximum length of 262144 bytes"])
        self.assertEqual(self.ok(gql("{" + " a" * 60000 + " }"))["errors"], ["Query exceeds maximum of 50000 tokens"])
        # the server is still there and answers
        self.assertEqual(self.data(gql("{ __typename }")), {"__typename": "Query"})

    def test_route_calls_per_operation_are_bounded(self):
        # Each run's modelVersions is one registry search; the experiment is read once for all.
        exp = self.create_experiment()
        for _ in range(1002):
            self.create_run(exp)
        q = '{ mlflowSearchRuns(input: {experimentIds: ["%s"], maxResults: 1002}) { runs { info { runId } ' \
            'experiment { name } modelVersions { name } } } }' % exp
        body = self.ok(gql(q))
        runs = body["data"]["mlflowSearchRuns"]["runs"]
        self.assertEqual(len(runs), 1002)
        self.assertEqual(sum(1 for r in runs if r["modelVersions"] == []), 998)  # 1 search + 1 experiment + 998
        self.assertTrue(all(r["experiment"] is not None for r in runs))
        self.assertEqual(set(body["errors"]), {"Query exceeds maximum of 1000 API calls"})
        self.assertLessEqual(len(body["errors"]), 100)

    def test_answers_per_request_are_bounded(self):
        # One request's resolvers get at most 64 MiB of REST answers, a memoised answer counted
        # each time it is handed out (each copy lands in the response): 100 runs whose 750 KB
        # experiment is read once would otherwise make a 75 MB response from a 200-byte query.
        limit = "Query exceeds maximum of 67108864 bytes of API answers"
        tags = [{"key": "k%d" % i, "value": "x" * 5000} for i in range(150)]
        exp = self.create_experiment(tags=tags)
        for _ in range(100):
            self.create_run(exp)
        q = '{ mlflowSearchRuns(input: {experimentIds: ["%s"], maxResults: 100}) ' \
            '{ runs { info { runId } experiment { tags { value } } } } }' % exp
        resp = gql(q)
        body = self.ok(resp)
        self.assertLess(len(resp.content), 66 * 2**20)
        runs = body["data"]["mlflowSearchRuns"]["runs"]
        self.assertEqual(len(runs), 100)
        self.assertTrue(any(r["experiment"] is None for r in runs))
        self.assertTrue(runs[0]["experiment"] is not None)
        self.assertEqual(set(body["errors"]), {limit})

        # The budget is the request's, not each operation's: ten batched operations of ten
        # aliases (each operation alone within the budget) share it.
        one = "{ " + " ".join('a%d: mlflowGetExperiment(input: {experimentId: "%s"}) { experiment { tags { value } } }'
                              % (i, exp) for i in range(10)) + " }"
        alone = self.ok(gql(one))
        self.assertIsNone(alone["errors"])
        resp = harness.server().request("POST", "/graphql", data=json.dumps([{"query": one}] * 10),
                                        headers={"Content-Type": "application/json"})
        self.assertEqual(resp.status_code, 200, resp.text[:200])
        batch = resp.json()
        self.assertEqual(len(batch), 10)
        self.assertLess(len(resp.content), 66 * 2**20)
        self.assertIsNone(batch[0]["errors"])
        self.assertEqual(set(batch[-1]["errors"]), {limit})
        # the server still answers
        self.assertEqual(self.data(gql("{ __typename }")), {"__typename": "Query"})

    def test_echoes_count_against_the_answer_budget(self):
        # `test` echoes the client's own text once per alias: ten aliases of a 7 MiB variable
        # would make a 70 MiB answer; the 64 MiB budget nulls what is beyond it.
        q = "query($v: String) { " + " ".join("a%d: test(inputString: $v) { output }" % i for i in range(10)) + " }"
        resp = gql(q, variables={"v": "x" * (7 * 2**20)})
        body = self.ok(resp)
        self.assertLess(len(resp.content), 66 * 2**20)
        self.assertEqual(body["data"]["a0"], {"output": "x" * (7 * 2**20)})
        self.assertIsNone(body["data"]["a9"])
        self.assertEqual(set(body["errors"]), {"Query exceeds maximum of 67108864 bytes of API answers"})
        self.assertEqual(self.data(gql('{ test(inputString: "x") { output } }')), {"test": {"output": "x"}})

    def test_large_answers_pass_through(self):
        # A REST answer larger than what a client may send (100,000 JSON values) is still read whole.
        exp = self.create_experiment()
        run = self.create_run_id(exp)
        for chunk in range(12):
            self.log_batch(run, metrics=[{"key": "m%d_%d" % (chunk, i), "value": i, "timestamp": 1, "step": 0}
                                         for i in range(1000)])
        q = '{ mlflowGetRun(input: {runId: "%s"}) { run { data { metrics { key value timestamp step } } } } }' % run
        metrics = self.data(gql(q))["mlflowGetRun"]["run"]["data"]["metrics"]
        self.assertEqual(len(metrics), 12000)


class GraphqlStaticPrefixTest(harness.SextantTestCase):
    """--static-prefix moves the endpoint as MLflow's _add_static_prefix does."""

    def test_prefixed_paths(self):
        srv = harness.SextantServer(extra_args=["--static-prefix", "/mlflow"])
        srv.start()
        try:
            for path in ("/mlflow/graphql", "/mlflow/ajax-api/graphql"):
                r = gql('{ test(inputString: "p") { output } }', path=path, srv=srv)
                self.assertEqual(r.json(), {"data": {"test": {"output": "p"}}, "errors": None}, path)
            self.assertEqual(gql("{ __typename }", path="/graphql", srv=srv).status_code, 404)
        finally:
            srv.stop()
            srv.cleanup()


class GraphqlAuthTest(harness.SextantTestCase):
    """With --auth on, /graphql is an authenticated route like the REST routes it reads."""

    @classmethod
    def setUpClass(cls):
        cls.workdir = tempfile.mkdtemp(prefix="sextant-gql-auth-")
        bootstrap = os.path.join(cls.workdir, "admin")
        with open(bootstrap, "w") as f:
            f.write("root:bootstrap-password-123\n")
        cls.auth_srv = harness.SextantServer(extra_args=["--auth", "on", "--admin-bootstrap-file", bootstrap])
        cls.auth_srv.start()

    @classmethod
    def tearDownClass(cls):
        cls.auth_srv.stop()
        cls.auth_srv.cleanup()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def test_nothing_without_credentials(self):
        basic = {"Authorization": "Basic " + base64.b64encode(b"root:bootstrap-password-123").decode()}
        r = requests.post(self.auth_srv.url("/api/2.0/mlflow/experiments/create"), headers=basic,
                          json={"name": harness.unique("secret")})
        self.assertEqual(r.status_code, 200, r.text)
        q = '{ mlflowGetExperiment(input: {experimentId: "%s"}) { experiment { name } } }' % r.json()["experiment_id"]
        for path in ("/graphql", "/ajax-api/graphql"):
            for method in ("GET", "POST"):
                for headers in ({}, {"Authorization": "Basic " + base64.b64encode(b"root:wrong").decode()}):
                    r = gql(q, path=path, method=method, srv=self.auth_srv, headers=headers)
                    self.assertEqual(r.status_code, 401, r.text)
                    self.assertNotIn("secret", r.text)
                    self.assertEqual(r.json()["error_code"], "UNAUTHENTICATED")
                r = gql(q, path=path, method=method, srv=self.auth_srv, headers=basic)
                self.assertTrue(self.data_of(r)["mlflowGetExperiment"]["experiment"]["name"].startswith("secret"))

    def test_users_sessions_and_csrf(self):
        admin = {"Authorization": "Basic " + base64.b64encode(b"root:bootstrap-password-123").decode()}
        name, password = harness.unique("user"), "user-password-1234"
        r = requests.post(self.auth_srv.url("/api/2.0/sextant/users/create"), headers=admin,
                          json={"username": name, "password": password, "is_admin": False})
        self.assertEqual(r.status_code, 200, r.text)
        user = {"Authorization": "Basic " + base64.b64encode(("%s:%s" % (name, password)).encode()).decode()}
        q = '{ mlflowSearchRuns(input: {experimentIds: ["0"]}) { runs { info { runId } } } }'
        self.assertEqual(self.data_of(gql(q, srv=self.auth_srv, headers=user)), {"mlflowSearchRuns": {"runs": []}})
        # A browser session: same-origin JSON only, as for the REST routes.
        r = requests.post(self.auth_srv.url("/api/2.0/sextant/login"), headers={"Origin": self.auth_srv.base_url},
                          json={"username": name, "password": password})
        self.assertEqual(r.status_code, 200, r.text)
        cookie = r.headers["Set-Cookie"].split(";")[0]
        same = {"Cookie": cookie, "Origin": self.auth_srv.base_url}
        self.assertEqual(self.data_of(gql("{ __typename }", srv=self.auth_srv, headers=same)), {"__typename": "Query"})
        for headers in ({"Cookie": cookie, "Origin": "https://evil.example"}, {"Cookie": cookie}):
            r = gql("{ __typename }", srv=self.auth_srv, headers=headers)
            self.assertEqual(r.status_code, 403, r.text)
            self.assertEqual(r.json()["error_code"], "PERMISSION_DENIED")
        r = requests.post(self.auth_srv.url("/graphql"), data='{"query": "{ __typename }"}',
                          headers=dict(same, **{"Content-Type": "text/plain"}))
        self.assertEqual(r.status_code, 403, r.text)  # a cross-site form could send that
        self.assertNotIn("__typename", r.text)

    def data_of(self, r):
        self.assertEqual(r.status_code, 200, r.text)
        self.assertIsNone(r.json()["errors"], r.text)
        return r.json()["data"]


if __name__ == "__main__":
    unittest.main()
