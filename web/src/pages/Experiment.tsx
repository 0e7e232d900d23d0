// One experiment: the runs table (server-side filter, sort and page tokens; virtualized rows
// and columns), the chart view and its logged models. Table state lives in the URL and is
// remembered per experiment.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, post, searchRuns, type Experiment, type Run } from '../api';
import { ColumnPicker } from '../components/ColumnPicker';
import { FilterBox } from '../components/FilterBox';
import { VirtualGrid, type GridColumn } from '../components/VirtualGrid';
import { ChartsView } from '../components/ChartsView';
import { toCsv } from '../lib/csv';
import type { Keys } from '../lib/filter';
import { fmtDuration, fmtNumber, fmtTime, tagValue } from '../lib/format';
import { colId, DEFAULT_STATE, orderKey, parseOrder, queryToState, recall, remember, stateToQuery, type Col, type TableState } from '../lib/tablestate';
import { href, navigate } from '../router';
import { download, ErrorMsg, Loading, PromptDialog, Tabs, useAsync } from '../ui';
import { LoggedModelsView } from './LoggedModels';
import { TracesView } from './Traces';

// The first page is small (rows appear sooner); scrolling fetches bigger pages (page tokens are offsets).
const FIRST_PAGE = 100;
const PAGE = 500;
const VIEW = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' } as const;

interface Indexed { m: Map<string, number | string>; p: Map<string, string>; t: Map<string, string> }
const cache = new WeakMap<Run, Indexed>();
export function indexed(r: Run): Indexed {
  let x = cache.get(r);
  if (!x) {
    x = { m: new Map(), p: new Map(), t: new Map() };
    for (const m of r.data.metrics ?? []) x.m.set(m.key, m.value);
    for (const p of r.data.params ?? []) x.p.set(p.key, p.value);
    for (const t of r.data.tags ?? []) x.t.set(t.key, t.value);
    cache.set(r, x);
  }
  return x;
}
export const runName = (r: Run) => r.info.run_name || tagValue(r.data.tags, 'mlflow.runName') || r.info.run_id.slice(0, 8);
export function colValue(r: Run, c: Col): number | string | undefined {
  const x = indexed(r);
  return c.kind === 'm' ? x.m.get(c.key) : c.kind === 'p' ? x.p.get(c.key) : x.t.get(c.key);
}

export function collectKeys(runs: Run[], into?: Keys): Keys {
  const m = new Set(into?.metrics), p = new Set(into?.params), t = new Set(into?.tags);
  for (const r of runs) {
    for (const x of r.data.metrics ?? []) m.add(x.key);
    for (const x of r.data.params ?? []) p.add(x.key);
    for (const x of r.data.tags ?? []) if (!x.key.startsWith('mlflow.')) t.add(x.key);
  }
  const sort = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { metrics: sort(m), params: sort(p), tags: sort(t) };
}

function useTableState(experimentId: string, query: URLSearchParams): [TableState, (s: Partial<TableState>) => void] {
  const fromUrl = queryToState(query);
  const state = fromUrl ?? recall(experimentId) ?? DEFAULT_STATE;
  useEffect(() => {
    if (!fromUrl) {
      const stored = recall(experimentId);
      if (stored) navigate(href(['experiments', experimentId], stateToQuery(stored)), true);
    } else remember(experimentId, fromUrl);
  }, [experimentId, query.toString()]);
  const set = (s: Partial<TableState>) => {
    const next = { ...state, ...s };
    remember(experimentId, next);
    navigate(href(['experiments', experimentId], stateToQuery(next)), true);
  };
  return [state, set];
}

export function ExperimentPage({ id, query }: { id: string; query: URLSearchParams }) {
  const exp = useAsync(() => get<{ experiment: Experiment }>('/experiments/get', { experiment_id: id }), [id]);
  const [state, setState] = useTableState(id, query);
  // The models and traces tabs keep the runs table's state in the URL beside their own.
  const tab = query.get('tab') === 'models' || query.get('tab') === 'traces' ? query.get('tab')! : state.tab;
  const otherTab = (t: string, extra: Record<string, string | undefined> = {}) =>
    navigate(href(['experiments', id], { ...Object.fromEntries(stateToQuery(state)), tab: t, ...extra }), true);
  return (
    <section aria-labelledby="exp-name">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href(['experiments'])}>Experiments</a> /</nav>
      <div class="toolbar">
        <h1 id="exp-name">{exp.data?.experiment.name ?? (exp.error ? 'Experiment ' + id : '…')}</h1>
        {exp.data?.experiment.lifecycle_stage === 'deleted' && <span class="badge">deleted</span>}
        <span class="muted mono">ID {id}</span>
        {exp.data && <span class="muted mono" title="Artifact location">{exp.data.experiment.artifact_location}</span>}
      </div>
      <ErrorMsg error={exp.error} />
      <Tabs label="Experiment views" value={tab as string}
        tabs={[['table', 'Runs'], ['charts', 'Charts'], ['traces', 'Traces'], ['models', 'Logged models']]}
        onChange={(t) => t === 'models' || t === 'traces' ? otherTab(t) : setState({ tab: t as TableState['tab'] })} />
      {tab === 'models' ? <LoggedModelsView experimentId={id} initial={query.get('model') ?? undefined} />
        : tab === 'traces' ? <TracesView experimentIds={[id]} filter={query.get('tfilter') ?? ''} order={query.get('torder') ?? ''}
          onChange={(s) => otherTab('traces', { tfilter: s.filter ?? query.get('tfilter') ?? undefined, torder: s.order ?? query.get('torder') ?? undefined })} />
        : <RunsView experimentId={id} state={state} setState={setState} />}
    </section>
  );
}

function RunsView({ experimentId, state, setState }: { experimentId: string; state: TableState; setState: (s: Partial<TableState>) => void }) {
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [token, setToken] = useState<string | undefined>();
  const [error, setError] = useState<Error | null>(null);
  const [keys, setKeys] = useState<Keys>({ metrics: [], params: [], tags: [] });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [picker, setPicker] = useState(false);
  const [tagDialog, setTagDialog] = useState(false);
  const [nested, setNested] = useState(true);
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [gen, setGen] = useState(0);
  const loading = useRef(false);
  const reqId = useRef(0);

  const orderBy = state.order ? [state.order] : ['attributes.start_time DESC'];
  async function load(pageToken?: string) {
    if (loading.current && pageToken) return;
    loading.current = true;
    const my = ++reqId.current;
    try {
      const r = await searchRuns({ experiment_ids: [experimentId], filter: state.filter || undefined, run_view_type: VIEW[state.view],
        max_results: pageToken ? PAGE : FIRST_PAGE, order_by: orderBy, page_token: pageToken });
      if (my !== reqId.current) return;
      const page = r.runs ?? [];
      setRuns((old) => (pageToken && old ? [...old, ...page] : page));
      setKeys((k) => collectKeys(page, pageToken ? k : undefined));
      setToken(r.next_page_token);
      setError(null);
    } catch (e) {
      if (my === reqId.current) { setError(e as Error); if (!pageToken) setRuns([]); }
    } finally { if (my === reqId.current) loading.current = false; }
  }
  useEffect(() => { setSelected(new Set()); load(); }, [experimentId, state.filter, state.order, state.view, gen]);

  const cols: Col[] = state.cols.length ? state.cols
    : [...keys.metrics.slice(0, 6).map((key) => ({ kind: 'm' as const, key })), ...keys.params.slice(0, 6).map((key) => ({ kind: 'p' as const, key }))];

  // Nested runs: children (tag mlflow.parentRunId) follow their loaded parent, collapsible.
  const { rows, depth, childCount } = useMemo(() => {
    const depth = new Map<string, number>();
    const childCount = new Map<string, number>();
    if (!runs || !nested) return { rows: runs ?? [], depth, childCount };
    const ids = new Set(runs.map((r) => r.info.run_id));
    const children = new Map<string, Run[]>();
    const top: Run[] = [];
    for (const r of runs) {
      const parent = indexed(r).t.get('mlflow.parentRunId');
      if (parent && ids.has(parent) && parent !== r.info.run_id) {
        const list = children.get(parent) ?? [];
        list.push(r);
        children.set(parent, list);
      } else top.push(r);
    }
    const out: Run[] = [];
    const seen = new Set<string>();
    const walk = (r: Run, d: number) => {
      if (seen.has(r.info.run_id)) return;
      seen.add(r.info.run_id);
      out.push(r);
      depth.set(r.info.run_id, d);
      const kids = children.get(r.info.run_id);
      if (kids) {
        childCount.set(r.info.run_id, kids.length);
        if (expanded.has(r.info.run_id)) for (const k of kids) walk(k, d + 1);
      }
    };
    for (const r of top) walk(r, 0);
    return { rows: out, depth, childCount };
  }, [runs, nested, expanded]);

  const sortState = parseOrder(state.order || 'attributes.start_time DESC');
  const sortable = (key: string) => ({
    sort: (sortState.key === key ? (sortState.desc ? 'desc' : 'asc') : 'none') as 'asc' | 'desc' | 'none',
    onSort: () => setState({ order: `${key} ${sortState.key === key && sortState.desc ? 'ASC' : 'DESC'}` }),
  });
  const allSelected = runs !== null && runs.length > 0 && selected.size === runs.length;
  const toggle = (id: string) => setSelected((s) => { const n = new Set(s); n.has(id) ? n.delete(id) : n.add(id); return n; });

  const columns: GridColumn<Run>[] = [
    { id: 'sel', label: 'Select', width: 36, title: <input type="checkbox" aria-label="Select all loaded runs" checked={allSelected}
        onChange={() => setSelected(allSelected ? new Set() : new Set((runs ?? []).map((r) => r.info.run_id)))} />,
      cell: (r) => <input type="checkbox" aria-label={`Select run ${runName(r)}`} checked={selected.has(r.info.run_id)} onChange={() => toggle(r.info.run_id)} /> },
    { id: 'name', label: 'Run name', width: 240, title: 'Run name', ...sortable('attributes.run_name'),
      cell: (r) => {
        const d = depth.get(r.info.run_id) ?? 0, kids = childCount.get(r.info.run_id);
        return (
          <span class="runname" style={{ paddingLeft: d * 16 + 'px' }}>
            {kids ? <button class="ghost tiny" aria-expanded={expanded.has(r.info.run_id)} aria-label={`${expanded.has(r.info.run_id) ? 'Collapse' : 'Expand'} ${kids} child runs`}
              onClick={() => setExpanded((s) => { const n = new Set(s); n.has(r.info.run_id) ? n.delete(r.info.run_id) : n.add(r.info.run_id); return n; })}>
              {expanded.has(r.info.run_id) ? '▾' : '▸'}{kids}</button> : d > 0 ? <span class="muted">↳ </span> : null}
            <a href={href(['runs', r.info.run_id])}>{runName(r)}</a>
          </span>
        );
      } },
    { id: 'status', label: 'Status', width: 90, title: 'Status', ...sortable('attributes.status'), cell: (r) => <span class={'status ' + r.info.status.toLowerCase()}>{r.info.status}</span> },
    { id: 'start', label: 'Created', width: 165, title: 'Created', ...sortable('attributes.start_time'), cell: (r) => fmtTime(r.info.start_time) },
    { id: 'dur', label: 'Duration', width: 90, title: 'Duration', cell: (r) => r.info.end_time ? fmtDuration(r.info.end_time - r.info.start_time) : '' },
    { id: 'user', label: 'User', width: 100, title: 'User', ...sortable('attributes.user_id'), cell: (r) => r.info.user_id },
    ...cols.map((c): GridColumn<Run> => ({
      id: colId(c), label: `${c.kind === 'm' ? 'metric' : c.kind === 'p' ? 'param' : 'tag'} ${c.key}`, width: c.kind === 't' ? 160 : 120,
      className: c.kind === 'm' ? 'num' : '',
      title: <><span class={'kind ' + c.kind}>{c.kind === 'm' ? 'M' : c.kind === 'p' ? 'P' : 'T'}</span>{c.key}</>,
      ...sortable(orderKey(c)),
      cell: (r) => { const v = colValue(r, c); return c.kind === 'm' ? fmtNumber(v) : (v as string | undefined) ?? ''; },
    })),
  ];

  const exportCsv = () => {
    const list = selected.size ? (runs ?? []).filter((r) => selected.has(r.info.run_id)) : runs ?? [];
    const header = ['run_id', 'run_name', 'status', 'start_time', 'end_time', 'user_id', ...cols.map((c) => (c.kind === 'm' ? 'metrics.' : c.kind === 'p' ? 'params.' : 'tags.') + c.key)];
    const body = list.map((r) => [r.info.run_id, runName(r), r.info.status, new Date(r.info.start_time).toISOString(),
      r.info.end_time ? new Date(r.info.end_time).toISOString() : '', r.info.user_id, ...cols.map((c) => colValue(r, c))]);
    download(`runs-${experimentId}.csv`, toCsv(header, body));
  };
  const bulk = async (path: string) => {
    try {
      for (const id of selected) await post(path, { run_id: id });
      setGen((g) => g + 1);
    } catch (e) { setError(e as Error); }
  };

  if (state.tab === 'charts') {
    return (
      <>
        <div class="toolbar"><FilterBox value={state.filter} keys={keys} onApply={(filter) => setState({ filter })} /></div>
        <ErrorMsg error={error} />
        {runs === null ? <Loading what="Loading runs" /> : <ChartsView key={experimentId} runs={runs.filter((r) => !selected.size || selected.has(r.info.run_id))} metricKeys={keys.metrics} experimentId={experimentId} />}
      </>
    );
  }
  return (
    <>
      <div class="toolbar">
        <FilterBox value={state.filter} keys={keys} onApply={(filter) => setState({ filter })} />
        <label>Show{' '}
          <select value={state.view} onChange={(e) => setState({ view: e.currentTarget.value as TableState['view'] })}>
            <option value="active">Active</option><option value="deleted">Deleted</option><option value="all">All</option>
          </select>
        </label>
        <label class="check"><input type="checkbox" checked={nested} onChange={() => setNested(!nested)} /> Group nested runs</label>
        <button onClick={() => setPicker(true)}>Columns…</button>
        <button onClick={exportCsv} disabled={!runs?.length}>Export CSV</button>
      </div>
      <div class="toolbar" aria-live="polite">
        <span class="muted" data-testid="run-count">{runs ? `${runs.length}${token ? '+' : ''} runs` : ''}{selected.size ? ` · ${selected.size} selected` : ''}</span>
        {selected.size > 0 && (
          <>
            <button onClick={() => navigate(href(['compare'], { runs: [...selected].slice(0, 100).join(','), experiment: experimentId }))} disabled={selected.size < 2}>Compare</button>
            <button onClick={() => setTagDialog(true)}>Set tag</button>
            {state.view !== 'active' && <button onClick={() => bulk('/runs/restore')}>Restore</button>}
            {state.view !== 'deleted' && <button class="danger" onClick={() => confirm(`Delete ${selected.size} runs?`) && bulk('/runs/delete')}>Delete</button>}
          </>
        )}
      </div>
      <ErrorMsg error={error} />
      {runs === null ? <Loading what="Loading runs" /> : runs.length === 0 && !error ? <p class="muted">No runs match.</p> : (
        <VirtualGrid label="Runs" columns={columns} rows={rows} rowKey={(r) => r.info.run_id} frozen={2}
          onNearEnd={() => token && load(token)} rowClass={(r) => (selected.has(r.info.run_id) ? 'selected' : '') + (r.info.lifecycle_stage === 'deleted' ? ' deleted' : '')} />
      )}
      <ColumnPicker open={picker} onClose={() => setPicker(false)} keys={keys} cols={cols} onChange={(c) => setState({ cols: c })} />
      <PromptDialog open={tagDialog} title={`Set a tag on ${selected.size} runs`} submit="Set tag"
        fields={[{ name: 'key', label: 'Key' }, { name: 'value', label: 'Value' }]} onClose={() => setTagDialog(false)}
        onSubmit={async (v) => {
          for (const id of selected) await post('/runs/set-tag', { run_id: id, key: v.key, value: v.value });
          setGen((g) => g + 1);
        }} />
    </>
  );
}
