import { useEffect, useState } from 'preact/hooks';
import { artifactUrl, fullHistory, get, post, type Experiment, type Metric, type Run } from '../api';
import { ArtifactBrowser, runLister } from '../components/Artifacts';
import { colorFor, MetricChart } from '../components/MetricChart';
import { fmtDuration, fmtNumber, fmtTime, tagValue } from '../lib/format';
import { href, navigate } from '../router';
import { ErrorMsg, KVTable, Loading, PromptDialog, Tabs, useAsync } from '../ui';
import { runName } from './Experiment';
import { TracesView } from './Traces';
import { runFilter } from '../lib/tracefilter';

type Tab = 'overview' | 'params' | 'metrics' | 'tags' | 'inputs' | 'artifacts' | 'traces';

function MetricHistory({ runId, metricKey }: { runId: string; metricKey: string }) {
  const [data, setData] = useState<Metric[] | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [logY, setLogY] = useState(false);
  useEffect(() => { setData(null); fullHistory(runId, metricKey).then(setData, setError); }, [runId, metricKey]);
  if (error) return <ErrorMsg error={error} />;
  if (!data) return <Loading what="Loading history" />;
  const pts = [...data].sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
  const xs: number[] = [], ys: number[] = [];
  for (const m of pts) {
    const y = typeof m.value === 'number' ? m.value : Number(m.value);
    if (xs.length && xs[xs.length - 1] === m.step) ys[ys.length - 1] = y; else { xs.push(m.step); ys.push(y); }
  }
  return (
    <div>
      <label class="check"><input type="checkbox" checked={logY} onChange={() => setLogY(!logY)} /> Log scale</label>
      <span class="muted"> {data.length} values</span>
      <MetricChart title={metricKey} series={[{ label: metricKey, color: colorFor(runId), xs, ys }]} xMode="step" logY={logY} smoothing={0} height={280} />
    </div>
  );
}

function Description({ run, onSaved }: { run: Run; onSaved: () => void }) {
  const note = tagValue(run.data.tags, 'mlflow.note.content') ?? '';
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(note);
  const [error, setError] = useState<Error | null>(null);
  if (!editing) {
    return (
      <div class="description">
        {note ? <p class="prewrap" data-testid="description">{note}</p> : <p class="muted">No description.</p>}
        <button class="small" onClick={() => { setText(note); setEditing(true); }}>Edit description</button>
      </div>
    );
  }
  return (
    <form class="stack" onSubmit={async (e) => {
      e.preventDefault();
      try { await post('/runs/set-tag', { run_id: run.info.run_id, key: 'mlflow.note.content', value: text }); setEditing(false); onSaved(); }
      catch (err) { setError(err as Error); }
    }}>
      <label>Description<textarea rows={5} value={text} onInput={(e) => setText(e.currentTarget.value)} autoFocus /></label>
      <ErrorMsg error={error} />
      <div class="row"><button type="submit" class="primary">Save</button><button type="button" onClick={() => setEditing(false)}>Cancel</button></div>
    </form>
  );
}

export function RunPage({ id, query }: { id: string; query: URLSearchParams }) {
  const run = useAsync(() => get<{ run: Run }>('/runs/get', { run_id: id }).then((r) => r.run), [id]);
  const expId = run.data?.info.experiment_id;
  const exp = useAsync(() => (expId ? get<{ experiment: Experiment }>('/experiments/get', { experiment_id: expId }) : Promise.resolve(null)), [expId]);
  const tab = (query.get('tab') as Tab) || 'overview';
  const metricKey = query.get('metric');
  const [tagDialog, setTagDialog] = useState(false);
  const setTab = (t: Tab) => navigate(href(['runs', id], { tab: t }), true);
  if (run.error) return <ErrorMsg error={run.error} />;
  if (!run.data) return <Loading what="Loading run" />;
  const r = run.data;
  const tags = (r.data.tags ?? []).filter((t) => t.key !== 'mlflow.note.content');
  const parent = tagValue(r.data.tags, 'mlflow.parentRunId');
  return (
    <section aria-labelledby="run-name">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href(['experiments'])}>Experiments</a> / <a href={href(['experiments', r.info.experiment_id])}>{exp.data?.experiment.name ?? 'Experiment ' + r.info.experiment_id}</a> /
      </nav>
      <div class="toolbar">
        <h1 id="run-name" data-testid="run-title">{runName(r)}</h1>
        <span class={'status ' + r.info.status.toLowerCase()}>{r.info.status}</span>
        {r.info.lifecycle_stage === 'deleted' && <span class="badge">deleted</span>}
      </div>
      <Tabs label="Run sections" value={tab} onChange={setTab}
        tabs={[['overview', 'Overview'], ['params', `Parameters (${r.data.params?.length ?? 0})`], ['metrics', `Metrics (${r.data.metrics?.length ?? 0})`],
          ['tags', `Tags (${tags.length})`], ['inputs', 'Inputs'], ['artifacts', 'Artifacts'], ['traces', 'Traces']]} />
      <div role="tabpanel" class="panel">
        {tab === 'overview' && (
          <>
            <KVTable caption="Run overview" rows={[
              ['Run ID', <span class="mono">{r.info.run_id}</span>],
              ['Experiment', <a href={href(['experiments', r.info.experiment_id])}>{r.info.experiment_id}</a>],
              ['Status', r.info.status],
              ['Started', fmtTime(r.info.start_time)],
              ['Ended', fmtTime(r.info.end_time)],
              ['Duration', r.info.end_time ? fmtDuration(r.info.end_time - r.info.start_time) : ''],
              ['User', r.info.user_id],
              ['Source', tagValue(r.data.tags, 'mlflow.source.name') ?? ''],
              ['Parent run', parent ? <a href={href(['runs', parent])}>{parent}</a> : ''],
              ['Artifact URI', <span class="mono">{r.info.artifact_uri ?? ''}</span>],
            ]} />
            <h2>Description</h2>
            <Description run={r} onSaved={run.reload} />
          </>
        )}
        {tab === 'params' && <KVTable caption="Parameters" rows={(r.data.params ?? []).map((p) => [p.key, <span class="prewrap">{p.value}</span>])} empty="No parameters." />}
        {tab === 'metrics' && (
          <>
            <table class="kv">
              <caption class="sr-only">Metrics (latest values)</caption>
              <thead><tr><th scope="col">Metric</th><th scope="col">Latest</th><th scope="col">Step</th><th scope="col">Logged</th></tr></thead>
              <tbody>{(r.data.metrics ?? []).map((m) => (
                <tr key={m.key} class={metricKey === m.key ? 'selected' : ''}>
                  <th scope="row"><a href={href(['runs', id], { tab: 'metrics', metric: m.key })}>{m.key}</a></th>
                  <td class="num">{fmtNumber(m.value)}</td><td class="num">{m.step}</td><td>{fmtTime(m.timestamp)}</td>
                </tr>))}
              </tbody>
            </table>
            {!r.data.metrics?.length && <p class="muted">No metrics.</p>}
            {metricKey && <MetricHistory runId={id} metricKey={metricKey} />}
          </>
        )}
        {tab === 'tags' && (
          <>
            <table class="kv" data-testid="tags">
              <caption class="sr-only">Tags</caption>
              <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
              <tbody>{tags.map((t) => (
                <tr key={t.key}><th scope="row">{t.key}</th><td class="prewrap">{t.value}</td>
                  <td><button class="small" aria-label={`Delete tag ${t.key}`} onClick={async () => { await post('/runs/delete-tag', { run_id: id, key: t.key }); run.reload(); }}>Delete</button></td></tr>))}
              </tbody>
            </table>
            <button onClick={() => setTagDialog(true)}>Add tag</button>
            <PromptDialog open={tagDialog} title="Set tag" submit="Set" fields={[{ name: 'key', label: 'Key' }, { name: 'value', label: 'Value' }]}
              onClose={() => setTagDialog(false)} onSubmit={async (v) => { await post('/runs/set-tag', { run_id: id, key: v.key, value: v.value }); run.reload(); }} />
          </>
        )}
        {tab === 'inputs' && (
          <>
            <h2>Datasets</h2>
            {r.inputs?.dataset_inputs?.length ? (
              <table class="list">
                <thead><tr><th scope="col">Name</th><th scope="col">Digest</th><th scope="col">Source type</th><th scope="col">Source</th><th scope="col">Context</th></tr></thead>
                <tbody>{r.inputs.dataset_inputs.map((d, i) => (
                  <tr key={i}><td>{d.dataset.name}</td><td class="mono">{d.dataset.digest}</td><td>{d.dataset.source_type}</td>
                    <td class="mono wrap">{d.dataset.source}</td><td>{tagValue(d.tags, 'mlflow.data.context') ?? ''}</td></tr>))}
                </tbody>
              </table>
            ) : <p class="muted">No datasets.</p>}
            <h2>Models</h2>
            {r.inputs?.model_inputs?.length || r.outputs?.model_outputs?.length ? (
              <ul>
                {r.inputs?.model_inputs?.map((m) => <li key={'i' + m.model_id}>input: <span class="mono">{m.model_id}</span></li>)}
                {r.outputs?.model_outputs?.map((m) => <li key={'o' + m.model_id}>output: <span class="mono">{m.model_id}</span> (step {m.step})</li>)}
              </ul>
            ) : <p class="muted">No model inputs or outputs.</p>}
          </>
        )}
        {tab === 'traces' && <TracesView experimentIds={[r.info.experiment_id]} baseFilter={runFilter(id)} showRun={false}
          filter={query.get('tfilter') ?? ''} order={query.get('torder') ?? ''}
          onChange={(s) => navigate(href(['runs', id], { tab: 'traces', tfilter: s.filter ?? query.get('tfilter') ?? undefined,
            torder: s.order ?? query.get('torder') ?? undefined }), true)} />}
        {tab === 'artifacts' && <ArtifactBrowser list={runLister(id)} url={(p) => artifactUrl(id, p)} initial={query.get('path') ?? undefined} />}
      </div>
    </section>
  );
}
