// MLflow's UI links mapped to Sextant's pages. MLflow 3.6's hash routes (server/js/src/
// experiment-tracking/routes.ts, model-registry/routes.ts) and the links its Python client prints
// (after every run `<tracking uri>/#/experiments/<id>/runs/<run_id>`, after an evaluation
// `.../evaluation-runs?selectedRunUuid=<run_id>`) land on the Sextant page that
// shows the same thing; where Sextant has no such page, on the nearest one (the run, experiment
// or model), never the experiment list. Contract: `mlflowTarget` returns null for a route that is
// already Sextant's own (or unknown: the app shows "Page not found"), else the route to show
// instead. It never throws, whatever the hash holds.

import { safeDecode } from './uri';

export interface Target { path: string[]; query?: Record<string, string | undefined> }

const MAX_RUNS = 100;

// A JSON array of ids as MLflow writes them (`["a","b"]`); a plain comma list is accepted too.
export function idList(v: string | null): string[] {
  if (!v) return [];
  let items: unknown[];
  try {
    const parsed: unknown = JSON.parse(v);
    items = Array.isArray(parsed) ? parsed : [parsed];
  } catch { items = v.split(','); }
  return items.filter((x) => typeof x === 'string' || typeof x === 'number')
    .map((x) => String(x).trim()).filter(Boolean).slice(0, MAX_RUNS);
}

// A JSON string as MLflow writes it (`"loss"`), else the raw value.
function jsonString(v: string | null): string | undefined {
  if (!v) return undefined;
  try { const s: unknown = JSON.parse(v); if (typeof s === 'string') return s; } catch { /* raw */ }
  return v;
}

// A run page's tab path (`/model-metrics`, `/artifacts/<path>`, legacy `/artifactPath/<path>`, ...).
function runTarget(runId: string, rest: string[]): Target {
  const [tab, ...sub] = rest;
  if (tab === 'artifacts' || tab === 'artifactPath') return { path: ['runs', runId], query: { tab: 'artifacts', path: sub.join('/') || undefined } };
  if (tab === 'model-metrics' || tab === 'system-metrics') return { path: ['runs', runId], query: { tab: 'metrics' } };
  if (tab === 'traces') return { path: ['runs', runId], query: { tab: 'traces' } };
  return { path: ['runs', runId] };  // overview, evaluations: the run's overview
}

// MLflow's runs-table query (searchFilter, orderByKey/orderByAsc, lifecycleFilter, compareRunsMode)
// as Sextant's (filter, order, view, tab); MLflow-only facets (startTime, datasets, shared view
// state) are dropped.
const MLFLOW_TABLE_KEYS = ['searchFilter', 'orderByKey', 'orderByAsc', 'startTime', 'lifecycleFilter', 'modelVersionFilter',
  'datasetsFilter', 'compareRunsMode', 'viewStateShareKey', 'isComparingRuns', 'isPreview'];
const SEXTANT_TABLE_KEYS = ['filter', 'order', 'cols', 'view', 'tab'];

export function tableQuery(q: URLSearchParams): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of SEXTANT_TABLE_KEYS) if (q.has(k)) out[k] = q.get(k) ?? undefined;
  const filter = q.get('searchFilter');
  if (filter) out.filter = filter;
  const orderKey = q.get('orderByKey');
  if (orderKey) out.order = `${orderKey} ${q.get('orderByAsc') === 'true' ? 'ASC' : 'DESC'}`;
  const lifecycle = q.get('lifecycleFilter')?.toLowerCase();
  if (lifecycle === 'deleted') out.view = 'deleted';
  const mode = q.get('compareRunsMode');
  if (mode === 'CHART') out.tab = 'charts';
  else if (mode === 'TABLE') out.tab = 'table';
  else if (mode === 'MODELS') out.tab = 'models';
  return out;
}

function experimentTarget(id: string, rest: string[], q: URLSearchParams): Target | null {
  const [tab, sub, ...more] = rest;
  if (tab === 'runs' && sub) return runTarget(sub, more);
  // What mlflow.genai.evaluate prints: `#/experiments/<id>/evaluation-runs?selectedRunUuid=<run_id>`.
  const selected = q.get('selectedRunUuid');
  if (selected) return { path: ['runs', selected] };
  // A trace opened in MLflow's traces table (`?selectedTraceId=`, the GenAI table's
  // `?selectedEvaluationId=`): the trace page; the traces tab itself: Sextant's traces tab.
  const trace = q.get('selectedTraceId') || q.get('selectedEvaluationId');
  if (trace) return { path: ['traces', trace] };
  if (tab === 'traces') return { path: ['experiments', id], query: { tab: 'traces' } };
  if (tab === 'models' && sub) return { path: ['experiments', id], query: { tab: 'models', model: sub } };
  if (tab === 'models') return { path: ['experiments', id], query: { tab: 'models' } };
  if (tab === 'prompts' && sub) return { path: ['models', sub] };
  if (!tab && !MLFLOW_TABLE_KEYS.some((k) => q.has(k))) return null;  // Sextant's own form
  // The runs tab, `/s` (search), evaluation runs, datasets, chat sessions, ...: the runs table.
  return { path: ['experiments', id], query: tableQuery(q) };
}

function compareTarget(runs: string[], experiments: string[], extra: Record<string, string> = {}): Target {
  if (!runs.length) return experiments.length ? { path: ['experiments', experiments[0]] } : { path: ['experiments'] };
  return { path: ['compare'], query: { runs: runs.join(','), experiment: experiments[0], ...extra } };
}

// `#/metric/<key>?runs=[...]&metric="<key>"&experiments=[...]` (MLflow puts the key in `metric`;
// older links in the path): one run's metric history, or the runs' charts of that metric.
function metricTarget(rest: string[], q: URLSearchParams): Target {
  const key = jsonString(q.get('metric')) ?? (rest.length ? rest.join('/') : undefined);
  const runs = idList(q.get('runs'));
  const experiments = idList(q.get('experiments'));
  if (runs.length === 1) return { path: ['runs', runs[0]], query: { tab: 'metrics', metric: key } };
  if (runs.length > 1) return compareTarget(runs, experiments, key ? { tab: 'charts', metric: key } : { tab: 'charts' });
  return experiments.length ? { path: ['experiments', experiments[0]], query: { tab: 'charts' } } : { path: ['experiments'] };
}

// `#/compare-model-versions?name="<encoded name>"&runs={"<run_id>":"<version>",...}`.
function compareVersionsTarget(q: URLSearchParams): Target {
  const raw = jsonString(q.get('name'));
  const name = raw === undefined ? undefined : safeDecode(raw);
  let runs: string[] = [];
  try {
    const parsed: unknown = JSON.parse(q.get('runs') ?? '');
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) runs = Object.keys(parsed).slice(0, MAX_RUNS);
  } catch { /* no runs */ }
  if (runs.length > 1) return compareTarget(runs, []);
  if (runs.length === 1) return { path: ['runs', runs[0]] };
  return name ? { path: ['models', name] } : { path: ['models'] };
}

export function mlflowTarget(path: string[], q: URLSearchParams): Target | null {
  const [section, id, ...rest] = path;
  switch (section) {
    case 'workspaces':  // a workspace-aware client's `#/workspaces/<ws>/experiments/...`: Sextant has one workspace
      return path.length > 2 ? mlflowTarget(path.slice(2), q) ?? { path: path.slice(2), query: Object.fromEntries(q) } : { path: ['experiments'] };
    case 'experiments':
      return id ? experimentTarget(id, rest, q) : null;
    case 'runs':
      return id && rest.length ? runTarget(id, rest) : null;
    case 'compare-runs':
      return compareTarget(idList(q.get('runs')), idList(q.get('experiments')));
    case 'metric':
      return metricTarget(path.slice(1), q);
    case 'compare-experiments': {
      const experiments = idList(q.get('experiments'));
      return experiments.length ? { path: ['experiments', experiments[0]], query: tableQuery(q) } : { path: ['experiments'] };
    }
    case 'models':
      if (!id || !rest.length) return null;
      return rest[0] === 'versions' && rest[1] ? { path: ['models', id], query: { version: rest[1] } } : { path: ['models', id] };
    case 'compare-model-versions':
      return compareVersionsTarget(q);
    case 'createModel':
      return { path: ['models'] };
    case 'prompts':  // prompts are registered models in Sextant's registry page
      return { path: id ? ['models', id] : ['models'] };
    default:
      return null;
  }
}
