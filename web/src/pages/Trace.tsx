// One trace (#/traces/<trace_id>?span=<id>&tab=..): GetTrace with its spans as a tree with a
// waterfall (virtualized: 10,000 spans stay cheap), the selected span's inputs, outputs,
// attributes, events and status pretty-printed; the trace's tags and metadata; its assessments
// with add and edit (feedback: name, value, rationale); links to its experiment and run.
import { useMemo, useState } from 'preact/hooks';
import { get, type Experiment } from '../api';
import { ClipText, JsonView } from '../components/JsonView';
import { VirtualGrid, type GridColumn } from '../components/VirtualGrid';
import { attributeList, attributeValue } from '../lib/anyvalue';
import { fmtDuration, fmtTime } from '../lib/format';
import { buildSpanTree, expandTo, nanos, visibleRows, type SpanNode } from '../lib/spantree';
import { assessmentKind, assessmentValue, durationMs, experimentOf, parseUserValue, sourceRun, timeMs, tokenUsage, traceName,
  valueToInput } from '../lib/traceinfo';
import { bar, fmtNanos, ticks, timeRange, type TimeRange } from '../lib/waterfall';
import { href, navigate } from '../router';
import { createAssessment, getTrace, updateAssessment, type Assessment, type Trace } from '../traceapi';
import { ErrorMsg, KVTable, Loading, PromptDialog, Tabs, useAsync } from '../ui';

type Tab = 'spans' | 'assessments' | 'info';
const TRACK = 340;  // waterfall track width in px
const INPUTS = 'mlflow.spanInputs', OUTPUTS = 'mlflow.spanOutputs';

export function TracePage({ id, query, user }: { id: string; query: URLSearchParams; user?: string }) {
  const trace = useAsync(() => getTrace(id), [id]);
  const expId = trace.data ? experimentOf(trace.data.trace_info) : undefined;
  const exp = useAsync(() => (expId ? get<{ experiment: Experiment }>('/experiments/get', { experiment_id: expId }) : Promise.resolve(null)), [expId]);
  const tab = (['spans', 'assessments', 'info'].includes(query.get('tab') ?? '') ? query.get('tab') : 'spans') as Tab;
  const setQuery = (q: Record<string, string | undefined>) => navigate(href(['traces', id], { tab: tab === 'spans' ? undefined : tab, span: query.get('span') ?? undefined, ...q }), true);
  if (trace.error) return <ErrorMsg error={trace.error} />;
  if (!trace.data) return <Loading what="Loading trace" />;
  const t = trace.data, info = t.trace_info;
  const run = sourceRun(info), usage = tokenUsage(info), ms = durationMs(info.execution_duration);
  const assessments = info.assessments ?? [];
  return (
    <section aria-labelledby="trace-name">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href(['experiments'])}>Experiments</a> /{' '}
        {expId && <><a href={href(['experiments', expId])}>{exp.data?.experiment.name ?? 'Experiment ' + expId}</a> /{' '}
          <a href={href(['experiments', expId], { tab: 'traces' })}>Traces</a> /</>}
      </nav>
      <div class="toolbar">
        <h1 id="trace-name" data-testid="trace-title">{traceName(info) || info.trace_id}</h1>
        <span class={'status ' + (info.state ?? '').toLowerCase()}>{info.state}</span>
        <span class="muted mono">{info.trace_id}</span>
      </div>
      <div class="toolbar trace-facts">
        <span>Requested {fmtTime(timeMs(info.request_time))}</span>
        {ms !== undefined && <span>Latency {fmtDuration(Math.round(ms))}</span>}
        {usage && <span title={`input ${usage.input ?? '?'}, output ${usage.output ?? '?'}`}>Tokens {usage.total}</span>}
        <span>{(t.spans ?? []).length} spans</span>
        {run && <span>Run <a href={href(['runs', run])} data-testid="trace-run" class="mono">{run}</a></span>}
      </div>
      <Tabs label="Trace sections" value={tab} onChange={(x) => setQuery({ tab: x === 'spans' ? undefined : x })}
        tabs={[['spans', 'Spans'], ['assessments', `Assessments (${assessments.length})`], ['info', 'Tags and metadata']]} />
      <div role="tabpanel" class="panel">
        {tab === 'spans' && <SpansView trace={t} selected={query.get('span')} onSelect={(key) => setQuery({ span: key })} />}
        {tab === 'assessments' && <Assessments traceId={info.trace_id} list={assessments} user={user} onChanged={trace.reload} />}
        {tab === 'info' && (
          <>
            <h2>Tags</h2>
            <KVTable caption="Trace tags" rows={Object.entries(info.tags ?? {}).map(([k, v]) => [k, <ClipText text={v} />])} empty="No tags." />
            <h2>Metadata</h2>
            <KVTable caption="Trace metadata" rows={Object.entries(info.trace_metadata ?? {}).map(([k, v]) => [k, <ClipText text={v} />])} empty="No metadata." />
            {info.request_preview !== undefined && <><h2>Request preview</h2><JsonView value={info.request_preview} /></>}
            {info.response_preview !== undefined && <><h2>Response preview</h2><JsonView value={info.response_preview} /></>}
          </>
        )}
      </div>
    </section>
  );
}

function SpansView({ trace, selected, onSelect }: { trace: Trace; selected: string | null; onSelect: (key: string) => void }) {
  const traceId = trace.trace_info.trace_id;
  const tree = useMemo(() => buildSpanTree(trace.spans ?? []), [trace]);
  const range = useMemo(() => timeRange([...tree.byKey.values()]), [tree]);
  const [collapsed, setCollapsed] = useState<Set<string>>(() => {
    const n = selected ? tree.byKey.get(selected) : undefined;
    return n ? expandTo(n, new Set()) : new Set();
  });
  const rows = useMemo(() => visibleRows(tree.roots, collapsed), [tree, collapsed]);
  const current = (selected && tree.byKey.get(selected)) || tree.roots[0];
  if (!tree.size) return <p class="muted">This trace has no spans (yet).</p>;
  const toggle = (n: SpanNode) => setCollapsed((s) => { const c = new Set(s); c.has(n.key) ? c.delete(n.key) : c.add(n.key); return c; });
  const axis = ticks(range, TRACK);
  const columns: GridColumn<SpanNode>[] = [
    { id: 'span', label: 'Span', width: 320, title: 'Span', cell: (n) => (
      <span class="spanname" style={{ paddingLeft: Math.min(n.depth, 40) * 14 + 'px' }}>
        {n.children.length ? <button class="ghost tiny" aria-expanded={!collapsed.has(n.key)}
          aria-label={`${collapsed.has(n.key) ? 'Expand' : 'Collapse'} ${n.name}`} onClick={() => toggle(n)}>{collapsed.has(n.key) ? '▸' : '▾'}</button>
          : <span class="tree-spacer" />}
        <a class="span-select" href={href(['traces', traceId], { span: n.key })} aria-current={n === current ? 'true' : undefined}
          onClick={(e) => { e.preventDefault(); onSelect(n.key); }}>{n.name || '(unnamed)'}</a>
        {n.type && n.type !== 'UNKNOWN' && <span class="kind">{n.type}</span>}
        {n.orphan && <span class="badge" title={`parent span ${n.parentId} is not in this trace`}>orphan</span>}
      </span>) },
    { id: 'dur', label: 'Duration', width: 80, title: 'Duration', className: 'num', cell: (n) => (n.end === null ? 'open' : fmtNanos(n.end - n.start)) },
    { id: 'timeline', label: 'Timeline', width: TRACK + 16, title: (
      <div class="wf-axis" aria-hidden="true">{axis.filter((x) => x.x <= TRACK - 40).map((x) => <span key={x.x} style={{ left: x.x + 'px' }}>{x.label}</span>)}</div>),
      cell: (n) => { const b = bar(range, n.start, n.end, TRACK); return (
        <div class="wf-track" title={`${n.name}: starts at ${fmtNanos(n.start - range.start)}, ${n.end === null ? 'not ended' : fmtNanos(n.end - n.start)}`}>
          <div class={'wf-bar ' + n.status.toLowerCase() + (b.open ? ' open' : '')} style={{ left: b.left + 'px', width: b.width + 'px' }} />
        </div>); } },
  ];
  return (
    <div class="trace-split">
      <div>
        <p class="muted small" data-testid="span-count">{tree.size} spans{tree.roots.length > 1 ? ` · ${tree.roots.length} roots` : ''}</p>
        <VirtualGrid label="Span tree" testId="span-tree" columns={columns} rows={rows} rowKey={(n) => n.key} frozen={1} height="65vh"
          rowClass={(n) => (n === current ? 'selected' : '')} onRowClick={(n) => onSelect(n.key)} revealRow={current ? rows.indexOf(current) : undefined} />
      </div>
      {current && <SpanDetails key={current.key} node={current} range={range} />}
    </div>
  );
}

function SpanDetails({ node, range }: { node: SpanNode; range: TimeRange }) {
  const s = node.span;
  const attrs = attributeList(s.attributes).filter(([k]) => k !== INPUTS && k !== OUTPUTS);
  const inputs = attributeValue(s.attributes, INPUTS), outputs = attributeValue(s.attributes, OUTPUTS);
  return (
    <div class="span-details" data-testid="span-details" aria-label="Span details" role="region">
      <h2 data-testid="span-title">{node.name || '(unnamed)'}</h2>
      <KVTable caption="Span" rows={[
        ['Span ID', <span class="mono">{node.id}</span>],
        ['Parent', <span class="mono">{node.parentId ?? ''}</span>],
        ['Type', node.type],
        ['Status', <span><span class={'status ' + node.status.toLowerCase()}>{node.status}</span>{s.status?.message ? <> <ClipText text={s.status.message} /></> : null}</span>],
        ['Start', `+${fmtNanos(node.start - range.start)}`],
        ['Duration', node.end === null ? 'not ended' : fmtNanos(node.end - node.start)],
      ]} />
      <h3>Inputs</h3>
      {inputs === undefined ? <p class="muted">None.</p> : <JsonView value={inputs} testId="span-inputs" />}
      <h3>Outputs</h3>
      {outputs === undefined ? <p class="muted">None.</p> : <JsonView value={outputs} testId="span-outputs" />}
      <h3>Attributes</h3>
      <div data-testid="span-attributes">
        <KVTable caption="Span attributes" rows={attrs.map(([k, v]) => [k, <JsonView value={v} />])} empty="No attributes." />
      </div>
      <h3>Events</h3>
      {(s.events ?? []).length === 0 ? <p class="muted">No events.</p> : (
        <ul class="events" data-testid="span-events">
          {(s.events ?? []).map((e, i) => (
            <li key={i}>
              <strong>{e.name ?? ''}</strong>{' '}
              <span class="muted">{(() => { const t = nanos(e.time_unix_nano); return t === null ? '' : '+' + fmtNanos(t - range.start); })()}</span>
              <JsonView value={Object.fromEntries(attributeList(e.attributes, false))} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Assessments({ traceId, list, user, onChanged }: { traceId: string; list: Assessment[]; user?: string; onChanged: () => void }) {
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Assessment | null>(null);
  return (
    <>
      {list.length === 0 ? <p class="muted">No assessments.</p> : (
        <table class="list" data-testid="assessments">
          <caption class="sr-only">Assessments</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Value</th><th scope="col">Rationale</th>
            <th scope="col">Source</th><th scope="col">Updated</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
          <tbody>{list.map((a) => (
            <tr key={a.assessment_id} class={a.valid === false ? 'deleted' : ''}>
              <th scope="row">{a.assessment_name}{a.valid === false && <span class="badge" title="overridden by a newer assessment">overridden</span>}</th>
              <td>{assessmentKind(a)}</td>
              <td>{a.feedback?.error ? <span class="error">{a.feedback.error.error_code}: <ClipText text={a.feedback.error.error_message ?? ''} /></span> : <JsonView value={assessmentValue(a)} />}</td>
              <td>{a.rationale ? <ClipText text={a.rationale} /> : ''}</td>
              <td>{[a.source?.source_type, a.source?.source_id].filter(Boolean).join(': ')}</td>
              <td>{fmtTime(timeMs(a.last_update_time ?? a.create_time))}</td>
              <td class="actions"><button class="small" aria-label={`Edit assessment ${a.assessment_name}`} onClick={() => setEditing(a)}>Edit</button></td>
            </tr>))}
          </tbody>
        </table>
      )}
      <div class="row" style={{ marginTop: '8px' }}><button onClick={() => setAdding(true)}>Add feedback</button></div>
      <PromptDialog open={adding} title="Add feedback" submit="Add" onClose={() => setAdding(false)}
        fields={[{ name: 'name', label: 'Name' }, { name: 'value', label: 'Value (JSON or text)' }, { name: 'rationale', label: 'Rationale' }]}
        onSubmit={async (v) => {
          await createAssessment(traceId, { assessment_name: v.name.trim(), source: { source_type: 'HUMAN', source_id: user || 'sextant-ui' },
            feedback: { value: parseUserValue(v.value) }, rationale: v.rationale || undefined });
          onChanged();
        }} />
      {editing && (
        <PromptDialog open title={`Edit assessment ${editing.assessment_name}`} submit="Save" onClose={() => setEditing(null)}
          fields={[{ name: 'name', label: 'Name', value: editing.assessment_name }, { name: 'value', label: 'Value (JSON or text)', value: valueToInput(assessmentValue(editing)) },
            ...(editing.expectation ? [] : [{ name: 'rationale', label: 'Rationale', value: editing.rationale ?? '' }])]}
          onSubmit={async (v) => {
            const value = parseUserValue(v.value);
            if (editing.expectation) {
              // MLflow's client sends lists, objects and null as serialized JSON (rest-traces.md §3.4).
              const expectation = value !== null && typeof value !== 'object' ? { value }
                : { serialized_value: { serialization_format: 'JSON_FORMAT', value: JSON.stringify(value) } };
              await updateAssessment(traceId, editing.assessment_id, { assessment_name: v.name.trim(), expectation }, ['assessmentName', 'expectation']);
            } else {
              await updateAssessment(traceId, editing.assessment_id, { assessment_name: v.name.trim(), feedback: { value }, rationale: v.rationale },
                ['assessmentName', 'feedback', 'rationale']);
            }
            onChanged();
          }} />
      )}
    </>
  );
}
