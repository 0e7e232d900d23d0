#!/usr/bin/env python3
"""Manual compatibility check: drive a tracking server with the official MLflow client.

Not part of the test suite or CI.  Needs the real MLflow client importable (see
docs on the MLflow reference environment) and a running server:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python3 tests/compat/client_workflow.py

Prints one line per step with the values the server returned, asserts them, exits
non-zero on the first failed check and prints "CLIENT WORKFLOW OK" on success.
"""

import atexit
import filecmp
import json
import math
import os
import shutil
import sys
import tempfile
import time
import traceback
import uuid

import mlflow
from mlflow.entities import Metric, Param, RunTag, ViewType
from mlflow.tracking import MlflowClient


def step(_label, **values):
    shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
    print(f"[step] {_label}: {shown}", flush=True)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def check_eq(got, expected, what):
    if got != expected:
        raise AssertionError(f"{what}: got {got!r}, expected {expected!r}")


def tmpdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, d, True)
    return d


def tree_files(root):
    """Relative paths of all regular files below root (sorted, '/'-separated)."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            rel = os.path.relpath(os.path.join(dirpath, f), root)
            out.append(rel.replace(os.sep, "/"))
    return sorted(out)


def main():
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        print("MLFLOW_TRACKING_URI is not set", file=sys.stderr)
        return 2
    mlflow.set_tracking_uri(uri)
    client = MlflowClient()
    step("tracking uri", uri=mlflow.get_tracking_uri(), mlflow_version=mlflow.__version__)

    suffix = uuid.uuid4().hex[:10]
    exp_name = f"compat-{suffix}"

    # --- experiment -------------------------------------------------------------------
    exp = mlflow.set_experiment(exp_name)
    step("set_experiment", name=exp.name, experiment_id=exp.experiment_id,
         artifact_location=exp.artifact_location, lifecycle_stage=exp.lifecycle_stage)
    check_eq(exp.name, exp_name, "experiment name")
    check(exp.experiment_id not in (None, ""), "experiment id is empty")
    check_eq(exp.lifecycle_stage, "active", "experiment lifecycle_stage")
    again = mlflow.set_experiment(exp_name)
    step("set_experiment (existing)", experiment_id=again.experiment_id)
    check_eq(again.experiment_id, exp.experiment_id, "set_experiment on existing name")
    got_exp = client.get_experiment_by_name(exp_name)
    check(got_exp is not None, "get_experiment_by_name returned None")
    check_eq(got_exp.experiment_id, exp.experiment_id, "get_experiment_by_name id")

    # --- local files for artifacts ------------------------------------------------------
    work = tmpdir("compat-client-")
    single = os.path.join(work, "hello.txt")
    with open(single, "w") as f:
        f.write("hello artifact\n")
    tree = os.path.join(work, "tree")
    os.makedirs(os.path.join(tree, "sub", "deeper"))
    tree_content = {
        "a.txt": "file a\n",
        "b.csv": "x,y\n1,2\n3,4\n",
        "sub/c.txt": "file c in sub\n",
        "sub/deeper/d.bin": "\x00\x01binary-ish\xff",
    }
    for rel, content in tree_content.items():
        with open(os.path.join(tree, *rel.split("/")), "w", encoding="latin-1") as f:
            f.write(content)
    dict_payload = {"model": "linear", "layers": [1, 2, 3], "nested": {"k": "v"}}
    text_payload = "some notes\nline two\n"

    # --- the main run ----------------------------------------------------------------
    t0 = int(time.time() * 1000)
    with mlflow.start_run(run_name="compat-main") as active:
        run_id = active.info.run_id
        step("start_run", run_id=run_id, experiment_id=active.info.experiment_id,
             run_name=active.info.run_name, status=active.info.status,
             artifact_uri=active.info.artifact_uri)
        check_eq(active.info.experiment_id, exp.experiment_id, "run experiment id")
        check_eq(active.info.status, "RUNNING", "run status after start")
        check_eq(active.info.run_name, "compat-main", "run name")

        mlflow.log_param("lr", 0.01)
        step("log_param", key="lr", value=0.01)
        mlflow.log_params({"batch_size": 32, "optimizer": "adam", "dropout": 0.5})
        step("log_params", params={"batch_size": 32, "optimizer": "adam", "dropout": 0.5})

        losses = [1.0, 0.7, 0.45, 0.3, 0.21, 0.17]
        for i, v in enumerate(losses):
            mlflow.log_metric("loss", v, step=i)
        step("log_metric loss steps", steps=list(range(len(losses))), values=losses)

        mlflow.log_metrics({"acc": 0.9, "f1": 0.85})
        step("log_metrics", metrics={"acc": 0.9, "f1": 0.85})

        ts = int(time.time() * 1000)
        client.log_batch(
            run_id,
            metrics=[Metric("val_loss", 0.5, ts, 0), Metric("val_loss", 0.4, ts + 1, 1),
                     Metric("val_loss", 0.35, ts + 2, 2)],
            params=[Param("epochs", "10"), Param("seed", "42")],
            tags=[RunTag("batch.tag", "from-batch"), RunTag("team", "compat")],
        )
        step("MlflowClient.log_batch", metrics="val_loss@0..2", params=["epochs", "seed"],
             tags=["batch.tag", "team"])

        mlflow.set_tag("stage", "dev")
        step("set_tag", key="stage", value="dev")
        mlflow.set_tags({"owner": "sextant", "purpose": "compat check"})
        step("set_tags", tags={"owner": "sextant", "purpose": "compat check"})

        mlflow.log_artifact(single)
        step("log_artifact", file="hello.txt")
        mlflow.log_artifacts(tree, artifact_path="data")
        step("log_artifacts", dir="tree -> data/", files=sorted(tree_content))
        mlflow.log_dict(dict_payload, "config/config.json")
        step("log_dict", artifact_file="config/config.json")
        mlflow.log_text(text_payload, "notes.txt")
        step("log_text", artifact_file="notes.txt")

        # run data as the server stores it
        run = client.get_run(run_id)
        step("get_run params", params=dict(sorted(run.data.params.items())))
        step("get_run metrics", metrics=dict(sorted(run.data.metrics.items())))
        user_tags = {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")}
        step("get_run tags", tags=dict(sorted(user_tags.items())),
             system_tags=sorted(k for k in run.data.tags if k.startswith("mlflow.")))
        check_eq(run.data.params, {"lr": "0.01", "batch_size": "32", "optimizer": "adam",
                                   "dropout": "0.5", "epochs": "10", "seed": "42"}, "params")
        check_eq(run.data.metrics, {"loss": 0.17, "acc": 0.9, "f1": 0.85, "val_loss": 0.35},
                 "latest metrics")
        for k, v in {"batch.tag": "from-batch", "team": "compat", "stage": "dev",
                     "owner": "sextant", "purpose": "compat check"}.items():
            check_eq(run.data.tags.get(k), v, f"tag {k}")
        check_eq(run.data.tags.get("mlflow.runName"), "compat-main", "tag mlflow.runName")

        # a few more runs so the search has something to filter and order
        others = {}
        for name, acc, lr in [("r-acc07", 0.7, "0.01"), ("r-acc03", 0.3, "0.01"),
                              ("r-acc095-lr01", 0.95, "0.1"), ("r-acc06", 0.6, "0.01")]:
            with mlflow.start_run(run_name=name, nested=True) as r:
                mlflow.log_param("lr", lr)
                mlflow.log_metric("acc", acc)
                others[name] = r.info.run_id
        step("extra runs", runs=others)

        # --- search_runs --------------------------------------------------------------
        filt = "metrics.acc > 0.5 and params.lr = '0.01'"
        found = mlflow.search_runs(experiment_ids=[exp.experiment_id], filter_string=filt,
                                   order_by=["metrics.acc DESC"], output_format="list")
        got = [(r.info.run_name, r.data.metrics.get("acc")) for r in found]
        step("search_runs (list)", filter=filt, order_by="metrics.acc DESC", results=got)
        check_eq([r.info.run_id for r in found],
                 [run_id, others["r-acc07"], others["r-acc06"]], "search_runs result ids/order")
        df = mlflow.search_runs(experiment_ids=[exp.experiment_id], filter_string=filt,
                                order_by=["metrics.acc DESC"])
        step("search_runs (DataFrame)", rows=len(df), run_ids=list(df["run_id"]),
             acc=list(df["metrics.acc"]))
        check_eq(list(df["run_id"]), [run_id, others["r-acc07"], others["r-acc06"]],
                 "search_runs DataFrame run_ids")
        check_eq(list(df["metrics.acc"]), [0.9, 0.7, 0.6], "search_runs DataFrame acc")
        empty = mlflow.search_runs(experiment_ids=[exp.experiment_id],
                                   filter_string="metrics.acc > 0.99", output_format="list")
        step("search_runs (no match)", results=len(empty))
        check_eq(len(empty), 0, "search_runs with no match")

        # --- metric history ------------------------------------------------------------
        hist = client.get_metric_history(run_id, "loss")
        got_hist = [(m.step, m.value) for m in hist]
        step("get_metric_history loss", history=got_hist)
        check_eq(sorted(got_hist), list(enumerate(losses)), "loss history")
        check(all(m.key == "loss" for m in hist), "history metric keys")
        check(all(m.timestamp >= t0 - 60_000 for m in hist), "history timestamps plausible")
        vhist = client.get_metric_history(run_id, "val_loss")
        got_vhist = sorted((m.step, m.value, m.timestamp - ts) for m in vhist)
        step("get_metric_history val_loss", history=got_vhist)
        check_eq(got_vhist, [(0, 0.5, 0), (1, 0.4, 1), (2, 0.35, 2)], "val_loss history")

        # --- list_artifacts -------------------------------------------------------------
        root = client.list_artifacts(run_id)
        root_view = sorted((a.path, a.is_dir, a.file_size) for a in root)
        step("list_artifacts root", entries=root_view)
        check_eq(sorted((a.path, a.is_dir) for a in root),
                 [("config", True), ("data", True), ("hello.txt", False), ("notes.txt", False)],
                 "root artifact listing")
        sizes = {a.path: a.file_size for a in root if not a.is_dir}
        check_eq(sizes.get("hello.txt"), len("hello artifact\n"), "hello.txt size")
        sub = client.list_artifacts(run_id, "data")
        sub_view = sorted((a.path, a.is_dir, a.file_size) for a in sub)
        step("list_artifacts data", entries=sub_view)
        check_eq(sorted((a.path, a.is_dir) for a in sub),
                 [("data/a.txt", False), ("data/b.csv", False), ("data/sub", True)],
                 "data/ artifact listing")
        subsub = client.list_artifacts(run_id, "data/sub")
        subsub_view = sorted((a.path, a.is_dir) for a in subsub)
        step("list_artifacts data/sub", entries=subsub_view)
        check_eq(subsub_view, [("data/sub/c.txt", False), ("data/sub/deeper", True)],
                 "data/sub artifact listing")

        # --- download_artifacts ----------------------------------------------------------
        dst = tmpdir("compat-dl-")
        local = mlflow.artifacts.download_artifacts(run_id=run_id, dst_path=dst)
        files = tree_files(local)
        step("download_artifacts (whole run)", local=local, files=files)
        expected_files = sorted(["hello.txt", "notes.txt", "config/config.json"]
                                + ["data/" + p for p in tree_content])
        check_eq(files, expected_files, "downloaded file list")
        check(filecmp.cmp(os.path.join(local, "hello.txt"), single, shallow=False),
              "hello.txt content differs")
        for rel in tree_content:
            check(filecmp.cmp(os.path.join(local, "data", *rel.split("/")),
                              os.path.join(tree, *rel.split("/")), shallow=False),
                  f"data/{rel} content differs")
        with open(os.path.join(local, "config", "config.json")) as f:
            check_eq(json.load(f), dict_payload, "log_dict content")
        with open(os.path.join(local, "notes.txt")) as f:
            check_eq(f.read(), text_payload, "log_text content")
        step("download_artifacts contents", compared=len(expected_files), equal=True)
        one = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="data/sub/c.txt",
                                                  dst_path=tmpdir("compat-dl1-"))
        with open(one) as f:
            got_c = f.read()
        step("download_artifacts (single file)", path="data/sub/c.txt", content=got_c)
        check_eq(got_c, tree_content["sub/c.txt"], "single file download")

    # --- end_run (context manager exit) --------------------------------------------------
    check(mlflow.active_run() is None, "run still active after end_run")
    ended = client.get_run(run_id)
    step("end_run", status=ended.info.status, end_time=ended.info.end_time)
    check_eq(ended.info.status, "FINISHED", "status after end_run")
    check(ended.info.end_time is not None and ended.info.end_time >= ended.info.start_time,
          "end_time missing or before start_time")

    # --- delete / restore ------------------------------------------------------------------
    client.delete_run(run_id)
    deleted = client.get_run(run_id)
    step("delete_run", lifecycle_stage=deleted.info.lifecycle_stage)
    check_eq(deleted.info.lifecycle_stage, "deleted", "lifecycle_stage after delete_run")
    active_ids = [r.info.run_id for r in client.search_runs([exp.experiment_id],
                                                           run_view_type=ViewType.ACTIVE_ONLY)]
    deleted_ids = [r.info.run_id for r in client.search_runs([exp.experiment_id],
                                                            run_view_type=ViewType.DELETED_ONLY)]
    step("search_runs after delete", active=len(active_ids), deleted=deleted_ids)
    check(run_id not in active_ids, "deleted run still in ACTIVE_ONLY search")
    check_eq(deleted_ids, [run_id], "DELETED_ONLY search")
    client.restore_run(run_id)
    restored = client.get_run(run_id)
    step("restore_run", lifecycle_stage=restored.info.lifecycle_stage)
    check_eq(restored.info.lifecycle_stage, "active", "lifecycle_stage after restore_run")

    # --- search_experiments ---------------------------------------------------------------
    exps = mlflow.search_experiments(filter_string="name LIKE 'compat-%'")
    names = [e.name for e in exps]
    step("search_experiments", filter="name LIKE 'compat-%'", count=len(names),
         has_ours=exp_name in names)
    check(exp_name in names, f"{exp_name} not found by search_experiments")
    check(all(n.startswith("compat-") for n in names), f"unexpected names {names}")
    none = mlflow.search_experiments(filter_string=f"name = 'no-such-{suffix}'")
    step("search_experiments (no match)", count=len(none))
    check_eq(len(none), 0, "search_experiments with no match")

    # NaN / inf do not belong in this workflow's assertions above, but a quick sanity check:
    with mlflow.start_run(run_name="compat-nan") as r:
        mlflow.log_metric("nan_metric", float("nan"))
    nan_val = client.get_run(r.info.run_id).data.metrics.get("nan_metric")
    step("log_metric NaN", value=nan_val)
    check(nan_val is not None and math.isnan(nan_val), "NaN metric did not round-trip")

    print("CLIENT WORKFLOW OK", flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except AssertionError as e:
        print(f"CLIENT WORKFLOW FAILED: {e}", file=sys.stderr, flush=True)
        traceback.print_exc()
        sys.exit(1)
    except Exception as e:  # server errors surface as MlflowException etc.
        print(f"CLIENT WORKFLOW ERROR: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        traceback.print_exc()
        sys.exit(1)
