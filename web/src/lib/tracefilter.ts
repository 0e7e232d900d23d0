// MLflow's trace filter grammar (rest-traces.md §6: `trace.status = 'OK' AND tags.env = 'prod'`,
// `span.name LIKE '%llm%'`, `feedback.quality = '4'`, `run_id = '<run>'`, `trace.text LIKE '%x%'`):
// key completions for the filter box, string literals, combining clauses with AND, and the
// order_by keys of the traces table's sortable columns.
import type { TraceInfo } from '../traceapi';

export interface TraceKeys { tags: string[]; metadata: string[]; feedback: string[]; expectation: string[] }

const ATTRIBUTES = ['trace.name', 'trace.status', 'trace.timestamp_ms', 'trace.execution_time_ms', 'trace.end_time_ms',
  'trace.run_id', 'trace.request_id', 'trace.client_request_id', 'trace.text',
  'span.name', 'span.type', 'span.status', 'span.content', 'span.attributes.'];

export const EMPTY_KEYS: TraceKeys = { tags: [], metadata: [], feedback: [], expectation: [] };

export function collectTraceKeys(traces: TraceInfo[], into: TraceKeys = EMPTY_KEYS): TraceKeys {
  const t = new Set(into.tags), m = new Set(into.metadata), f = new Set(into.feedback), e = new Set(into.expectation);
  for (const tr of traces) {
    for (const k of Object.keys(tr.tags ?? {})) t.add(k);
    for (const k of Object.keys(tr.trace_metadata ?? {})) m.add(k);
    for (const a of tr.assessments ?? []) (a.expectation ? e : f).add(a.assessment_name);
  }
  const sort = (s: Set<string>) => [...s].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { tags: sort(t), metadata: sort(m), feedback: sort(f), expectation: sort(e) };
}

// `<entity>.<key>`: the key is split off at the first dot, so dotted keys (mlflow.sourceRun) need
// no quoting; anything beyond word characters and dots goes in backticks.
export function traceKey(entity: string, key: string): string {
  return entity + '.' + (/^[\w.]+$/.test(key) ? key : '`' + key.replace(/`/g, '``') + '`');
}

export function traceCompletions(token: string, keys: TraceKeys, limit = 20): string[] {
  const all = [...ATTRIBUTES];
  for (const k of keys.tags) all.push(traceKey('tags', k));
  for (const k of keys.metadata) all.push(traceKey('metadata', k));
  for (const k of keys.feedback) all.push(traceKey('feedback', k));
  for (const k of keys.expectation) all.push(traceKey('expectation', k));
  const t = token.toLowerCase();
  if (!t) return all.slice(0, limit);
  const starts = all.filter((c) => c.toLowerCase().startsWith(t));
  const contains = all.filter((c) => !c.toLowerCase().startsWith(t) && c.toLowerCase().includes(t));
  return [...starts, ...contains].slice(0, limit);
}

// A string literal: single quotes, or double quotes when the value holds a single quote.
export function quoteString(v: string): string {
  if (!v.includes("'")) return `'${v}'`;
  if (!v.includes('"')) return `"${v}"`;
  return `'${v.replace(/'/g, "''")}'`;
}

// Clauses joined with AND (the grammar has no OR); empty ones dropped.
export function andFilters(...clauses: (string | undefined | null)[]): string {
  return clauses.map((c) => (c ?? '').trim()).filter(Boolean).join(' AND ');
}

export const runFilter = (runId: string) => 'run_id = ' + quoteString(runId);

// The traces table's sortable columns and their order_by keys.
export const TRACE_ORDER = { time: 'timestamp_ms', latency: 'execution_time_ms', state: 'status', name: 'name' } as const;
export const DEFAULT_TRACE_ORDER = 'timestamp_ms DESC';
