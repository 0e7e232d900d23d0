// MLflow's UI links in Debian's Chromium against the real binary: every link form MLflow 3.6's
// UI and Python client produce (experiment-tracking/routes.ts, model-registry/routes.ts,
// TrackingServiceClient._log_url) opens, in a fresh page, the Sextant page showing that run,
// experiment, model, version, comparison or metric, and the address bar then holds Sextant's own
// hash. Malformed and unknown hashes leave a working app.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, Server, shot } from './harness.mjs';
import { seedDemo } from './seed.mjs';

let srv, browser, demo;

before(async () => {
  srv = await new Server().start();
  demo = await seedDemo(srv);
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// What `mlflow` prints after a run (TrackingServiceClient._log_url, no workspace):
//   host_url = tracking URI without its trailing '/'; experiment_url = f"{host_url}/#/experiments/{id}";
//   run_url = f"{experiment_url}/runs/{run_id}".
function clientLinks(trackingUri, experimentId, runId) {
  const experimentUrl = `${trackingUri.replace(/\/+$/, '')}/#/experiments/${experimentId}`;
  return { experimentUrl, runUrl: `${experimentUrl}/runs/${runId}` };
}

// Opens `link` in a fresh page (a full load, as clicking a printed link does) and runs `check`.
async function open(link, check) {
  const page = await newPage(browser);
  try {
    await page.goto(link);
    await check(page);
    assert.deepEqual(page.evidence.errors, [], 'uncaught page errors at ' + link);
    assert.deepEqual(page.evidence.console.filter((m) => !/status of 4\d\d/.test(m)), [], 'console errors at ' + link);
    return page;
  } finally {
    await page.context().close();
  }
}

const hashIs = (page, hash) => page.waitForFunction((h) => location.hash === h, hash);
const runTitle = async (page, name) => {
  await page.getByTestId('run-title').waitFor();
  assert.equal(await page.getByTestId('run-title').textContent(), name);
};
const selectedTab = (page) => page.locator('[role=tab][aria-selected=true]').first().textContent();

test("the official client's printed links open the run and the experiment", async () => {
  const exp = await srv.createExperiment('printed-links');
  const run = await srv.createRun(exp, 'printed-run');
  await srv.finish(run.run_id);
  for (const uri of [srv.base, srv.base + '/']) {
    const { experimentUrl, runUrl } = clientLinks(uri, exp, run.run_id);
    assert.equal(runUrl, `${srv.base}/#/experiments/${exp}/runs/${run.run_id}`);
    await open(runUrl, async (page) => {
      await runTitle(page, 'printed-run');
      await hashIs(page, `#/runs/${run.run_id}`);
      assert.equal(await selectedTab(page), 'Overview');
      await shot(page, 'mlflow-link-run');
    });
    await open(experimentUrl, async (page) => {
      await page.waitForFunction(() => document.getElementById('exp-name')?.textContent === 'printed-links');
      await page.getByRole('grid', { name: 'Runs' }).getByRole('link', { name: 'printed-run' }).waitFor();
    });
  }
  // What mlflow.genai.evaluate prints (display_utils._resolve_evaluation_results_url).
  await open(`${srv.base}/#/experiments/${exp}/evaluation-runs?selectedRunUuid=${run.run_id}`, (page) => runTitle(page, 'printed-run'));
});

test('run tab forms: artifacts/<path> (and legacy artifactPath), model-metrics, system-metrics, traces', async () => {
  const run = demo.runs[0];
  const base = `${srv.base}/#/experiments/${demo.exp}/runs/${run.run_id}`;
  for (const form of ['artifacts', 'artifactPath']) {
    await open(`${base}/${form}/notes/readme.txt`, async (page) => {
      await runTitle(page, 'run-00');
      assert.equal(await selectedTab(page), 'Artifacts');
      // The folder is open, the file selected and previewed.
      await page.waitForFunction(() => document.querySelector('[data-testid=artifact-text]')?.textContent === 'hello artifacts\nsecond line\n');
      assert.equal(await page.locator('.preview strong').textContent(), 'notes/readme.txt');
      await page.getByRole('treeitem', { name: /readme\.txt/, selected: true }).waitFor();
      await hashIs(page, `#/runs/${run.run_id}?tab=artifacts&path=notes%2Freadme.txt`);
      if (form === 'artifacts') await shot(page, 'mlflow-link-artifact');
    });
  }
  // A folder: opened, its files listed, nothing previewed yet.
  await open(`${base}/artifacts/plots`, async (page) => {
    await page.getByRole('treeitem', { name: /^▾ plots\// }).getByRole('button', { name: /square\.png/ }).waitFor();
    assert.equal(await page.getByText('Select a file to preview it.').count(), 1);
  });
  await open(`${base}/artifacts`, async (page) => {
    await page.getByRole('tree', { name: 'Artifacts' }).getByRole('button', { name: /config\.json/ }).waitFor();
    assert.equal(await selectedTab(page), 'Artifacts');
  });
  for (const tab of ['model-metrics', 'system-metrics']) {
    await open(`${base}/${tab}`, async (page) => {
      await runTitle(page, 'run-00');
      assert.match(await selectedTab(page), /^Metrics/);
      await page.getByRole('link', { name: 'loss' }).waitFor();
    });
  }
  await open(`${base}/traces`, async (page) => {
    await runTitle(page, 'run-00');
    assert.equal(await selectedTab(page), 'Traces');
  });
  // MLflow's direct run link.
  await open(`${srv.base}/#/runs/${run.run_id}`, (page) => runTitle(page, 'run-00'));
});

test('registry: a model version and a model', async () => {
  await open(`${srv.base}/#/models/demo-model/versions/2`, async (page) => {
    await page.getByRole('heading', { name: 'demo-model', level: 1 }).waitFor();
    const row = page.locator('[data-testid=versions] tr.selected');
    await row.waitFor();
    assert.equal(await row.locator('td').first().textContent(), 'v2');
    assert.equal(await page.locator('[data-testid=versions] tr[aria-current=true]').count(), 1);
    await hashIs(page, '#/models/demo-model?version=2');
    await shot(page, 'mlflow-link-model-version');
  });
  await open(`${srv.base}/#/models/demo-model/versions/9`, async (page) => {
    await page.getByRole('heading', { name: 'demo-model', level: 1 }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Version 9 of this model does not exist.' }).waitFor();
  });
  await open(`${srv.base}/#/models/demo-model`, async (page) => {
    await page.getByRole('heading', { name: 'demo-model', level: 1 }).waitFor();
    await page.locator('[data-testid=versions] tbody tr').nth(1).waitFor();
  });
  await open(`${srv.base}/#/models/${encodeURIComponent('demo-model')}/serving`, (page) =>
    page.getByRole('heading', { name: 'demo-model', level: 1 }).waitFor());
});

test('compare-runs and the metric page', async () => {
  const [a, b] = demo.runs;
  // As MLflow's Routes.getCompareRunPageRoute writes it (JSON, unencoded).
  await open(`${srv.base}/#/compare-runs?runs=${JSON.stringify([a.run_id, b.run_id])}&experiments=${JSON.stringify([demo.exp])}`, async (page) => {
    await page.getByRole('heading', { name: 'Comparing 2 runs' }).waitFor();
    const head = page.getByTestId('compare-table').locator('thead');
    for (const n of ['run-00', 'run-01']) await head.getByRole('link', { name: n }).waitFor();
    assert.equal(await page.locator('.crumbs').getByRole('link', { name: `Experiment ${demo.exp}` }).count(), 1);
  });
  // As MLflow's Routes.getMetricPageRoute writes it: the key in `metric` (JSON), path /metric/.
  const metricQuery = `?runs=${JSON.stringify([a.run_id, b.run_id])}&metric=${encodeURIComponent(JSON.stringify('loss'))}` +
    `&experiments=${JSON.stringify([demo.exp])}&plot_metric_keys=${encodeURIComponent(JSON.stringify(['loss']))}&plot_layout={}` +
    '&x_axis=step&y_axis_scale=linear&line_smoothness=1&show_point=false&deselected_curves=[]&last_linear_y_axis_range=[]';
  await open(`${srv.base}/#/metric/${metricQuery}`, async (page) => {
    await page.getByRole('heading', { name: 'Comparing 2 runs' }).waitFor();
    assert.equal(await selectedTab(page), 'Charts');
    await page.locator('[data-testid=metric-chart][data-metric=loss] canvas').waitFor();
    assert.deepEqual(await page.locator('[data-testid=metric-chart]').evaluateAll((els) => els.map((e) => e.dataset.metric)), ['loss']);
    await shot(page, 'mlflow-link-metric');
  });
  // One run: its metric history.
  await open(`${srv.base}/#/metric/accuracy?runs=${JSON.stringify([a.run_id])}&experiments=${JSON.stringify([demo.exp])}`, async (page) => {
    await runTitle(page, 'run-00');
    assert.match(await selectedTab(page), /^Metrics/);
    await page.locator('[data-testid=metric-chart][data-metric=accuracy] canvas').waitFor();
    await page.getByText('50 values').waitFor();
  });
});

test('experiment forms: logged model, tabs, MLflow runs-table query, compare-experiments', async () => {
  const lm = demo.loggedModel.info.model_id;
  for (const suffix of ['', '/artifacts']) {
    await open(`${srv.base}/#/experiments/${demo.exp}/models/${lm}${suffix}`, async (page) => {
      const detail = page.getByTestId('logged-model-detail');
      await detail.getByRole('heading', { name: 'demo-logged-model' }).waitFor();
      await detail.getByRole('cell', { name: 'alpha' }).or(detail.getByRole('rowheader', { name: 'alpha' })).first().waitFor();
      assert.equal(await selectedTab(page), 'Logged models');
      if (!suffix) await shot(page, 'mlflow-link-logged-model');
    });
  }
  await open(`${srv.base}/#/experiments/${demo.exp}/models`, async (page) => {
    await page.getByTestId('logged-models').getByRole('button', { name: 'demo-logged-model' }).waitFor();
    assert.equal(await selectedTab(page), 'Logged models');
  });
  await open(`${srv.base}/#/experiments/${demo.exp}/traces`, async (page) => {
    await page.getByTestId('traces-view').waitFor();
    assert.equal(await selectedTab(page), 'Traces');
  });
  for (const tab of ['runs', 'evaluation-runs', 'datasets', 'chat-sessions']) {
    await open(`${srv.base}/#/experiments/${demo.exp}/${tab}`, async (page) => {
      await page.waitForFunction(() => document.getElementById('exp-name')?.textContent === 'demo-training');
      await page.getByRole('grid', { name: 'Runs' }).getByRole('link', { name: 'run-00' }).waitFor();
    });
  }
  // MLflow's runs-table query: filter, order, lifecycle.
  const filter = "params.model = 'mlp'";
  await open(`${srv.base}/#/experiments/${demo.exp}?searchFilter=${encodeURIComponent(filter)}&orderByKey=${encodeURIComponent('metrics.`rmse`')}&orderByAsc=true&lifecycleFilter=Active`, async (page) => {
    const grid = page.getByRole('grid', { name: 'Runs' });
    await page.waitForFunction(() => document.querySelector('[role=grid] [role=row][aria-rowindex="2"] a')?.textContent === 'run-02');
    assert.equal(await grid.getByRole('link', { name: 'run-00' }).count(), 0);
    assert.equal(await page.locator('#run-filter').inputValue(), filter);
    const q = new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]);
    assert.equal(q.get('filter'), filter);
    assert.equal(q.get('order'), 'metrics.`rmse` ASC');
  });
  await open(`${srv.base}/#/compare-experiments/s?experiments=${JSON.stringify([demo.exp])}`, (page) =>
    page.waitForFunction(() => document.getElementById('exp-name')?.textContent === 'demo-training'));
});

test('links under --static-prefix', async () => {
  const prefixed = await new Server(['--static-prefix', '/mlflow']).start();
  try {
    const exp = await prefixed.createExperiment('prefixed-links');
    const run = await prefixed.createRun(exp, 'prefixed-run');
    await prefixed.api('POST', '/registered-models/create', { name: 'prefixed-model' });
    await prefixed.api('POST', '/model-versions/create', { name: 'prefixed-model', source: `runs:/${run.run_id}/model`, run_id: run.run_id });
    const { experimentUrl, runUrl } = clientLinks(prefixed.base + '/mlflow', exp, run.run_id);
    await open(runUrl, async (page) => {
      await runTitle(page, 'prefixed-run');
      assert.equal(new URL(page.url()).pathname, '/mlflow/');
    });
    await open(experimentUrl, (page) => page.waitForFunction(() => document.getElementById('exp-name')?.textContent === 'prefixed-links'));
    await open(`${prefixed.base}/mlflow/#/models/prefixed-model/versions/1`, async (page) => {
      await page.locator('[data-testid=versions] tr.selected').waitFor();
      assert.equal(await page.getByRole('heading', { level: 1 }).textContent(), 'prefixed-model');
    });
  } finally {
    await prefixed.stop();
  }
});

test('in-app navigation to an MLflow link, Back, and malformed or unknown hashes', async () => {
  const run = demo.runs[1];
  const page = await newPage(browser);
  try {
    await page.goto(`${srv.base}/#/experiments`);
    await page.getByRole('link', { name: 'demo-training' }).waitFor();
    // A link followed inside the app (hashchange, no reload) is rewritten without a history entry.
    await page.evaluate((h) => { location.hash = h; }, `#/experiments/${demo.exp}/runs/${run.run_id}/model-metrics`);
    await runTitle(page, 'run-01');
    await hashIs(page, `#/runs/${run.run_id}?tab=metrics`);
    await page.goBack();
    await page.getByRole('link', { name: 'demo-training' }).waitFor();
    assert.equal(await page.evaluate(() => location.hash), '#/experiments');
  } finally {
    await page.context().close();
  }
  const broken = ['#/%E0%A4%A', `#/experiments/${demo.exp}/runs/%ZZ`, '#/metric/?runs=[1,2', '#/compare-runs?runs={"a":1}',
    '#/compare-model-versions?name=%22%25E0%22&runs=[', '#/models/%E0%A4%A/versions/1', '#/' + '%'.repeat(2000)];
  for (const h of broken) {
    await open(srv.base + '/' + h, async (p) => {
      await p.locator('header.top .brand').waitFor();
      await p.locator('main#main > *').first().waitFor();
    });
  }
  await open(srv.base + '/#/no-such-page/x?y=z', (p) => p.getByText('Page not found.').waitFor());
  await open(srv.base + '/#/experiments/999999/runs/no-such-run', (p) => p.getByRole('alert').waitFor());
});
