#!/usr/bin/env python3
"""Manual compatibility check: the official MLflow client against Sextant with --auth on.

Not part of the test suite or CI (it needs the real MLflow client: see docs on the MLflow
reference environment). It starts its own processes: panva's oidc-provider
(tests/oidc/strict_op.mjs; run `make test-deps` first) and a Sextant server (SEXTANT_BIN,
default build/sextant), then drives the client with

  - MLFLOW_TRACKING_TOKEN = an access token (JWT) from the provider's client-credentials grant,
  - MLFLOW_TRACKING_TOKEN = a personal token sxt_...,
  - MLFLOW_TRACKING_USERNAME/PASSWORD = a local user's password, and a personal token as password,
  - no credentials (must fail with 401 / UNAUTHENTICATED),

    source ../shared/tools/mlflow-env.sh && python3 tests/compat/auth_client.py

and prints "AUTH CLIENT OK" on success.
"""

import os
import sys

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
import strict_op  # noqa: E402

ADMIN = ("root", "root-password-12345")


def workflow(label, env):
    """Runs a small tracking workflow in a fresh client with these variables; returns the run id."""
    import mlflow
    from mlflow.tracking import MlflowClient

    for name in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"):
        os.environ.pop(name, None)
    os.environ.update(env)
    client = MlflowClient()
    exp = client.get_experiment_by_name("auth-compat") or None
    exp_id = exp.experiment_id if exp else client.create_experiment("auth-compat")
    with mlflow.start_run(experiment_id=exp_id, run_name=label) as run:
        mlflow.log_param("via", label)
        mlflow.log_metric("m", 1.5, step=2)
        mlflow.set_tag("t", label)
    got = client.get_run(run.info.run_id)
    assert got.data.params["via"] == label and got.data.metrics["m"] == 1.5, got
    print("[ok] %-28s run %s logged and read back" % (label, run.info.run_id), flush=True)
    return run.info.run_id


def main():
    accounts = {"alice": {"email": "alice@example.test", "email_verified": True, "groups": ["ml-team"]}}
    op = strict_op.StrictOp(accounts, ["http://127.0.0.1:9/callback"], [])
    server = harness.SextantServer(extra_args=[
        "--auth", "on", "--skip-jwt-bearer-tokens", "--extra-jwt-issuers", op.issuer + "=mlflow",
        "--email-domain", "example.test"], env={"SEXTANT_ADMIN_BOOTSTRAP": "%s:%s" % ADMIN})
    server.start()
    try:
        os.environ["MLFLOW_TRACKING_URI"] = server.base_url
        os.environ["MLFLOW_HTTP_REQUEST_MAX_RETRIES"] = "0"
        r = requests.post(op.issuer + "/token", auth=("mlflow-ci", "ci-secret"), timeout=30,
                          data={"grant_type": "client_credentials"})
        r.raise_for_status()
        jwt = r.json()["access_token"]
        # A machine identity has no e-mail, and the access rules need a verified one for external
        # identities: refused with 403. Programs use a user's token instead.
        import mlflow
        from mlflow.exceptions import MlflowException

        os.environ["MLFLOW_TRACKING_TOKEN"] = jwt
        try:
            mlflow.tracking.MlflowClient().search_experiments()
            raise AssertionError("a JWT without e-mail passed the access rules")
        except MlflowException as e:
            assert "PERMISSION_DENIED" in str(e) or "403" in str(e), e
            print("[ok] client-credentials JWT without e-mail refused: 403", flush=True)

        user_jwt = strict_op.program_access_token(op, "http://127.0.0.1:9/callback", "alice")
        workflow("JWT from oidc-provider", {"MLFLOW_TRACKING_TOKEN": user_jwt})

        secret = requests.post(server.url("/api/2.0/sextant/tokens/create"), auth=ADMIN, timeout=30,
                               json={"name": "compat"}).json()["secret"]
        workflow("personal token (Bearer)", {"MLFLOW_TRACKING_TOKEN": secret})
        workflow("password (Basic)", {"MLFLOW_TRACKING_USERNAME": ADMIN[0], "MLFLOW_TRACKING_PASSWORD": ADMIN[1]})
        workflow("personal token (Basic)", {"MLFLOW_TRACKING_USERNAME": "anyone", "MLFLOW_TRACKING_PASSWORD": secret})

        for name in ("MLFLOW_TRACKING_TOKEN", "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"):
            os.environ.pop(name, None)
        try:
            mlflow.tracking.MlflowClient().search_experiments()
            raise AssertionError("no credentials were accepted")
        except MlflowException as e:
            assert "UNAUTHENTICATED" in str(e) or "401" in str(e), e
            print("[ok] no credentials: %s" % str(e).splitlines()[0][:100], flush=True)
        print("AUTH CLIENT OK")
    finally:
        server.stop()
        server.cleanup()
        op.stop()


if __name__ == "__main__":
    main()
