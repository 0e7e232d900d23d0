// Data the browser tests (and bench/ui_bench.sh) log through the REST API.
import { parallel } from './harness.mjs';

export const XSS = '<img src=x onerror=alert(1)>';

// A small experiment covering every page: runs with params/metrics/tags (one named with an XSS
// payload), a nested child run, metric histories, artifacts of every preview kind (and hostile
// .html/.svg), a registered model with versions and an alias, a logged model.
export async function seedDemo(srv) {
  const exp = await srv.createExperiment('demo-training');
  await srv.createExperiment('other-experiment');
  const t0 = Date.now() - 3600_000;
  const runs = [];
  const models = ['tree', 'linear', 'mlp'];
  for (let i = 0; i < 12; i++) {
    const name = i === 3 ? XSS : `run-${String(i).padStart(2, '0')}`;
    const info = await srv.createRun(exp, name, { start: t0 + i * 60_000 });
    const metrics = [];
    for (let s = 0; s < 50; s++) {
      const ts = t0 + i * 60_000 + s * 1000;
      metrics.push({ key: 'loss', value: 2 / (1 + s * (0.1 + i * 0.01)) + 0.01 * Math.sin(s + i), timestamp: ts, step: s });
      metrics.push({ key: 'accuracy', value: 1 - 1 / (1 + s * (0.05 + i * 0.01)), timestamp: ts, step: s });
    }
    metrics.push({ key: 'rmse', value: 0.5 + i * 0.03, timestamp: t0, step: 0 });
    await srv.logBatch(info.run_id, {
      metrics,
      params: [{ key: 'lr', value: String(0.001 * (i + 1)) }, { key: 'model', value: models[i % 3] }, { key: 'depth', value: String(2 + (i % 5)) }],
      tags: [{ key: 'team', value: i % 2 ? 'vision' : 'nlp' }, { key: 'note', value: i === 5 ? XSS : 'ok' }],
    });
    if (i !== 11) await srv.finish(info.run_id, t0 + i * 60_000 + 50_000);
    runs.push(info);
  }
  // A nested run under run-00.
  const child = await srv.createRun(exp, 'child-of-run-00', { tags: [{ key: 'mlflow.parentRunId', value: runs[0].run_id }] });
  await srv.logBatch(child.run_id, { metrics: [{ key: 'loss', value: 0.3, timestamp: Date.now(), step: 0 }], params: [{ key: 'lr', value: '0.5' }] });
  await srv.finish(child.run_id);

  const a = runs[0];
  await srv.upload(a.artifact_uri, 'notes/readme.txt', 'hello artifacts\nsecond line\n', 'text/plain');
  await srv.upload(a.artifact_uri, 'config.json', JSON.stringify({ lr: 0.001, layers: [64, 32], name: XSS }), 'application/json');
  await srv.upload(a.artifact_uri, 'params.yaml', 'lr: 0.001\nlayers:\n  - 64\n  - 32\n', 'text/plain');
  await srv.upload(a.artifact_uri, 'table.csv', 'epoch,loss,label\n1,0.9,"a,b"\n2,0.5,' + XSS + '\n', 'text/plain');
  await srv.upload(a.artifact_uri, 'evil.html', '<html><body><script>alert("html artifact")</script><img src=x onerror=alert(2)></body></html>', 'text/html');
  await srv.upload(a.artifact_uri, 'evil.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(3)"><script>alert(4)</script><circle r="5"/></svg>', 'image/svg+xml');
  await srv.upload(a.artifact_uri, 'plots/square.png', PNG, 'image/png');

  // Registry: a model with two versions from run-00, an alias and a stage.
  await srv.api('POST', '/registered-models/create', { name: 'demo-model', description: 'A demo model' });
  for (let v = 0; v < 2; v++) await srv.api('POST', '/model-versions/create', { name: 'demo-model', source: `runs:/${a.run_id}/model`, run_id: a.run_id });
  await srv.api('POST', '/registered-models/alias', { name: 'demo-model', alias: 'champion', version: '2' });
  await srv.api('POST', '/model-versions/transition-stage', { name: 'demo-model', version: '1', stage: 'Staging', archive_existing_versions: false });
  await srv.api('POST', '/registered-models/create', { name: 'other-model' });

  // A logged model (MLflow 3).
  const lm = await srv.api('POST', '/logged-models', { experiment_id: exp, name: 'demo-logged-model', source_run_id: a.run_id, model_type: 'sklearn',
    params: [{ key: 'alpha', value: '0.1' }], tags: [{ key: 'stage', value: 'dev' }] });
  return { exp, runs, child, loggedModel: lm.model };
}

// 16x16 red PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAFklEQVR4nGO4o6ZGEmIY1TCqYfhqAAATqigQ9JeO5gAAAABJRU5ErkJggg==', 'base64');

// A large experiment: `runs` runs x `params` params x `metrics` metrics x `tags` tags, logged
// with log-batch, `concurrency` requests in flight.
export async function seedLarge(srv, { runs, params, metrics, tags, concurrency = 8, name = 'large' }) {
  const exp = await srv.createExperiment(name);
  const t0 = Date.now() - 86_400_000;
  const ids = [];
  await parallel(Array.from({ length: runs }, (_, i) => i), concurrency, async (i) => {
    const info = await srv.createRun(exp, `large-${i}`, { start: t0 + i * 1000 });
    ids[i] = info.run_id;
    const ts = t0 + i * 1000;
    await srv.logBatch(info.run_id, {
      params: Array.from({ length: params }, (_, k) => ({ key: `param_${String(k).padStart(2, '0')}`, value: String((i * 7 + k) % 97) })),
      metrics: Array.from({ length: metrics }, (_, k) => ({ key: `metric_${String(k).padStart(2, '0')}`, value: Math.sin(i + k) * 100, timestamp: ts, step: 0 })),
      tags: Array.from({ length: tags }, (_, k) => ({ key: `tag_${String(k).padStart(2, '0')}`, value: `v${(i + k) % 13}` })),
    });
    await srv.finish(info.run_id, ts + 500);
  });
  return { exp, ids };
}

// Long metric histories: `runs` runs x `metrics` metrics x `steps` steps (log-batch: 1000 values
// a request).
export async function seedHistories(srv, { runs, metrics, steps, concurrency = 4, name = 'histories' }) {
  const exp = await srv.createExperiment(name);
  const t0 = Date.now() - 86_400_000;
  const ids = [];
  for (let i = 0; i < runs; i++) ids.push((await srv.createRun(exp, `hist-${i}`, { start: t0 })).run_id);
  const jobs = [];
  for (let i = 0; i < runs; i++) {
    const values = [];
    for (let k = 0; k < metrics; k++) for (let s = 0; s < steps; s++)
      values.push({ key: `m${k}`, value: Math.exp(-s / (steps / 3)) * (1 + k) + 0.05 * Math.sin(s / 7 + i), timestamp: t0 + s * 100, step: s });
    for (let o = 0; o < values.length; o += 1000) jobs.push([ids[i], values.slice(o, o + 1000)]);
  }
  await parallel(jobs, concurrency, ([id, m]) => srv.logBatch(id, { metrics: m }));
  await parallel(ids, concurrency, (id) => srv.finish(id));
  return { exp, ids };
}
