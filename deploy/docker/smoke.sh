#!/usr/bin/env bash
# Smoke test of the image: runs it (runc, host network, loopback port, SQLite in the container's
# /data volume, read-only root file system) and checks health, experiment and run creation,
# log-batch and reading the run back, the HEALTHCHECK command, and a clean exit on SIGTERM.
#   deploy/docker/smoke.sh [TAG]        (default localhost/sextant:dev)
set -euo pipefail
TAG=${1:-localhost/sextant:dev}
PORT=${SMOKE_PORT:-$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}
NAME=sextant-smoke-$$
PODMAN=(podman --storage-driver vfs)
URL=http://127.0.0.1:$PORT
API=$URL/api/2.0/mlflow

cleanup() {
  "${PODMAN[@]}" rm -f "$NAME" >/dev/null 2>&1 || true
  "${PODMAN[@]}" volume rm -f "$NAME-data" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"${PODMAN[@]}" run -d --name "$NAME" --runtime runc --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
  --network host --read-only --tmpfs /tmp -v "$NAME-data:/data" \
  -e SEXTANT_HOST=127.0.0.1 -e SEXTANT_PORT="$PORT" "$TAG" >/dev/null
for _ in $(seq 1 100); do curl -fsS "$URL/health" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS "$URL/health" >/dev/null 2>&1 || { echo "smoke: the server did not come up:"; "${PODMAN[@]}" logs "$NAME"; exit 1; }

post() { curl -fsS -H 'Content-Type: application/json' -d "$2" "$API/$1"; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

[ "$(curl -fsS "$URL/health")" = OK ]
exp=$(post experiments/create '{"name":"smoke"}' | field 'd["experiment_id"]')
run=$(post runs/create "{\"experiment_id\":\"$exp\",\"run_name\":\"smoke-run\"}" | field 'd["run"]["info"]["run_id"]')
post runs/log-batch "{\"run_id\":\"$run\",\"params\":[{\"key\":\"lr\",\"value\":\"0.1\"}],\"metrics\":[{\"key\":\"loss\",\"value\":0.25,\"timestamp\":1,\"step\":3}],\"tags\":[{\"key\":\"t\",\"value\":\"v\"}]}" >/dev/null
got=$(curl -fsS "$API/runs/get?run_id=$run" | field '(d["run"]["data"]["params"][0]["value"], d["run"]["data"]["metrics"][0]["value"], d["run"]["info"]["run_name"])')
[ "$got" = "('0.1', 0.25, 'smoke-run')" ] || { echo "smoke: unexpected run data: $got"; exit 1; }
"${PODMAN[@]}" exec "$NAME" /usr/local/bin/sextant health --url "$URL/health"
user=$("${PODMAN[@]}" top "$NAME" user | tail -1 | tr -d ' ')
"${PODMAN[@]}" stop -t 10 "$NAME" >/dev/null
code=$("${PODMAN[@]}" inspect "$NAME" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || { echo "smoke: exit code $code after SIGTERM"; "${PODMAN[@]}" logs "$NAME" | tail -20; exit 1; }
echo "smoke: OK (health, experiment $exp, run $run logged and read back, HEALTHCHECK command, runs as '$user', exit 0 on SIGTERM)"
