// Waterfall (timeline) geometry: a span's bar in a track of `width` pixels spanning the trace's
// time range, axis ticks at round intervals, and nanosecond durations as text.

export interface TimeRange { start: number; end: number }  // ns

export function timeRange(spans: { start: number; end: number | null }[]): TimeRange {
  let start = Infinity, end = -Infinity;
  for (const s of spans) {
    if (s.start > 0 && s.start < start) start = s.start;
    const e = s.end ?? s.start;
    if (e > end) end = e;
  }
  if (!Number.isFinite(start)) return { start: 0, end: 0 };
  return { start, end: Math.max(start, end) };
}

// A bar's left offset and width in px; an unended span (end null) runs to the trace's end and is
// `open`. Bars are at least `minWidth` wide and stay inside the track.
export function bar(range: TimeRange, start: number, end: number | null, width: number, minWidth = 2): { left: number; width: number; open: boolean } {
  const open = end === null;
  const total = range.end - range.start;
  if (total <= 0 || width <= 0) return { left: 0, width: Math.max(minWidth, width), open };
  const s = Math.min(Math.max(start || range.start, range.start), range.end);
  const e = Math.min(Math.max(open ? range.end : end!, s), range.end);
  let left = ((s - range.start) / total) * width;
  let w = Math.max(minWidth, ((e - s) / total) * width);
  if (left + w > width) left = Math.max(0, width - w);
  w = Math.min(w, width);
  return { left, width: w, open };
}

// Ticks at a round step (1, 2 or 5 x 10^k ns) so that about `target` fit the range.
export function ticks(range: TimeRange, width: number, target = 5): { x: number; label: string }[] {
  const total = range.end - range.start;
  if (total <= 0 || width <= 0) return [{ x: 0, label: '0' }];
  const raw = total / Math.max(1, target);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * pow).find((s) => s >= raw) ?? 10 * pow;
  const out: { x: number; label: string }[] = [];
  for (let t = 0; t <= total + step * 1e-9 && out.length < 100; t += step) out.push({ x: (t / total) * width, label: fmtNanos(t) });
  return out;
}

export function fmtNanos(ns: number | null | undefined): string {
  if (ns === null || ns === undefined || !Number.isFinite(ns) || ns < 0) return '';
  if (ns === 0) return '0';
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)} µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)} ms`;
  if (ns < 60e9) return `${trim(ns / 1e9)} s`;
  const m = Math.floor(ns / 60e9);
  return m < 60 ? `${m} min ${Math.round((ns % 60e9) / 1e9)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
const trim = (x: number) => String(Number(x.toPrecision(3)));
