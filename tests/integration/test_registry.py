"""Model registry: registered models, tags, aliases, latest versions, search (spec §2.9, §3.4,
§3.8, §3.9, §4, §7 rows 7, 8, 20, 25)."""

import base64
import json
import time

import harness
from harness import api_get, api_post, ajax_get, ajax_post, unique
from harness import setUpModule, tearDownModule  # noqa: F401
from registry_base import RegistryTestCase, api_delete, api_patch

PROMPT_TAG = "mlflow.prompt.is_prompt"


class TestCreateRegisteredModel(RegistryTestCase):
    def test_shape(self):
        name = unique("rm")
        before = harness.now_ms()
        rm = self.create_model(name, description="first", tags=[{"key": "team", "value": "a"},
                                                                 {"key": "x.y", "value": ""}])
        self.assertEqual(rm["name"], name)
        self.assertIsInstance(rm["creation_timestamp"], int)
        self.assertGreaterEqual(rm["creation_timestamp"], before - 5)
        self.assertEqual(rm["last_updated_timestamp"], rm["creation_timestamp"])
        self.assertEqual(rm["description"], "first")
        self.assertEqual(harness.as_dict(rm["tags"]), {"team": "a", "x.y": ""})
        for absent in ("latest_versions", "aliases", "user_id", "deployment_job_id"):
            self.assertNotIn(absent, rm)
        self.assertEqual(self.get_model(name), rm)

    def test_no_description_is_omitted(self):
        rm = self.create_model()
        self.assertNotIn("description", rm)
        self.assertNotIn("tags", rm)

    def test_duplicate_name(self):
        name = unique("rm")
        self.create_model(name)
        r = api_post("registered-models/create", {"name": name})
        self.assertError(r, 400, "RESOURCE_ALREADY_EXISTS", "Registered Model (name=%s) already exists." % name)

    def test_prompt_and_model_names_clash(self):
        name = unique("rm")
        self.create_model(name)
        r = api_post("registered-models/create", {"name": name, "tags": [{"key": PROMPT_TAG, "value": "true"}]})
        self.assertError(r, 400, "RESOURCE_ALREADY_EXISTS",
                         "Tried to create a prompt with name '%s', but the name is already taken by a "
                         "registered model. MLflow does not allow creating a model and a prompt with the "
                         "same name." % name)
        prompt = unique("prompt")
        self.create_model(prompt, tags=[{"key": PROMPT_TAG, "value": "true"}])
        r = api_post("registered-models/create", {"name": prompt})
        self.assertError(r, 400, "RESOURCE_ALREADY_EXISTS", "Tried to create a registered model with name")
        r = api_post("registered-models/create", {"name": prompt, "tags": [{"key": PROMPT_TAG, "value": "true"}]})
        self.assertError(r, 400, "RESOURCE_ALREADY_EXISTS", "Prompt (name=%s) already exists." % prompt)

    def test_validation(self):
        self.assertBadParam(api_post("registered-models/create", {}),
                            "Missing value for required parameter 'name'.")
        self.assertBadParam(api_post("registered-models/create", {"name": ""}),
                            "Missing value for required parameter 'name'.")
        self.assertBadParam(api_post("registered-models/create", {"name": 5}), "for parameter 'name'")
        self.assertBadParam(api_post("registered-models/create",
                                     {"name": unique("rm"), "tags": [{"key": "a/../b", "value": "v"}]}),
                            "Names may be treated as files")
        self.assertBadParam(api_post("registered-models/create",
                                     {"name": unique("rm"), "tags": [{"key": "bad!", "value": "v"}]}),
                            "Names may only contain alphanumerics")
        self.assertBadParam(api_post("registered-models/create",
                                     {"name": unique("rm"), "tags": [{"key": "k" * 251, "value": "v"}]}),
                            "'key' exceeds the maximum length of 250 characters")
        self.assertBadParam(api_post("registered-models/create",
                                     {"name": unique("rm"), "tags": [{"key": "k", "value": "v" * 100001}]}),
                            "'value' exceeds the maximum length of 100000 characters")
        if harness.BACKEND == "sqlite":  # SQLite does not enforce the column's VARCHAR(5000)
            rm = self.create_model(tags=[{"key": "k", "value": "v" * 100000}])
            self.assertEqual(len(rm["tags"][0]["value"]), 100000)
        else:  # as MLflow on these databases: the database refuses it, 400
            self.assertError(api_post("registered-models/create",
                                      {"name": unique("rm"), "tags": [{"key": "k", "value": "v" * 100000}]}),
                             400, "BAD_REQUEST", "value too long" if harness.BACKEND == "postgresql" else "Data too long")

    def test_content_type_required(self):
        r = self.srv.request("POST", harness.API + "/registered-models/create", data=json.dumps({"name": "x"}))
        self.assertBadParam(r, "Content-Type")

    def test_duplicate_tag_keys_last_wins(self):
        rm = self.create_model(tags=[{"key": "k", "value": "1"}, {"key": "k", "value": "2"}])
        self.assertEqual(rm["tags"], [{"key": "k", "value": "2"}])

    def test_ajax_routes(self):
        name = unique("rm")
        self.assertOk(ajax_post("registered-models/create", {"name": name}))
        self.assertEqual(self.assertOk(ajax_get("registered-models/get", {"name": name}))
                         ["registered_model"]["name"], name)

    def test_camel_case_fields(self):
        name = unique("rm")
        self.assertOk(api_post("registered-models/create", {"name": name}))
        r = self.assertOk(api_post("registered-models/rename", {"name": name, "newName": name + "-c"}))
        self.assertEqual(r["registered_model"]["name"], name + "-c")


class TestGetRenameUpdateDelete(RegistryTestCase):
    def test_get_unknown(self):
        self.assertNotFound(api_get("registered-models/get", {"name": "no-such-model-x"}),
                            "Registered Model with name=no-such-model-x not found")
        self.assertBadParam(api_get("registered-models/get"), "Missing value for required parameter 'name'")

    def test_rename_moves_versions_tags_aliases(self):
        name = unique("rm")
        self.create_model(name, tags=[{"key": "t", "value": "1"}])
        v1 = self.create_version(name)
        self.create_version(name)
        self.set_alias(name, "champ", 1)
        self.assertOk(api_post("model-versions/set-tag", {"name": name, "version": "1", "key": "vt",
                                                          "value": "x"}))
        time.sleep(0.01)
        new = name + "-renamed"
        rm = self.assertOk(api_post("registered-models/rename", {"name": name, "new_name": new}))
        rm = rm["registered_model"]
        self.assertEqual(rm["name"], new)
        self.assertGreater(rm["last_updated_timestamp"], v1["last_updated_timestamp"])
        self.assertEqual(harness.as_dict(rm["tags"]), {"t": "1"})
        self.assertEqual(rm["aliases"], [{"alias": "champ", "version": "1"}])
        self.assertEqual([v["name"] for v in rm["latest_versions"]], [new])
        self.assertNotFound(api_get("registered-models/get", {"name": name}))
        got = self.get_version(new, 1)
        self.assertEqual(got["name"], new)
        self.assertEqual(got["aliases"], ["champ"])
        self.assertEqual(harness.as_dict(got["tags"]), {"vt": "x"})
        self.assertGreater(got["last_updated_timestamp"], v1["last_updated_timestamp"])
        self.assertEqual(self.create_version(new)["version"], "3")
        self.assertNotFound(api_get("model-versions/get", {"name": name, "version": "1"}))

    def test_rename_errors(self):
        a, b = unique("rm"), unique("rm")
        self.create_model(a)
        self.create_model(b)
        self.assertError(api_post("registered-models/rename", {"name": a, "new_name": b}), 400,
                         "RESOURCE_ALREADY_EXISTS", "Registered Model (name=%s) already exists." % b)
        self.assertBadParam(api_post("registered-models/rename", {"name": a}),
                            "Missing value for required parameter 'new_name'")
        self.assertNotFound(api_post("registered-models/rename", {"name": "nope-" + a, "new_name": "x" + a}))
        same = self.assertOk(api_post("registered-models/rename", {"name": a, "new_name": a}))
        self.assertEqual(same["registered_model"]["name"], a)

    def test_update_description(self):
        name = unique("rm")
        created = self.create_model(name, description="old")
        time.sleep(0.01)
        r = self.assertOk(api_patch("registered-models/update", {"name": name, "description": "new"}))
        rm = r["registered_model"]
        self.assertEqual(rm["description"], "new")
        self.assertGreater(rm["last_updated_timestamp"], created["last_updated_timestamp"])
        self.assertEqual(rm["creation_timestamp"], created["creation_timestamp"])
        # An absent description clears it (§7 row 20).
        rm = self.assertOk(api_patch("registered-models/update", {"name": name}))["registered_model"]
        self.assertNotIn("description", rm)
        self.assertNotFound(api_patch("registered-models/update", {"name": "nope-" + name}))
        self.assertEqual(api_post("registered-models/update", {"name": name}).status_code, 405)

    def test_delete_is_hard_and_cascades(self):
        name = unique("rm")
        self.create_model(name, tags=[{"key": "a", "value": "b"}])
        self.create_version(name)
        self.create_version(name)
        self.delete_version(name, 2)
        self.set_alias(name, "a1", 1)
        self.assertOk(api_delete("registered-models/delete", {"name": name}))
        self.assertNotFound(api_get("registered-models/get", {"name": name}))
        self.assertNotFound(api_get("model-versions/get", {"name": name, "version": "1"}))
        self.assertEqual(self.version_rows(name), [])
        with self.db() as conn:
            for table in ("registered_model_tags", "registered_model_aliases", "model_version_tags"):
                n = conn.execute("SELECT COUNT(*) FROM %s WHERE name = ?" % table, (name,)).fetchone()[0]
                self.assertEqual(n, 0, table)
        # The name can be used again and numbering starts over.
        self.create_model(name)
        self.assertEqual(self.create_version(name)["version"], "1")
        self.assertNotFound(api_delete("registered-models/delete", {"name": "nope-" + name}),
                            "Registered Model with name=nope-%s not found" % name)
        self.assertBadParam(api_delete("registered-models/delete", {}), "Missing value")
        self.assertEqual(api_post("registered-models/delete", {"name": name}).status_code, 405)


class TestRegisteredModelTags(RegistryTestCase):
    def test_set_and_delete(self):
        name = unique("rm")
        self.create_model(name)
        self.assertOk(api_post("registered-models/set-tag", {"name": name, "key": "k", "value": "1"}))
        self.assertOk(api_post("registered-models/set-tag", {"name": name, "key": "k", "value": "2"}))
        self.assertOk(api_post("registered-models/set-tag", {"name": name, "key": "empty"}))
        self.assertEqual(harness.as_dict(self.get_model(name)["tags"]), {"k": "2", "empty": ""})
        self.assertOk(api_delete("registered-models/delete-tag", {"name": name, "key": "k"}))
        self.assertEqual(harness.as_dict(self.get_model(name)["tags"]), {"empty": ""})
        # Deleting a missing tag is not an error (§7 row 8).
        self.assertOk(api_delete("registered-models/delete-tag", {"name": name, "key": "k"}))

    def test_errors(self):
        name = unique("rm")
        self.create_model(name)
        self.assertNotFound(api_post("registered-models/set-tag", {"name": "nope-" + name, "key": "k", "value": "v"}))
        self.assertNotFound(api_delete("registered-models/delete-tag", {"name": "nope-" + name, "key": "k"}))
        self.assertBadParam(api_post("registered-models/set-tag", {"name": name, "value": "v"}),
                            "Missing value for required parameter 'key'")
        self.assertBadParam(api_post("registered-models/set-tag", {"name": name, "key": "/abs", "value": "v"}),
                            "Invalid value \"/abs\" for parameter 'key' supplied")
        self.assertBadParam(api_post("registered-models/set-tag", {"name": name, "key": "k",
                                                                   "value": "x" * 100001}),
                            "'value' exceeds the maximum length of 100000 characters")
        self.assertBadParam(api_delete("registered-models/delete-tag", {"name": name, "key": "a//b"}))


class TestAliases(RegistryTestCase):
    def setUp(self):
        self.name = unique("alias")
        self.create_model(self.name)
        self.v1 = self.create_version(self.name)
        self.v2 = self.create_version(self.name)

    def by_alias(self, alias, name=None):
        return api_get("registered-models/alias", {"name": name or self.name, "alias": alias})

    def test_set_get_move_delete(self):
        self.set_alias(self.name, "champion", 1)
        mv = self.assertOk(self.by_alias("champion"))["model_version"]
        self.assertEqual(mv["version"], "1")
        self.assertEqual(mv["aliases"], ["champion"])
        self.assertEqual(self.get_version(self.name, 1)["aliases"], ["champion"])
        self.set_alias(self.name, "other", 1)
        self.assertEqual(self.get_version(self.name, 1)["aliases"], ["champion", "other"])
        self.assertEqual(self.get_model(self.name)["aliases"],
                         [{"alias": "champion", "version": "1"}, {"alias": "other", "version": "1"}])
        # Re-pointing moves the alias.
        self.set_alias(self.name, "champion", 2)
        self.assertEqual(self.assertOk(self.by_alias("champion"))["model_version"]["version"], "2")
        self.assertEqual(self.get_version(self.name, 1)["aliases"], ["other"])
        self.assertOk(api_delete("registered-models/alias", {"name": self.name, "alias": "champion"}))
        self.assertBadParam(self.by_alias("champion"), "Registered model alias champion not found.")
        # Deleting a missing alias is fine; the model must exist.
        self.assertOk(api_delete("registered-models/alias", {"name": self.name, "alias": "champion"}))
        self.assertNotFound(api_delete("registered-models/alias", {"name": "nope-" + self.name, "alias": "a"}))

    def test_unknown_alias_is_400(self):
        # §7 row 7: the reference answers INVALID_PARAMETER_VALUE, not 404.
        self.assertError(self.by_alias("missing"), 400, "INVALID_PARAMETER_VALUE",
                         "Registered model alias missing not found.")
        self.assertNotFound(self.by_alias("a", name="nope-" + self.name),
                            "Registered Model with name=nope-%s not found" % self.name)

    def test_alias_rules(self):
        def set_(alias, version="1"):
            return api_post("registered-models/alias", {"name": self.name, "alias": alias, "version": version})
        self.assertBadParam(set_("latest"), "'latest' alias name (case insensitive) is reserved.")
        self.assertBadParam(set_("LATEST"), "'latest' alias name (case insensitive) is reserved.")
        self.assertBadParam(set_("v1"), "Version alias name 'v1' is reserved.")
        self.assertBadParam(set_("V22"), "Version alias name 'V22' is reserved.")
        self.assertBadParam(set_("a b"), "Invalid alias name: 'a b'. Names may only contain alphanumerics, "
                                         "underscores (_), and dashes (-).")
        self.assertBadParam(set_("a.b"), "Invalid alias name")
        self.assertBadParam(set_("x" * 256), "'Registered model alias name' exceeds the maximum length of 255")
        self.assertBadParam(set_(""), "Missing value for required parameter 'alias'")
        self.assertBadParam(set_("ok", "one"), "Parameter 'version' must be an integer, got 'one'.")
        self.assertNotFound(set_("ok", "99"), "Model Version (name=%s, version=99) not found" % self.name)
        self.assertNotFound(api_post("registered-models/alias",
                                     {"name": "nope-" + self.name, "alias": "ok", "version": "1"}))
        self.assertOk(set_("v1a"))
        self.assertOk(set_("x" * 255))
        self.assertOk(set_("Prod-1_b"))

    def test_latest_alias_is_highest_live_version(self):
        # Reference quirk (§7 row 25): it returns the first of the latest-per-stage list (here v1,
        # stage None); Sextant returns the highest non-deleted version.
        self.transition(self.name, 2, "Production")
        self.set_alias(self.name, "c", 2)
        mv = self.assertOk(self.by_alias("latest"))["model_version"]
        self.assertEqual(mv["version"], "2")
        self.assertEqual(mv["aliases"], ["c"])
        self.assertEqual(self.assertOk(self.by_alias("LaTeSt"))["model_version"]["version"], "2")
        self.delete_version(self.name, 2)
        self.assertEqual(self.assertOk(self.by_alias("latest"))["model_version"]["version"], "1")
        self.delete_version(self.name, 1)
        self.assertNotFound(self.by_alias("latest"), "Latest version not found for model %s." % self.name)

    def test_deleting_a_version_removes_its_aliases(self):
        self.set_alias(self.name, "a", 2)
        self.set_alias(self.name, "b", 1)
        self.delete_version(self.name, 2)
        self.assertBadParam(self.by_alias("a"), "Registered model alias a not found.")
        self.assertEqual(self.get_model(self.name)["aliases"], [{"alias": "b", "version": "1"}])

    def test_get_alias_validation(self):
        self.assertBadParam(self.by_alias("bad alias"), "Invalid alias name")
        self.assertBadParam(api_get("registered-models/alias", {"name": self.name}),
                            "Missing value for required parameter 'alias'")


class TestLatestVersions(RegistryTestCase):
    def setUp(self):
        self.name = unique("latest")
        self.create_model(self.name)
        for _ in range(5):
            self.create_version(self.name)
        self.transition(self.name, 1, "Production")
        self.transition(self.name, 2, "Staging")
        self.transition(self.name, 3, "Production")
        self.transition(self.name, 4, "Archived")
        # v5 stays in None

    def latest(self, stages=None, method="POST"):
        body = {"name": self.name}
        if stages is not None:
            body["stages"] = stages
        if method == "POST":
            return api_post("registered-models/get-latest-versions", body)
        return api_get("registered-models/get-latest-versions", body)

    def test_all_stages(self):
        data = self.assertOk(self.latest())
        got = {v["current_stage"]: v["version"] for v in data["model_versions"]}
        self.assertEqual(got, {"Production": "3", "Staging": "2", "Archived": "4", "None": "5"})
        # Order: stages as they first occur walking versions upwards (MLflow's dict order).
        self.assertEqual([v["current_stage"] for v in data["model_versions"]],
                         ["Production", "Staging", "Archived", "None"])
        rm = self.get_model(self.name)
        self.assertEqual([(v["current_stage"], v["version"]) for v in rm["latest_versions"]],
                         [("Production", "3"), ("Staging", "2"), ("Archived", "4"), ("None", "5")])
        for v in rm["latest_versions"]:
            self.assertNotIn("aliases", v)

    def test_stage_filter_get_and_case(self):
        data = self.assertOk(self.latest(["production", "STAGING"], method="GET"))
        self.assertEqual(sorted(v["version"] for v in data["model_versions"]), ["2", "3"])
        self.assertOk(self.latest(["Production"], method="GET"))
        self.assertBadParam(self.latest(["Prod"]),
                            "Invalid Model Version stage: Prod. Value must be one of None, Staging, "
                            "Production, Archived.")
        self.assertBadParam(self.latest(["Deleted_Internal"]), "Invalid Model Version stage")

    def test_aliases_filled_and_deleted_ignored(self):
        self.set_alias(self.name, "prod", 3)
        self.delete_version(self.name, 2)
        data = self.assertOk(self.latest(["Production", "Staging"]))
        self.assertEqual([(v["version"], v.get("aliases")) for v in data["model_versions"]], [("3", ["prod"])])
        self.delete_version(self.name, 3)
        data = self.assertOk(self.latest(["Production"]))
        self.assertEqual([v["version"] for v in data["model_versions"]], ["1"])

    def test_empty_and_unknown(self):
        name = unique("latest")
        self.create_model(name)
        self.assertEqual(self.assertOk(api_post("registered-models/get-latest-versions", {"name": name})), {})
        self.assertNotFound(api_post("registered-models/get-latest-versions", {"name": "nope-" + name}))
        self.assertBadParam(api_post("registered-models/get-latest-versions", {}), "Missing value")


class TestSearchRegisteredModels(RegistryTestCase):
    @classmethod
    def setUpClass(cls):
        cls.prefix = unique("srch")
        t = RegistryTestCase()
        cls.names = []
        for i, (team, size) in enumerate([("red", "s"), ("blue", "m"), ("red", "l"), ("Red", "s"), (None, "m")]):
            tags = [{"key": "size", "value": size}]
            if team:
                tags.append({"key": "team", "value": team})
            name = "%s-%d" % (cls.prefix, i)
            t.create_model(name, tags=tags)
            cls.names.append(name)
            time.sleep(0.003)
        cls.prompt = cls.prefix + "-prompt"
        t.create_model(cls.prompt, tags=[{"key": PROMPT_TAG, "value": "true"}, {"key": "team", "value": "red"}])

    def search(self, filter_=None, **params):
        p = dict(params)
        p["filter"] = "name LIKE '%s%%'" % self.prefix + (" AND " + filter_ if filter_ else "")
        return api_get("registered-models/search", p)

    def names_of(self, resp):
        return [m["name"] for m in self.assertOk(resp).get("registered_models", [])]

    def test_default_order_and_prompt_exclusion(self):
        self.assertEqual(self.names_of(self.search()), self.names)

    def test_name_filters(self):
        n = self.names
        self.assertEqual(self.names_of(self.search("name = '%s'" % n[1])), [n[1]])
        self.assertEqual(self.names_of(self.search("name != '%s'" % n[1])), [n[0], n[2], n[3], n[4]])
        self.assertEqual(self.names_of(self.search("name LIKE '%-1'")), [n[1]])
        # LIKE is case-sensitive, ILIKE is not.
        self.assertEqual(self.names_of(self.search("name LIKE '%s%%'" % self.prefix.upper())), [])
        self.assertEqual(self.names_of(api_get("registered-models/search", {
            "filter": "name ILIKE '%s-1'" % self.prefix.upper()})), [n[1]])

    def test_tag_filters(self):
        n = self.names
        self.assertEqual(self.names_of(self.search("tags.team = 'red'")), [n[0], n[2]])
        self.assertEqual(self.names_of(self.search("tag.team ILIKE 'red'")), [n[0], n[2], n[3]])
        # A tag clause only matches models that have the tag, also for !=.
        self.assertEqual(self.names_of(self.search("tags.team != 'red'")), [n[1], n[3]])
        self.assertEqual(self.names_of(self.search("tags.team = 'red' AND tags.size = 's'")), [n[0]])
        self.assertEqual(self.names_of(self.search("tags.team LIKE 'r%' AND tags.team LIKE '%d'")), [n[0], n[2]])
        self.assertEqual(self.names_of(self.search("tags.`size` = 'm'")), [n[1], n[4]])
        self.assertEqual(self.names_of(self.search("tags.nope = 'x'")), [])

    def test_prompts_only_when_asked(self):
        self.assertEqual(self.names_of(self.search("tags.`%s` = 'true'" % PROMPT_TAG)), [self.prompt])
        self.assertEqual(self.names_of(self.search("tags.`%s` != 'false'" % PROMPT_TAG)), [self.prompt])
        self.assertEqual(self.names_of(self.search("tags.`%s` = 'false'" % PROMPT_TAG)), self.names)
        self.assertEqual(self.names_of(self.search("tags.team = 'red' AND tags.`%s` = 'true'" % PROMPT_TAG)),
                         [self.prompt])
        # 'TRUE' asks for prompts, but the clause itself compares case-sensitively (as MLflow).
        self.assertEqual(self.names_of(self.search("tags.`%s` = 'TRUE'" % PROMPT_TAG)), [])

    def test_order_by(self):
        n = self.names
        self.assertEqual(self.names_of(self.search(order_by="name DESC")), list(reversed(n)))
        self.assertEqual(self.names_of(self.search(order_by=["timestamp DESC"])), list(reversed(n)))
        self.assertEqual(self.names_of(self.search(order_by=["last_updated_timestamp ASC"])), n)
        self.assertBadParam(self.search(order_by="creation_timestamp"),
                            "Invalid order by key 'creation_timestamp' specified. Valid keys are")
        self.assertBadParam(self.search(order_by=["name", "name DESC"]),
                            "`order_by` contains duplicate fields: ['name', 'name DESC']")
        self.assertBadParam(self.search(order_by=["timestamp", "last_updated_timestamp"]),
                            "`order_by` contains duplicate fields")
        self.assertBadParam(self.search(order_by="name up"), "Invalid ordering key in order_by clause 'name up'.")

    def test_pagination(self):
        seen = []
        token = None
        pages = 0
        while True:
            params = {"max_results": 2}
            if token:
                params["page_token"] = token
            data = self.assertOk(self.search(**params))
            page = [m["name"] for m in data.get("registered_models", [])]
            self.assertLessEqual(len(page), 2)
            seen += page
            pages += 1
            token = data.get("next_page_token")
            if not token:
                break
        self.assertEqual(seen, self.names)
        self.assertEqual(pages, 3)  # 2 + 2 + 1, no empty trailing page (peek-ahead)
        token = json.loads(base64.b64decode(self.assertOk(self.search(max_results=1))["next_page_token"]))
        self.assertEqual(token, {"offset": 1})

    def test_max_results_limits(self):
        self.assertOk(self.search(max_results=1000))
        self.assertBadParam(self.search(max_results=1001),
                            "Invalid value \"1001\" for parameter 'max_results' supplied")
        self.assertBadParam(self.search(max_results=0))
        self.assertBadParam(self.search(max_results="x"))
        self.assertBadParam(self.search(page_token="not a token"), "Invalid page token")

    def test_default_page_size_is_100(self):
        prefix = unique("many")
        for i in range(101):
            self.assertOk(api_post("registered-models/create", {"name": "%s-%03d" % (prefix, i)}))
        data = self.assertOk(api_get("registered-models/search", {"filter": "name LIKE '%s%%'" % prefix}))
        self.assertEqual(len(data["registered_models"]), 100)
        self.assertIn("next_page_token", data)
        rest = self.assertOk(api_get("registered-models/search", {"filter": "name LIKE '%s%%'" % prefix,
                                                                  "page_token": data["next_page_token"]}))
        self.assertEqual([m["name"] for m in rest["registered_models"]], ["%s-100" % prefix])
        self.assertNotIn("next_page_token", rest)

    def test_filter_errors(self):
        for f, msg in [("run_id = 'x'", "Invalid attribute key 'run_id' specified"),
                       ("params.x = 'y'", "Invalid entity type 'params'"),
                       ("name = 'a' OR name = 'b'", "Invalid clause(s) in filter string"),
                       ("name > 'a'", "Invalid comparator for attribute: >"),
                       ("tags.x IN ('a')", "Expected a quoted string value for tag"),
                       ("name = unquoted", "Parameter value is either not quoted")]:
            self.assertBadParam(api_get("registered-models/search", {"filter": f}), msg, msg=f)

    def test_search_results_carry_latest_versions_and_aliases(self):
        name = unique("full")
        self.create_model(name)
        self.create_version(name)
        self.set_alias(name, "a", 1)
        data = self.assertOk(api_get("registered-models/search", {"filter": "name = '%s'" % name}))
        rm = data["registered_models"][0]
        self.assertEqual(rm["aliases"], [{"alias": "a", "version": "1"}])
        self.assertEqual([v["version"] for v in rm["latest_versions"]], ["1"])

    def test_post_is_not_allowed(self):
        self.assertEqual(api_post("registered-models/search", {}).status_code, 405)
