"""Model registry + MLflow 3 logged models part of the database round trip (db_roundtrip.py).

Not a script of its own: db_roundtrip.py imports it, calls write() after writing its tracking
data set, merges dump() into its own dump and applies normalize() for the cross-writer
comparison.  Everything goes through the official MLflow client.

Data set: experiment rt-exp-registry with a run holding a plain artifact dir `model`
(MLmodel + weights), a run with mlflow.sklearn.log_model(name="model"), a run-less
sklearn.log_model, logged models made with create_logged_model (params, tags, metrics incl. a
dataset-linked one, finalized READY / FAILED, one left PENDING, one deleted); registered models
with descriptions and tags, versions from runs:/ (create_model_version and register_model),
models:/<model_id>, models:/<name>/<version> sources, version tags and descriptions, aliases,
stage transitions with and without archive_existing_versions, a soft-deleted version, a
renamed model, a model without versions and a deleted one.
"""

import json
import os
import re
import tempfile
import warnings
from collections.abc import Sequence

from db_roundtrip import BASE_TS, fnum, log

# stages and get_latest_versions are deprecated, and that is what is being checked here
warnings.filterwarnings("ignore", category=FutureWarning, module="registry_roundtrip")

EXP = "rt-exp-registry"
DELETED_LM_TAG = "rt.deleted_logged_model"  # experiment tag: id of the deleted logged model
A0, A, B, C, D = ("rt-reg-a-before-rename", "rt-reg-a", "rt-reg-b", "rt-reg-empty",
                  "rt-reg-deleted")
STAGES = ["None", "Staging", "Production", "Archived"]
USER_TAGS = {"mlflow.user": "roundtrip-user"}
MODEL_ID = re.compile(r"m-[0-9a-f]{32}")

# (label, filter, order_by, page size); results are listed as names / name/version pairs
MODEL_SEARCHES = [
    ("all by name", None, ["name ASC"], 2),
    ("LIKE rt-reg-% desc", "name LIKE 'rt-reg-%'", ["name DESC"], 100),
    ("ILIKE %REG-A%", "name ILIKE '%REG-A%'", None, 100),
    ("tag team=compat", "tags.team = 'compat'", ["name ASC"], 100),
    ("tag LIKE", "tags.`note` LIKE 'ünï%'", None, 100),
    ("by last update", None, ["last_updated_timestamp DESC", "name ASC"], 100),
]
VERSION_SEARCHES = [
    ("all", None, ["name ASC", "version_number ASC"], 3),
    ("A by version desc", f"name = '{A}'", ["version_number DESC"], 100),
    ("tags.v = 1", "tags.v = '1'", None, 100),
    ("tags.validated", "tags.`validated` = 'yes'", None, 100),
    ("source models:/", "source_path LIKE 'models:/%'", ["name ASC", "version_number ASC"], 100),
    ("run of files run", "run_id = '{run:reg-run-files}'", ["version_number ASC"], 100),
    ("version_number > 2", f"name = '{A}' AND version_number > 2", ["version_number ASC"], 100),
]
# (label, filter, datasets, order_by, page size).  No order by metrics: MLflow's store builds
# that query with select(subquery.c), which needs SQLAlchemy 2 (the reference env has 1.4).
LOGGED_MODEL_SEARCHES = [
    ("all by name", None, None,
     [{"field_name": "name"}, {"field_name": "creation_timestamp"}], 2),
    ("default order", None, None, None, 100),
    ("name = model", "name = 'model'", None, [{"field_name": "creation_timestamp"}], 100),
    ("metrics.acc > 0.7", "metrics.acc > 0.7", None, None, 100),
    ("params.alpha = 1", "params.alpha = '1'", None, None, 100),
    ("tags.team", "tags.team = 'compat'", None, None, 100),
] + ([] if os.environ.get("ROUNDTRIP_DB_URI", "").startswith("postgresql") else [
    # matches nothing in MLflow 3.6 (its status column holds integers); Sextant must agree. Not on
    # PostgreSQL, where MLflow's own server refuses it with 400 (integer = 'READY'); Sextant
    # answers as on SQLite there too (tests/integration/test_logged_models.py).
    ("status READY", "status = 'READY'", None, [{"field_name": "name"}], 100),
]) + [
    ("model_type", "model_type = 'agent'", None, None, 100),
    ("dataset metric", "metrics.acc > 0", [{"dataset_name": "rt-ds", "dataset_digest": "d1"}],
     None, 100),
]


# ---------------------------------------------------------------------------------------
# write


def write(client):
    """Write the registry / logged-model data set; returns what check_readback() needs."""
    import mlflow
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    eid = client.create_experiment(EXP, tags={"exp.owner": "roundtrip-registry"})
    log(f"[write] create_experiment {EXP!r} -> {eid}")
    runs = {}

    def new_run(name, offset):
        runs[name] = client.create_run(eid, start_time=BASE_TS + offset, tags=USER_TAGS,
                                       run_name=name).info
        return runs[name].run_id

    # a run whose artifact dir `model` holds an MLmodel file (no logged model)
    files = new_run("reg-run-files", 10_000)
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "MLmodel"), "w") as f:
            f.write("artifact_path: model\nflavors: {}\n")
        with open(os.path.join(tmp, "weights.bin"), "wb") as f:
            f.write(bytes(range(256)) * 4)
        client.log_artifacts(files, tmp, artifact_path="model")
    client.log_param(files, "alpha", "1")

    # MLflow 3 logged models through sklearn.log_model, inside a run and without one
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.9, 0.2]])
    y = np.array([0, 1, 0, 1])
    sk = new_run("reg-run-sklearn", 11_000)
    mlflow.set_experiment(experiment_id=eid)
    with mlflow.start_run(run_id=sk):
        sk_model = mlflow.sklearn.log_model(LogisticRegression().fit(X, y), name="model").model_id
    client.log_metric(sk, "acc", 0.75, timestamp=BASE_TS + 11_100, step=0, model_id=sk_model)
    client.log_metric(sk, "acc", 0.8, timestamp=BASE_TS + 11_200, step=1, model_id=sk_model,
                      dataset_name="rt-ds", dataset_digest="d1")
    runless = mlflow.sklearn.log_model(LogisticRegression(C=0.5).fit(X, y), name="model").model_id
    log(f"[write]   sklearn.log_model -> {sk_model} (run {sk}), {runless} (no run)")

    # logged models made directly
    ready = client.create_logged_model(eid, name="lm-ready", source_run_id=files,
                                       tags={"team": "compat", "temp": "x"},
                                       params={"alpha": "1", "layers": "3"},
                                       model_type="agent").model_id
    client.log_model_params(ready, {"extra": "yes"})
    client.set_logged_model_tags(ready, {"stage": "candidate"})
    client.delete_logged_model_tag(ready, "temp")
    client.log_metric(files, "acc", 0.5, timestamp=BASE_TS + 10_100, step=0, model_id=ready)
    client.log_metric(files, "loss", 1.5, timestamp=BASE_TS + 10_100, step=0, model_id=ready)
    client.finalize_logged_model(ready, "READY")
    failed = client.create_logged_model(eid, name="lm-failed", params={"alpha": "2"}).model_id
    client.finalize_logged_model(failed, "FAILED")
    pending = client.create_logged_model(eid, name="lm-pending", tags={"team": "compat"}).model_id
    deleted = client.create_logged_model(eid, name="lm-deleted").model_id
    client.delete_logged_model(deleted)
    client.set_experiment_tag(eid, DELETED_LM_TAG, deleted)
    log(f"[write]   logged models lm-ready {ready}, lm-failed {failed}, lm-pending {pending}, "
        f"lm-deleted {deleted} (deleted)")
    client.set_terminated(files, "FINISHED", end_time=BASE_TS + 10_500)
    client.set_terminated(sk, "FINISHED", end_time=BASE_TS + 11_500)

    # registered model A (renamed at the end)
    client.create_registered_model(A0, tags={"team": "compat", "temp": "gone", "note": "ünïcödé ✓"},
                                   description="registry *A*")
    client.create_model_version(A0, f"runs:/{files}/model", run_id=files, tags={"v": "1"},
                                description="first")                                    # 1
    client.create_model_version(A0, f"runs:/{files}/model", run_id=files)                # 2
    mlflow.register_model(f"models:/{sk_model}", A0)                                    # 3
    mlflow.register_model(f"runs:/{files}/model", A0)       # 4: MLmodel -> run artifact URI
    client.create_model_version(A0, f"runs:/{files}/model", run_id=files)                # 5
    client.delete_model_version(A0, "5")
    client.set_model_version_tag(A0, "2", "validated", "yes")
    client.set_model_version_tag(A0, "1", "temp", "x")
    client.delete_model_version_tag(A0, "1", "temp")
    client.update_model_version(A0, "2", description="second")
    client.delete_registered_model_tag(A0, "temp")
    client.set_registered_model_tag(A0, "stage", "check")
    client.update_registered_model(A0, description="registry A, updated")
    client.transition_model_version_stage(A0, "1", "Staging")
    client.transition_model_version_stage(A0, "1", "Production")
    client.transition_model_version_stage(A0, "2", "production", archive_existing_versions=True)
    client.transition_model_version_stage(A0, "3", "Staging")
    client.transition_model_version_stage(A0, "4", "Production", archive_existing_versions=False)
    client.set_registered_model_alias(A0, "champion", "2")
    client.set_registered_model_alias(A0, "challenger", "3")
    client.set_registered_model_alias(A0, "temp", "1")
    client.delete_registered_model_alias(A0, "temp")
    client.rename_registered_model(A0, A)
    client.set_registered_model_alias(A, "post-rename", "4")
    client.create_model_version(A, f"models:/{A}/2")  # 6: a registered version as source
    log(f"[write] registered model {A0!r} -> {A!r}: versions 1-6, 5 deleted")

    # B: versions from logged models; C: no versions; D: deleted
    client.create_registered_model(B, tags={"team": "other"}, description="")
    mlflow.register_model(f"models:/{runless}", B)                                       # 1
    mlflow.register_model(f"runs:/{sk}/model", B)           # 2: resolves to the logged model
    client.transition_model_version_stage(B, "1", "Production")
    client.transition_model_version_stage(B, "2", "Production")
    client.set_registered_model_alias(B, "champion", "1")
    client.create_registered_model(C, tags={"team": "compat"}, description="no versions")
    client.create_registered_model(D, description="to be deleted")
    client.create_model_version(D, f"runs:/{files}/model", run_id=files)
    client.delete_registered_model(D)
    log(f"[write] registered models {B!r}, {C!r}, {D!r} (deleted)")
    return {"experiment_id": eid, "runs": {n: (i.run_id, i.artifact_uri) for n, i in runs.items()},
            "models": {"sk": sk_model, "runless": runless, "ready": ready, "failed": failed,
                       "pending": pending, "deleted": deleted}}


def expected(ctx):
    """(path in the dump, expected value) pairs: what write() must read back as."""
    (files, files_uri), (sk, _) = ctx["runs"]["reg-run-files"], ctx["runs"]["reg-run-sklearn"]
    m = ctx["models"]
    src_files = f"runs:/{files}/model"
    gone = "RESOURCE_DOES_NOT_EXIST"
    ex = {
        ("registry", "model_names"): [A, B, C],
        ("registry", "probes", A0): gone,
        ("registry", "probes", D): gone,
        ("logged_models", "probes", m["deleted"]): gone,
    }
    models = {
        A: ("registry A, updated", {"team": "compat", "note": "ünïcödé ✓", "stage": "check"},
            {"champion": "2", "challenger": "3", "post-rename": "4"}),
        B: ("", {"team": "other"}, {"champion": "1"}),
        C: ("no versions", {"team": "compat"}, {}),
    }
    for name, (desc, tags, aliases) in models.items():
        for k, v in (("description", desc), ("tags", tags), ("aliases", aliases)):
            ex[("registry", "models", name, "get", k)] = v
    # (name, version): (stage, source, run_id, tags, description).  Unset strings read as "";
    # MLflow's SQL store keeps no model_id for versions (the servers are only compared on it).
    versions = {
        (A, "1"): ("Archived", src_files, files, {"v": "1"}, "first"),
        (A, "2"): ("Production", src_files, files, {"validated": "yes"}, "second"),
        (A, "3"): ("Staging", f"models:/{m['sk']}", sk, {}, ""),
        (A, "4"): ("Production", f"{files_uri}/model", files, {}, ""),
        (A, "6"): ("None", f"models:/{A}/2", "", {}, ""),
        (B, "1"): ("Production", f"models:/{m['runless']}", "", {}, ""),
        (B, "2"): ("Production", f"models:/{m['sk']}", sk, {}, ""),
    }
    for (name, v), vals in versions.items():
        for k, val in zip(("current_stage", "source", "run_id", "tags", "description"), vals):
            ex[("registry", "models", name, "versions", v, k)] = val
        ex[("registry", "models", name, "versions", v, "status")] = "READY"
        ex[("registry", "models", name, "versions", v, "name")] = name
    ex[("registry", "models", A, "probes", "5")] = gone
    ex[("registry", "models", A, "by_alias")] = {"champion": "2", "challenger": "3",
                                                 "post-rename": "4"}
    ex[("registry", "models", A, "download_uris", "1")] = src_files
    ex[("registry", "models", A, "download_uris", "4")] = f"{files_uri}/model"
    ex[("registry", "models", A, "latest", "Production")] = ["4"]
    ex[("registry", "models", B, "latest", "Production")] = ["2"]
    ex[("registry", "models", A, "latest", "all")] = [["Archived", "1"], ["None", "6"],
                                                      ["Production", "4"], ["Staging", "3"]]
    lms = {  # key: (name, status, source_run_id, user params, user tags)
        "sk": ("model", "READY", sk, {}, {}),
        "runless": ("model", "READY", "", {}, {}),
        "ready": ("lm-ready", "READY", files, {"alpha": "1", "layers": "3", "extra": "yes"},
                  {"team": "compat", "stage": "candidate"}),
        "failed": ("lm-failed", "FAILED", "", {"alpha": "2"}, {}),
        "pending": ("lm-pending", "PENDING", "", {}, {"team": "compat"}),
    }
    for key, (name, status, run, params, tags) in lms.items():
        p = ("logged_models", "models", m[key])
        ex[p + ("name",)] = name
        ex[p + ("status",)] = status
        ex[p + ("source_run_id",)] = run
        ex[p + ("experiment_id",)] = ctx["experiment_id"]
        ex[p + ("params",)] = params
        ex[p + ("user_tags",)] = tags
    ex[("logged_models", "models", m["ready"], "model_type")] = "agent"
    ex[("logged_models", "models", m["ready"], "metrics")] = [
        {"dataset_digest": None, "dataset_name": None, "key": "acc", "model_id": m["ready"],
         "run_id": files, "step": 0, "timestamp": BASE_TS + 10_100, "value": "0.5"},
        {"dataset_digest": None, "dataset_name": None, "key": "loss", "model_id": m["ready"],
         "run_id": files, "step": 0, "timestamp": BASE_TS + 10_100, "value": "1.5"}]
    ex[("logged_models", "models", m["sk"], "metrics_acc")] = [[0, "0.75", None], [1, "0.8", "rt-ds"]]
    return ex


def check_readback(ctx, dump):
    problems = []
    for path, want in expected(ctx).items():
        got = dump
        for k in path:
            got = got.get(k, "<missing>") if isinstance(got, dict) else "<missing>"
        if got != want:
            problems.append(f"{'.'.join(path)}: got {got!r}, expected {want!r}")
    return problems


# ---------------------------------------------------------------------------------------
# dump


def plain(v):
    """An MLflow entity as JSON data: attributes without the leading underscore; lists inside
    an entity (aliases, metrics, latest_versions, ...) are sets and get sorted."""
    import enum

    if isinstance(v, enum.Enum):
        return v.value
    if isinstance(v, float):
        return fnum(v)
    if isinstance(v, dict):
        return {str(k): plain(x) for k, x in sorted(v.items())}
    if isinstance(v, Sequence) and not isinstance(v, str):  # incl. protobuf repeated fields
        return sorted((plain(x) for x in v), key=lambda x: json.dumps(x, sort_keys=True))
    if hasattr(v, "__dict__"):
        return {k.lstrip("_"): plain(x) for k, x in sorted(vars(v).items())}
    return v


def error_code(fn, *args):
    from mlflow.exceptions import MlflowException

    try:
        fn(*args)
        return "ok"
    except MlflowException as e:
        return e.error_code


def paged(search, page_size, **kw):
    out, token = [], None
    while True:
        page = search(max_results=page_size, page_token=token, **kw)
        out.extend(page)
        token = page.token
        if not token:
            return out


def only_diff(a, b):
    return {k: b[k] for k in b if b[k] != a.get(k)}


def dump(client, experiment_ids, run_ids):
    """run_ids: run name -> id (names of the data set's runs are unique)."""
    regs = paged(client.search_registered_models, 100, order_by=["name ASC"])
    models = {}
    for rm in regs:
        rec = {"search": plain(rm)}
        rec["get"] = plain(client.get_registered_model(rm.name))
        vs = paged(client.search_model_versions, 100, filter_string=f"name = '{rm.name}'",
                   order_by=["version_number ASC"])
        rec["versions"], rec["search_versions_diff"], rec["download_uris"] = {}, {}, {}
        for mv in vs:
            got = plain(client.get_model_version(rm.name, mv.version))
            rec["versions"][mv.version] = got
            rec["search_versions_diff"][mv.version] = only_diff(got, plain(mv))
            rec["download_uris"][mv.version] = client.get_model_version_download_uri(
                rm.name, mv.version)
        top = max([int(v.version) for v in vs] + [0])
        rec["probes"] = {str(v): error_code(client.get_model_version, rm.name, str(v))
                         for v in range(1, top + 3) if str(v) not in rec["versions"]}
        rec["by_alias"] = {a: client.get_model_version_by_alias(rm.name, a).version
                           for a in sorted(rm.aliases or {})}
        rec["latest"] = {"all": sorted([mv.current_stage, mv.version]
                                       for mv in client.get_latest_versions(rm.name))}
        for stage in STAGES:
            rec["latest"][stage] = [mv.version
                                    for mv in client.get_latest_versions(rm.name, stages=[stage])]
        models[rm.name] = rec
    searches = {}
    for label, filt, order, size in MODEL_SEARCHES:
        searches["models: " + label] = [m.name for m in paged(
            client.search_registered_models, size, filter_string=filt, order_by=order)]
    for label, filt, order, size in VERSION_SEARCHES:
        filt = filt and re.sub(r"\{run:([^}]+)\}", lambda mo: run_ids.get(mo[1], "?"), filt)
        searches["versions: " + label] = [f"{v.name}/{v.version}" for v in paged(
            client.search_model_versions, size, filter_string=filt, order_by=order)]
    registry = {"model_names": [m.name for m in regs], "models": models, "searches": searches,
                "probes": {n: error_code(client.get_registered_model, n) for n in (A0, D)}}

    lms = paged(client.search_logged_models, 100, experiment_ids=experiment_ids)
    run_name = {i: n for n, i in run_ids.items()}
    logged = {}
    for lm in lms:
        rec = plain(client.get_logged_model(lm.model_id))
        rec["search_diff"] = only_diff(rec, plain(lm))
        rec["user_tags"] = {k: v for k, v in rec["tags"].items() if not k.startswith("mlflow.")}
        rec["metrics_acc"] = sorted([m["step"], m["value"], m["dataset_name"]]
                                    for m in rec["metrics"] or [] if m["key"] == "acc")
        rec["artifacts"] = sorted([f.path, f.is_dir, f.file_size]
                                  for f in client.list_logged_model_artifacts(lm.model_id))
        logged[lm.model_id] = rec

    def label(m):
        return f"{m.name}@{run_name.get(m.source_run_id, m.source_run_id or '-')}"

    lsearches = {}
    for lbl, filt, datasets, order, size in LOGGED_MODEL_SEARCHES:
        lsearches[lbl] = [label(m) for m in paged(
            client.search_logged_models, size, experiment_ids=experiment_ids,
            filter_string=filt, datasets=datasets, order_by=order)]
    probes = {}
    for eid in experiment_ids:
        hidden = client.get_experiment(eid).tags.get(DELETED_LM_TAG)
        if hidden:
            probes[hidden] = error_code(client.get_logged_model, hidden)
    runs = {n: {"outputs": plain(client.get_run(i).outputs),
                "artifacts": sorted([f.path, f.is_dir, f.file_size]
                                    for f in client.list_artifacts(i, "model"))}
            for n, i in sorted(run_ids.items()) if n.startswith("reg-run-")}
    return {"registry": registry,
            "logged_models": {"models": logged, "searches": lsearches, "probes": probes,
                              "runs": runs}}


# ---------------------------------------------------------------------------------------
# normalize (for data written by different servers)

SERVER_TIMES = {"creation_time", "creation_timestamp", "last_updated_timestamp"}


def normalize(d, tracking):
    """d: a raw dump; tracking: its experiments / runs / searches as db_roundtrip.normalize()
    rekeyed them.  Adds the registry and logged-model parts, replaces the model / run /
    experiment ids left anywhere by names, drops server-chosen times."""
    exp_name = {e["experiment_id"]: e["name"] for e in d["experiments"]}
    ids = {rid: f"<run:{r['run_name']}>" for rid, r in d["runs"].items()}
    # artifact locations: .../<exp id>/<run id>/... and .../<exp id>/models/<model id>/...
    in_exp = {f"/{r['experiment_id']}/{rid}/": f"/<id>/{rid}/" for rid, r in d["runs"].items()}
    for mid, m in d["logged_models"]["models"].items():
        ids[mid] = (f"<model:{exp_name.get(m['experiment_id'])}/{m['name']}"
                    f"@{d['runs'].get(m['source_run_id'], {}).get('run_name', '-')}>")
        in_exp[f"/{m['experiment_id']}/models/{mid}/"] = f"/<id>/models/{mid}/"
    assert len(set(ids.values())) == len(ids), "run / logged model names are not unique"

    def subst(s):
        for old, new in in_exp.items():
            s = s.replace(old, new)
        s = MODEL_ID.sub(lambda mo: ids.get(mo[0], "<model:?>"), s)
        return re.sub(r"[0-9a-f]{32}", lambda mo: ids.get(mo[0], mo[0]), s)

    def walk(v):
        if isinstance(v, dict):
            return {subst(k): walk(x) for k, x in v.items() if k not in SERVER_TIMES}
        if isinstance(v, list):
            return [walk(x) for x in v]
        return subst(v) if isinstance(v, str) else v

    out = walk({**tracking, "registry": d["registry"], "logged_models": d["logged_models"]})
    for m in out["logged_models"]["models"].values():
        m["experiment_id"] = f"<exp:{exp_name.get(m['experiment_id'])}>"
    return out
