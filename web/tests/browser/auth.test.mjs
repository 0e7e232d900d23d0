// With authentication on: a browser without a session is sent to the login page (the only UI
// files it may fetch are the page's own), signs in with a local user's password
// (POST /api/2.0/sextant/login), lands on the page it asked for, sees its user name, manages
// personal tokens, and signs out. Then the browser OIDC login against tests/oidc's
// oauth2-mock-server, through to the deep link, and sign-out revoking that session.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, newPage, Server, shot, startMockIdp } from './harness.mjs';

const USER = 'admin', PASSWORD = 'a-long-bootstrap-password';
let srv, browser, page;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sextant-ui-auth-'));
  writeFileSync(join(dir, 'admin'), `${USER}:${PASSWORD}\n`);
  srv = await new Server(['--auth', 'on', '--admin-bootstrap-file', join(dir, 'admin')]).start();
  srv.auth = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  await srv.createExperiment('secured-experiment');
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('login redirect, wrong password, sign in to the deep link', async () => {
  const blocked = [];
  page.on('response', (r) => { if (r.status() === 401) blocked.push(r.url()); });
  await page.goto(srv.base + '/#/models');
  await page.waitForURL(/\/auth\/login\?rd=%2F#\/models$|\/auth\/login\?rd=\/#\/models$/);
  await page.getByLabel('User name').waitFor();
  assert.deepEqual(blocked, [], 'the login page fetched nothing it may not');
  await shot(page, 'login');
  await page.getByLabel('User name').fill(USER);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: /Invalid user name or password/ }).waitFor();
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(srv.base + '/#/models');
  await page.getByRole('heading', { name: 'Registered models' }).waitFor();
  assert.equal(await page.getByTestId('current-user').textContent(), USER);
  await page.getByRole('link', { name: 'Experiments' }).click();
  await page.getByRole('link', { name: 'secured-experiment' }).waitFor();
  assert.deepEqual(page.evidence.dialogs, []);
  assert.deepEqual(page.evidence.errors, []);
});

test('token page: create (shown once), use, revoke', async () => {
  await page.getByTestId('current-user').click();
  await page.getByTestId('account-name').waitFor();
  await page.getByLabel('Name', { exact: true }).fill('ci-token');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.getByTestId('new-token').locator('code').textContent()).trim();
  assert.match(secret, /^sxt_/);
  await page.getByTestId('tokens').getByRole('cell', { name: 'ci-token', exact: true }).waitFor();
  await page.getByRole('button', { name: 'Done' }).click();  // no secret in the screenshot
  await shot(page, 'tokens');
  const who = await fetch(srv.base + '/api/2.0/sextant/whoami', { headers: { Authorization: 'Bearer ' + secret } });
  assert.equal(who.status, 200);
  await page.getByRole('button', { name: 'Revoke token ci-token' }).click();
  await page.getByTestId('tokens').getByRole('cell', { name: 'revoked', exact: true }).waitFor();
  const after = await fetch(srv.base + '/api/2.0/sextant/whoami', { headers: { Authorization: 'Bearer ' + secret } });
  assert.equal(after.status, 401);
});

test('sign out ends the session', async () => {
  // A foreign page can neither GET the logout (an <img>, a link) nor post it as a form.
  assert.equal((await page.request.get(srv.base + '/auth/logout')).status(), 405);
  const form = await page.request.post(srv.base + '/auth/logout', { form: { x: '1' }, headers: { Origin: 'https://evil.example' } });
  assert.equal(form.status(), 403);
  assert.equal((await page.request.get(srv.base + '/api/2.0/sextant/whoami')).status(), 200, 'still signed in');
  const loggedOut = page.waitForResponse((r) => r.url().endsWith('/auth/logout') && r.request().method() === 'POST');
  await page.getByTestId('logout').click();
  assert.equal((await loggedOut).status(), 200);
  await page.waitForURL(/\/auth\/login/);
  await page.getByLabel('User name').waitFor();
  const r = await page.request.get(srv.base + '/ajax-api/2.0/mlflow/experiments/search?max_results=1');
  assert.equal(r.status(), 401);
  await page.goto(srv.base + '/');
  await page.waitForURL(/\/auth\/login/);
});

test('OIDC browser login (oauth2-mock-server) to the deep link; sign out revokes the session', async () => {
  const idp = await startMockIdp();
  const oidc = await new Server((port) => ['--auth', 'on', '--oidc-issuer-url', idp.issuer, '--client-id', 'mlflow',
    '--client-secret', 'not-a-real-secret', '--redirect-url', `http://127.0.0.1:${port}/auth/callback`, '--email-domain', 'example.test']).start();
  try {
    const p = await newPage(browser);
    await p.goto(oidc.base + '/#/models');
    await p.waitForURL(oidc.base + '/#/models');
    await p.getByRole('heading', { name: 'Registered models' }).waitFor();
    const user = await p.getByTestId('current-user').textContent();
    assert.match(user, /ada/);
    const session = (await p.context().cookies()).find((c) => c.name === '__Host-sextant_session');
    assert.ok(session && session.httpOnly && session.secure);
    const loggedOut = p.waitForResponse((r) => r.url().endsWith('/auth/logout') && r.request().method() === 'POST');
    await p.getByTestId('logout').click();
    assert.equal((await loggedOut).status(), 200);
    await p.waitForLoadState('load');
    const r = await fetch(oidc.base + '/api/2.0/sextant/whoami', { headers: { Cookie: `${session.name}=${session.value}` } });
    assert.equal(r.status, 401, 'the old session was revoked');
    assert.deepEqual(p.evidence.errors, []);
    await p.context().close();
  } finally {
    await oidc.stop();
    idp.stop();
  }
});
