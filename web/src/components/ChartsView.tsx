// Metric charts for up to 100 runs, one chart per chosen metric, from
// get-history-bulk-interval (sampled steps; zooming into a step range fetches that range in
// full detail). X axis: step, wall time or time since the run started. Smoothing, log scale,
// runs shown/hidden, auto refresh while runs are RUNNING.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { bulkHistory, type Metric, type Run } from '../api';
import { colorFor, MetricChart, type Series, type XMode } from './MetricChart';
import { tagValue } from '../lib/format';
import { ErrorMsg } from '../ui';

export const MAX_RUNS = 100;
const POINTS = 320;  // sampled steps per chart, as MLflow's UI asks for

const nameOf = (r: Run) => r.info.run_name || tagValue(r.data.tags, 'mlflow.runName') || r.info.run_id.slice(0, 8);

// Runs at most `limit` tasks at once.
export async function pool<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) { const i = next++; out[i] = await tasks[i](); }
  }));
  return out;
}

export function toSeries(metrics: Metric[], runs: Run[], xMode: XMode, hidden: Set<string>): Series[] {
  const byRun = new Map<string, Metric[]>();
  for (const m of metrics) {
    const list = byRun.get(m.run_id!) ?? [];
    list.push(m);
    byRun.set(m.run_id!, list);
  }
  const out: Series[] = [];
  for (const r of runs) {
    if (hidden.has(r.info.run_id)) continue;
    const list = byRun.get(r.info.run_id);
    if (!list?.length) continue;
    if (xMode !== 'step') list.sort((a, b) => a.timestamp - b.timestamp || a.step - b.step);
    const xs: number[] = [], ys: number[] = [];
    let lastX = NaN;
    for (const m of list) {
      const x = xMode === 'step' ? m.step : xMode === 'time' ? m.timestamp / 1000 : (m.timestamp - r.info.start_time) / 1000;
      const y = typeof m.value === 'number' ? m.value : Number(m.value);
      if (x === lastX) { ys[ys.length - 1] = y; continue; }  // one point per x: the last logged
      xs.push(x); ys.push(y); lastX = x;
    }
    out.push({ label: nameOf(r), color: colorFor(r.info.run_id), xs, ys });
  }
  return out;
}

// `initial`: the metrics to chart instead of the remembered choice (a link to one metric).
export function ChartsView({ runs, metricKeys, experimentId, initial }: { runs: Run[]; metricKeys: string[]; experimentId: string; initial?: string[] }) {
  const shown = runs.slice(0, MAX_RUNS);
  const storeKey = 'sextant.charts.' + experimentId;
  const saved = useMemo(() => { try { return JSON.parse(localStorage.getItem(storeKey) || '{}'); } catch { return {}; } }, [experimentId]);
  const [chosen, setChosen] = useState<string[]>(initial ?? saved.metrics ?? []);
  const [xMode, setXMode] = useState<XMode>(saved.xMode ?? 'step');
  const [smoothing, setSmoothing] = useState<number>(saved.smoothing ?? 0);
  const [logY, setLogY] = useState<boolean>(saved.logY ?? false);
  const [range, setRange] = useState<[number, number] | null>(null);
  const [hidden, setHidden] = useState<Set<string>>(new Set());
  const [auto, setAuto] = useState(true);
  const [data, setData] = useState<Map<string, Metric[]>>(new Map());
  const [error, setError] = useState<Error | null>(null);
  const [tick, setTick] = useState(0);
  const metrics = (chosen.length ? chosen.filter((k) => metricKeys.includes(k)) : metricKeys.slice(0, 10));
  useEffect(() => { localStorage.setItem(storeKey, JSON.stringify({ metrics: chosen, xMode, smoothing, logY })); }, [chosen, xMode, smoothing, logY]);

  const ids = shown.map((r) => r.info.run_id);
  const idKey = ids.join(',');
  useEffect(() => {
    if (!ids.length || !metrics.length) { setData(new Map()); return; }
    let live = true;
    const started = performance.now();
    const r = xMode === 'step' ? range ?? undefined : undefined;
    // Each chart is drawn as soon as its metric arrives (the others keep what they showed).
    const wanted = new Set(metrics);
    setData((d) => new Map([...d].filter(([k]) => wanted.has(k))));
    pool(metrics.map((k) => () => bulkHistory(ids, k, POINTS, r).then((m) => { if (live) setData((d) => new Map(d).set(k, m)); })), 4)
      .then(() => {
        if (!live) return;
        setError(null);
        (window as any).__sextantChartsFetched = performance.now() - started;
      }, (e) => live && setError(e));
    return () => { live = false; };
  }, [idKey, metrics.join('\u0000'), range?.[0], range?.[1], xMode, tick]);

  const running = shown.some((r) => r.info.status === 'RUNNING');
  useEffect(() => {
    if (!running || !auto) return;
    const t = setInterval(() => setTick((x) => x + 1), 10000);
    return () => clearInterval(t);
  }, [running, auto]);

  // Series per metric, rebuilt only for metrics whose data (or the x axis, or hidden runs)
  // changed, so a chart arriving does not redraw the others. (A wall/relative-time zoom is
  // done by uPlot on the loaded points.)
  const cache = useRef(new Map<string, { src: Metric[]; hidden: Set<string>; xMode: XMode; out: Series[] }>());
  const series = useMemo(() => {
    const out = new Map<string, Series[]>();
    for (const [k, m] of data) {
      const c = cache.current.get(k);
      if (c && c.src === m && c.hidden === hidden && c.xMode === xMode) { out.set(k, c.out); continue; }
      const s = toSeries(m, shown, xMode, hidden);
      cache.current.set(k, { src: m, hidden, xMode, out: s });
      out.set(k, s);
    }
    return out;
  }, [data, hidden, xMode]);

  // Which series each chart has drawn: the view is "drawn" when every chart shows its latest data.
  const [drawn, setDrawn] = useState<Map<string, Series[]>>(new Map());
  const onDrawn = (k: string, s: Series[]) => setDrawn((d) => (d.get(k) === s ? d : new Map(d).set(k, s)));
  const allDrawn = metrics.length > 0 && metrics.every((k) => series.has(k) && drawn.get(k) === series.get(k));
  return (
    <div class="charts" data-testid="charts-view" data-drawn={allDrawn ? 'yes' : 'no'}>
      <div class="toolbar">
        <label>X axis{' '}
          <select value={xMode} onChange={(e) => { setXMode(e.currentTarget.value as XMode); setRange(null); }}>
            <option value="step">Step</option><option value="time">Wall time</option><option value="relative">Relative time</option>
          </select>
        </label>
        <label>Smoothing{' '}
          <input type="range" min="0" max="0.99" step="0.01" value={smoothing} onInput={(e) => setSmoothing(Number(e.currentTarget.value))} aria-valuetext={String(smoothing)} />
          <span class="mono">{smoothing.toFixed(2)}</span>
        </label>
        <label class="check"><input type="checkbox" checked={logY} onChange={() => setLogY(!logY)} /> Log scale</label>
        {running && <label class="check"><input type="checkbox" checked={auto} onChange={() => setAuto(!auto)} /> Auto-refresh</label>}
        {range && <button onClick={() => setRange(null)} data-testid="reset-zoom">Reset zoom (steps {Math.round(range[0])}–{Math.round(range[1])})</button>}
        <details class="menu">
          <summary>Metrics ({metrics.length}/{metricKeys.length})</summary>
          <div class="menu-body">
            {metricKeys.map((k) => (
              <label key={k} class="check"><input type="checkbox" checked={metrics.includes(k)}
                onChange={() => setChosen(metrics.includes(k) ? metrics.filter((x) => x !== k) : [...metrics, k])} /> {k}</label>
            ))}
          </div>
        </details>
        <details class="menu">
          <summary>Runs ({shown.length - hidden.size}/{shown.length})</summary>
          <div class="menu-body">
            {shown.map((r) => (
              <label key={r.info.run_id} class="check"><input type="checkbox" checked={!hidden.has(r.info.run_id)}
                onChange={() => setHidden((h) => { const n = new Set(h); n.has(r.info.run_id) ? n.delete(r.info.run_id) : n.add(r.info.run_id); return n; })} />
                <span class="swatch" style={{ background: colorFor(r.info.run_id) }} /> {nameOf(r)}</label>
            ))}
          </div>
        </details>
      </div>
      {runs.length > MAX_RUNS && <p class="muted">Showing the first {MAX_RUNS} of {runs.length} loaded runs (select runs in the table to choose).</p>}
      <ErrorMsg error={error} />
      {!metricKeys.length && <p class="muted">These runs have no metrics.</p>}
      <div class="chart-grid">
        {metrics.map((k) => series.has(k) ? (
          <MetricChart key={k} title={k} series={series.get(k)!} xMode={xMode} logY={logY} smoothing={smoothing}
            onZoom={xMode === 'step' ? setRange : undefined} onDrawn={() => onDrawn(k, series.get(k)!)} />
        ) : <figure key={k} class="chart"><figcaption>{k}</figcaption><p class="muted">Loading…</p></figure>)}
      </div>
    </div>
  );
}
