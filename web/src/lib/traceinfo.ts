// What the traces table and trace page show of a TraceInfoV3 (rest-traces.md §3.1): times
// (RFC 3339 request_time, protobuf Duration "1.5s"), name, token usage, source run, user tags,
// assessment values; and the value a user types for a feedback.
import type { Assessment, TraceInfo } from '../traceapi';
import { oneLine } from './pretty';

// "2.001s" / "0.000123s" / "3s" -> ms; undefined when absent or malformed.
export function durationMs(d: string | number | undefined): number | undefined {
  if (d === undefined || d === null) return undefined;
  const s = typeof d === 'number' ? d : /^(-?\d+(?:\.\d+)?)s$/.exec(d.trim())?.[1];
  const n = Number(s);
  return s === undefined || !Number.isFinite(n) ? undefined : Math.round(n * 1e9) / 1e6;  // whole ns: no 0.12300000000000001
}

export function timeMs(t: string | number | undefined): number | undefined {
  if (t === undefined || t === null || t === '') return undefined;
  const n = typeof t === 'number' ? t : Date.parse(t);
  return Number.isFinite(n) ? n : undefined;
}

export const traceName = (t: TraceInfo) => t.tags?.['mlflow.traceName'] ?? '';
export const sourceRun = (t: TraceInfo) => t.trace_metadata?.['mlflow.sourceRun'];
export const experimentOf = (t: TraceInfo) => t.trace_location?.mlflow_experiment?.experiment_id;

export interface TokenUsage { input?: number; output?: number; total?: number }
export function tokenUsage(t: TraceInfo): TokenUsage | undefined {
  const raw = t.trace_metadata?.['mlflow.trace.tokenUsage'];
  if (!raw) return undefined;
  try {
    const u = JSON.parse(raw);
    if (!u || typeof u !== 'object') return undefined;
    const num = (x: unknown) => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
    const out = { input: num(u.input_tokens), output: num(u.output_tokens), total: num(u.total_tokens) };
    if (out.total === undefined && (out.input !== undefined || out.output !== undefined)) out.total = (out.input ?? 0) + (out.output ?? 0);
    return out.total === undefined ? undefined : out;
  } catch { return undefined; }
}

// Tags a user set (not MLflow's own `mlflow.*`), sorted by key.
export const userTags = (tags: Record<string, string> | undefined): [string, string][] =>
  Object.entries(tags ?? {}).filter(([k]) => !k.startsWith('mlflow.')).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function assessmentKind(a: Assessment): 'feedback' | 'expectation' {
  return a.expectation ? 'expectation' : 'feedback';
}

export function assessmentValue(a: Assessment): unknown {
  if (a.feedback) return a.feedback.value ?? null;
  const e = a.expectation;
  if (!e) return null;
  if (e.serialized_value?.value !== undefined) {
    try { return JSON.parse(e.serialized_value.value); } catch { return e.serialized_value.value; }
  }
  return e.value ?? null;
}

export const assessmentText = (a: Assessment) => (a.feedback?.error ? 'error: ' + (a.feedback.error.error_code ?? '') : oneLine(assessmentValue(a), 80));

// What a user typed as a value: JSON when it is JSON (4, true, {"a": 1}, "quoted"), else the text.
export function parseUserValue(text: string): unknown {
  const t = text.trim();
  if (t === '') return '';
  try { return JSON.parse(t); } catch { return text; }
}

// The value back as the user would type it (strings bare unless they would read as JSON).
export function valueToInput(v: unknown): string {
  if (typeof v === 'string') return parseUserValue(v) === v ? v : JSON.stringify(v);
  try { return JSON.stringify(v) ?? ''; } catch { return String(v); }
}
