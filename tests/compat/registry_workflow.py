#!/usr/bin/env python3
"""Manual compatibility check: drive the model registry with the official MLflow client.

Not part of the test suite or CI. Needs the real MLflow client importable (the MLflow
reference environment, ../shared/tools/mlflow-env.sh) and a running server:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python3 tests/compat/registry_workflow.py

Covers MlflowClient's registry calls on run-artifact sources, and MLflow 3's logged-model
registration: `mlflow.sklearn.log_model(..., registered_model_name=...)`, `register_model` of
`models:/m-...`, the `mlflow.modelVersions` tag, loading `models:/name/version` back.
Prints one line per step, asserts the results, exits non-zero on the first failed check and
prints "REGISTRY WORKFLOW OK" on success.
"""

import atexit
import filecmp
import os
import shutil
import sys
import tempfile
import traceback
import uuid

import mlflow
from mlflow.exceptions import MlflowException
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


def expect_error(code, fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except MlflowException as e:
        check_eq(e.error_code, code, f"error code of {fn.__name__}{args}")
        return str(e)
    raise AssertionError(f"{fn.__name__}{args} did not fail")


def main():
    client = MlflowClient()
    suffix = uuid.uuid4().hex[:8]
    name = f"compat-registry-{suffix}"

    mlflow.set_experiment(f"compat-registry-exp-{suffix}")
    model_dir = tmpdir("model-")
    os.makedirs(os.path.join(model_dir, "model"))
    with open(os.path.join(model_dir, "model", "MLmodel"), "w") as f:
        f.write("artifact_path: model\nflavors: {}\n")
    with open(os.path.join(model_dir, "model", "weights.bin"), "wb") as f:
        f.write(os.urandom(1024))
    with mlflow.start_run() as run:
        mlflow.log_artifacts(os.path.join(model_dir, "model"), artifact_path="model")
    run_id = run.info.run_id
    step("run with a model directory", run_id=run_id, artifact_uri=run.info.artifact_uri)

    rm = client.create_registered_model(name, tags={"team": "compat"}, description="registry check")
    step("create_registered_model", name=rm.name, tags=rm.tags, description=rm.description)
    check_eq(rm.name, name, "model name")
    check_eq(rm.tags, {"team": "compat"}, "model tags")

    mv1 = client.create_model_version(name, f"runs:/{run_id}/model", run_id=run_id, tags={"v": "1"})
    step("create_model_version runs:/", version=mv1.version, status=mv1.status, stage=mv1.current_stage,
         source=mv1.source)
    check_eq(mv1.version, "1", "first version")
    check_eq(mv1.status, "READY", "status")
    check_eq(mv1.current_stage, "None", "stage")
    mv2 = client.create_model_version(name, f"{run.info.artifact_uri}/model", run_id=run_id)
    step("create_model_version artifact URI", version=mv2.version, source=mv2.source)
    check_eq(mv2.version, "2", "second version")

    client.set_registered_model_alias(name, "champion", "1")
    by_alias = client.get_model_version_by_alias(name, "champion")
    step("set_registered_model_alias + get_model_version_by_alias", version=by_alias.version,
         aliases=by_alias.aliases)
    check_eq(by_alias.version, "1", "alias target")
    check_eq(by_alias.aliases, ["champion"], "aliases")
    check_eq(client.get_registered_model(name).aliases, {"champion": "1"}, "model aliases")

    t1 = client.transition_model_version_stage(name, "1", "Production")
    t2 = client.transition_model_version_stage(name, "2", "production", archive_existing_versions=True)
    stages = {v: client.get_model_version(name, v).current_stage for v in ("1", "2")}
    step("transition_model_version_stage", v1=t1.current_stage, v2=t2.current_stage, now=stages)
    check_eq(stages, {"1": "Archived", "2": "Production"}, "stages after archiving")

    latest = client.get_latest_versions(name, stages=["Production"])
    step("get_latest_versions", versions=[(v.version, v.current_stage) for v in latest])
    check_eq([v.version for v in latest], ["2"], "latest production")
    latest_all = client.get_latest_versions(name)
    check_eq(sorted((v.current_stage, v.version) for v in latest_all),
             [("Archived", "1"), ("Production", "2")], "latest of all stages")

    found = client.search_registered_models(filter_string=f"name = '{name}'")
    step("search_registered_models", names=[m.name for m in found],
         latest=[(v.version, v.current_stage) for v in found[0].latest_versions])
    check_eq([m.name for m in found], [name], "search models")
    found = client.search_registered_models(filter_string="tags.team = 'compat'", max_results=1000)
    check(name in [m.name for m in found], "search models by tag")
    versions = client.search_model_versions(f"name = '{name}'")
    step("search_model_versions", versions=[(v.version, v.current_stage, v.tags) for v in versions])
    check_eq(sorted(v.version for v in versions), ["1", "2"], "search versions")
    versions = client.search_model_versions(f"run_id = '{run_id}' and tags.v = '1'")
    check_eq([v.version for v in versions], ["1"], "search versions by run and tag")

    client.update_registered_model(name, description="updated")
    client.update_model_version(name, "1", description="v1 desc")
    client.set_registered_model_tag(name, "stage", "check")
    client.set_model_version_tag(name, "2", "validated", "yes")
    client.delete_registered_model_tag(name, "team")
    client.delete_model_version_tag(name, "1", "v")
    rm = client.get_registered_model(name)
    v1 = client.get_model_version(name, "1")
    step("updates and tags", description=rm.description, tags=rm.tags, v1_description=v1.description,
         v1_tags=v1.tags, v2_tags=client.get_model_version(name, "2").tags)
    check_eq(rm.description, "updated", "model description")
    check_eq(rm.tags, {"stage": "check"}, "model tags after set/delete")
    check_eq(v1.description, "v1 desc", "version description")
    check_eq(v1.tags, {}, "version tags after delete")

    uri = client.get_model_version_download_uri(name, "2")
    step("get_model_version_download_uri", uri=uri)
    check_eq(uri, f"{run.info.artifact_uri}/model", "download uri")
    for model_uri in (f"models:/{name}/1", f"models:/{name}@champion", f"models:/{name}/Production",
                      f"models:/{name}/latest"):
        out = mlflow.artifacts.download_artifacts(model_uri, dst_path=tmpdir("dl-"))
        same = filecmp.cmp(os.path.join(out, "weights.bin"), os.path.join(model_dir, "model", "weights.bin"),
                           shallow=False)
        step("download_artifacts", uri=model_uri, files=sorted(os.listdir(out)), identical=same)
        check(same, f"downloaded weights of {model_uri}")

    bad_sources = ["/etc/passwd", "file:///etc/passwd", f"{run.info.artifact_uri}/../../../../etc",
                   f"{run.info.artifact_uri}/%2e%2e/%2e%2e/x", f"{run.info.artifact_uri}/%252e%252e/x"]
    # http:// and s3:// sources are accepted, by MLflow 3.6 and (since issue 14) by Sextant alike.
    for bad in bad_sources:
        msg = expect_error("INVALID_PARAMETER_VALUE", client.create_model_version, name, bad, run_id=run_id)
        step("rejected source", source=bad, message=msg[:90])
    check_eq(sorted(v.version for v in client.search_model_versions(f"name = '{name}'")), ["1", "2"],
             "no versions from rejected sources")

    registered = mlflow.register_model(f"runs:/{run_id}/model", name)
    step("mlflow.register_model runs:/ (existing name)", version=registered.version, source=registered.source)
    check_eq(registered.version, "3", "register_model version")

    new_name = name + "-renamed"
    client.rename_registered_model(name, new_name)
    step("rename_registered_model", name=client.get_registered_model(new_name).name,
         versions=sorted(v.version for v in client.search_model_versions(f"name = '{new_name}'")))
    check_eq(client.get_model_version(new_name, "2").current_stage, "Production", "version after rename")

    client.delete_model_version(new_name, "2")
    msg = expect_error("RESOURCE_DOES_NOT_EXIST", client.get_model_version, new_name, "2")
    step("delete_model_version", get_after=msg[:70])
    mv4 = client.create_model_version(new_name, f"runs:/{run_id}/model", run_id=run_id)
    check_eq(mv4.version, "4", "numbers of deleted versions are not reused")

    client.delete_registered_model(new_name)
    msg = expect_error("RESOURCE_DOES_NOT_EXIST", client.get_registered_model, new_name)
    step("delete_registered_model", get_after=msg[:70])

    logged_model_flow(client, suffix)
    print("REGISTRY WORKFLOW OK", flush=True)


def logged_model_flow(client, suffix):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    name = f"compat-sk-{suffix}"
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.5], [0.9, 0.2]])
    y = np.array([0, 1, 0, 1])
    est = LogisticRegression().fit(X, y)
    with mlflow.start_run() as run:
        info = mlflow.sklearn.log_model(est, name="model", registered_model_name=name)
    step("sklearn.log_model with registered_model_name", model_id=info.model_id,
         registered_version=info.registered_model_version)
    check_eq(str(info.registered_model_version), "1", "registered version")
    mv = client.get_model_version(name, "1")
    step("version of the logged model", source=mv.source, run_id=mv.run_id)
    check_eq(mv.source, f"models:/{info.model_id}", "source of the version")
    check_eq(mv.run_id, run.info.run_id, "run_id from the logged model")
    uri = client.get_model_version_download_uri(name, "1")
    logged = client.get_logged_model(info.model_id)
    check_eq(uri, logged.artifact_location, "download uri = logged model location")

    mv2 = mlflow.register_model(f"models:/{info.model_id}", name)
    check_eq(mv2.version, "2", "second registration")
    mv3 = mlflow.register_model(f"runs:/{run.info.run_id}/model", name)  # resolves to the logged model
    step("register_model models:/ and runs:/", v2=mv2.source, v3=mv3.source)
    check_eq(mv3.version, "3", "runs:/ registration")
    tag = client.get_logged_model(info.model_id).tags.get("mlflow.modelVersions")
    step("mlflow.modelVersions tag", value=tag)
    check(tag is not None and f'"name": "{name}", "version": 1' in tag, "logged model links its versions")

    loaded = mlflow.sklearn.load_model(f"models:/{name}/1")
    same = (loaded.predict(X) == est.predict(X)).all()
    step("sklearn.load_model models:/name/1", predictions_equal=bool(same))
    check(same, "loaded model predicts like the original")
    client.set_registered_model_alias(name, "prod", "2")
    loaded = mlflow.pyfunc.load_model(f"models:/{name}@prod")
    step("pyfunc.load_model models:/name@prod", prediction=list(loaded.predict(X)))
    client.delete_registered_model(name)


if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(1)
