#!/usr/bin/env python3
"""Manual database round-trip check between two tracking servers (driven by db_roundtrip.sh).

Not part of the test suite or CI.  Uses the official MLflow client against
MLFLOW_TRACKING_URI.  The model registry and MLflow 3 logged models part of the data set, dump
and normalisation lives in registry_roundtrip.py.

    db_roundtrip.py write   --out FILE   write a fixed data set, check the read-back, dump it
    db_roundtrip.py dump    --out FILE   dump everything the server shows (JSON)
    db_roundtrip.py compare A B [--normalize]
                                         compare two dumps; --normalize replaces ids and
                                         server-chosen times by names so dumps of data
                                         written by different servers can be compared

Exit status: 0 ok, 1 mismatch / failed check, 2 usage or unexpected error.
"""

import argparse
import json
import math
import os
import sys
import traceback

BASE_TS = 1_700_000_000_000  # fixed millisecond timestamps make dumps deterministic
MAX_F = 1.7976931348623157e308

# ---------------------------------------------------------------------------------------
# the data set


def dataset():
    """Experiments / runs to write.  Metric entries are (key, value, timestamp, step)."""
    nan, inf = float("nan"), float("inf")
    long_param = "p" * 500
    long_tag = "t" * 5000
    return [
        {
            "name": "rt-exp-a",
            "tags": {"exp.owner": "roundtrip", "exp.note": "ünïcödé ✓"},
            "runs": [
                {
                    "run_name": "run-a1",
                    "start": BASE_TS + 1000,
                    "end": BASE_TS + 9000,
                    "status": "FINISHED",
                    "params": {"lr": "0.01", "optimizer": "adam", "long": long_param,
                               "empty": "", "unicode": "größe=λ"},
                    "tags": {"team": "compat", "multi": "line1\nline2", "long": long_tag,
                             "mlflow.note.content": "a *markdown* note"},
                    "metrics": [
                        ("loss", 1.0, BASE_TS + 1100, 0),
                        ("loss", 0.5, BASE_TS + 1200, 1),
                        ("loss", 0.25, BASE_TS + 1300, 2),
                        ("loss", 0.125, BASE_TS + 1400, 3),
                        ("loss", 0.0625, BASE_TS + 1500, 4),
                        # same step twice with different timestamps: both kept
                        ("acc", 0.5, BASE_TS + 1100, 0),
                        ("acc", 0.6, BASE_TS + 1150, 0),
                        ("acc", 0.9, BASE_TS + 1600, 1),
                        # NaN in the middle and as the latest value
                        ("nan_metric", 1.0, BASE_TS + 1100, 0),
                        ("nan_metric", nan, BASE_TS + 1200, 1),
                        ("nan_mid", nan, BASE_TS + 1100, 0),
                        ("nan_mid", 2.0, BASE_TS + 1200, 1),
                        # +-inf (MLflow's SQL store clamps them to +-max double)
                        ("pos_inf", inf, BASE_TS + 1100, 0),
                        ("neg_inf", -inf, BASE_TS + 1100, 0),
                        # latest = highest step even if its timestamp is older
                        ("order", 1.0, BASE_TS + 1000, 5),
                        ("order", 2.0, BASE_TS + 2000, 3),
                        ("negative", -3.5, BASE_TS + 1100, 0),
                        ("big_step", 7.0, BASE_TS + 1100, 10_000_000_000),
                        ("tiny", 1e-300, BASE_TS + 1100, 0),
                        ("precise", 0.1 + 0.2, BASE_TS + 1100, 0),
                    ],
                    # logged a second time: MLflow ignores exact duplicates
                    "duplicate_metrics": [("loss", 0.5, BASE_TS + 1200, 1)],
                    "deleted_tags": {"temp": "to-be-deleted"},
                },
                {
                    "run_name": "run-a2",
                    "start": BASE_TS + 2000,
                    "end": BASE_TS + 3000,
                    "status": "FAILED",
                    "params": {"lr": "0.1", "optimizer": "sgd"},
                    "tags": {"team": "other"},
                    "metrics": [("loss", 2.0, BASE_TS + 2100, 0), ("acc", 0.1, BASE_TS + 2100, 0)],
                },
                {
                    "run_name": "run-a3-killed",
                    "start": BASE_TS + 2500,
                    "end": BASE_TS + 2600,
                    "status": "KILLED",
                    "params": {},
                    "tags": {},
                    "metrics": [],
                },
            ],
        },
        {
            "name": "rt-exp-b-before-rename",
            "rename_to": "rt-exp-b",
            "tags": {},
            "runs": [
                {
                    "run_name": "run-b1-running",  # never terminated
                    "start": BASE_TS + 4000,
                    "end": None,
                    "status": None,
                    "params": {"optimizer": "adam"},
                    "tags": {"team": "compat-b"},
                    "metrics": [("loss", 0.75, BASE_TS + 4100, 0)],
                },
                {
                    "run_name": "run-b2-deleted",
                    "start": BASE_TS + 5000,
                    "end": BASE_TS + 5100,
                    "status": "FINISHED",
                    "delete": True,
                    "params": {"x": "1"},
                    "tags": {},
                    "metrics": [("loss", 0.3, BASE_TS + 5050, 0)],
                },
            ],
        },
        {
            "name": "rt-exp-deleted",
            "tags": {"gone": "yes"},
            "delete": True,
            "runs": [
                {
                    "run_name": "run-d1",
                    "start": BASE_TS + 6000,
                    "end": BASE_TS + 6100,
                    "status": "FINISHED",
                    "params": {"p": "v"},
                    "tags": {},
                    "metrics": [("m", 1.0, BASE_TS + 6050, 0)],
                },
            ],
        },
    ]


SEARCHES = [
    # (label, filter, order_by)
    ("loss<1 by loss", "metrics.loss < 1", ["metrics.loss ASC"]),
    ("adam", "params.optimizer = 'adam'", ["attributes.start_time ASC"]),
    ("team LIKE comp%", "tags.team LIKE 'comp%'", ["attributes.start_time DESC"]),
    ("failed", "attributes.status = 'FAILED'", []),
    ("run_name", "attributes.run_name = 'run-a1'", []),
    ("acc desc", "", ["metrics.acc DESC", "attributes.start_time ASC"]),
    ("nan_metric exists", "metrics.nan_metric >= 0", []),
    ("lr ilike", "params.lr ILIKE '0.0%'", []),
]


# ---------------------------------------------------------------------------------------
# helpers


def fnum(v):
    """JSON-safe float representation (NaN / inf as strings, otherwise repr)."""
    if v is None:
        return None
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return repr(float(v))


def stored(v):
    """What MLflow's SQL store gives back for a logged value (inf is clamped)."""
    if math.isinf(v):
        return MAX_F if v > 0 else -MAX_F
    return v


def log(msg):
    print(msg, flush=True)


# the registry part uses the helpers above (imported under this file's module name)
sys.modules.setdefault("db_roundtrip", sys.modules[__name__])
import registry_roundtrip as registry  # noqa: E402


# ---------------------------------------------------------------------------------------
# write


def write(client):
    from mlflow.entities import Metric, Param, RunTag

    data = dataset()
    for exp in data:
        eid = client.create_experiment(exp["name"], tags=exp["tags"] or None)
        exp["id"] = eid
        log(f"[write] create_experiment {exp['name']!r} -> {eid}")
        for run in exp["runs"]:
            tags = {"mlflow.user": "roundtrip-user", **run["tags"], **run.get("deleted_tags", {})}
            r = client.create_run(eid, start_time=run["start"], tags=tags,
                                  run_name=run["run_name"])
            run["id"] = r.info.run_id
            params = [Param(k, v) for k, v in run["params"].items()]
            metrics = [Metric(k, v, ts, st) for k, v, ts, st in run["metrics"]]
            # params and tags as a batch, metrics half by log_metric and half in a batch
            half = len(metrics) // 2
            for m in metrics[:half]:
                client.log_metric(r.info.run_id, m.key, m.value, timestamp=m.timestamp,
                                  step=m.step)
            client.log_batch(r.info.run_id, metrics=metrics[half:], params=params, tags=[])
            for k, v, ts, st in run.get("duplicate_metrics", []):
                client.log_batch(r.info.run_id, metrics=[Metric(k, v, ts, st)])
            for k in run.get("deleted_tags", {}):
                client.delete_tag(r.info.run_id, k)
            if run["status"]:
                client.set_terminated(r.info.run_id, status=run["status"], end_time=run["end"])
            if run.get("delete"):
                client.delete_run(r.info.run_id)
            log(f"[write]   run {run['run_name']!r} -> {r.info.run_id} "
                f"({len(params)} params, {len(metrics)} metrics, {len(tags)} tags, "
                f"status={run['status']}, deleted={bool(run.get('delete'))})")
        if exp.get("rename_to"):
            client.rename_experiment(eid, exp["rename_to"])
            log(f"[write]   rename_experiment {exp['name']!r} -> {exp['rename_to']!r}")
        if exp.get("delete"):
            client.delete_experiment(eid)
            log(f"[write]   delete_experiment {eid}")
    return {"tracking": data, "registry": registry.write(client)}


def expected_latest(metrics):
    """latest metric per key: max step, then max timestamp, then max value (NaN sorts high)."""
    best = {}
    for k, v, ts, st in metrics:
        key = (st, ts, (1, 0) if math.isnan(v) else (0, stored(v)))
        if k not in best or key > best[k][0]:
            best[k] = (key, v)
    return {k: stored(v) for k, (_, v) in best.items()}


def check_readback(written, dump):
    """Compare the dump against what write() sent.  Returns a list of problems."""
    data = written["tracking"]
    problems = registry.check_readback(written["registry"], dump)

    def eq(got, want, what):
        if got != want:
            problems.append(f"{what}: got {got!r}, expected {want!r}")

    exps = {e["experiment_id"]: e for e in dump["experiments"]}
    for exp in data:
        e = exps.get(exp["id"])
        if e is None:
            problems.append(f"experiment {exp['id']} ({exp['name']}) missing from dump")
            continue
        eq(e["name"], exp.get("rename_to", exp["name"]), f"experiment {exp['id']} name")
        eq(e["lifecycle_stage"], "deleted" if exp.get("delete") else "active",
           f"experiment {exp['name']} lifecycle_stage")
        eq(e["tags"], exp["tags"], f"experiment {exp['name']} tags")
        for run in exp["runs"]:
            r = dump["runs"].get(run["id"])
            what = f"run {run['run_name']}"
            if r is None:
                problems.append(f"{what} ({run['id']}) missing from dump")
                continue
            eq(r["experiment_id"], exp["id"], f"{what} experiment_id")
            eq(r["run_name"], run["run_name"], f"{what} run_name")
            eq(r["status"], run["status"] or "RUNNING", f"{what} status")
            eq(r["start_time"], run["start"], f"{what} start_time")
            eq(r["end_time"], run["end"], f"{what} end_time")
            # deleting an experiment also marks its runs deleted
            eq(r["lifecycle_stage"],
               "deleted" if run.get("delete") or exp.get("delete") else "active",
               f"{what} lifecycle_stage")
            eq(r["user_id"], "roundtrip-user", f"{what} user_id")
            eq(r["params"], run["params"], f"{what} params")
            user_tags = {k: v for k, v in r["tags"].items()
                         if k not in ("mlflow.user", "mlflow.runName")}
            eq(user_tags, run["tags"], f"{what} tags")
            eq(r["tags"].get("mlflow.runName"), run["run_name"], f"{what} mlflow.runName tag")
            eq(r["metrics"], {k: fnum(v) for k, v in expected_latest(run["metrics"]).items()},
               f"{what} latest metrics")
            hist = {}
            for k, v, ts, st in run["metrics"]:
                hist.setdefault(k, []).append([st, ts, fnum(stored(v))])
            for k in hist:
                hist[k].sort(key=lambda x: (x[0], x[1], str(x[2])))
            eq(r["metric_history"], hist, f"{what} metric history")
            eq(r["get_run_diff"], {}, f"{what} get_run fields differing from search_runs")
    return problems


# ---------------------------------------------------------------------------------------
# dump


def run_record(run):
    info, data = run.info, run.data
    return {
        "run_id": info.run_id,
        "experiment_id": info.experiment_id,
        "run_name": info.run_name,
        "user_id": info.user_id,
        "status": info.status,
        "start_time": info.start_time,
        "end_time": info.end_time,
        "lifecycle_stage": info.lifecycle_stage,
        "artifact_uri": info.artifact_uri,
        "params": dict(sorted(data.params.items())),
        "tags": dict(sorted(data.tags.items())),
        "metrics": {k: fnum(v) for k, v in sorted(data.metrics.items())},
    }


def search_all_runs(client, exp_ids, view, **kw):
    out, token = [], None
    while True:
        page = client.search_runs(exp_ids, run_view_type=view, max_results=1000,
                                  page_token=token, **kw)
        out.extend(page)
        token = page.token
        if not token:
            return out


def dump(client):
    from mlflow.entities import ViewType

    exps = client.search_experiments(view_type=ViewType.ALL, max_results=50000)
    experiments = []
    for e in sorted(exps, key=lambda e: int(e.experiment_id)):
        experiments.append({
            "experiment_id": e.experiment_id,
            "name": e.name,
            "artifact_location": e.artifact_location,
            "lifecycle_stage": e.lifecycle_stage,
            "tags": dict(sorted(e.tags.items())),
            "creation_time": e.creation_time,
            "last_update_time": e.last_update_time,
        })
        by_id = client.get_experiment(e.experiment_id)
        by_name = client.get_experiment_by_name(e.name)
        experiments[-1]["get_experiment_same"] = (
            by_id.name == e.name and dict(by_id.tags) == dict(e.tags)
            and by_id.lifecycle_stage == e.lifecycle_stage)
        experiments[-1]["get_experiment_by_name_id"] = by_name.experiment_id if by_name else None
    exp_ids = [e["experiment_id"] for e in experiments]

    runs = {}
    for r in search_all_runs(client, exp_ids, ViewType.ALL):
        rec = run_record(r)
        hist = {}
        for key in sorted(r.data.metrics):
            h = client.get_metric_history(r.info.run_id, key)
            hist[key] = sorted(([m.step, m.timestamp, fnum(m.value)] for m in h),
                               key=lambda x: (x[0], x[1], str(x[2])))
        rec["metric_history"] = hist
        g = run_record(client.get_run(r.info.run_id))
        # get_run must agree with search_runs: keep only the fields where they differ
        rec["get_run_diff"] = {k: g[k] for k in g if g[k] != rec[k]}
        runs[r.info.run_id] = rec

    def names(rs):
        return [r.info.run_name for r in rs]

    searches = {}
    for label, filt, order in SEARCHES:
        rs = search_all_runs(client, exp_ids, ViewType.ALL, filter_string=filt, order_by=order)
        searches[label] = names(rs)
    active = search_all_runs(client, exp_ids, ViewType.ACTIVE_ONLY)
    deleted = search_all_runs(client, exp_ids, ViewType.DELETED_ONLY)
    searches["ACTIVE_ONLY"] = sorted(names(active))
    searches["DELETED_ONLY"] = sorted(names(deleted))
    searches["experiments LIKE rt-% (active)"] = [
        e.name for e in client.search_experiments(filter_string="name LIKE 'rt-%'",
                                                  order_by=["name ASC"])]
    searches["experiments deleted"] = sorted(
        e.name for e in client.search_experiments(view_type=ViewType.DELETED_ONLY))
    searches["experiments tag"] = [
        e.name for e in client.search_experiments(filter_string="tags.`exp.owner` = 'roundtrip'",
                                                  view_type=ViewType.ALL)]
    out = {"experiments": experiments, "runs": runs, "searches": searches}
    out.update(registry.dump(client, exp_ids, {r["run_name"]: i for i, r in runs.items()}))
    return out


# ---------------------------------------------------------------------------------------
# compare


def normalize(d):
    """Replace server-chosen ids / times so dumps of data written by different servers compare."""
    exp_name = {e["experiment_id"]: e["name"] for e in d["experiments"]}
    exps = []
    for e in d["experiments"]:
        e = dict(e)
        eid = e["experiment_id"]
        e["experiment_id"] = f"<exp:{e['name']}>"
        e["get_experiment_by_name_id"] = (f"<exp:{exp_name.get(e['get_experiment_by_name_id'])}>"
                                          if e["get_experiment_by_name_id"] else None)
        loc = e["artifact_location"] or ""
        e["artifact_location"] = loc[: len(loc) - len(eid)] + "<id>" if loc.endswith(eid) else loc
        e.pop("creation_time", None)
        e.pop("last_update_time", None)
        exps.append(e)
    exps.sort(key=lambda e: e["name"])
    runs = {}
    for r in d["runs"].values():
        r = dict(r)
        eid = r["experiment_id"]
        r["experiment_id"] = f"<exp:{exp_name.get(eid)}>"
        runs[f"{exp_name.get(eid)}/{r['run_name']}"] = r
    # run ids (and /<exp id>/<run id>/ in artifact URIs) are replaced everywhere by the registry
    # part, along with its own ids
    return registry.normalize(d, {"experiments": exps, "runs": dict(sorted(runs.items())),
                                  "searches": d["searches"]})


def diff(a, b, path=""):
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            p = f"{path}.{k}" if path else str(k)
            if k not in a:
                out.append(f"{p}: only in B: {short(b[k])}")
            elif k not in b:
                out.append(f"{p}: only in A: {short(a[k])}")
            else:
                out += diff(a[k], b[k], p)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
    elif a != b:
        out.append(f"{path}: A={short(a)} B={short(b)}")
    return out


def short(v, n=300):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[:n] + f"...({len(s)} chars)"


# ---------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="mode", required=True)
    w = sub.add_parser("write")
    w.add_argument("--out", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--out", required=True)
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--normalize", action="store_true")
    c.add_argument("--label-a", default="A")
    c.add_argument("--label-b", default="B")
    args = ap.parse_args()

    if args.mode == "compare":
        with open(args.a) as f:
            a = json.load(f)
        with open(args.b) as f:
            b = json.load(f)
        if args.normalize:
            a, b = normalize(a), normalize(b)
        problems = diff(a, b)
        log(f"[compare] A={args.label_a} ({args.a})")
        log(f"[compare] B={args.label_b} ({args.b})")
        if problems:
            for p in problems:
                log(f"[compare] DIFF {p}")
            log(f"[compare] {len(problems)} difference(s)")
            return 1
        log(f"[compare] equal: {len(a['experiments'])} experiments, {len(a['runs'])} runs, "
            f"{len(a['searches'])} searches, {len(a['registry']['models'])} registered models, "
            f"{sum(len(m['versions']) for m in a['registry']['models'].values())} versions, "
            f"{len(a['logged_models']['models'])} logged models")
        return 0

    import mlflow
    from mlflow.tracking import MlflowClient

    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        print("MLFLOW_TRACKING_URI is not set", file=sys.stderr)
        return 2
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    status = 0
    data = None
    if args.mode == "write":
        data = write(client)
    out = dump(client)
    text = json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False, allow_nan=False)
    with open(args.out, "w") as f:
        f.write(text)
    log(f"[{args.mode}] dumped {len(out['experiments'])} experiments, {len(out['runs'])} runs, "
        f"{len(out['registry']['models'])} registered models, "
        f"{len(out['logged_models']['models'])} logged models from {uri} -> {args.out}")
    if data is not None:
        problems = check_readback(data, out)
        for p in problems:
            log(f"[write] READBACK MISMATCH {p}")
        if problems:
            status = 1
        else:
            log("[write] read-back matches what was written")
    return status


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:
        print(f"[db_roundtrip] ERROR: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        traceback.print_exc()
        sys.exit(2)
