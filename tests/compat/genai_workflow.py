#!/usr/bin/env python3
"""Manual compatibility check: MLflow 3.6's GenAI evaluation datasets, registered scorers and
the prompt registry through the official MLflow client.

Not part of the test suite or CI. Needs the real MLflow client (`source ../shared/tools/mlflow-env.sh`)
and a running server:

    MLFLOW_TRACKING_URI=http://127.0.0.1:5000 python3 tests/compat/genai_workflow.py [--no-traces]

Covers mlflow.genai.datasets (create_dataset, merge_records twice with an update, to_df paging,
get_dataset, search_datasets, set_dataset_tags/delete_dataset_tag, add/remove experiments,
delete_dataset), a built-in judge (Guidelines) registered twice and listed/fetched/versioned/deleted
through mlflow.genai.scorers (custom @scorer functions register only on Databricks), and the prompt
registry: register_prompt (two versions), load_prompt by version, by alias and @latest,
set/delete_prompt_alias, search_prompts, prompt tags, and (unless --no-traces) the
`mlflow.linkedPrompts` trace tag that loading a prompt inside a traced function leaves on the trace.
Prints one line per step, asserts, exits non-zero on the first failure and prints
"GENAI WORKFLOW OK" on success.
"""

import json
import sys
import time
import traceback
import uuid

import mlflow
import mlflow.genai
import mlflow.genai.datasets as datasets
from mlflow.genai.scorers import Guidelines, delete_scorer, get_scorer, list_scorers
from mlflow.genai.scorers.registry import list_scorer_versions
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


def run_datasets(client, exp_id, other_exp):
    name = "genai-ds-" + uuid.uuid4().hex[:8]
    ds = datasets.create_dataset(name=name, experiment_id=exp_id, tags={"team": "ml"})
    step("create_dataset", dataset_id=ds.dataset_id, experiment_ids=ds.experiment_ids)
    check(ds.dataset_id.startswith("d-"), "dataset id")
    check_eq(ds.experiment_ids, [exp_id], "experiment ids")
    records = [
        {"inputs": {"question": "What is MLflow?"}, "expectations": {"answer": "A platform"}},
        {"inputs": {"question": "What is Sextant?"}, "outputs": "A server"},
    ]
    ds.merge_records(records)
    df = ds.to_df()
    step("merge_records", rows=len(df), columns=sorted(df.columns))
    check_eq(len(df), 2, "records after the first merge")
    ds.merge_records([{"inputs": {"question": "What is MLflow?"}, "expectations": {"source": "docs"}},
                      {"inputs": {"question": "Why?"}}])
    fetched = datasets.get_dataset(dataset_id=ds.dataset_id)
    df = fetched.to_df()
    step("merge_records again", rows=len(df), profile=fetched.profile, schema=fetched.schema)
    check_eq(len(df), 3, "records after the second merge")
    merged = [r for r in df.to_dict("records") if r["inputs"] == {"question": "What is MLflow?"}][0]
    check_eq(merged["expectations"], {"answer": "A platform", "source": "docs"}, "merged expectations")
    check_eq(merged["source_type"], "HUMAN", "inferred source type")
    check_eq(json.loads(fetched.profile), {"num_records": 3}, "profile")
    found = datasets.search_datasets(experiment_ids=[exp_id], filter_string="tags.team = 'ml'",
                                     order_by=["name ASC"])
    step("search_datasets", found=[d.name for d in found])
    check(any(d.dataset_id == ds.dataset_id for d in found), "search finds the dataset")
    datasets.set_dataset_tags(dataset_id=ds.dataset_id, tags={"stage": "eval"})
    datasets.delete_dataset_tag(dataset_id=ds.dataset_id, key="team")
    tags = datasets.get_dataset(dataset_id=ds.dataset_id).tags
    step("set/delete tags", tags=tags)
    check(tags.get("stage") == "eval" and "team" not in tags, "tag changes")
    datasets.add_dataset_to_experiments(ds.dataset_id, [other_exp])
    ids = sorted(client.get_dataset(ds.dataset_id).experiment_ids)
    step("add_dataset_to_experiments", experiment_ids=ids)
    check_eq(ids, sorted([exp_id, other_exp]), "linked experiments")
    datasets.remove_dataset_from_experiments(ds.dataset_id, [other_exp])
    check_eq(client.get_dataset(ds.dataset_id).experiment_ids, [exp_id], "after remove")
    datasets.delete_dataset(dataset_id=ds.dataset_id)
    try:
        datasets.get_dataset(dataset_id=ds.dataset_id)
        raise AssertionError("deleted dataset still found")
    except mlflow.exceptions.MlflowException as e:
        step("delete_dataset", error=str(e)[:80])
        check("not found" in str(e), "deleted dataset error")


def run_scorers(exp_id):
    # Custom @scorer functions register only on Databricks; a built-in judge serialises as data.
    judge = Guidelines(name="concise", guidelines="The answer must be short.")
    registered = judge.register(name="concise", experiment_id=exp_id)
    step("scorer.register", name=registered.name)
    Guidelines(name="concise", guidelines="The answer must be one line.").register(name="concise", experiment_id=exp_id)
    names = [s.name for s in list_scorers(experiment_id=exp_id)]
    step("list_scorers", names=names)
    check_eq(names, ["concise"], "registered scorers")
    versions = [v for _, v in list_scorer_versions(name="concise", experiment_id=exp_id)]
    step("list_scorer_versions", versions=versions)
    check_eq(versions, [1, 2], "scorer versions")
    latest = get_scorer(name="concise", experiment_id=exp_id)
    check_eq(latest.guidelines, "The answer must be one line.", "latest scorer")
    first = get_scorer(name="concise", experiment_id=exp_id, version=1)
    check_eq(first.guidelines, "The answer must be short.", "version 1")
    delete_scorer(name="concise", experiment_id=exp_id, version=1)
    check_eq([v for _, v in list_scorer_versions(name="concise", experiment_id=exp_id)], [2], "after delete v1")
    delete_scorer(name="concise", experiment_id=exp_id, version="all")
    check_eq(list_scorers(experiment_id=exp_id), [], "after delete all")
    step("delete_scorer", remaining=0)


def run_prompts(with_traces):
    name = "genai_prompt_" + uuid.uuid4().hex[:8]
    v1 = mlflow.genai.register_prompt(name=name, template="Answer {{question}} briefly.",
                                      commit_message="first", tags={"task": "qa"})
    v2 = mlflow.genai.register_prompt(name=name, template=[{"role": "user", "content": "Answer {{question}}"}],
                                      commit_message="chat")
    step("register_prompt", versions=[v1.version, v2.version])
    check_eq((v1.version, v2.version), (1, 2), "prompt versions")
    loaded = mlflow.genai.load_prompt(f"prompts:/{name}/1")
    check_eq(loaded.template, "Answer {{question}} briefly.", "template by version")
    check_eq(loaded.format(question="why"), "Answer why briefly.", "formatted prompt")
    latest = mlflow.genai.load_prompt(f"prompts:/{name}@latest")
    check_eq(latest.version, 2, "@latest")
    mlflow.genai.set_prompt_alias(name, alias="production", version=1)
    by_alias = mlflow.genai.load_prompt(f"prompts:/{name}@production")
    step("load_prompt", by_version=loaded.version, latest=latest.version, alias=by_alias.version)
    check_eq(by_alias.version, 1, "alias")
    mlflow.genai.delete_prompt_alias(name, alias="production")
    check(mlflow.genai.load_prompt(f"prompts:/{name}@production", allow_missing=True) is None, "alias deleted")
    found = [p.name for p in mlflow.genai.search_prompts(filter_string=f"name = '{name}'")]
    step("search_prompts", found=found)
    check_eq(found, [name], "search_prompts")
    models = [m.name for m in MlflowClient().search_registered_models(filter_string=f"name = '{name}'")]
    check_eq(models, [], "prompts are hidden from model search")
    if not with_traces:
        step("prompt-trace link", skipped="--no-traces")
        return

    @mlflow.trace
    def answer(question):
        prompt = mlflow.genai.load_prompt(f"prompts:/{name}/2")
        return prompt.format(question=question)

    answer("why")
    trace_id = mlflow.get_last_active_trace_id()
    linked = None
    for _ in range(50):  # the client links prompts in a background thread
        trace = mlflow.get_trace(trace_id)
        linked = trace.info.tags.get("mlflow.linkedPrompts")
        if linked:
            break
        time.sleep(0.2)
    step("prompt-trace link", trace_id=trace_id, linked=linked)
    check(linked is not None, "mlflow.linkedPrompts on the trace")
    check_eq(json.loads(linked), [{"name": name, "version": "2"}], "linked prompts")


def main():
    with_traces = "--no-traces" not in sys.argv
    client = MlflowClient()
    exp_id = mlflow.set_experiment("genai-" + uuid.uuid4().hex[:8]).experiment_id
    other_exp = client.create_experiment("genai-other-" + uuid.uuid4().hex[:8])
    try:
        run_datasets(client, exp_id, other_exp)
        run_scorers(exp_id)
        run_prompts(with_traces)
    except Exception:
        traceback.print_exc()
        print("GENAI WORKFLOW FAILED", flush=True)
        sys.exit(1)
    print("GENAI WORKFLOW OK", flush=True)


if __name__ == "__main__":
    main()
