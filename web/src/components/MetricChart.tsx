// One metric line chart (uPlot) with several runs' series; drag to zoom into an x range,
// double-click to reset.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { smooth } from '../lib/smooth';

export interface Series { label: string; color: string; xs: number[]; ys: number[] }
export type XMode = 'step' | 'time' | 'relative';

// Series with their own x values -> uPlot's aligned columns (x union, nulls where a run has no
// point). Runs logged at different times share few x values; when the union exceeds `maxX`,
// x values are snapped to `maxX` even slots across the range (below a pixel on any chart).
export function align(series: Series[], maxX = 2000): uPlot.AlignedData {
  if (series.length === 1) return [series[0].xs, series[0].ys];
  let set = new Set<number>();
  for (const s of series) for (const x of s.xs) set.add(x);
  if (set.size > maxX) {
    let lo = Infinity, hi = -Infinity;
    for (const x of set) { if (x < lo) lo = x; if (x > hi) hi = x; }
    const slot = (hi - lo) / maxX;
    const snap = (x: number) => lo + Math.round((x - lo) / slot) * slot;
    series = series.map((s) => ({ ...s, xs: s.xs.map(snap) }));
    set = new Set<number>();
    for (const s of series) for (const x of s.xs) set.add(x);
  }
  const xs = Float64Array.from(set).sort();
  const index = new Map<number, number>();
  xs.forEach((x, i) => index.set(x, i));
  const cols: (number | null)[][] = series.map((s) => {
    const col: (number | null)[] = new Array(xs.length).fill(null);
    for (let i = 0; i < s.xs.length; i++) col[index.get(s.xs[i])!] = s.ys[i];
    return col;
  });
  return [Array.from(xs), ...cols] as uPlot.AlignedData;
}

const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#4f46e5',
  '#0d9488', '#be123c', '#a16207', '#9333ea', '#0284c7'];
// Whole steps on a step axis.
const STEP_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8, 1e9];

export function colorFor(key: string): string {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return PALETTE[Math.abs(h) % PALETTE.length];
}

export function MetricChart(p: {
  title: string; series: Series[]; xMode: XMode; logY: boolean; smoothing: number; height?: number;
  onZoom?: (range: [number, number] | null) => void; onDrawn?: () => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const data = align(p.series);
    if (p.smoothing > 0) for (let i = 1; i < data.length; i++) (data as any)[i] = smooth(data[i] as (number | null)[], p.smoothing);
    if (p.logY) for (let i = 1; i < data.length; i++) (data as any)[i] = (data[i] as (number | null)[]).map((v) => (v !== null && v > 0 ? v : null));
    const dark = document.documentElement.dataset.theme === 'dark';
    const axis = { stroke: dark ? '#c9d1d9' : '#333', grid: { stroke: dark ? '#2d333b' : '#e5e7eb' }, ticks: { stroke: dark ? '#2d333b' : '#e5e7eb' } };
    // One x value (one logged step, or every run logged at one instant): a range around it, as
    // uPlot's own for a time axis spans 1,000 days when x is in seconds.
    const single = data[0].length === 1 ? (data[0][0] as number) : null;
    const pad = p.xMode === 'step' ? 1 : p.xMode === 'time' ? 600 : 30;
    let zooming = false;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: p.height ?? 220,
      scales: { x: { time: p.xMode === 'time', ...(single === null ? {} : { range: (): uPlot.Range.MinMax => [single - pad, single + pad] }) },
        y: { distr: p.logY ? 3 : 1 } },
      axes: [{ ...axis, label: p.xMode === 'step' ? 'step' : p.xMode === 'relative' ? 'seconds' : undefined,
        ...(p.xMode === 'step' ? { incrs: STEP_INCRS } : {}) }, axis],
      legend: { show: p.series.length <= 5 },
      cursor: { drag: { x: true, y: false }, points: { show: false } },
      series: [{ label: p.xMode === 'step' ? 'step' : 'time' },
        ...p.series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, points: { show: s.xs.length < 3, size: 6, fill: s.color } }))],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 2 || !p.onZoom) return;
          const lo = u.posToVal(u.select.left, 'x'), hi = u.posToVal(u.select.left + u.select.width, 'x');
          zooming = true;
          p.onZoom([lo, hi]);
        }],
        // The x range drawn, for tests and tools (data-x-min / data-x-max on the figure).
        draw: [(u) => { el.parentElement?.setAttribute('data-x-min', String(u.scales.x.min)); el.parentElement?.setAttribute('data-x-max', String(u.scales.x.max)); p.onDrawn?.(); }],
      },
    };
    if (p.onZoom) (opts.cursor as any).drag.setScale = false;
    // Each chart is built in a task of its own, so ten charts never block the page at once.
    let u: uPlot | null = null;
    const ro = new ResizeObserver(() => { if (u && el.clientWidth > 0 && Math.abs(el.clientWidth - u.width) > 4) u.setSize({ width: el.clientWidth, height: u.height }); });
    const timer = setTimeout(() => {
      opts.width = Math.max(200, el.clientWidth);
      u = new uPlot(opts, data, el);
      plot.current = u;
      u.over.addEventListener('dblclick', () => { if (!zooming) p.onZoom?.(null); zooming = false; });
      ro.observe(el);
    }, 0);
    return () => { clearTimeout(timer); ro.disconnect(); u?.destroy(); plot.current = null; };
  }, [p.series, p.xMode, p.logY, p.smoothing]);
  return (
    <figure class="chart" data-testid="metric-chart" data-metric={p.title}>
      <figcaption>{p.title}</figcaption>
      <div ref={box} class="chart-plot" role="img" aria-label={`Line chart of ${p.title} for ${p.series.length} runs`} />
    </figure>
  );
}
