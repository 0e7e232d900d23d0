#!/usr/bin/env python3
"""Manual check (not CI): the official MLflow client against Sextant proxying to a moto S3 server.

    source ../shared/tools/mlflow-env.sh
    python3 tests/compat/s3_client_check.py [--sextant build/sextant] [--big-mib 1024] [--multipart]

Starts moto and Sextant (--artifacts-destination s3://compat/artifacts), then with mlflow's own
client: logs a directory of artifacts and one large file (with --multipart,
MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true so the client uses Sextant's mpu endpoints and PUTs the
parts to the presigned URLs), lists, downloads everything back and compares; prints Sextant's
RSS before and at its peak during the large transfers. Prints "S3 CLIENT CHECK OK" at the end.
"""

import argparse
import filecmp
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
import moto_s3  # noqa: E402


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sextant", default=os.path.join(HERE, "..", "..", "build", "sextant"))
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--multipart", action="store_true")
    args = ap.parse_args()
    harness.SEXTANT_BIN = os.path.abspath(args.sextant)
    moto = moto_s3.MotoServer()
    moto.client().create_bucket(Bucket="compat")
    env = dict(moto.env(), AWS_ACCESS_KEY_ID=moto.access_key, AWS_SECRET_ACCESS_KEY=moto.secret_key)
    srv = harness.SextantServer(artifacts_dir="s3://compat/artifacts", env=env)
    srv.start()
    peak = [0.0]
    stop = [False]

    def sample():
        while not stop[0]:
            peak[0] = max(peak[0], rss_mib(srv.proc.pid))
            time.sleep(0.05)

    try:
        os.environ["MLFLOW_TRACKING_URI"] = srv.base_url
        if args.multipart:
            os.environ["MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"] = "true"
        import mlflow
        from mlflow.tracking import MlflowClient
        work = tempfile.mkdtemp(prefix="s3compat-")
        src = os.path.join(work, "src")
        os.makedirs(os.path.join(src, "sub", "deeper"))
        for rel, data in (("a.txt", b"hello"), ("sub/b.json", b"{}"), ("sub/deeper/c.bin", os.urandom(300000)),
                          ("empty.txt", b"")):
            with open(os.path.join(src, rel), "wb") as f:
                f.write(data)
        big = os.path.join(work, "big.bin")
        with open(big, "wb") as f:
            block = os.urandom(1 << 20)
            for _ in range(args.big_mib):
                f.write(block)
        mlflow.set_experiment("s3-compat")
        with mlflow.start_run() as run:
            mlflow.log_artifacts(src, "dir")
            before = rss_mib(srv.proc.pid)
            t = threading.Thread(target=sample, daemon=True)
            t.start()
            t0 = time.time()
            mlflow.log_artifact(big, "large")
            up = time.time() - t0
        client = MlflowClient()
        names = sorted(f.path for f in client.list_artifacts(run.info.run_id, "dir"))
        assert names == ["dir/a.txt", "dir/empty.txt", "dir/sub"], names
        dst = os.path.join(work, "dst")
        got = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="dir", dst_path=dst)
        cmp = filecmp.dircmp(src, got)
        assert not cmp.diff_files and not cmp.left_only and not cmp.right_only, (cmp.diff_files, cmp.left_only)
        assert filecmp.cmp(os.path.join(src, "sub/deeper/c.bin"), os.path.join(got, "sub/deeper/c.bin"), shallow=False)
        t0 = time.time()
        big_got = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="large/big.bin",
                                                      dst_path=os.path.join(work, "dst2"))
        down = time.time() - t0
        stop[0] = True
        assert filecmp.cmp(big, big_got, shallow=False)
        head = moto.client().head_object(Bucket="compat",
                                         Key="artifacts/%s/%s/artifacts/large/big.bin"
                                             % (run.info.experiment_id, run.info.run_id))
        print("large object ETag %s (multipart: %s)" % (head["ETag"], "-" in head["ETag"]))
        mb = args.big_mib * 1048576 / 1e6
        print("upload %.0f MB/s, download %.0f MB/s; sextant RSS %.0f MiB before, %.0f MiB peak"
              % (mb / up, mb / down, before, peak[0]))
        print("S3 CLIENT CHECK OK")
    finally:
        stop[0] = True
        srv.stop()
        moto.stop()


if __name__ == "__main__":
    main()
