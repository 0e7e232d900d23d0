// Browser-test harness: starts the real sextant binary (like tests/integration/harness.py) on a
// free port with a temp dir, speaks its REST API to log data, and drives Debian's Chromium
// through playwright-core (no browser download). Every page records console errors, page errors
// and dialogs, so XSS tests can assert that nothing ran.
//   SEXTANT_BIN           the server binary (default ../../../build/sextant)
//   SEXTANT_SCREENSHOTS   where screenshots go (default <build>/screenshots)
//   CHROMIUM              the browser (default /usr/bin/chromium)
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const BIN = process.env.SEXTANT_BIN || resolve(here, '../../../build/sextant');
export const SHOTS = process.env.SEXTANT_SCREENSHOTS || resolve(dirname(BIN), 'screenshots');
mkdirSync(SHOTS, { recursive: true });

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
    s.on('error', fail);
  });
}

export class Server {
  // `args` may be a function of the port (e.g. for --redirect-url).
  constructor(args = [], env = {}) { this.args = args; this.env = env; }
  async start() {
    this.dir = mkdtempSync(join(tmpdir(), 'sextant-ui-'));
    this.port = await freePort();
    const args = typeof this.args === 'function' ? this.args(this.port) : this.args;
    this.base = `http://127.0.0.1:${this.port}`;
    this.stderr = '';
    this.proc = spawn(BIN, ['server', '--host', '127.0.0.1', '--port', String(this.port),
      '--backend-store-uri', 'sqlite:///' + join(this.dir, 'mlflow.db'), '--artifacts-destination', join(this.dir, 'artifacts'), ...args],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...this.env } });
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error('sextant exited: ' + this.stderr);
      try { if ((await fetch(this.base + '/health')).ok) return this; } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('sextant did not start: ' + this.stderr);
  }
  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await new Promise((r) => { this.proc.once('exit', r); setTimeout(r, 10000); });
    }
    if (this.dir && !process.env.SEXTANT_KEEP_TMP) rmSync(this.dir, { recursive: true, force: true });
  }
  // MLflow's REST API (as a client would use it); `auth` is an Authorization header value.
  async api(method, path, body, { auth, query } = {}) {
    const url = new URL(this.base + '/api/2.0/mlflow' + path);
    for (const [k, v] of Object.entries(query ?? {})) for (const x of [v].flat()) url.searchParams.append(k, String(x));
    const headers = { 'Content-Type': 'application/json' };
    if (auth || this.auth) headers.Authorization = auth || this.auth;
    const r = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : {};
  }
  async upload(runArtifactUri, path, content, contentType = 'application/octet-stream') {
    // mlflow-artifacts:/<exp>/<run>/artifacts -> /api/2.0/mlflow-artifacts/artifacts/<exp>/<run>/artifacts/<path>
    const rel = runArtifactUri.replace(/^mlflow-artifacts:\//, '');
    const headers = { 'Content-Type': contentType };
    if (this.auth) headers.Authorization = this.auth;
    const r = await fetch(`${this.base}/api/2.0/mlflow-artifacts/artifacts/${rel}/${path}`, { method: 'PUT', headers, body: content });
    if (!r.ok) throw new Error(`upload ${path}: ${r.status} ${await r.text()}`);
  }
  createExperiment(name) { return this.api('POST', '/experiments/create', { name }).then((r) => r.experiment_id); }
  async createRun(experimentId, name, { tags = [], start = Date.now() } = {}) {
    const r = await this.api('POST', '/runs/create', { experiment_id: experimentId, run_name: name, start_time: start, tags });
    return r.run.info;
  }
  logBatch(runId, { metrics = [], params = [], tags = [] }) { return this.api('POST', '/runs/log-batch', { run_id: runId, metrics, params, tags }); }
  finish(runId, end = Date.now()) { return this.api('POST', '/runs/update', { run_id: runId, status: 'FINISHED', end_time: end }); }
}

// tests/oidc's oauth2-mock-server (authorization code flow without a login page; `make
// test-deps` installs it). Resolves once it prints its issuer URL.
export async function startMockIdp() {
  const port = await freePort();
  const proc = spawn(process.execPath, [resolve(here, '../../../tests/oidc/jwt_mock_idp.mjs')],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: String(port), ALGS: 'RS256', CODE_EMAIL: 'ada@example.test' } });
  let out = '';
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error('mock IdP did not start: ' + out)), 30000);
    proc.stdout.on('data', (d) => { out += d; if (out.includes('ready ')) { clearTimeout(t); ok(); } });
    proc.stderr.on('data', (d) => { out += d; });
    proc.on('exit', (c) => { clearTimeout(t); fail(new Error('mock IdP exited ' + c + ': ' + out)); });
  });
  return { issuer: `http://127.0.0.1:${port}`, stop: () => proc.kill('SIGTERM') };
}

// Runs `fn` over items with at most `limit` in flight.
export async function parallel(items, limit, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) { const i = next++; await fn(items[i], i); }
  }));
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

// A page whose console errors, uncaught errors and dialogs are recorded in `page.evidence`.
export async function newPage(browser, opts = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 860 }, acceptDownloads: true, ...opts });
  const page = await context.newPage();
  page.evidence = { dialogs: [], errors: [], console: [] };
  // The UI's own confirm() prompts (delete) are accepted; anything else (alert from injected
  // script) is recorded as evidence and dismissed.
  page.on('dialog', (d) => {
    if (d.type() === 'confirm') { d.accept().catch(() => {}); return; }
    page.evidence.dialogs.push(d.type() + ': ' + d.message());
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => page.evidence.errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') page.evidence.console.push(m.text()); });
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, name + '.png') });
}

export function readJson(path) { return JSON.parse(readFileSync(path, 'utf8')); }
