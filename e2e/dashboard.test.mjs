// End to end: two real agents on loopback (./gossip agent), the dashboard of the first one in
// headless Chromium. Both members appear ONLINE; the second agent is killed with SIGKILL and the
// page shows it SUSPECT, then FAILED; metadata set through PUT /v1/metadata appears in the table;
// the traffic chart gets values; a screenshot goes to e2e/out/dashboard.png. The agents are killed
// at the end whatever happens (and when this process exits or is interrupted).
//
// The first agent's API needs a bearer token: the page is opened as /ui/?token=T (the agent serves
// the page's static files without one) and sends the token itself for the API and event stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, createWriteStream, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { openBrowser, row, OUT, ROOT } from './browser.mjs';

const READY_WAIT_MS = 120_000; // the first ./gossip run builds the project
const ONLINE_WAIT_MS = 60_000;
const SUSPECT_WAIT_MS = 30_000; // loopback defaults: a few seconds
const FAILED_WAIT_MS = 60_000;

const agents = [];
let browser;
let a1;
let a2;

function startAgent(name, args) {
  mkdirSync(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), `gossip-ui-${name}-`));
  const readyFile = join(dir, 'ready.json');
  const logPath = join(OUT, `${name}.log`);
  const log = createWriteStream(logPath);
  // Its own process group: killing the group also ends a build the launcher may have started.
  const child = spawn(join(ROOT, 'gossip'),
    ['agent', '--bind', '127.0.0.1:0', '--http', '127.0.0.1:0', '--ready-file', readyFile, ...args],
    { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const agent = { name, child, dir, readyFile, logPath, exited: null };
  child.on('exit', (code, signal) => {
    agent.exited = { code, signal };
  });
  agents.push(agent);
  return agent;
}

/** Polls the ready file (bounded); returns the agent with id, gossip, http and pid from it. */
async function waitReady(agent) {
  const deadline = Date.now() + READY_WAIT_MS;
  while (Date.now() < deadline) {
    if (agent.exited) {
      throw new Error(`${agent.name} exited (${JSON.stringify(agent.exited)}) before it was ready; ` +
        `log: ${agent.logPath}\n${tail(agent.logPath)}`);
    }
    try {
      const info = JSON.parse(readFileSync(agent.readyFile, 'utf8'));
      if (info.id && info.gossip && info.http) return Object.assign(agent, info);
    } catch {
      // not there yet (the agent writes it atomically)
    }
    await sleep(200);
  }
  throw new Error(`${agent.name} not ready after ${READY_WAIT_MS / 1000} s; log: ${agent.logPath}\n${tail(agent.logPath)}`);
}

function tail(path) {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

function kill(agent) {
  if (agent.exited) return;
  try {
    process.kill(-agent.child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function killAll() {
  for (const a of agents) kill(a);
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    killAll();
    process.exit(130);
  });
}

const TOKEN = randomBytes(12).toString('hex');

before(async () => {
  a1 = await waitReady(startAgent('agent-1', ['--meta', 'role=e2e-one', '--http-token', TOKEN]));
  a2 = await waitReady(startAgent('agent-2', ['--join', a1.gossip, '--retry-join', '--meta', 'role=e2e-two']));
  browser = await openBrowser();
}, { timeout: 2 * READY_WAIT_MS + 60_000 });

after(async () => {
  try {
    if (browser) await browser.close();
  } finally {
    killAll();
    const deadline = Date.now() + 10_000;
    while (agents.some((a) => !a.exited) && Date.now() < deadline) await sleep(100);
    for (const a of agents) rmSync(a.dir, { recursive: true, force: true });
  }
});

test('both agents appear ONLINE on the first agent\'s dashboard', { timeout: 2 * ONLINE_WAIT_MS }, async () => {
  const { page } = browser;
  await page.goto(`${a1.http}/ui/?token=${TOKEN}`);
  await page.waitForSelector(row(a1.id, 'ONLINE'), { timeout: ONLINE_WAIT_MS });
  await page.waitForSelector(row(a2.id, 'ONLINE'), { timeout: ONLINE_WAIT_MS });
  await page.waitForSelector('#connection[data-state="live"]', { timeout: 5_000 });
  assert.equal(await page.textContent('#self-id'), a1.id);
  assert.equal(await page.textContent('#self-address'), a1.gossip);
  assert.equal(await page.textContent(`${row(a2.id)} td.address`), a2.gossip);
  assert.equal(await page.textContent(`${row(a2.id)} li[data-key="role"] .v`), 'e2e-two');
});

test('the killed agent shows SUSPECT, then FAILED', { timeout: SUSPECT_WAIT_MS + FAILED_WAIT_MS + 10_000 }, async (t) => {
  const { page } = browser;
  const t0 = Date.now();
  process.kill(-a2.child.pid, 'SIGKILL');
  await page.waitForSelector(row(a2.id, 'SUSPECT'), { timeout: SUSPECT_WAIT_MS });
  const suspectMs = Date.now() - t0;
  await page.waitForSelector(row(a2.id, 'FAILED'), { timeout: FAILED_WAIT_MS });
  const failedMs = Date.now() - t0;
  t.diagnostic(`SUSPECT after ${suspectMs} ms, FAILED after ${failedMs} ms (from SIGKILL)`);
  assert.equal(await page.textContent(`${row(a2.id)} .status`), 'FAILED');
  assert.ok(await page.locator(`#event-log li[data-type="suspected"][data-member-id="${a2.id}"]`).count() >= 1,
    'the log has the suspicion');
  assert.match(await page.textContent(`#event-log li[data-type="failed"][data-member-id="${a2.id}"]`),
    /SUSPECT → FAILED/);
  assert.match(await page.textContent('#member-counts'), /1 online, 1 failed/);
});

test('metadata set with PUT /v1/metadata appears in the table', { timeout: 30_000 }, async () => {
  const { page } = browser;
  const value = `changed-${randomBytes(4).toString('hex')}`;
  const response = await fetch(`${a1.http}/v1/metadata`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ metadata: { e2e: value } }),
  });
  assert.equal(response.status, 200, await response.text());
  await page.waitForSelector(`${row(a1.id)} li[data-key="e2e"]`, { timeout: 15_000 });
  assert.equal(await page.textContent(`${row(a1.id)} li[data-key="e2e"] .v`), value);
  assert.equal(await page.textContent(`${row(a1.id)} li[data-key="role"] .v`), 'e2e-one');
  assert.match(await page.textContent('#event-log li[data-type="metadata-changed"]'), new RegExp(`e2e=${value}`));
});

test('the traffic chart gets values from /v1/stats; screenshot', { timeout: 30_000 }, async () => {
  const { page } = browser;
  await page.waitForFunction(() => document.getElementById('stat-msgs-in').textContent !== '–', null,
    { timeout: 15_000 });
  assert.match(await page.textContent('#stat-bytes-in'), /(B|KiB|MiB)$/);
  assert.match(await page.textContent('#stat-health'), /^\d/);
  assert.equal(await page.getAttribute('#connection', 'data-state'), 'live');
  await page.screenshot({ path: join(OUT, 'dashboard.png'), fullPage: true });
  assert.deepEqual(browser.errors, [], 'no JavaScript error in the page');
});
