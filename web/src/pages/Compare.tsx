// Run comparison: params/metrics/tags side by side (differences highlighted), overlaid metric
// charts and parallel coordinates over numeric params and metrics.
import { useState } from 'preact/hooks';
import { get, type Run } from '../api';
import { ChartsView, pool } from '../components/ChartsView';
import { colorFor } from '../components/MetricChart';
import { fmtNumber } from '../lib/format';
import { href } from '../router';
import { ErrorMsg, Loading, Tabs, useAsync } from '../ui';
import { collectKeys, indexed, runName } from './Experiment';

type Row = { group: string; key: string; values: (string | number | undefined)[] };

export function diffRows(runs: Run[]): Row[] {
  const keys = collectKeys(runs);
  const rows: Row[] = [];
  for (const k of keys.params) rows.push({ group: 'Parameter', key: k, values: runs.map((r) => indexed(r).p.get(k)) });
  for (const k of keys.metrics) rows.push({ group: 'Metric', key: k, values: runs.map((r) => indexed(r).m.get(k)) });
  for (const k of keys.tags) rows.push({ group: 'Tag', key: k, values: runs.map((r) => indexed(r).t.get(k)) });
  return rows;
}
export const differs = (r: Row) => r.values.some((v) => String(v) !== String(r.values[0]));

function Parallel({ runs, axes }: { runs: Run[]; axes: { label: string; get: (r: Run) => number | undefined }[] }) {
  if (axes.length < 2) return <p class="muted">Parallel coordinates need at least two numeric params or metrics.</p>;
  const W = Math.max(480, axes.length * 120), H = 300, pad = 30;
  const x = (i: number) => pad + (i * (W - 2 * pad)) / (axes.length - 1);
  const ranges = axes.map((a) => {
    const vs = runs.map(a.get).filter((v): v is number => v !== undefined && Number.isFinite(v));
    return [Math.min(...vs), Math.max(...vs)];
  });
  const scales = ranges.map(([lo, hi]) => (v: number) => (hi === lo ? H / 2 : H - pad - ((v - lo) / (hi - lo)) * (H - 2 * pad)));
  return (
    <svg class="parallel" width={W} height={H + 20} role="img" aria-label={`Parallel coordinates of ${runs.length} runs over ${axes.length} axes`}>
      {axes.map((a, i) => (
        <g key={a.label}>
          <line x1={x(i)} x2={x(i)} y1={pad} y2={H - pad} class="axis" />
          <text x={x(i)} y={pad - 8} text-anchor="middle" class="axis-value">{fmtNumber(ranges[i][1])}</text>
          <text x={x(i)} y={H - pad + 14} text-anchor="middle" class="axis-value">{fmtNumber(ranges[i][0])}</text>
          <text x={x(i)} y={H + 12} text-anchor="middle" class="axis-label">{a.label.length > 18 ? a.label.slice(0, 17) + '…' : a.label}</text>
        </g>
      ))}
      {runs.map((r) => {
        const pts = axes.map((a, i) => { const v = a.get(r); return v === undefined || !Number.isFinite(v) ? null : `${x(i)},${scales[i](v)}`; });
        return <polyline key={r.info.run_id} points={pts.filter(Boolean).join(' ')} fill="none" stroke={colorFor(r.info.run_id)} stroke-width="1.5"><title>{runName(r)}</title></polyline>;
      })}
    </svg>
  );
}

export function ComparePage({ query }: { query: URLSearchParams }) {
  const ids = (query.get('runs') ?? '').split(',').filter(Boolean).slice(0, 100);
  const runs = useAsync(() => pool(ids.map((id) => () => get<{ run: Run }>('/runs/get', { run_id: id }).then((r) => r.run)), 6), [ids.join(',')]);
  // `tab=charts&metric=<key>`: MLflow's metric page (#/metric/<key>?runs=...) opens on that chart.
  const [tab, setTab] = useState<'diff' | 'charts' | 'parallel'>(query.get('tab') === 'charts' ? 'charts' : 'diff');
  const metric = query.get('metric');
  const [onlyDiff, setOnlyDiff] = useState(false);
  if (runs.error) return <ErrorMsg error={runs.error} />;
  if (!runs.data) return <Loading what="Loading runs" />;
  const list = runs.data;
  const exp = query.get('experiment') ?? list[0]?.info.experiment_id;
  const rows = diffRows(list).filter((r) => !onlyDiff || differs(r));
  const keys = collectKeys(list);
  const numeric = (get: (r: Run) => string | number | undefined) => list.every((r) => { const v = get(r); return v === undefined || Number.isFinite(Number(v)); })
    && list.some((r) => get(r) !== undefined);
  const axes = [
    ...keys.params.filter((k) => numeric((r) => indexed(r).p.get(k))).map((k) => ({ label: k, get: (r: Run) => { const v = indexed(r).p.get(k); return v === undefined ? undefined : Number(v); } })),
    ...keys.metrics.map((k) => ({ label: k, get: (r: Run) => { const v = indexed(r).m.get(k); return v === undefined ? undefined : Number(v); } })),
  ].slice(0, 12);
  return (
    <section aria-labelledby="cmp-title">
      <nav class="crumbs" aria-label="Breadcrumb"><a href={href(['experiments'])}>Experiments</a> / {exp && <a href={href(['experiments', exp])}>Experiment {exp}</a>} /</nav>
      <h1 id="cmp-title">Comparing {list.length} runs</h1>
      <Tabs label="Comparison views" value={tab} onChange={setTab} tabs={[['diff', 'Table'], ['charts', 'Charts'], ['parallel', 'Parallel coordinates']]} />
      {tab === 'diff' && (
        <>
          <label class="check"><input type="checkbox" checked={onlyDiff} onChange={() => setOnlyDiff(!onlyDiff)} /> Only rows that differ</label>
          <div class="csv-wrap">
            <table class="list compare" data-testid="compare-table">
              <thead><tr><th scope="col">Kind</th><th scope="col">Key</th>{list.map((r) => <th scope="col" key={r.info.run_id}><a href={href(['runs', r.info.run_id])}>{runName(r)}</a></th>)}</tr></thead>
              <tbody>{rows.map((row) => (
                <tr key={row.group + row.key} class={differs(row) ? 'differs' : ''}>
                  <td class="muted">{row.group}</td><th scope="row">{row.key}</th>
                  {row.values.map((v, i) => <td key={i} class={row.group === 'Metric' ? 'num' : ''}>{row.group === 'Metric' ? fmtNumber(v) : v ?? ''}</td>)}
                </tr>))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {tab === 'charts' && <ChartsView runs={list} metricKeys={keys.metrics} experimentId={'compare'} initial={metric ? [metric] : undefined} />}
      {tab === 'parallel' && <div class="csv-wrap"><Parallel runs={list} axes={axes} /></div>}
    </section>
  );
}
