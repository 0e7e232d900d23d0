// The traces UI in Debian's Chromium against the real binary, traces logged over OTLP/JSON +
// StartTraceV3 as MLflow's client logs them: the experiment's Traces tab (rows, columns, filter
// with autocomplete, paging, a row opens the trace), the trace page (span tree with waterfall,
// span details, tags and metadata, assessments added and edited, the run link), the run page's
// traces, a 10,000-span trace (virtualized), and XSS payloads in every kind of span content.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, parallel, Server, shot } from './harness.mjs';
import { agentSpans, hex, logTrace } from './trace-seed.mjs';

const XSS_IMG = '<img src=x onerror="window.__xss=1">';
const XSS_SCRIPT = '<script>window.__xss=2</script>';
const XSS_SVG = '<svg onload="window.__xss=3"></svg>';
const BIG = Number(process.env.SEXTANT_UI_TRACE_SPANS || 10000);
const FILLER = 110;  // more than the first page (100): the tab pages with next_page_token

let srv, browser, page, exp, run, agent, evil, big;

before(async () => {
  srv = await new Server().start();
  exp = await srv.createExperiment('traces-demo');
  run = await srv.createRun(exp, 'traced-run');
  const t = Date.now() - 3600_000;
  agent = await logTrace(srv, exp, { name: 'agent-trace', spans: agentSpans({ question: 'What is 6*7?', answer: 'It is 42.' }),
    request: '{"question": "What is 6*7?"}', response: '{"answer": "It is 42."}', tags: { env: 'prod' }, startMs: t + 500_000,
    durationMs: 900, tokens: { input_tokens: 12, output_tokens: 30, total_tokens: 42 }, metadata: { 'mlflow.sourceRun': run.run_id } });
  evil = await logTrace(srv, exp, { name: 'evil ' + XSS_IMG, state: 'ERROR', startMs: t + 400_000, durationMs: 50, request: XSS_SCRIPT, response: XSS_IMG,
    tags: { env: 'dev', note: XSS_SVG }, spans: evilSpans() });
  await parallel(Array.from({ length: FILLER }, (_, i) => i), 8, (i) =>
    logTrace(srv, exp, { name: `filler-${String(i).padStart(3, '0')}`, startMs: t + i * 1000, request: `"q${i}"`, response: `"a${i}"`,
      durationMs: 100, tags: { env: 'test' } }));
  const bigExp = await srv.createExperiment('big-trace');
  const spans = [{ id: hex(8), name: 'big-root', start: 0, end: 20_000e6, type: 'CHAIN' }];
  for (let i = 1; i < BIG; i++) {
    const parent = spans[i < 100 ? 0 : Math.floor(i / 100)];  // 99 children of the root, each with ~100 children
    spans.push({ id: hex(8), parent: parent.id, name: `step-${i}`, start: i * 1e6, end: i * 1e6 + 5e5, inputs: { i } });
  }
  big = { exp: bigExp, id: await logTrace(srv, bigExp, { name: 'big', spans, durationMs: 20_000 }) };
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

function evilSpans() {
  const root = hex(8), child = hex(8);
  return [
    { id: root, name: 'root ' + XSS_IMG, start: 0, end: 5e6, type: 'CHAIN', inputs: { prompt: XSS_SCRIPT, html: XSS_IMG },
      outputs: XSS_SVG + XSS_SCRIPT, attrs: { [XSS_IMG]: XSS_SCRIPT, json_text: JSON.stringify({ nested: XSS_IMG }) },
      events: [{ name: XSS_SCRIPT, at: 1e6, attrs: { 'exception.message': XSS_IMG } }], error: XSS_IMG },
    { id: child, parent: root, name: XSS_SCRIPT, start: 1e6, end: 2e6, type: XSS_SVG, inputs: XSS_IMG, outputs: { [XSS_SCRIPT]: XSS_SVG } },
  ];
}

const url = (hash) => srv.base + '/' + hash;
async function noScriptRan() {
  assert.equal(await page.evaluate(() => window.__xss), undefined, 'an injected script ran');
  assert.deepEqual(page.evidence.dialogs, [], 'a dialog opened (script ran)');
  assert.deepEqual(page.evidence.errors, [], 'uncaught page errors');
  assert.deepEqual(page.evidence.console.filter((m) => !/status of 4\d\d/.test(m)), [], 'console errors');
  assert.equal(await page.locator('#app img, #app svg, #app script, #app iframe').count(), 0, 'markup from span content reached the DOM');
}
const count = () => page.getByTestId('trace-count').textContent();

test('traces tab: rows and columns, filter with autocomplete, paging, a row opens the trace', async () => {
  await page.goto(url(`#/experiments/${exp}?tab=traces`));
  const grid = page.getByRole('grid', { name: 'Traces' });
  await grid.getByRole('link', { name: 'agent-trace' }).waitFor();
  await shot(page, 'traces-tab');
  const row = grid.getByRole('row').filter({ has: page.getByRole('link', { name: 'agent-trace' }) });
  for (const text of ['{"question": "What is 6*7?"}', 'OK', '900 ms', '42', 'env=prod'])
    assert.equal(await row.getByText(text, { exact: true }).count(), 1, text);
  // Newest first; the first page is 100 traces, scrolling fetches the next one.
  await page.waitForFunction(() => document.querySelector('[data-testid=trace-count]')?.textContent === `${2 + 110} traces`
    || document.querySelector('[data-testid=trace-count]')?.textContent === '100+ traces');
  await grid.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await page.waitForFunction((n) => document.querySelector('[data-testid=trace-count]')?.textContent === `${n} traces`, 2 + FILLER);

  const box = page.getByRole('combobox', { name: /Filter traces/ });
  await box.click();
  await box.pressSequentially('tags.e');
  await page.getByRole('option', { name: 'tags.env' }).waitFor();
  await box.press('Tab');
  await box.pressSequentially(" = 'prod'");
  await box.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=trace-count]')?.textContent === '1 traces');
  assert.equal(new URLSearchParams((await page.evaluate(() => location.hash)).split('?')[1]).get('tfilter'), "tags.env = 'prod'");
  await box.fill("trace.status = 'ERROR'");
  await box.press('Enter');
  await grid.getByRole('link', { name: 'evil ' + XSS_IMG }).waitFor();
  assert.equal(await count(), '1 traces');
  await box.fill("span.name = 'calculator'");
  await box.press('Enter');
  await grid.getByRole('link', { name: 'agent-trace' }).waitFor();
  assert.equal(await count(), '1 traces');
  // A bad filter shows the server's message.
  await box.fill("trace.bogus = 'x'");
  await box.press('Enter');
  await page.getByRole('alert').waitFor();
  await box.fill('');
  await box.press('Enter');
  await page.waitForFunction(() => document.querySelector('[data-testid=trace-count]')?.textContent === '100+ traces'
    && !document.querySelector('[role=alert]'));
  // Sorting by latency (server-side order_by).
  await grid.getByRole('button', { name: 'Sort by Latency' }).click();
  await page.waitForFunction(() => document.querySelector('[role=grid] [role=row][aria-rowindex="2"] a')?.textContent === 'agent-trace');
  // A click on the row (not on its link) opens the trace page.
  await grid.getByRole('row').filter({ has: page.getByRole('link', { name: 'agent-trace' }) }).getByText('900 ms').click();
  await page.waitForFunction((id) => location.hash === `#/traces/${id}`, agent);
  await page.getByTestId('trace-title').filter({ hasText: 'agent-trace' }).waitFor();
  await noScriptRan();
});

test('trace page: span tree with waterfall, span details, tags and metadata, run link', async () => {
  await page.goto(url(`#/traces/${agent}`));
  const tree = page.getByRole('grid', { name: 'Span tree' });
  await tree.getByRole('link', { name: 'calculator' }).waitFor();
  const names = await tree.locator('.span-select').allTextContents();
  assert.deepEqual(names, ['agent', 'retrieve', 'llm', 'calculator']);
  assert.equal(await tree.locator('.wf-bar').count(), 4);
  assert.equal(await tree.locator('.wf-bar.error').count(), 1);  // the failed tool call
  // The root is selected first: its inputs and outputs.
  const details = page.getByTestId('span-details');
  assert.equal(await details.getByTestId('span-title').textContent(), 'agent');
  await details.getByTestId('span-inputs').getByText('What is 6*7?').waitFor();
  await shot(page, 'trace-page');
  // Collapse and expand the llm span.
  await tree.getByRole('button', { name: 'Collapse llm' }).click();
  await tree.getByRole('link', { name: 'calculator' }).waitFor({ state: 'detached' });
  await tree.getByRole('button', { name: 'Expand llm' }).click();
  // The llm span: its attributes and event; the retrieve span's long output clipped with "show more".
  await tree.getByRole('link', { name: 'llm', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=span-title]')?.textContent === 'llm');
  await details.getByTestId('span-attributes').getByText('gpt-test').waitFor();
  await details.getByTestId('span-events').getByText('first_token').waitFor();
  assert.match(await page.evaluate(() => location.hash), /span=[0-9a-f]{16}/);
  await tree.getByRole('link', { name: 'retrieve' }).click();
  const more = details.getByTestId('span-outputs').getByRole('button', { name: /show more/ });
  await more.waitFor();
  const before = (await details.getByTestId('span-outputs').textContent()).length;
  await more.click();
  assert.ok((await details.getByTestId('span-outputs').textContent()).length > before + 1000);
  // The failed tool call: status and message.
  await tree.getByRole('link', { name: 'calculator' }).click();
  await details.getByText('tool failed once').waitFor();
  // Tags and metadata; the run link.
  await page.getByRole('tab', { name: 'Tags and metadata' }).click();
  await page.getByRole('rowheader', { name: 'env' }).waitFor();
  await page.getByRole('rowheader', { name: 'mlflow.trace.tokenUsage' }).waitFor();
  await page.getByTestId('trace-run').click();
  await page.getByTestId('run-title').filter({ hasText: 'traced-run' }).waitFor();
  await noScriptRan();
});

test('assessments: add feedback, then edit it', async () => {
  await page.goto(url(`#/traces/${agent}?tab=assessments`));
  await page.getByRole('button', { name: 'Add feedback' }).click();
  await page.getByLabel('Name', { exact: true }).fill('correctness');
  await page.getByLabel('Value (JSON or text)').fill('4');
  await page.getByLabel('Rationale').fill('close enough');
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const table = page.getByTestId('assessments');
  await table.getByRole('rowheader', { name: 'correctness' }).waitFor();
  let info = (await (await fetch(`${srv.base}/api/3.0/mlflow/traces/${agent}`)).json()).trace.trace_info;
  let a = info.assessments.find((x) => x.assessment_name === 'correctness');
  assert.equal(a.feedback.value, 4);
  assert.equal(a.rationale, 'close enough');
  assert.equal(a.source.source_type, 'HUMAN');

  await table.getByRole('button', { name: 'Edit assessment correctness' }).click();
  await page.getByLabel('Name', { exact: true }).fill('correct');
  await page.getByLabel('Value (JSON or text)').fill('yes, fully');
  await page.getByLabel('Rationale').fill('checked again');
  await page.getByRole('button', { name: 'Save' }).click();
  await table.getByRole('rowheader', { name: 'correct', exact: true }).waitFor();
  await table.getByText('checked again').waitFor();
  info = (await (await fetch(`${srv.base}/api/3.0/mlflow/traces/${agent}`)).json()).trace.trace_info;
  a = info.assessments.find((x) => x.assessment_id === a.assessment_id);
  assert.deepEqual([a.assessment_name, a.feedback.value, a.rationale], ['correct', 'yes, fully', 'checked again']);
  await shot(page, 'trace-assessments');
  // The traces tab shows it.
  await page.goto(url(`#/experiments/${exp}?tab=traces&tfilter=${encodeURIComponent("tags.env = 'prod'")}`));
  await page.getByRole('grid', { name: 'Traces' }).getByText('correct: yes, fully').waitFor();
  await noScriptRan();
});

test("run page lists the run's traces", async () => {
  await page.goto(url(`#/runs/${run.run_id}?tab=traces`));
  const grid = page.getByRole('grid', { name: 'Traces' });
  await grid.getByRole('link', { name: 'agent-trace' }).waitFor();
  assert.equal(await count(), '1 traces');
  await grid.getByRole('link', { name: 'agent-trace' }).click();
  await page.getByTestId('trace-title').filter({ hasText: 'agent-trace' }).waitFor();
  await noScriptRan();
});

test('XSS payloads in span names, inputs, outputs, attributes, events, status, tags and previews never run', async () => {
  await page.goto(url(`#/experiments/${exp}?tab=traces&tfilter=${encodeURIComponent("trace.status = 'ERROR'")}`));
  const grid = page.getByRole('grid', { name: 'Traces' });
  await grid.getByRole('link', { name: 'evil ' + XSS_IMG }).waitFor();
  await grid.getByText(XSS_SCRIPT).first().waitFor();      // request preview, as text
  await grid.getByRole('link', { name: 'evil ' + XSS_IMG }).click();
  const tree = page.getByRole('grid', { name: 'Span tree' });
  await tree.getByRole('link', { name: 'root ' + XSS_IMG }).waitFor();
  const details = page.getByTestId('span-details');
  await details.getByTestId('span-inputs').getByText(XSS_SCRIPT).waitFor();
  await details.getByTestId('span-outputs').getByText(XSS_SVG + XSS_SCRIPT).waitFor();
  await details.getByTestId('span-attributes').getByText(XSS_IMG).first().waitFor();
  await details.getByTestId('span-events').getByText(XSS_SCRIPT).waitFor();
  await tree.getByRole('link', { name: XSS_SCRIPT, exact: true }).click();
  await details.getByTestId('span-inputs').getByText(XSS_IMG).waitFor();
  await page.getByRole('tab', { name: 'Tags and metadata' }).click();
  await page.getByText(XSS_SVG).first().waitFor();
  await shot(page, 'trace-xss');
  await noScriptRan();
});

test(`a ${BIG}-span trace opens, scrolls and selects quickly (virtualized tree)`, async () => {
  const t0 = Date.now();
  await page.goto(url(`#/traces/${big.id}`));
  await page.waitForFunction((n) => document.querySelector('[data-testid=span-count]')?.textContent?.startsWith(`${n} spans`), BIG, { timeout: 30000 });
  const shown = Date.now() - t0;
  const tree = page.getByRole('grid', { name: 'Span tree' });
  assert.ok(await tree.getByRole('row').count() < 200, 'the tree renders only the rows in view');
  const t1 = Date.now();
  await tree.evaluate((el) => { el.scrollTop = el.scrollHeight; });
  const last = tree.getByRole('link', { name: `step-${BIG - 1}`, exact: true });
  await last.click();
  await page.waitForFunction((n) => document.querySelector('[data-testid=span-title]')?.textContent === `step-${n}`, BIG - 1);
  const scrolled = Date.now() - t1;
  console.log(`${BIG}-span trace: shown in ${shown} ms, scrolled to the end and selected in ${scrolled} ms`);
  assert.ok(shown < 20000 && scrolled < 10000, 'generous liveness bounds');
  await noScriptRan();
});
