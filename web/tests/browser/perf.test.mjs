// Performance as a browser sees it (reported, not asserted): time to the first table rows of a
// large experiment, long tasks while scrolling the whole table (every page loaded), time to
// draw the chart view, and the bundle size. CI uses a smaller data set than the issue's; the
// full one is bench/ui_bench.sh (SEXTANT_UI_PERF_RUNS=10000 SEXTANT_UI_PERF_STEPS=10000).
//   SEXTANT_UI_PERF_RUNS (2000), _PARAMS (50), _METRICS (50), _TAGS (20): the runs table
//   SEXTANT_UI_PERF_HIST_RUNS (100), _HIST_METRICS (10), _STEPS (500): the chart view
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, launch, newPage, Server, shot } from './harness.mjs';
import { seedHistories, seedLarge } from './seed.mjs';

const env = (k, d) => Number(process.env['SEXTANT_UI_PERF_' + k] || d);
const cfg = {
  runs: env('RUNS', 2000), params: env('PARAMS', 50), metrics: env('METRICS', 50), tags: env('TAGS', 20),
  histRuns: env('HIST_RUNS', 100), histMetrics: env('HIST_METRICS', 10), steps: env('STEPS', 500),
};
const report = { config: cfg };
let srv, browser, large, hist;

// Recorded from the page's first instant: when the first data row appears, every long task.
const INSTRUMENT = () => {
  window.__perf = { firstRow: null, longTasks: [] };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__perf.longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
  new MutationObserver((_, obs) => {
    if (document.querySelector('[role=grid] [role=row][aria-rowindex="2"]')) { window.__perf.firstRow = performance.now(); obs.disconnect(); }
  }).observe(document, { childList: true, subtree: true });
};

before(async () => {
  srv = await new Server().start();
  let t = Date.now();
  large = await seedLarge(srv, { runs: cfg.runs, params: cfg.params, metrics: cfg.metrics, tags: cfg.tags });
  report.seed_runs_seconds = (Date.now() - t) / 1000;
  t = Date.now();
  hist = await seedHistories(srv, { runs: cfg.histRuns, metrics: cfg.histMetrics, steps: cfg.steps });
  report.seed_histories_seconds = (Date.now() - t) / 1000;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
  const out = join(dirname(BIN), 'ui-perf.json');
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log('UI performance (' + out + '):\n' + JSON.stringify(report, null, 2));
});

test(`runs table: first rows and scrolling ${cfg.runs} runs x ${cfg.params} params x ${cfg.metrics} metrics x ${cfg.tags} tags`, async () => {
  const page = await newPage(browser);
  await page.addInitScript(INSTRUMENT);
  // Show every param, metric and tag column (170 columns; the grid renders those in view).
  const cols = [...Array.from({ length: cfg.metrics }, (_, k) => `m:metric_${String(k).padStart(2, '0')}`),
    ...Array.from({ length: cfg.params }, (_, k) => `p:param_${String(k).padStart(2, '0')}`),
    ...Array.from({ length: cfg.tags }, (_, k) => `t:tag_${String(k).padStart(2, '0')}`)];
  const q = new URLSearchParams({ cols: JSON.stringify(cols) });
  await page.goto(`${srv.base}/#/experiments/${large.exp}?${q}`);
  await page.waitForFunction(() => window.__perf.firstRow !== null, null, { timeout: 60000 });
  report.first_rows_visible_ms = Math.round(await page.evaluate(() => window.__perf.firstRow));
  await shot(page, 'perf-runs-table');
  const before = await page.evaluate(() => window.__perf.longTasks.length);

  // Scroll to the end, loading every page of runs on the way, and sideways through the columns.
  const t0 = Date.now();
  const grid = page.getByRole('grid', { name: 'Runs' });
  let loaded = '';
  for (let i = 0; i < 2000; i++) {
    const done = await grid.evaluate((el, step) => {
      el.scrollTop += step;
      el.scrollLeft = (el.scrollLeft + 400) % Math.max(1, el.scrollWidth - el.clientWidth);
      return new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() =>
        r(el.scrollTop + el.clientHeight >= el.scrollHeight - 2))));
    }, 1400);
    loaded = await page.getByTestId('run-count').textContent();
    if (done && !loaded.includes('+')) break;
  }
  report.scroll_whole_table_ms = Date.now() - t0;
  report.rows_loaded = loaded;
  assert.equal(loaded, `${cfg.runs} runs`);
  const tasks = await page.evaluate((n) => window.__perf.longTasks.slice(n), before);
  report.scroll_long_tasks = tasks.length;
  report.scroll_longest_task_ms = Math.round(Math.max(0, ...tasks.map((t) => t.duration)));
  report.scroll_long_tasks_over_200ms = tasks.filter((t) => t.duration > 200).length;
  assert.deepEqual(page.evidence.errors, []);
  await page.context().close();
});

test(`chart view: ${cfg.histMetrics} charts x ${cfg.histRuns} runs x ${cfg.steps} steps`, async () => {
  const page = await newPage(browser);
  await page.addInitScript(INSTRUMENT);
  await page.goto(`${srv.base}/#/experiments/${hist.exp}?tab=charts`);
  await page.waitForFunction(() => document.querySelector('[data-testid=charts-view]')?.getAttribute('data-drawn') === 'yes', null, { timeout: 120000 });
  report.charts_drawn_ms = Math.round(await page.evaluate(() => performance.now()));
  report.charts_fetch_ms = Math.round(await page.evaluate(() => window.__sextantChartsFetched));
  report.charts = await page.getByTestId('metric-chart').count();
  const tasks = await page.evaluate(() => window.__perf.longTasks);
  report.charts_longest_task_ms = Math.round(Math.max(0, ...tasks.map((t) => t.duration)));
  await shot(page, 'perf-charts');
  assert.equal(report.charts, cfg.histMetrics);
  assert.deepEqual(page.evidence.errors, []);
  await page.context().close();
});

test('bundle size', () => {
  const f = join(dirname(BIN), 'web', 'bundle-size.json');
  if (existsSync(f)) report.initial_js_gzip_bytes = JSON.parse(readFileSync(f, 'utf8')).initial_js_gzip_bytes;
  assert.ok(!report.initial_js_gzip_bytes || report.initial_js_gzip_bytes < 300 * 1024);
});
