"""A webhook receiver for the integration tests: a real HTTP server process on loopback.

Run as ``python3 webhook_receiver.py``; prints its port on the first line of stdout. Every POST is
recorded (path, headers, body) and answered by its path:

    /ok/...                     200 "received"
    /fail/<n>/<status>/...      <status> for the first n requests to that exact path, then 200;
                                with a ".../ra/..." segment the failures carry "Retry-After: 0",
                                with ".../rahuge/..." "Retry-After: 9223372036854775807"
    /status/<code>/...          always <code>
    /slow/...                   waits 3 s, then 200

``GET /log?prefix=/ok/x`` answers the JSON list of recorded requests whose path starts with prefix.
"""

import json
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
RECORDS = []
COUNTS = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        url = urllib.parse.urlsplit(self.path)
        prefix = urllib.parse.parse_qs(url.query).get("prefix", [""])[0]
        with LOCK:
            rows = [r for r in RECORDS if r["path"].startswith(prefix)]
        self._answer(200, json.dumps(rows).encode(), [("Content-Type", "application/json")])

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        parts = self.path.split("/")
        with LOCK:
            RECORDS.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                            "body": body.decode("utf-8", "replace"), "at": time.time()})
            COUNTS[self.path] = COUNTS.get(self.path, 0) + 1
            seen = COUNTS[self.path]
        if parts[1] == "fail" and seen <= int(parts[2]):
            extra = [("Retry-After", "0")] if "ra" in parts[4:] else []
            if "rahuge" in parts[4:]:
                extra = [("Retry-After", "9223372036854775807")]  # LONG_MAX seconds
            return self._answer(int(parts[3]), b"try again", extra)
        if parts[1] == "status":
            return self._answer(int(parts[2]), b"status " + parts[2].encode())
        if parts[1] == "slow":
            time.sleep(3)
        self._answer(200, b"received")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
