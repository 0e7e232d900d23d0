"""OTLP request bodies built by hand for the tests: a minimal protobuf encoder for
ExportTraceServiceRequest (field numbers from opentelemetry-proto, docs/design/tracing/otlp-ingest.md
§1) and the OTLP/JSON form of the same spans. No protobuf package needed.

A span is a dict: trace_id (16 bytes), span_id (8 bytes), parent (bytes, default b""), name,
start, end (ns), attrs (dict or list of (key, value) pairs), events (list of dicts: name, time,
attrs), status ((code, message)), kind."""

import base64
import struct


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def tag(number, wire):
    return varint((number << 3) | wire)


def length_field(number, payload):
    return tag(number, 2) + varint(len(payload)) + payload


def string_field(number, text):
    return length_field(number, text.encode("utf-8") if isinstance(text, str) else text)


def fixed64_field(number, value):
    return tag(number, 1) + struct.pack("<Q", value)


def varint_field(number, value):
    return tag(number, 0) + varint(value)


def any_value(v):
    if v is None:
        return b""
    if isinstance(v, bool):
        return varint_field(2, 1 if v else 0)
    if isinstance(v, str):
        return string_field(1, v)
    if isinstance(v, int):
        return varint_field(3, v)
    if isinstance(v, float):
        return tag(4, 1) + struct.pack("<d", v)
    if isinstance(v, bytes):
        return string_field(7, v)
    if isinstance(v, (list, tuple)):
        return length_field(5, b"".join(length_field(1, any_value(x)) for x in v))
    if isinstance(v, dict):
        return length_field(6, b"".join(length_field(1, key_value(k, x)) for k, x in v.items()))
    raise TypeError(type(v))


def key_value(key, value):
    return string_field(1, key) + length_field(2, any_value(value))


def _pairs(attrs):
    return list(attrs.items()) if isinstance(attrs, dict) else list(attrs or [])


def span_bytes(s):
    out = string_field(1, s.get("trace_id", b"")) + string_field(2, s.get("span_id", b""))
    if s.get("parent"):
        out += string_field(4, s["parent"])
    out += string_field(5, s.get("name", "span"))
    if s.get("kind"):
        out += varint_field(6, s["kind"])
    out += fixed64_field(7, s.get("start", 0)) + fixed64_field(8, s.get("end", 0))
    for k, v in _pairs(s.get("attrs")):
        out += length_field(9, key_value(k, v))
    for e in s.get("events", []):
        ev = fixed64_field(1, e.get("time", 0)) + string_field(2, e["name"])
        for k, v in _pairs(e.get("attrs")):
            ev += length_field(3, key_value(k, v))
        out += length_field(11, ev)
    if s.get("status"):
        code, message = s["status"]
        st = (string_field(2, message) if message else b"") + (varint_field(3, code) if code else b"")
        out += length_field(15, st)
    return out


def request_bytes(groups, service="otlp-test"):
    """groups: a list of span lists; each becomes one ResourceSpans with one ScopeSpans."""
    body = b""
    for spans in groups:
        resource = length_field(1, key_value("service.name", service))  # Resource.attributes[0]
        scope = length_field(1, string_field(1, "tests"))  # ScopeSpans.scope
        scope_spans = scope + b"".join(length_field(2, span_bytes(s)) for s in spans)
        body += length_field(1, length_field(1, resource) + length_field(2, scope_spans))
    return body


def json_any(v):
    if v is None:
        return {}
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, str):
        return {"stringValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    if isinstance(v, float):
        return {"doubleValue": v}
    if isinstance(v, bytes):
        return {"bytesValue": base64.b64encode(v).decode()}
    if isinstance(v, (list, tuple)):
        return {"arrayValue": {"values": [json_any(x) for x in v]}}
    if isinstance(v, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": json_any(x)} for k, x in v.items()]}}
    raise TypeError(type(v))


def json_span(s):
    out = {"traceId": s.get("trace_id", b"").hex(), "spanId": s.get("span_id", b"").hex(),
           "parentSpanId": s.get("parent", b"").hex(), "name": s.get("name", "span"), "kind": s.get("kind", 1),
           "startTimeUnixNano": str(s.get("start", 0)), "endTimeUnixNano": str(s.get("end", 0)),
           "attributes": [{"key": k, "value": json_any(v)} for k, v in _pairs(s.get("attrs"))],
           "events": [{"timeUnixNano": str(e.get("time", 0)), "name": e["name"],
                       "attributes": [{"key": k, "value": json_any(v)} for k, v in _pairs(e.get("attrs"))]}
                      for e in s.get("events", [])]}
    if s.get("status"):
        code, message = s["status"]
        out["status"] = {"code": code, "message": message}
    return out


def request_json(groups, service="otlp-test"):
    return {"resourceSpans": [
        {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
         "scopeSpans": [{"scope": {"name": "tests"}, "spans": [json_span(s) for s in spans]}]}
        for spans in groups]}
