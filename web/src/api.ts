// The REST API the UI uses: MLflow's, under <prefix>/ajax-api/2.0/mlflow (mlflow-api.md), and
// Sextant's own /api/2.0/sextant (login, tokens). JSON bodies always carry
// Content-Type: application/json (cookie sessions need it, with the browser's Origin, as CSRF proof).

export const PREFIX = new URL(/* @vite-ignore */ '..', import.meta.url).pathname.replace(/\/$/, '');
const AJAX = PREFIX + '/ajax-api/2.0/mlflow';
export const AJAX3 = PREFIX + '/ajax-api/3.0/mlflow';  // MLflow 3's routes (traces: traceapi.ts)
const SEXTANT = '/api/2.0/sextant';

export interface KV { key: string; value: string }
export interface Experiment {
  experiment_id: string; name: string; artifact_location: string; lifecycle_stage: string;
  creation_time?: number; last_update_time?: number; tags?: KV[];
}
export interface Metric { key: string; value: number | string; timestamp: number; step: number; run_id?: string }
export interface RunInfo {
  run_id: string; run_name?: string; experiment_id: string; user_id: string; status: string;
  start_time: number; end_time?: number; artifact_uri?: string; lifecycle_stage: string;
}
export interface DatasetInput { tags?: KV[]; dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile?: string } }
export interface Run {
  info: RunInfo;
  data: { metrics?: Metric[]; params?: KV[]; tags?: KV[] };
  inputs?: { dataset_inputs?: DatasetInput[]; model_inputs?: { model_id: string }[] };
  outputs?: { model_outputs?: { model_id: string; step: number }[] };
}
export interface FileInfo { path: string; is_dir: boolean; file_size?: number }
export interface ModelVersion {
  name: string; version: string; creation_timestamp?: number; last_updated_timestamp?: number; current_stage?: string;
  description?: string; source?: string; run_id?: string; status?: string; tags?: KV[]; aliases?: string[]; model_id?: string;
}
export interface RegisteredModel {
  name: string; creation_timestamp?: number; last_updated_timestamp?: number; description?: string;
  latest_versions?: ModelVersion[]; tags?: KV[]; aliases?: { alias: string; version: string }[];
}
export interface LoggedModel {
  info: { model_id: string; experiment_id: string; name: string; creation_timestamp_ms?: number; last_updated_timestamp_ms?: number;
    artifact_uri?: string; status?: string; source_run_id?: string; model_type?: string; tags?: KV[] };
  data?: { params?: KV[]; metrics?: Metric[] };
}
export interface Principal { username: string; email?: string; is_admin: boolean; method: string; local_account?: boolean; groups?: string[] }
export interface Token { token_id: string; name: string; created_ms?: number; expires_ms?: number; last_used_ms?: number; revoked_ms?: number }

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) { super(message); }
}

export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  const r = await fetch(url, init);
  // Successful answers go straight from bytes to objects (metric histories run to megabytes);
  // the API always answers JSON, at least "{}".
  if (r.ok && r.headers.get('Content-Length') !== '0') {
    try { return (await r.json()) as T; } catch { throw new ApiError(r.status, 'BAD_RESPONSE', 'The server sent an answer that is not JSON.'); }
  }
  const text = await r.text();
  let json: any = {};
  try { json = text ? JSON.parse(text) : {}; } catch { json = { message: text.slice(0, 200) }; }
  if (!r.ok) throw new ApiError(r.status, json.error_code || String(r.status), json.message || `HTTP ${r.status}`);
  return json as T;
}

export type Query = Record<string, string | number | undefined | (string | number)[]>;
export function qs(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, String(x));
  }
  const s = p.toString();
  return s ? '?' + s : '';
}

export const get = <T>(path: string, q: Query = {}) => request<T>('GET', AJAX + path + qs(q));
export const post = <T>(path: string, body: unknown = {}) => request<T>('POST', AJAX + path, body);
export const patch = <T>(path: string, body: unknown = {}) => request<T>('PATCH', AJAX + path, body);
export const del = <T>(path: string, body?: unknown, q: Query = {}) => request<T>('DELETE', AJAX + path + qs(q), body);

export const sextant = {
  whoami: () => request<Principal>('GET', SEXTANT + '/whoami'),
  tokens: () => request<{ tokens?: Token[] }>('GET', SEXTANT + '/tokens/list'),
  createToken: (name: string, expires_in_days: number) =>
    request<{ secret: string; token: Token }>('POST', SEXTANT + '/tokens/create', { name, expires_in_days }),
  revokeToken: (token_id: string) => request<object>('POST', SEXTANT + '/tokens/revoke', { token_id }),
};

// The browser logout: a same-origin JSON POST (a foreign page cannot sign the browser out);
// answers where to go next (the identity provider's end-session page, or the UI).
export const logout = () => request<{ location: string }>('POST', PREFIX + '/auth/logout', {});

// A run's file for <img src> and download links.
export const artifactUrl = (runId: string, path: string) => PREFIX + '/get-artifact' + qs({ run_id: runId, path });
export const loggedModelFileUrl = (modelId: string, path: string) =>
  AJAX + '/logged-models/' + encodeURIComponent(modelId) + '/artifacts/files' + qs({ artifact_file_path: path });

export async function fetchText(url: string, limit: number): Promise<{ text: string; truncated: boolean }> {
  const r = await fetch(url, { credentials: 'same-origin' });
  if (!r.ok) throw new ApiError(r.status, String(r.status), `HTTP ${r.status}`);
  const buf = await r.arrayBuffer();
  const truncated = buf.byteLength > limit;
  return { text: new TextDecoder().decode(truncated ? buf.slice(0, limit) : buf), truncated };
}

export interface SearchRunsResponse { runs?: Run[]; next_page_token?: string }
export function searchRuns(body: {
  experiment_ids: string[]; filter?: string; run_view_type?: string; max_results?: number; order_by?: string[]; page_token?: string;
}) {
  return post<SearchRunsResponse>('/runs/search', body);
}

// Metric history of up to 100 runs for one key, sampled to max_results steps (MLflow's algorithm).
export async function bulkHistory(runIds: string[], key: string, maxResults: number, range?: [number, number]) {
  const q: Query = { run_ids: runIds, metric_key: key, max_results: maxResults };
  if (range) { q.start_step = Math.floor(range[0]); q.end_step = Math.ceil(range[1]); }
  const r = await get<{ metrics?: Metric[] }>('/metrics/get-history-bulk-interval', q);
  return r.metrics ?? [];
}

export async function fullHistory(runId: string, key: string): Promise<Metric[]> {
  const out: Metric[] = [];
  let token: string | undefined;
  do {
    const r = await get<{ metrics?: Metric[]; next_page_token?: string }>('/metrics/get-history',
      { run_id: runId, metric_key: key, max_results: 25000, page_token: token });
    out.push(...(r.metrics ?? []));
    token = r.next_page_token;
  } while (token);
  return out;
}
