// Every page of the UI in Debian's Chromium against the real binary (authentication off):
// experiments, runs table (sort, filter + autocomplete, column picker, URL state, selection,
// delete/restore, CSV), run detail (description, metric history, artifacts preview), charts
// (zoom, log scale), compare, registry, logged models; XSS payloads never run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, newPage, Server, shot } from './harness.mjs';
import { seedDemo, XSS } from './seed.mjs';

let srv, browser, page, demo;

before(async () => {
  srv = await new Server().start();
  demo = await seedDemo(srv);
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const url = (hash = '') => srv.base + '/' + hash;
const hashParam = (name) => page.evaluate((n) => new URLSearchParams(location.hash.split('?')[1] ?? '').get(n), name);
function noScriptRan() {
  assert.deepEqual(page.evidence.dialogs, [], 'a dialog opened (script ran)');
  assert.deepEqual(page.evidence.errors, [], 'uncaught page errors');
  assert.deepEqual(page.evidence.console.filter((m) => !/status of 4\d\d/.test(m)), [], 'console errors');
}

test('experiments: list, search, create, rename, delete, restore', async () => {
  await page.goto(url());
  await page.getByRole('link', { name: 'demo-training' }).waitFor();
  await shot(page, 'experiments');
  await page.getByPlaceholder('Search experiments by name').fill('other');
  await page.getByRole('link', { name: 'demo-training' }).waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('link', { name: 'other-experiment' }).count(), 1);
  await page.getByPlaceholder('Search experiments by name').fill('');

  await page.getByRole('button', { name: 'New experiment' }).click();
  await page.getByLabel('Name', { exact: true }).fill('created-in-ui');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('link', { name: 'created-in-ui' }).waitFor();

  await page.getByRole('button', { name: 'Rename created-in-ui' }).click();
  await page.getByLabel('New name', { exact: true }).fill('renamed-in-ui');
  await page.getByRole('button', { name: 'Rename', exact: true }).click();
  await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor();

  await page.getByRole('button', { name: 'Delete renamed-in-ui' }).click();
  await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor({ state: 'detached' });
  await page.getByLabel('Show').selectOption('deleted');
  await page.getByRole('button', { name: 'Restore renamed-in-ui' }).click();
  await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor({ state: 'detached' });
  await page.getByLabel('Show').selectOption('active');
  await page.getByRole('link', { name: 'renamed-in-ui' }).waitFor();
  const r = await srv.api('GET', '/experiments/get-by-name', undefined, { query: { experiment_name: 'renamed-in-ui' } });
  assert.equal(r.experiment.lifecycle_stage, 'active');
  noScriptRan();
});

test('runs table: rows, XSS name as text, sort, filter with autocomplete, URL state', async () => {
  await page.goto(url(`#/experiments/${demo.exp}`));
  const grid = page.getByRole('grid', { name: 'Runs' });
  await grid.getByRole('link', { name: 'run-00' }).waitFor();
  // The hostile run name is shown as text: the literal string is a link's name, no <img> exists.
  assert.equal(await grid.getByRole('link', { name: XSS }).count(), 1);
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  await shot(page, 'runs-table');

  // Sort by the rmse metric, ascending then descending (server-side order_by).
  const firstRunIs = (name) => page.waitForFunction((n) =>
    document.querySelector('[role=grid] [role=row][aria-rowindex="2"] a')?.textContent === n, name);
  await grid.getByRole('button', { name: 'Sort by metric rmse' }).click();   // DESC first
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).get('order')?.endsWith('DESC'));
  await firstRunIs('run-11');
  await grid.getByRole('button', { name: 'Sort by metric rmse' }).click();   // then ASC
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).get('order')?.endsWith('ASC'));
  await firstRunIs('run-00');

  // Filter box: typing "metr" offers metrics.*; Tab completes; Enter searches.
  const box = page.getByRole('combobox', { name: /Filter runs/ });
  await box.click();
  await box.pressSequentially('metrics.rm');
  await page.getByRole('option', { name: 'metrics.rmse' }).waitFor();
  await shot(page, 'filter-autocomplete');
  await box.press('Tab');
  assert.equal(await box.inputValue(), 'metrics.rmse');
  await box.pressSequentially(' < 0.6');
  await box.press('Enter');
  await page.waitForFunction(() => /run-count/.test('run-count') && document.querySelector('[data-testid=run-count]')?.textContent?.startsWith('4 runs'));
  assert.equal(await hashParam('filter'), 'metrics.rmse < 0.6');

  // The state survives a reload (URL) and is restored from storage when the URL has none.
  await page.reload();
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent?.startsWith('4 runs'));
  await page.goto(url('#/experiments'));
  await page.getByRole('link', { name: 'demo-training' }).click();
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).get('filter') === 'metrics.rmse < 0.6');
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent?.startsWith('4 runs'));

  // A bad filter shows the server's message.
  await box.fill("metrics.rmse <<< 'x");
  await box.press('Enter');
  await page.getByRole('alert').waitFor();
  await box.fill('');
  await box.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent?.startsWith('13 runs'));
  noScriptRan();
});

test('runs table: column picker, nested runs, CSV export, multi-select delete/restore/tag', async () => {
  await page.goto(url(`#/experiments/${demo.exp}`));
  const grid = page.getByRole('grid', { name: 'Runs' });
  await grid.getByRole('link', { name: 'run-00' }).waitFor();
  await page.getByRole('button', { name: 'Columns…' }).click();
  const picker = page.getByTestId('column-picker');
  await picker.getByLabel('note').check();                  // a tag column
  await picker.getByLabel('accuracy').uncheck();            // drop a metric
  await shot(page, 'column-picker');
  await picker.getByRole('button', { name: 'Done' }).click();
  await grid.getByRole('columnheader', { name: 'tag note' }).waitFor();
  assert.equal(await grid.getByRole('columnheader', { name: 'metric accuracy' }).count(), 0);
  // The tag holding an XSS payload is shown as text.
  assert.ok((await grid.textContent()).includes(XSS));
  assert.ok((await hashParam('cols')).includes('t:note'));

  // Nested: run-00 has one child, collapsed; expanding shows it.
  assert.equal(await grid.getByRole('link', { name: 'child-of-run-00' }).count(), 0);
  await grid.getByRole('button', { name: 'Expand 1 child runs' }).click();
  await grid.getByRole('link', { name: 'child-of-run-00' }).waitFor();

  // CSV export of the loaded runs with the chosen columns.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await dl.path(), 'utf8');
  const lines = csv.trim().split(/\r\n/);
  assert.equal(lines.length, 14);
  assert.ok(lines[0].includes('tags.note') && !lines[0].includes('metrics.accuracy'), lines[0]);

  // Select two runs: tag them, delete them, then restore them from the Deleted view.
  await grid.getByLabel('Select run run-01').check();
  await grid.getByLabel('Select run run-02').check();
  await page.getByRole('button', { name: 'Set tag' }).click();
  await page.getByLabel('Key', { exact: true }).fill('reviewed');
  await page.getByLabel('Value', { exact: true }).fill('yes');
  await page.getByRole('button', { name: 'Set tag', exact: true }).last().click();
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent === '13 runs');
  const tagged = await srv.api('POST', '/runs/search', { experiment_ids: [demo.exp], filter: "tags.reviewed = 'yes'" });
  assert.equal(tagged.runs.length, 2);

  await grid.getByLabel('Select run run-01').check();
  await grid.getByLabel('Select run run-02').check();
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent === '11 runs');
  await page.getByLabel('Show').selectOption('deleted');
  await grid.getByRole('link', { name: 'run-01' }).waitFor();
  await grid.getByRole('checkbox', { name: 'Select all loaded runs' }).check();
  await page.getByRole('button', { name: 'Restore' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent === '0 runs' || !!document.body.textContent?.includes('No runs match'));
  await page.getByLabel('Show').selectOption('active');
  await page.waitForFunction(() => document.querySelector('[data-testid=run-count]')?.textContent === '13 runs');
  noScriptRan();
});

test('run detail: overview, description, params, metric history, tags', async () => {
  const run = demo.runs[0];
  await page.goto(url(`#/runs/${run.run_id}`));
  await page.getByTestId('run-title').waitFor();
  assert.equal(await page.getByTestId('run-title').textContent(), 'run-00');
  await page.getByRole('button', { name: 'Edit description' }).click();
  await page.getByLabel('Description', { exact: true }).fill('Baseline run.\n' + XSS);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByTestId('description').waitFor();
  assert.equal(await page.getByTestId('description').textContent(), 'Baseline run.\n' + XSS);
  await shot(page, 'run-overview');
  await page.getByRole('tab', { name: /Parameters/ }).click();
  await page.getByRole('rowheader', { name: 'lr' }).waitFor();
  await page.getByRole('tab', { name: /Metrics/ }).click();
  await page.getByRole('link', { name: 'loss' }).click();
  await page.locator('[data-testid=metric-chart] canvas').waitFor();
  await page.getByText('50 values').waitFor();
  await shot(page, 'run-metric-history');
  await page.getByRole('tab', { name: /Tags/ }).click();
  await page.getByTestId('tags').getByRole('rowheader', { name: 'team' }).waitFor();
  const got = await srv.api('GET', '/runs/get', undefined, { query: { run_id: run.run_id } });
  assert.equal(got.run.data.tags.find((t) => t.key === 'mlflow.note.content').value, 'Baseline run.\n' + XSS);
  noScriptRan();
});

test('artifacts: tree, text/JSON/YAML/CSV/image previews, hostile html/svg shown as text, download', async () => {
  const run = demo.runs[0];
  await page.goto(url(`#/runs/${run.run_id}?tab=artifacts`));
  const tree = page.getByRole('tree', { name: 'Artifacts' });
  await tree.getByRole('button', { name: /config\.json/ }).click();
  const text = page.getByTestId('artifact-text');
  await text.waitFor();
  assert.deepEqual(JSON.parse(await text.textContent()), { lr: 0.001, layers: [64, 32], name: XSS });
  assert.ok((await text.textContent()).includes('\n  "lr"'), 'pretty-printed');
  await shot(page, 'artifact-json');
  await tree.getByRole('button', { name: /params\.yaml/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=artifact-text]')?.textContent?.includes('layers:'));
  await tree.getByRole('button', { name: /table\.csv/ }).click();
  const table = page.getByTestId('artifact-csv');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=artifact-csv] tbody tr').length === 2);
  assert.equal(await table.locator('tbody tr').first().locator('td').nth(2).textContent(), 'a,b');
  assert.ok((await table.textContent()).includes(XSS));
  await tree.getByRole('button', { name: /notes/ }).click();
  await tree.getByRole('button', { name: /readme\.txt/ }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=artifact-text]')?.textContent === 'hello artifacts\nsecond line\n');
  await tree.getByRole('button', { name: /plots/ }).click();
  await tree.getByRole('button', { name: /square\.png/ }).click();
  const img = page.getByRole('img', { name: 'Artifact plots/square.png' });
  await img.waitFor();
  await page.waitForFunction(() => { const i = document.querySelector('.artifact-img'); return i && i.complete && i.naturalWidth === 16; });
  await shot(page, 'artifact-image');

  // Hostile files: previewed as their source text, never rendered.
  for (const name of ['evil.html', 'evil.svg']) {
    await tree.getByRole('button', { name: new RegExp(name.replace('.', '\\.')) }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid=artifact-text]')?.textContent?.includes('alert(') &&
      document.querySelector('.preview strong')?.textContent === n, name);
  }
  assert.equal(await page.locator('.artifact-view script, .artifact-view svg, .artifact-view iframe').count(), 0);
  // Downloading keeps it a download (attachment), and opening the URL itself runs nothing.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
  assert.equal(dl.suggestedFilename(), 'evil.svg');
  for (const name of ['evil.html', 'evil.svg']) {
    const p2 = await newPage(browser);
    const resp = await p2.request.get(srv.base + `/get-artifact?run_id=${run.run_id}&path=${name}`);
    assert.ok(resp.headers()['content-security-policy'].includes('sandbox'));
    await p2.goto(srv.base + `/get-artifact?run_id=${run.run_id}&path=${name}`).catch(() => { /* download aborts navigation */ });
    await p2.waitForTimeout(300);
    assert.deepEqual(p2.evidence.dialogs, [], name + ' ran script');
    await p2.context().close();
  }
  noScriptRan();
});

test('charts: drawn for every metric, zoom into a step range, log scale, smoothing, runs hidden', async () => {
  await page.goto(url(`#/experiments/${demo.exp}?tab=charts`));
  const view = page.getByTestId('charts-view');
  await page.waitForFunction(() => document.querySelector('[data-testid=charts-view]')?.getAttribute('data-drawn') === 'yes');
  assert.equal(await page.getByTestId('metric-chart').count(), 3);
  await shot(page, 'charts');
  // Drag across the loss chart: zooms to a step range and fetches it.
  const chart = page.locator('[data-metric=loss] .u-over');
  const box = await chart.boundingBox();
  const wait = page.waitForResponse((r) => r.url().includes('get-history-bulk-interval') && r.url().includes('start_step='));
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const resp = await wait;
  const q = new URL(resp.url()).searchParams;
  assert.ok(Number(q.get('start_step')) >= 5 && Number(q.get('end_step')) <= 30, resp.url());
  await page.getByTestId('reset-zoom').waitFor();
  await shot(page, 'charts-zoomed');
  await page.getByTestId('reset-zoom').click();
  await page.getByTestId('reset-zoom').waitFor({ state: 'detached' });
  await view.getByLabel('Log scale').check();
  await view.getByLabel('X axis').selectOption('relative');
  await page.locator('[data-metric=loss] canvas').waitFor();
  await view.locator('input[type=range]').fill('0.8');
  await view.getByText('Runs (13/13)').click();
  await view.getByLabel('run-05').uncheck();
  await view.getByText('Runs (12/13)').waitFor();

  // One logged point: the x axis spans a little around it (uPlot alone gives a time axis 1,000
  // days wide with the point at its left edge).
  const one = await srv.api('POST', '/experiments/create', { name: 'single-point' });
  const run = (await srv.api('POST', '/runs/create', { experiment_id: one.experiment_id, start_time: 1700000000000 })).run.info.run_id;
  await srv.api('POST', '/runs/log-metric', { run_id: run, key: 'acc', value: 0.5, timestamp: 1700000000000, step: 3 });
  await page.goto(url(`#/experiments/${one.experiment_id}?tab=charts`));
  await page.waitForFunction(() => document.querySelector('[data-testid=charts-view]')?.getAttribute('data-drawn') === 'yes');
  const xRange = async () => { const f = page.locator('[data-metric=acc]'); return [Number(await f.getAttribute('data-x-min')), Number(await f.getAttribute('data-x-max'))]; };
  // Chart settings are kept per experiment: this one starts on the step axis, not on the
  // relative-time axis chosen for the demo experiment above.
  assert.equal(await page.getByTestId('charts-view').getByLabel('X axis').inputValue(), 'step');
  assert.deepEqual(await xRange(), [2, 4]);
  await page.getByTestId('charts-view').getByLabel('X axis').selectOption('time');
  await page.waitForFunction(() => Number(document.querySelector('[data-metric=acc]')?.getAttribute('data-x-min')) > 1e9);
  assert.deepEqual(await xRange(), [1700000000 - 600, 1700000000 + 600]);
  noScriptRan();
});

test('compare: diff table, overlaid charts, parallel coordinates', async () => {
  const ids = demo.runs.slice(0, 3).map((r) => r.run_id);
  await page.goto(url(`#/experiments/${demo.exp}?tab=table`));
  const grid = page.getByRole('grid', { name: 'Runs' });
  for (const n of ['run-00', 'run-01', 'run-02']) await grid.getByLabel('Select run ' + n).check();
  await page.getByRole('button', { name: 'Compare' }).click();
  await page.waitForFunction(() => location.hash.startsWith('#/compare'));
  const table = page.getByTestId('compare-table');
  await table.waitFor();
  assert.equal(await table.locator('thead th').count(), 2 + 3);
  const lr = table.locator('tr', { has: page.getByRole('rowheader', { name: 'lr' }) });
  assert.match(await lr.getAttribute('class'), /differs/);
  await shot(page, 'compare');
  await page.getByLabel('Only rows that differ').check();
  assert.equal(await table.getByRole('rowheader', { name: 'team' }).count(), 1);
  await page.getByRole('tab', { name: 'Charts' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=charts-view]')?.getAttribute('data-drawn') === 'yes');
  await page.getByRole('tab', { name: 'Parallel coordinates' }).click();
  assert.equal(await page.locator('svg.parallel polyline').count(), 3);
  await shot(page, 'compare-parallel');
  assert.deepEqual(new URL(page.url().replace('#', '')).searchParams.get('runs')?.split(',').sort(), ids.sort());
  noScriptRan();
});

test('registry: models list and search, versions, stage, alias, tags', async () => {
  await page.goto(url('#/models'));
  await page.getByRole('link', { name: 'demo-model' }).waitFor();
  await shot(page, 'models');
  await page.getByPlaceholder('Search models by name').fill('other');
  await page.getByRole('link', { name: 'demo-model' }).waitFor({ state: 'detached' });
  await page.goto(url('#/models/demo-model'));
  const versions = page.getByTestId('versions');
  await versions.waitFor();
  assert.equal(await versions.locator('tbody tr').count(), 2);
  assert.equal(await page.getByTestId('aliases').getByText('@champion → v2').count(), 1);
  await page.getByLabel('Stage of version 2').selectOption('Production');
  let stage;
  for (let i = 0; i < 100 && stage !== 'Production'; i++) {
    await page.waitForTimeout(100);
    stage = (await srv.api('GET', '/model-versions/get', undefined, { query: { name: 'demo-model', version: '2' } })).model_version.current_stage;
  }
  assert.equal(stage, 'Production');
  await page.getByRole('button', { name: 'Set alias' }).click();
  await page.getByLabel('Alias', { exact: true }).fill('candidate');
  await page.getByLabel('Version', { exact: true }).fill('1');
  await page.getByRole('button', { name: 'Set', exact: true }).click();
  await page.getByTestId('aliases').getByText('@candidate → v1').waitFor();
  await page.getByRole('button', { name: 'Add tag' }).click();
  await page.getByLabel('Key', { exact: true }).fill('owner');
  await page.getByLabel('Value', { exact: true }).fill(XSS);
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByText('owner: ' + XSS).waitFor();
  await page.getByRole('button', { name: 'Remove alias candidate' }).click();
  await page.getByTestId('aliases').getByText('@candidate → v1').waitFor({ state: 'detached' });
  await shot(page, 'model');
  noScriptRan();
});

test('logged models of an experiment', async () => {
  await page.goto(url(`#/experiments/${demo.exp}?tab=models`));
  const table = page.getByTestId('logged-models');
  await table.getByRole('button', { name: 'demo-logged-model' }).click();
  const detail = page.getByTestId('logged-model-detail');
  await detail.getByRole('rowheader', { name: 'alpha' }).waitFor();
  await shot(page, 'logged-models');
  noScriptRan();
});

test('themes, keyboard: dark theme toggles and persists; skip link and focus order', async () => {
  await page.goto(url());
  await page.getByRole('link', { name: 'demo-training' }).waitFor();
  const theme = () => page.evaluate(() => document.documentElement.dataset.theme);
  const before = await theme();
  await page.getByRole('button', { name: /Switch to .* theme/ }).click();
  assert.notEqual(await theme(), before);
  await page.reload();
  await page.getByRole('link', { name: 'demo-training' }).waitFor();
  assert.notEqual(await theme(), before);
  if ((await theme()) !== 'dark') await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  await shot(page, 'experiments-dark');
  await page.goto(url(`#/experiments/${demo.exp}?tab=table`));
  await page.getByRole('grid', { name: 'Runs' }).getByRole('link', { name: 'run-00' }).waitFor();
  await shot(page, 'runs-table-dark');
  await page.getByRole('button', { name: /Switch to light theme/ }).click();
  // Tab from the top: skip link first, then the brand and the navigation.
  await page.goto(url());
  await page.getByRole('link', { name: 'demo-training' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Sextant');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Experiments');
  // The runs grid is one tab stop: arrow keys, Home/End and Ctrl+Home/End move the active cell
  // (aria-activedescendant), Space and Enter press what the cell holds.
  await page.goto(url(`#/experiments/${demo.exp}?tab=table`));
  const grid = page.getByRole('grid', { name: 'Runs' });
  await grid.getByRole('link', { name: 'run-00' }).waitFor();
  await grid.focus();
  const at = () => page.evaluate(() => {
    const g = document.querySelector('[role=grid]');
    const el = document.getElementById(g.getAttribute('aria-activedescendant') || '');
    return el && { row: Number(el.parentElement.getAttribute('aria-rowindex')), col: Number(el.getAttribute('aria-colindex')), text: el.textContent,
      focused: document.activeElement === g, rows: Number(g.getAttribute('aria-rowcount')), cols: Number(g.getAttribute('aria-colcount')) };
  });
  const key = async (k, want) => { await page.keyboard.press(k); const a = await at(); assert.deepEqual({ row: a.row, col: a.col }, want, k); return a; };
  let a = await at();
  assert.deepEqual({ row: a.row, col: a.col, focused: a.focused }, { row: 2, col: 1, focused: true });
  // One tab stop: no link or control inside the grid takes focus by Tab.
  assert.equal(await page.evaluate(() => [...document.querySelectorAll('[role=grid] a, [role=grid] button, [role=grid] input')]
    .filter((el) => el.tabIndex >= 0).length), 0);
  const firstBox = page.locator('[role=grid] [role=row][aria-rowindex="2"] input[type=checkbox]');
  await page.keyboard.press(' ');
  assert.equal(await firstBox.isChecked(), true);
  await page.keyboard.press(' ');
  assert.equal(await firstBox.isChecked(), false);
  a = await key('ArrowRight', { row: 2, col: 2 });
  const firstName = a.text;
  assert.equal(firstName, await page.locator('[role=grid] [role=row][aria-rowindex="2"] a').first().textContent());
  await key('ArrowDown', { row: 3, col: 2 });
  await key('End', { row: 3, col: a.cols });
  a = await key('Control+End', { row: a.rows, col: a.cols });
  await key('Control+Home', { row: 2, col: 1 });
  await key('ArrowDown', { row: 3, col: 1 });
  await key('ArrowRight', { row: 3, col: 2 });
  const name = await page.evaluate(() => document.getElementById(document.querySelector('[role=grid]').getAttribute('aria-activedescendant')).querySelector('a').textContent);
  await page.keyboard.press('Enter');  // the run's link
  await page.getByRole('heading', { name }).waitFor();
  assert.match(await page.evaluate(() => location.hash), /\/runs\//);
  // Back in the grid: the header row, then Enter on Status sorts by it (the last step: the rows
  // reload after it).
  await page.goBack();
  await grid.getByRole('link', { name: 'run-00' }).waitFor();
  await grid.focus();
  await key('ArrowUp', { row: 1, col: 1 });
  await key('ArrowUp', { row: 1, col: 1 });  // stays on the header
  await key('ArrowRight', { row: 1, col: 2 });
  await key('ArrowRight', { row: 1, col: 3 });
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => new URLSearchParams(location.hash.split('?')[1]).get('order')?.includes('attributes.status'));

  // Every form control on the main pages has an accessible name.
  for (const [h, ready] of [['', 'experiments'], [`#/experiments/${demo.exp}?tab=table`, 'runs-grid'], ['#/models/demo-model', 'versions']]) {
    await page.goto(url(h));
    await page.getByTestId(ready).waitFor();
    const unnamed = await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')].filter((el) => {
      if (el.closest('dialog:not([open])')) return false;
      const label = el.getAttribute('aria-label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el.closest('label') || el.textContent?.trim() || el.getAttribute('placeholder');
      return !label;
    }).map((el) => el.outerHTML.slice(0, 80)));
    assert.deepEqual(unnamed, [], h);
  }
  noScriptRan();
});

test('--static-prefix: the UI, its API calls and artifact previews live under the prefix', async () => {
  const prefixed = await new Server(['--static-prefix', '/mlflow']).start();
  try {
    const exp = await prefixed.createExperiment('prefixed-experiment');
    const run = await prefixed.createRun(exp, 'prefixed-run');
    await prefixed.upload(run.artifact_uri, 'hello.txt', 'under a prefix', 'text/plain');
    const p = await newPage(browser);
    const paths = [];
    p.on('request', (r) => paths.push(new URL(r.url()).pathname));
    await p.goto(prefixed.base + '/mlflow/');
    await p.getByRole('link', { name: 'prefixed-experiment' }).click();
    await p.getByRole('grid', { name: 'Runs' }).getByRole('link', { name: 'prefixed-run' }).click();
    await p.getByRole('tab', { name: 'Artifacts' }).click();
    await p.getByRole('button', { name: /hello\.txt/ }).click();
    await p.waitForFunction(() => document.querySelector('[data-testid=artifact-text]')?.textContent === 'under a prefix');
    const outside = paths.filter((x) => !x.startsWith('/mlflow/'));
    assert.deepEqual(outside, [], 'requests outside the prefix');
    assert.deepEqual(p.evidence.errors, []);
    await p.context().close();
  } finally {
    await prefixed.stop();
  }
});
