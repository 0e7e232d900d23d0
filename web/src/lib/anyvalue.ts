// OTel AnyValue JSON (as GetTrace prints span attributes: `{"string_value": "apple"}`,
// `{"kvlist_value": {"values": [...]}}`, ...) decoded to plain values, and a span's attribute
// list in either of the forms a server may send (AnyValue list, or MLflow's stored dict of
// JSON-encoded strings). Objects are built with defineProperty: a key such as `__proto__` stays
// a key and never changes a prototype.
import type { AnyValueJson, KeyValueJson } from '../traceapi';

export type Decoded = null | string | number | boolean | Decoded[] | { [k: string]: Decoded };

export function setKey(o: Record<string, unknown>, k: string, v: unknown) {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function int(v: number | string): number | string {
  if (typeof v === 'number') return v;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;  // beyond 2^53: the exact digits, as text
}

export function decodeAnyValue(v: AnyValueJson | null | undefined, depth = 0): Decoded {
  if (!v || typeof v !== 'object' || depth > 64) return null;
  if ('string_value' in v) return String(v.string_value ?? '');
  if ('bool_value' in v) return Boolean(v.bool_value);
  if ('int_value' in v && v.int_value !== undefined) return int(v.int_value);
  if ('double_value' in v && v.double_value !== undefined) return typeof v.double_value === 'number' ? v.double_value : Number(v.double_value);
  if ('bytes_value' in v) return String(v.bytes_value ?? '');
  if (v.array_value) return (v.array_value.values ?? []).map((x) => decodeAnyValue(x, depth + 1));
  if (v.kvlist_value) {
    const o: Record<string, Decoded> = {};
    for (const kv of v.kvlist_value.values ?? []) setKey(o, String(kv.key), decodeAnyValue(kv.value, depth + 1));
    return o;
  }
  return null;
}

// JSON text to a value, or the text itself when it is not JSON.
export function parseJsonOr(s: string): unknown {
  try { return JSON.parse(s); } catch { return s; }
}

// A span's (or event's) attributes as [key, value] pairs in their order. `jsonEncoded`: in
// MLflow's stored dict form span attribute values are JSON text (event attributes are not).
export function attributeList(attrs: KeyValueJson[] | Record<string, unknown> | undefined, jsonEncoded = true): [string, unknown][] {
  if (!attrs || typeof attrs !== 'object') return [];
  if (Array.isArray(attrs)) return attrs.filter((kv) => kv && typeof kv.key === 'string').map((kv) => [kv.key, decodeAnyValue(kv.value)]);
  return Object.entries(attrs).map(([k, v]) => [k, jsonEncoded && typeof v === 'string' ? parseJsonOr(v) : v]);
}

// One attribute's value without decoding the others (a span type for 10,000 tree rows).
export function attributeValue(attrs: KeyValueJson[] | Record<string, unknown> | undefined, key: string, jsonEncoded = true): unknown {
  if (!attrs || typeof attrs !== 'object') return undefined;
  if (Array.isArray(attrs)) {
    for (const kv of attrs) if (kv && kv.key === key) return decodeAnyValue(kv.value);
    return undefined;
  }
  if (!Object.prototype.hasOwnProperty.call(attrs, key)) return undefined;
  const v = (attrs as Record<string, unknown>)[key];
  return jsonEncoded && typeof v === 'string' ? parseJsonOr(v) : v;
}
