// A trace's flat span list as a tree: parent by parent_span_id (base64 or hex ids), children in
// start-time order. Spans whose parent is not in the trace (partial traces, lost spans) and spans
// caught in a parent cycle become roots marked `orphan`; a trace may have several roots. Iterative
// throughout: a 10,000-deep chain of spans must not overflow the stack.
import type { SpanJson } from '../traceapi';
import { attributeValue } from './anyvalue';

export interface SpanNode {
  key: string;              // unique in the tree: the hex span id (a repeated id gets "#n")
  id: string;               // hex span id as sent
  parentId: string | null;  // hex
  span: SpanJson;
  name: string;
  type: string;             // mlflow.spanType ('' when absent)
  status: string;           // OK | ERROR | UNSET
  start: number;            // ns (a double: ~256 ns precision at today's epoch, plenty for display)
  end: number | null;       // null: not ended
  depth: number;
  parent: SpanNode | null;
  children: SpanNode[];
  orphan: boolean;
}

const HEX = /^[0-9a-f]+$/i;

// base64 (MLflow's JSON) or hex (stored spans, OTLP/JSON) id -> lowercase hex; '' for none.
export function hexId(id: string | null | undefined): string {
  if (!id) return '';
  if ((id.length === 16 || id.length === 32) && HEX.test(id)) return id.toLowerCase();
  try {
    const bin = atob(id);
    let out = '';
    for (let i = 0; i < bin.length; i++) out += bin.charCodeAt(i).toString(16).padStart(2, '0');
    return out;
  } catch { return id; }
}

export function nanos(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && n > 0 ? n : null;
}

export function statusName(code: string | undefined): string {
  const c = (code ?? '').replace(/^STATUS_CODE_/, '');
  return c === 'OK' || c === 'ERROR' ? c : 'UNSET';
}

const byStart = (a: SpanNode, b: SpanNode) => a.start - b.start || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export function buildSpanTree(spans: SpanJson[]): { roots: SpanNode[]; byKey: Map<string, SpanNode>; size: number } {
  const byKey = new Map<string, SpanNode>();
  const byId = new Map<string, SpanNode>();  // first span of each id
  const nodes: SpanNode[] = [];
  for (const span of spans) {
    if (!span || typeof span !== 'object') continue;
    const id = hexId(span.span_id);
    let key = id || '?';
    for (let n = 2; byKey.has(key); n++) key = `${id || '?'}#${n}`;
    const type = attributeValue(span.attributes, 'mlflow.spanType');
    const node: SpanNode = {
      key, id, parentId: hexId(span.parent_span_id) || null, span, name: String(span.name ?? ''),
      type: typeof type === 'string' ? type : '', status: statusName(span.status?.code),
      start: nanos(span.start_time_unix_nano) ?? 0, end: nanos(span.end_time_unix_nano),
      depth: 0, parent: null, children: [], orphan: false,
    };
    nodes.push(node);
    byKey.set(key, node);
    if (id && !byId.has(id)) byId.set(id, node);
  }
  const roots: SpanNode[] = [];
  for (const n of nodes) {
    const p = n.parentId ? byId.get(n.parentId) : undefined;
    if (p && p !== n) { n.parent = p; p.children.push(n); }
    else { roots.push(n); n.orphan = n.parentId !== null; }
  }
  // Depths from the roots; whatever is not reached sits on a parent cycle: cut it there.
  const seen = new Set<SpanNode>();
  const visit = (root: SpanNode) => {
    const stack: SpanNode[] = [root];
    root.depth = 0;
    while (stack.length) {
      const n = stack.pop()!;
      seen.add(n);
      n.children.sort(byStart);
      for (const c of n.children) { c.depth = n.depth + 1; stack.push(c); }
    }
  };
  roots.sort(byStart);
  for (const r of roots) visit(r);
  for (const n of nodes) {
    if (seen.has(n)) continue;
    if (n.parent) n.parent.children = n.parent.children.filter((c) => c !== n);
    n.parent = null;
    n.orphan = true;
    roots.push(n);
    visit(n);
  }
  roots.sort(byStart);
  return { roots, byKey, size: nodes.length };
}

// The rows a tree view shows: pre-order, children of collapsed nodes left out.
export function visibleRows(roots: SpanNode[], collapsed: Set<string>): SpanNode[] {
  const out: SpanNode[] = [];
  const stack = [...roots].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    if (!collapsed.has(n.key)) for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
  }
  return out;
}

// Collapsed set with every ancestor of `node` expanded (to reveal a selected span).
export function expandTo(node: SpanNode, collapsed: Set<string>): Set<string> {
  let out = collapsed;
  for (let p = node.parent; p; p = p.parent) {
    if (out.has(p.key)) { if (out === collapsed) out = new Set(collapsed); out.delete(p.key); }
  }
  return out;
}

// Nodes below `depth` collapsed: big traces open with their top levels only.
export function collapseBelow(roots: SpanNode[], depth: number): Set<string> {
  const out = new Set<string>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.children.length && n.depth >= depth) out.add(n.key);
    else for (const c of n.children) stack.push(c);
  }
  return out;
}
