// The traces of an experiment (its Traces tab) or of a run (the run page's tab): SearchTracesV3
// with MLflow's trace filter grammar, server-side order and page tokens, in the virtualized grid.
// A row opens the trace page.
import { useEffect, useRef, useState } from 'preact/hooks';
import { FilterBox } from '../components/FilterBox';
import { VirtualGrid, type GridColumn } from '../components/VirtualGrid';
import { fmtDuration, fmtTime } from '../lib/format';
import { oneLine } from '../lib/pretty';
import { andFilters, collectTraceKeys, DEFAULT_TRACE_ORDER, EMPTY_KEYS, traceCompletions, TRACE_ORDER, type TraceKeys } from '../lib/tracefilter';
import { assessmentText, durationMs, sourceRun, timeMs, tokenUsage, traceName, userTags } from '../lib/traceinfo';
import { parseOrder } from '../lib/tablestate';
import { href, navigate } from '../router';
import { searchTraces, type TraceInfo } from '../traceapi';
import { ErrorMsg, Loading } from '../ui';

const FIRST_PAGE = 100;
const PAGE = 500;  // SearchTracesV3's maximum

export function TracesView({ experimentIds, baseFilter, filter, order, onChange, showRun = true }: {
  experimentIds: string[]; baseFilter?: string; filter: string; order: string;
  onChange: (s: { filter?: string; order?: string }) => void; showRun?: boolean;
}) {
  const [traces, setTraces] = useState<TraceInfo[] | null>(null);
  const [token, setToken] = useState<string | undefined>();
  const [error, setError] = useState<Error | null>(null);
  const [keys, setKeys] = useState<TraceKeys>(EMPTY_KEYS);
  const loading = useRef(false);
  const reqId = useRef(0);
  const orderBy = order || DEFAULT_TRACE_ORDER;

  async function load(pageToken?: string) {
    if (loading.current && pageToken) return;
    loading.current = true;
    const my = ++reqId.current;
    try {
      const r = await searchTraces({ experimentIds, filter: andFilters(baseFilter, filter) || undefined,
        max_results: pageToken ? PAGE : FIRST_PAGE, order_by: [orderBy], page_token: pageToken });
      if (my !== reqId.current) return;
      const page = r.traces ?? [];
      setTraces((old) => (pageToken && old ? [...old, ...page] : page));
      setKeys((k) => collectTraceKeys(page, pageToken ? k : EMPTY_KEYS));
      setToken(r.next_page_token || undefined);
      setError(null);
    } catch (e) {
      if (my === reqId.current) { setError(e as Error); if (!pageToken) setTraces([]); }
    } finally { if (my === reqId.current) loading.current = false; }
  }
  useEffect(() => { load(); }, [experimentIds.join(','), baseFilter, filter, orderBy]);

  const sortState = parseOrder(orderBy);
  const sortable = (key: string) => ({
    sort: (sortState.key === key ? (sortState.desc ? 'desc' : 'asc') : 'none') as 'asc' | 'desc' | 'none',
    onSort: () => onChange({ order: `${key} ${sortState.key === key && sortState.desc ? 'ASC' : 'DESC'}` }),
  });
  const columns: GridColumn<TraceInfo>[] = [
    { id: 'name', label: 'Trace', width: 200, title: 'Trace', ...sortable(TRACE_ORDER.name),
      cell: (t) => <a href={href(['traces', t.trace_id])} title={t.trace_id}>{traceName(t) || t.trace_id}</a> },
    { id: 'request', label: 'Request', width: 260, title: 'Request', cell: (t) => <span class="preview" title={oneLine(t.request_preview ?? '', 1000)}>{oneLine(t.request_preview ?? '')}</span> },
    { id: 'response', label: 'Response', width: 260, title: 'Response', cell: (t) => <span class="preview" title={oneLine(t.response_preview ?? '', 1000)}>{oneLine(t.response_preview ?? '')}</span> },
    { id: 'state', label: 'State', width: 90, title: 'State', ...sortable(TRACE_ORDER.state),
      cell: (t) => <span class={'status ' + (t.state ?? '').toLowerCase()}>{t.state ?? ''}</span> },
    { id: 'time', label: 'Request time', width: 165, title: 'Request time', ...sortable(TRACE_ORDER.time), cell: (t) => fmtTime(timeMs(t.request_time)) },
    { id: 'latency', label: 'Latency', width: 90, title: 'Latency', className: 'num', ...sortable(TRACE_ORDER.latency),
      cell: (t) => { const ms = durationMs(t.execution_duration); return ms === undefined ? '' : fmtDuration(Math.round(ms)); } },
    { id: 'tokens', label: 'Tokens', width: 80, title: 'Tokens', className: 'num',
      cell: (t) => { const u = tokenUsage(t); return u ? <span title={`input ${u.input ?? '?'}, output ${u.output ?? '?'}`}>{u.total}</span> : ''; } },
    { id: 'tags', label: 'Tags', width: 200, title: 'Tags',
      cell: (t) => <span class="chips">{userTags(t.tags).map(([k, v]) => <span key={k} class="badge" title={`${k} = ${v}`}>{k}={oneLine(v, 40)}</span>)}</span> },
    { id: 'assessments', label: 'Assessments', width: 220, title: 'Assessments',
      cell: (t) => <span class="chips">{(t.assessments ?? []).filter((a) => a.valid !== false).map((a) =>
        <span key={a.assessment_id} class="badge" title={a.rationale ?? ''}>{a.assessment_name}: {assessmentText(a)}</span>)}</span> },
    ...(showRun ? [{ id: 'run', label: 'Run', width: 120, title: 'Run',
      cell: (t: TraceInfo) => { const r = sourceRun(t); return r ? <a class="mono" href={href(['runs', r])}>{r.slice(0, 8)}</a> : ''; } }] : []),
    { id: 'id', label: 'Trace ID', width: 290, title: 'Trace ID', cell: (t) => <span class="mono">{t.trace_id}</span> },
  ];

  return (
    <div data-testid="traces-view">
      <div class="toolbar">
        <FilterBox id="trace-filter" label="Filter traces (MLflow trace search syntax)" value={filter}
          placeholder="trace.status = 'OK' AND tags.env = 'prod'" complete={(tok) => traceCompletions(tok, keys)}
          onApply={(f) => onChange({ filter: f })} />
      </div>
      <div class="toolbar" aria-live="polite">
        <span class="muted" data-testid="trace-count">{traces ? `${traces.length}${token ? '+' : ''} traces` : ''}</span>
      </div>
      <ErrorMsg error={error} />
      {traces === null ? <Loading what="Loading traces" /> : traces.length === 0 && !error ? <p class="muted">No traces match.</p> : (
        <VirtualGrid label="Traces" testId="traces-grid" columns={columns} rows={traces} rowKey={(t) => t.trace_id} frozen={1}
          onNearEnd={() => token && load(token)} onRowClick={(t) => navigate(href(['traces', t.trace_id]))} />
      )}
    </div>
  );
}
