"""Plain-HTTP helpers for the browser login tests: requests without following redirects, the
Set-Cookie headers of a response (checked by hand, since Sextant's cookies are Secure and the
tests speak http), and the JSON-lines audit log."""

import json

import requests


def get(url, headers=None):
    return requests.get(url, headers=headers or {}, allow_redirects=False, timeout=30)


def set_cookies(r):
    """{name: (value, [attributes])} of every Set-Cookie header."""
    out = {}
    for header in r.raw.headers.getlist("Set-Cookie"):
        parts = [p.strip() for p in header.split(";")]
        name, _, value = parts[0].partition("=")
        out[name] = (value, parts[1:])
    return out


def audit_events(path, name):
    with open(path) as f:
        return [e for e in map(json.loads, f) if e.get("audit") == name]
