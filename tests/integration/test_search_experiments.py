"""SearchExperiments: filters, order_by, view_type, paging, GET and POST (spec §2.1, §3.1, §3.3,
§3.8, §3.9, §1.7)."""

import base64
import json
import unittest

import harness
from harness import api_get, api_post, ajax_post, unique
from harness import setUpModule, tearDownModule  # noqa: F401


class SearchExperimentsBase(harness.SextantTestCase):
    def search(self, body, via="post"):
        body = dict(body)
        body.setdefault("max_results", 1000)
        if via == "post":
            return api_post("experiments/search", body)
        return api_get("experiments/search", body)

    def search_ok(self, body, via="post"):
        return self.assertOk(self.search(body, via))

    def names(self, body, via="post"):
        data = self.search_ok(body, via)
        return [e["name"] for e in data.get("experiments", [])]

    def all_pages(self, body, via="post"):
        out, token, pages = [], None, 0
        while True:
            b = dict(body)
            if token:
                b["page_token"] = token
            data = self.search_ok(b, via)
            out.extend(data.get("experiments", []))
            pages += 1
            token = data.get("next_page_token")
            if not token:
                return out, pages
            self.assertLess(pages, 100, "paging does not terminate")


class TestSearchExperimentsFilters(SearchExperimentsBase):
    @classmethod
    def setUpClass(cls):
        cls.p = unique("sx").replace("-", "_")  # unique prefix, no LIKE wildcards besides '_'
        cls.ids = {}
        tc = harness.SextantTestCase()
        for suffix, tags in (("apple", {"color": "red", "size": "S"}),
                             ("banana", {"color": "yellow"}),
                             ("Cherry", {"color": "Red"}),
                             ("date", {})):
            name = cls.p + "_" + suffix
            body = {"name": name}
            if tags:
                body["tags"] = [{"key": k, "value": v} for k, v in tags.items()]
            cls.ids[suffix] = tc.assertOk(api_post("experiments/create", body))["experiment_id"]
        cls.exps = {s: tc.get_experiment(i) for s, i in cls.ids.items()}

    def in_prefix(self, extra=None):
        f = "name LIKE '%s%%'" % self.p
        if extra:
            f += " AND " + extra
        return f

    def suffixes(self, filt, **kw):
        body = {"filter": filt}
        body.update(kw)
        return sorted(n[len(self.p) + 1:] for n in self.names(body))

    def test_name_equal(self):
        self.assertEqual(self.suffixes("name = '%s_apple'" % self.p), ["apple"])
        self.assertEqual(self.suffixes("attribute.name = '%s_apple'" % self.p), ["apple"])
        self.assertEqual(self.suffixes("name = \"%s_banana\"" % self.p), ["banana"])

    def test_name_not_equal(self):
        self.assertEqual(self.suffixes(self.in_prefix("name != '%s_apple'" % self.p)),
                         ["Cherry", "banana", "date"])

    def test_name_like_is_case_sensitive(self):
        self.assertEqual(self.suffixes(self.in_prefix()), ["Cherry", "apple", "banana", "date"])
        self.assertEqual(self.suffixes("name LIKE '%s_c%%'" % self.p), [])
        self.assertEqual(self.suffixes("name LIKE '%s_C%%'" % self.p), ["Cherry"])
        self.assertEqual(self.suffixes("name like '%%_%s'" % "banana"[1:]
                                       + " AND " + self.in_prefix()), ["banana"])

    def test_name_ilike(self):
        self.assertEqual(self.suffixes("name ILIKE '%s_c%%'" % self.p.upper()), ["Cherry"])
        self.assertEqual(self.suffixes("name ilike '%s_%%'" % self.p.upper()),
                         ["Cherry", "apple", "banana", "date"])

    def test_tags(self):
        self.assertEqual(self.suffixes(self.in_prefix("tags.color = 'red'")), ["apple"])
        self.assertEqual(self.suffixes(self.in_prefix("tag.color = 'red'")), ["apple"])
        self.assertEqual(self.suffixes(self.in_prefix("tags.color LIKE 'r%'")), ["apple"])
        self.assertEqual(self.suffixes(self.in_prefix("tags.color ILIKE 'r%'")),
                         ["Cherry", "apple"])
        # the tag must exist, also for != (date has no tags)
        self.assertEqual(self.suffixes(self.in_prefix("tags.color != 'red'")),
                         ["Cherry", "banana"])
        self.assertEqual(self.suffixes(self.in_prefix("tags.`color` = 'yellow'")), ["banana"])
        self.assertEqual(self.suffixes(self.in_prefix('tags."size" = \'S\'')), ["apple"])
        self.assertEqual(self.suffixes(self.in_prefix("tags.color = 'red' AND tags.size = 'S'")),
                         ["apple"])
        self.assertEqual(self.suffixes(self.in_prefix("tags.color = 'yellow' AND tags.size = 'S'")),
                         [])

    def test_creation_time(self):
        ct = {s: e["creation_time"] for s, e in self.exps.items()}
        t = ct["banana"]
        expect_ge = sorted(s for s, v in ct.items() if v >= t)
        expect_lt = sorted(s for s, v in ct.items() if v < t)
        expect_eq = sorted(s for s, v in ct.items() if v == t)
        expect_ne = sorted(s for s, v in ct.items() if v != t)
        self.assertEqual(self.suffixes(self.in_prefix("creation_time >= %d" % t)), expect_ge)
        self.assertEqual(self.suffixes(self.in_prefix("creation_time < %d" % t)), expect_lt)
        self.assertEqual(self.suffixes(self.in_prefix("creation_time = %d" % t)), expect_eq)
        self.assertEqual(self.suffixes(self.in_prefix("creation_time != %d" % t)), expect_ne)
        self.assertEqual(self.suffixes(self.in_prefix("creation_time > %d" % max(ct.values()))),
                         [])
        self.assertEqual(self.suffixes(self.in_prefix("creation_time <= %d" % max(ct.values()))),
                         ["Cherry", "apple", "banana", "date"])
        lut = max(e["last_update_time"] for e in self.exps.values())
        self.assertEqual(self.suffixes(self.in_prefix("last_update_time <= %d" % lut)),
                         ["Cherry", "apple", "banana", "date"])

    def test_double_quoted_value_with_apostrophe(self):
        name = self.p + "_it's"
        eid = self.create_experiment(name)
        data = self.search_ok({"filter": 'name = "%s"' % name})
        self.assertEqual([e["experiment_id"] for e in data["experiments"]], [eid])
        self.assertOk(api_post("experiments/delete", {"experiment_id": eid}))

    def test_get_variant(self):
        data = self.search_ok({"filter": "name = '%s_apple'" % self.p}, via="get")
        self.assertEqual([e["experiment_id"] for e in data["experiments"]], [self.ids["apple"]])
        e = data["experiments"][0]
        self.assertEqual(e["artifact_location"], "mlflow-artifacts:/%s" % self.ids["apple"])
        self.assertEqual(e["lifecycle_stage"], "active")
        self.assertEqual(harness.as_dict(e["tags"]), {"color": "red", "size": "S"})

    def test_ajax_variant(self):
        data = self.assertOk(ajax_post("experiments/search",
                                       {"max_results": 10,
                                        "filter": "name = '%s_banana'" % self.p}))
        self.assertEqual([e["experiment_id"] for e in data["experiments"]],
                         [self.ids["banana"]])

    def test_camel_case_fields(self):
        data = self.assertOk(api_post("experiments/search",
                                      {"maxResults": 2, "filter": self.in_prefix(),
                                       "viewType": "ALL"}))
        self.assertEqual(len(data["experiments"]), 2)
        self.assertIn("next_page_token", data)

    def test_no_match_is_empty_object(self):
        data = self.search_ok({"filter": "name = '%s_nothing'" % self.p})
        self.assertEqual(data.get("experiments", []), [])
        self.assertNotIn("next_page_token", data)

    def test_invalid_filters(self):
        bad = [
            "name = 'a' OR name = 'b'",
            "bogus.name = 'a'",
            "attribute.bogus = 'a'",
            "name > 'a'",
            "name = 1",
            "creation_time = 'abc'",
            "creation_time LIKE '1%'",
            "(name = 'a')",
            "name = 'a'; name = 'b'",
            "name IS NULL",
            "name",
            "params.x = 'a'",
        ]
        for f in bad:
            self.assertBadParam(self.search({"filter": f}), msg=f)


class TestSearchExperimentsOrderAndViews(SearchExperimentsBase):
    @classmethod
    def setUpClass(cls):
        cls.p = unique("so").replace("-", "_")
        tc = harness.SextantTestCase()
        cls.ids = []
        for i, suffix in enumerate(["m", "b", "z", "a", "q"]):
            eid = tc.assertOk(api_post("experiments/create",
                                       {"name": "%s_%s" % (cls.p, suffix)}))["experiment_id"]
            cls.ids.append(eid)
        cls.exps = [tc.get_experiment(i) for i in cls.ids]
        cls.filt = "name LIKE '%s_%%'" % cls.p

    def ids_for(self, **kw):
        body = {"filter": self.filt}
        body.update(kw)
        return [e["experiment_id"] for e in self.search_ok(body).get("experiments", [])]

    def test_default_order_creation_time_desc_then_id_asc(self):
        expect = [e["experiment_id"] for e in
                  sorted(self.exps, key=lambda e: (-e["creation_time"], int(e["experiment_id"])))]
        self.assertEqual(self.ids_for(), expect)

    def test_order_by_name(self):
        by_name = sorted(self.exps, key=lambda e: e["name"])
        self.assertEqual(self.ids_for(order_by=["name ASC"]),
                         [e["experiment_id"] for e in by_name])
        self.assertEqual(self.ids_for(order_by=["name"]),
                         [e["experiment_id"] for e in by_name])
        self.assertEqual(self.ids_for(order_by=["attribute.name DESC"]),
                         [e["experiment_id"] for e in reversed(by_name)])
        self.assertEqual(self.ids_for(order_by=["name desc"]),
                         [e["experiment_id"] for e in reversed(by_name)])

    def test_order_by_experiment_id_is_numeric(self):
        ids = sorted(self.ids, key=int)
        self.assertEqual(self.ids_for(order_by=["experiment_id ASC"]), ids)
        self.assertEqual(self.ids_for(order_by=["experiment_id DESC"]), ids[::-1])

    def test_order_by_creation_time_asc_tiebreak_id_desc(self):
        expect = [e["experiment_id"] for e in
                  sorted(self.exps, key=lambda e: (e["creation_time"], -int(e["experiment_id"])))]
        self.assertEqual(self.ids_for(order_by=["creation_time ASC"]), expect)

    def test_order_by_last_update_time_desc(self):
        expect = [e["experiment_id"] for e in
                  sorted(self.exps,
                         key=lambda e: (-e["last_update_time"], -int(e["experiment_id"])))]
        self.assertEqual(self.ids_for(order_by=["last_update_time DESC"]), expect)

    def test_order_by_get_repeated(self):
        by_name = sorted(self.exps, key=lambda e: e["name"], reverse=True)
        data = self.search_ok({"filter": self.filt, "order_by": ["name DESC"]}, via="get")
        self.assertEqual([e["experiment_id"] for e in data["experiments"]],
                         [e["experiment_id"] for e in by_name])

    def test_invalid_order_by(self):
        for ob in ("bogus ASC", "name SIDEWAYS", "name ASC extra", "tags.x ASC"):
            self.assertBadParam(self.search({"filter": self.filt, "order_by": [ob]}), msg=ob)

    def test_paging(self):
        got, pages = self.all_pages({"filter": self.filt, "max_results": 2,
                                     "order_by": ["name ASC"]})
        self.assertEqual([e["experiment_id"] for e in got],
                         [e["experiment_id"] for e in sorted(self.exps, key=lambda e: e["name"])])
        self.assertEqual(pages, 3)

    def test_paging_get(self):
        got, pages = self.all_pages({"filter": self.filt, "max_results": 2}, via="get")
        self.assertEqual(sorted(e["experiment_id"] for e in got), sorted(self.ids))
        self.assertEqual(pages, 3)

    def test_no_token_when_exactly_full(self):
        # SearchExperiments peeks ahead: no token when no further row exists (§3.9)
        data = self.search_ok({"filter": self.filt, "max_results": 5})
        self.assertEqual(len(data["experiments"]), 5)
        self.assertNotIn("next_page_token", data)
        first = self.search_ok({"filter": self.filt, "max_results": 3})
        self.assertIn("next_page_token", first)
        second = self.search_ok({"filter": self.filt, "max_results": 3,
                                 "page_token": first["next_page_token"]})
        self.assertEqual(len(second["experiments"]), 2)
        self.assertNotIn("next_page_token", second)

    def test_max_results_limits(self):
        self.assertBadParam(self.search({"filter": self.filt, "max_results": 0}))
        self.assertBadParam(self.search({"filter": self.filt, "max_results": 50001}))
        self.assertBadParam(self.search({"filter": self.filt, "max_results": -1}))
        data = self.search_ok({"filter": self.filt, "max_results": 50000})
        self.assertEqual(len(data["experiments"]), 5)

    def test_max_results_as_string(self):
        data = self.search_ok({"filter": self.filt, "max_results": "2"})
        self.assertEqual(len(data["experiments"]), 2)

    def test_absent_max_results_not_5xx(self):
        # Reference: 400; recommended (§7 #2): default 1000. Either way never a 5xx.
        r = api_post("experiments/search", {"filter": self.filt})
        self.assertNot5xx(r)
        if r.status_code == 200:
            self.assertEqual(len(r.json()["experiments"]), 5)
        else:
            self.assertBadParam(r)

    def test_invalid_page_token(self):
        self.assertBadParam(self.search({"filter": self.filt, "page_token": "not a token!!"}),
                            "Invalid page token")

    def test_reference_page_token_format(self):
        # §1.7: base64(JSON {"offset": N}) — accepting it keeps tokens valid across servers.
        token = base64.b64encode(json.dumps({"offset": 2}).encode()).decode()
        all_ids = self.ids_for(order_by=["name ASC"])
        data = self.search_ok({"filter": self.filt, "order_by": ["name ASC"],
                               "max_results": 2, "page_token": token})
        self.assertEqual([e["experiment_id"] for e in data["experiments"]], all_ids[2:4])


class TestSearchExperimentsViewType(SearchExperimentsBase):
    @classmethod
    def setUpClass(cls):
        cls.p = unique("sv").replace("-", "_")
        tc = harness.SextantTestCase()
        cls.active = [tc.create_experiment("%s_a%d" % (cls.p, i)) for i in range(2)]
        cls.deleted = [tc.create_experiment("%s_d%d" % (cls.p, i)) for i in range(2)]
        for d in cls.deleted:
            tc.delete_experiment(d)
        cls.filt = "name LIKE '%s_%%'" % cls.p

    def ids(self, view_type=None, via="post"):
        body = {"filter": self.filt}
        if view_type is not None:
            body["view_type"] = view_type
        return sorted(e["experiment_id"] for e in self.search_ok(body, via).get("experiments", []))

    def test_default_active_only(self):
        self.assertEqual(self.ids(), sorted(self.active))
        self.assertEqual(self.ids("ACTIVE_ONLY"), sorted(self.active))

    def test_deleted_only(self):
        self.assertEqual(self.ids("DELETED_ONLY"), sorted(self.deleted))
        self.assertEqual(self.ids(2), sorted(self.deleted))
        self.assertEqual(self.ids("DELETED_ONLY", via="get"), sorted(self.deleted))
        self.assertEqual(self.ids("2", via="get"), sorted(self.deleted))

    def test_invalid_view_type(self):
        self.assertBadParam(self.search({"filter": self.filt, "view_type": "BOGUS"}))

    def test_all(self):
        self.assertEqual(self.ids("ALL"), sorted(self.active + self.deleted))
        self.assertEqual(self.ids(3), sorted(self.active + self.deleted))
        self.assertEqual(self.ids("ALL", via="get"), sorted(self.active + self.deleted))

    def test_deleted_lifecycle_in_results(self):
        data = self.search_ok({"filter": self.filt, "view_type": "DELETED_ONLY"})
        for e in data["experiments"]:
            self.assertEqual(e["lifecycle_stage"], "deleted")

    def test_default_experiment_in_unfiltered_search(self):
        exps, _ = self.all_pages({"max_results": 1000})
        self.assertIn("0", [e["experiment_id"] for e in exps])


if __name__ == "__main__":
    unittest.main()
