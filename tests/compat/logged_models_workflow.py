#!/usr/bin/env python3
"""Manual compatibility check: MLflow 3 logged models through the official MLflow client.

Not part of the test suite or CI. Needs the real MLflow client with scikit-learn importable
(`source ../shared/tools/mlflow-env.sh`) and a running server:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python3 tests/compat/logged_models_workflow.py

Covers mlflow.sklearn.log_model (create, runs/outputs, model-linked metrics, uploads into the
model's own artifact location, finalize), loading by models:/<model_id> and predicting,
search_logged_models (filters, order, pages), list_artifacts on a run path that names a logged
model (the client falls back to logged-models/search), tags, params and delete.
Prints one line per step, asserts, exits non-zero on the first failure and prints
"LOGGED MODELS WORKFLOW OK" on success.
"""

import sys
import traceback
import uuid

import numpy as np

import mlflow
from mlflow.entities import LoggedModelStatus
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


def main():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import LogisticRegression

    client = MlflowClient()
    exp_name = f"logged-models-{uuid.uuid4().hex[:8]}"
    exp_id = mlflow.set_experiment(exp_name).experiment_id
    step("experiment", name=exp_name, id=exp_id)

    X, y = load_iris(return_X_y=True)
    with mlflow.start_run() as run:
        run_id = run.info.run_id
        mlflow.log_params({"C": 1.0, "max_iter": 200})
        model = LogisticRegression(C=1.0, max_iter=200).fit(X, y)
        mlflow.log_metric("train_accuracy", float(model.score(X, y)))
        info = mlflow.sklearn.log_model(model, name="model", input_example=X[:2])
        model_id = info.model_id
        step("log_model", model_id=model_id, model_uri=info.model_uri)
        check(model_id.startswith("m-") and len(model_id) == 34, "model id format")

        # A metric logged against the model after the fact.
        mlflow.log_metric("val_accuracy", 0.5, model_id=model_id, dataset=None)

    lm = client.get_logged_model(model_id)
    step("get_logged_model", name=lm.name, status=str(lm.status), source_run_id=lm.source_run_id,
         artifact_location=lm.artifact_location, params=lm.params,
         metrics=sorted((m.key, m.value, m.step) for m in lm.metrics or []))
    check_eq(lm.status, LoggedModelStatus.READY, "status after log_model")
    check_eq(lm.name, "model", "model name")
    check_eq(lm.source_run_id, run_id, "source run")
    check(lm.artifact_location.endswith(f"/{exp_id}/models/{model_id}/artifacts"), "artifact location")
    metric_keys = {m.key for m in lm.metrics or []}
    check({"train_accuracy", "val_accuracy"} <= metric_keys, f"model metrics: {metric_keys}")

    run_outputs = client.get_run(run_id).outputs
    outputs = [o.model_id for o in (run_outputs.model_outputs if run_outputs else [])]
    step("run outputs", model_outputs=outputs)
    check(model_id in outputs, "run lists the model as an output")

    files = sorted(f.path for f in client.list_logged_model_artifacts(model_id))
    step("list_logged_model_artifacts", files=files)
    check("MLmodel" in files and "model.pkl" in files, "model files uploaded")

    loaded = mlflow.pyfunc.load_model(f"models:/{model_id}")
    pred = loaded.predict(X[:5])
    step("pyfunc predict", prediction=list(np.asarray(pred).tolist()))
    check_eq(list(np.asarray(pred)), list(model.predict(X[:5])), "predictions")

    found = client.search_logged_models(experiment_ids=[exp_id])
    step("search_logged_models", ids=[m.model_id for m in found], token=found.token)
    check_eq([m.model_id for m in found], [model_id], "search result")

    found = client.search_logged_models(experiment_ids=[exp_id], filter_string="name = 'model' AND metrics.train_accuracy > 0.5")
    check_eq([m.model_id for m in found], [model_id], "filtered search")
    found = client.search_logged_models(experiment_ids=[exp_id], filter_string="metrics.train_accuracy > 1.5")
    check_eq(list(found), [], "filtered search (no match)")

    listed = client.list_artifacts(run_id, "model")
    step("list_artifacts(run, 'model')", files=sorted(f.path for f in listed))
    check(any(f.path.endswith("MLmodel") for f in listed), "run path 'model' resolves to the logged model")

    listed = client.list_artifacts(run_id, "somedir")  # neither a run path nor a model: logged-models/search
    step("list_artifacts(run, 'somedir')", files=[f.path for f in listed])
    check_eq(listed, [], "unknown run path lists as empty")

    # A second and third model for order and pages.
    more = [client.create_logged_model(exp_id, name=f"extra{i}", params={"i": str(i)}) for i in range(2)]
    for m in more:
        client.finalize_logged_model(m.model_id, LoggedModelStatus.READY)
    page1 = client.search_logged_models(experiment_ids=[exp_id], max_results=2,
                                        order_by=[{"field_name": "name", "ascending": True}])
    page2 = client.search_logged_models(experiment_ids=[exp_id], max_results=2, page_token=page1.token,
                                        order_by=[{"field_name": "name", "ascending": True}])
    names = [m.name for m in page1] + [m.name for m in page2]
    step("paged search by name", names=names, token2=page2.token)
    check_eq(names, ["extra0", "extra1", "model"], "pages in name order")
    check(page1.token and not page2.token, "next_page_token only while more rows exist")

    all_models = mlflow.search_logged_models(experiment_ids=[exp_id], output_format="list")
    check_eq(len(all_models), 3, "fluent search_logged_models")

    client.set_logged_model_tags(model_id, {"stage": "candidate"})
    check_eq(client.get_logged_model(model_id).tags.get("stage"), "candidate", "tag set")
    client.delete_logged_model_tag(model_id, "stage")
    check("stage" not in client.get_logged_model(model_id).tags, "tag deleted")
    client.log_model_params(model_id, {"extra_param": "x"})
    check_eq(client.get_logged_model(model_id).params.get("extra_param"), "x", "param logged")

    client.delete_logged_model(more[0].model_id)
    left = [m.model_id for m in client.search_logged_models(experiment_ids=[exp_id])]
    step("after delete", models=left)
    check(more[0].model_id not in left and len(left) == 2, "deleted model hidden from search")
    try:
        client.get_logged_model(more[0].model_id)
        raise AssertionError("get of a deleted model should fail")
    except mlflow.exceptions.MlflowException as e:
        check_eq(e.error_code, "RESOURCE_DOES_NOT_EXIST", "error code for a deleted model")

    print("LOGGED MODELS WORKFLOW OK", flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception:  # noqa: BLE001 (report any failure and exit non-zero)
        traceback.print_exc()
        sys.exit(1)
