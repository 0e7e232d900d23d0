#!/usr/bin/env python3
"""Proxied artifact throughput: one large file and many small files, uploaded and downloaded
through Sextant's mlflow-artifacts proxy, with the destination on local disk and on a moto S3
server; the server's RSS is sampled every 50 ms during the large transfers.

    python3 bench/artifacts.py [--sextant build/sextant] [--big-mib 1024] [--small 1000] [--small-kib 100]
                               [--threads 8] [--only local|s3]

Everything runs on loopback: Sextant (Release build), moto (tests/integration/moto_s3.py) and this
client. The large file is streamed from a temporary file on disk and the download is discarded,
so the client holds no more than 1 MiB at a time. The small files are sent by --threads client
threads, like MLflow's client uploads a directory. Figures are MB/s (10^6 bytes/s).
"""

import argparse
import concurrent.futures
import os
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))

import requests  # noqa: E402

import harness  # noqa: E402
import moto_s3  # noqa: E402

ARTIFACTS = "/api/2.0/mlflow-artifacts/artifacts"


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler:
    def __init__(self, pid):
        self.pid, self.samples, self.stop_flag = pid, [], False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag:
            self.samples.append(rss_kib(self.pid))
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_flag = True
        self.thread.join()


def file_chunks(path, size=1 << 20):
    with open(path, "rb") as f:
        while True:
            b = f.read(size)
            if not b:
                return
            yield b


class Sized:
    """A file body with a known length (requests then sends Content-Length, no chunking)."""

    def __init__(self, path):
        self.path, self.len = path, os.path.getsize(path)

    def __iter__(self):
        return file_chunks(self.path)

    def __len__(self):
        return self.len


def big(srv, path, size):
    base = srv.base_url + ARTIFACTS + "/0/bench/artifacts/"
    before = rss_kib(srv.proc.pid)
    with RssSampler(srv.proc.pid) as up:
        t = time.time()
        r = requests.put(base + "big.bin", data=Sized(path), headers={"Content-Type": "application/octet-stream"},
                         timeout=3600)
        up_s = time.time() - t
    r.raise_for_status()
    with RssSampler(srv.proc.pid) as down:
        t = time.time()
        n = 0
        with requests.get(base + "big.bin", stream=True, timeout=3600) as r:
            r.raise_for_status()
            for part in r.iter_content(1 << 20):
                n += len(part)
        down_s = time.time() - t
    assert n == size, (n, size)
    return {"up": size / up_s / 1e6, "down": size / down_s / 1e6, "rss_before": before / 1024,
            "rss_up": max(up.samples) / 1024, "rss_down": max(down.samples) / 1024}


def small(srv, count, kib, threads):
    base = srv.base_url + ARTIFACTS + "/0/bench/artifacts/small/"
    payloads = [os.urandom(kib * 1024) for _ in range(16)]
    session = threading.local()

    def sess():
        if not hasattr(session, "s"):
            session.s = requests.Session()
        return session.s

    def put(i):
        sess().put(base + "f%05d.bin" % i, data=payloads[i % 16],
                   headers={"Content-Type": "application/octet-stream"}, timeout=120).raise_for_status()

    def get(i):
        r = sess().get(base + "f%05d.bin" % i, timeout=120)
        r.raise_for_status()
        return len(r.content)

    total = count * kib * 1024
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        t = time.time()
        list(pool.map(put, range(count)))
        up_s = time.time() - t
        t = time.time()
        got = sum(pool.map(get, range(count)))
        down_s = time.time() - t
    assert got == total
    return {"up": total / up_s / 1e6, "down": total / down_s / 1e6, "up_files": count / up_s,
            "down_files": count / down_s}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sextant", default=os.path.join(HERE, "..", "build", "sextant"))
    ap.add_argument("--big-mib", type=int, default=1024)
    ap.add_argument("--small", type=int, default=1000)
    ap.add_argument("--small-kib", type=int, default=100)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--only", choices=["local", "s3"])
    args = ap.parse_args()
    harness.SEXTANT_BIN = os.path.abspath(args.sextant)

    work = tempfile.mkdtemp(prefix="sextant-artbench-")
    big_path = os.path.join(work, "big.bin")
    with open(big_path, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(args.big_mib):
            f.write(block)
    size = args.big_mib << 20

    results = {}
    moto = None
    try:
        for kind in ("local", "s3"):
            if args.only and args.only != kind:
                continue
            env = {}
            dest = None
            if kind == "s3":
                moto = moto_s3.MotoServer()
                moto.client().create_bucket(Bucket="bench")
                env = dict(moto.env(), AWS_ACCESS_KEY_ID=moto.access_key, AWS_SECRET_ACCESS_KEY=moto.secret_key)
                dest = "s3://bench/artifacts"
            srv = harness.SextantServer(workdir=tempfile.mkdtemp(prefix="sextant-artbench-%s-" % kind, dir=work),
                                        artifacts_dir=dest, env=env)
            srv.start()
            try:
                results[kind] = {"big": big(srv, big_path, size), "small": small(srv, args.small, args.small_kib,
                                                                               args.threads)}
            finally:
                srv.stop()
                if moto:
                    moto.stop()
                    moto = None
    finally:
        if moto:
            moto.stop()
        import shutil
        shutil.rmtree(work, ignore_errors=True)

    print("\nProxied artifacts through Sextant (MB/s = 10^6 bytes/s; RSS in MiB)")
    print("| destination | %d MiB up | %d MiB down | RSS idle -> peak up / peak down | %d x %d KiB up | down |"
          % (args.big_mib, args.big_mib, args.small, args.small_kib))
    print("|---|---|---|---|---|---|")
    for kind, r in results.items():
        b, s = r["big"], r["small"]
        print("| %s | %.0f MB/s | %.0f MB/s | %.0f -> %.0f / %.0f | %.0f MB/s (%.0f files/s) | %.0f MB/s (%.0f files/s) |"
              % (kind, b["up"], b["down"], b["rss_before"], b["rss_up"], b["rss_down"], s["up"], s["up_files"],
                 s["down"], s["down_files"]))


if __name__ == "__main__":
    main()
