// Pretty-printing of span inputs, outputs and attributes as a folded JSON tree (components/
// JsonView renders it as text nodes only): what a value is, its one-line summary when folded,
// its children a page at a time, long strings clipped, and strings that hold JSON opened as JSON.

export type Kind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

export const CLIP_CHARS = 400;        // a string longer than this shows its head and "show more"
export const PAGE_CHILDREN = 100;     // an object's or array's children are shown this many at a time
const MAX_JSON_TEXT = 5_000_000;      // a longer string is never parsed as JSON

export function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'object') return 'object';
  if (t === 'string') return 'string';
  if (t === 'number' || t === 'bigint') return 'number';
  if (t === 'boolean') return 'boolean';
  return 'string';
}

export function childCount(v: unknown): number {
  const k = kindOf(v);
  return k === 'array' ? (v as unknown[]).length : k === 'object' ? Object.keys(v as object).length : 0;
}

export function isContainer(v: unknown): boolean {
  const k = kindOf(v);
  return k === 'array' || k === 'object';
}

// `{3 keys}` / `[10 items]` for a folded container.
export function summary(v: unknown): string {
  const n = childCount(v);
  if (kindOf(v) === 'array') return `[${n} ${n === 1 ? 'item' : 'items'}]`;
  return `{${n} ${n === 1 ? 'key' : 'keys'}}`;
}

// Children [label, value] from `offset`, at most `limit`.
export function childrenOf(v: unknown, offset = 0, limit = PAGE_CHILDREN): [string, unknown][] {
  if (kindOf(v) === 'array') return (v as unknown[]).slice(offset, offset + limit).map((x, i) => [String(offset + i), x]);
  if (kindOf(v) === 'object') return Object.entries(v as object).slice(offset, offset + limit);
  return [];
}

// A primitive as JSON shows it (strings quoted and escaped).
export function literal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : JSON.stringify(String(v));
  return String(v);
}

// The shown head of a long text and how many characters are hidden (never splits a surrogate pair).
export function clip(text: string, limit = CLIP_CHARS): { head: string; hidden: number } {
  if (text.length <= limit) return { head: text, hidden: 0 };
  let end = limit;
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return { head: text.slice(0, end), hidden: text.length - end };
}

// A string holding a JSON object or array (a serialized chat message, a tool call) as that
// value; undefined when it is plain text.
export function jsonInString(s: string): unknown {
  const t = s.trim();
  if (t.length < 2 || t.length > MAX_JSON_TEXT) return undefined;
  const open = t[0], close = t[t.length - 1];
  if (!((open === '{' && close === '}') || (open === '[' && close === ']'))) return undefined;
  try { return JSON.parse(t); } catch { return undefined; }
}

// Containers are open by default near the top and when small; big or deep ones start folded.
export function openByDefault(v: unknown, depth: number): boolean {
  if (!isContainer(v)) return false;
  return depth < 1 || (depth < 3 && childCount(v) <= 20);
}

// One line of text for a table cell: strings as they are, other values as compact JSON, clipped.
export function oneLine(v: unknown, limit = 200): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else { try { s = JSON.stringify(v) ?? String(v); } catch { s = String(v); } }
  s = s.replace(/\s+/g, ' ');
  return s.length > limit ? clip(s, limit).head + '…' : s;
}
