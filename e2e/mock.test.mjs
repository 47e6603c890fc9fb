// The dashboard against the mock agent (mock-agent.mjs): what a real cluster does not do on
// demand — a bearer token in the address, hostile text, an overflowing or closed event stream, a
// long event log. Fast (no JVM); the real two-agent test is dashboard.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openBrowser, row, OUT } from './browser.mjs';
import { startMock } from './mock-agent.mjs';

const TOKEN = 'mock-secret-token';
const WAIT = { timeout: 15_000 };

let mock;
let browser;
let page;

before(async () => {
  mock = await startMock({ token: TOKEN });
  browser = await openBrowser();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.close();
  if (mock) await mock.close();
});

test('a token in the address is moved to sessionStorage and sent as a bearer header', async () => {
  await page.goto(`${mock.url}/ui/?token=${TOKEN}`);
  await page.waitForSelector(row('mock-2', 'ONLINE'), WAIT);
  assert.equal(new URL(page.url()).search, '', 'the token left the address bar');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('libgossip.agent.token')), TOKEN);
  const events = mock.requests.filter((r) => r.path === '/v1/events');
  assert.ok(events.length >= 1);
  assert.ok(events.every((r) => r.auth === `Bearer ${TOKEN}`), 'every stream request carried the token');
  assert.equal(await page.textContent('#self-id'), 'mock-1');
  assert.equal(await page.textContent('#self-address'), '127.0.0.1:7946');
  await page.waitForSelector('#connection[data-state="live"]', WAIT);

  // A reload without ?token keeps working from sessionStorage.
  await page.reload();
  await page.waitForSelector(row('mock-1', 'ONLINE'), WAIT);
  await page.waitForSelector('#connection[data-state="live"]', WAIT);
});

test('member events update the row and the log, newest first', async () => {
  const m2 = mock.members.get('mock-2');
  mock.emit('suspected', { type: 'suspected', member: { ...m2, status: 'SUSPECT' }, previous_status: 'ONLINE', time_ms: Date.now() });
  await page.waitForSelector(row('mock-2', 'SUSPECT'), WAIT);
  mock.emit('failed', { type: 'failed', member: { ...m2, status: 'FAILED' }, previous_status: 'SUSPECT', time_ms: Date.now() });
  await page.waitForSelector(row('mock-2', 'FAILED'), WAIT);
  const first = await page.textContent('#event-log li:first-child');
  assert.match(first, /failed\s+mock-2: SUSPECT → FAILED/);
  assert.equal(await page.textContent(`${row('mock-2')} .status`), 'FAILED');
  assert.match(await page.textContent('#member-counts'), /2 members: 1 online, 1 failed/);
  mock.emit('removed', { type: 'removed', member: { ...m2, status: 'FAILED' }, previous_status: 'FAILED', time_ms: Date.now() });
  await page.waitForSelector(row('mock-2'), { ...WAIT, state: 'detached' });
});

test('text from the agent is shown as text, never as markup', async () => {
  const evil = '<img src=x onerror="window.__pwned=1">';
  const m1 = mock.members.get('mock-1');
  const m3 = mock.member(evil, 7950, 'ONLINE', { [evil]: `<b>${evil}</b>` });
  mock.emit('joined', { type: 'joined', member: m3, previous_status: null, time_ms: Date.now() });
  mock.emit('metadata-changed', { type: 'metadata-changed', member: { ...m1, metadata: { role: evil } }, previous_status: null, time_ms: Date.now() });
  mock.emit('broadcast', { type: 'broadcast', from: evil, topic: evil, key: null, seq: 1, payload: evil, payload_base64: '' });
  await page.waitForSelector(`${row('mock-1')} li[data-key="role"]`, WAIT);
  await page.waitForFunction((e) => document.querySelector('#member-rows').textContent.includes(e), evil, WAIT);
  assert.equal(await page.locator('img').count(), 0, 'no element was made from the text');
  assert.equal(await page.locator('#member-rows b').count(), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.textContent(`${row('mock-1')} li[data-key="role"] .v`), evil);
  assert.match(await page.textContent('#event-log li[data-type="broadcast"]'), /topic <img/);
});

test('an overflow shows "disconnected, retrying", then a fresh snapshot replaces the table', async () => {
  const before = mock.requests.filter((r) => r.path === '/v1/events').length;
  // A change the page can only learn from the next snapshot (no event is sent for it).
  mock.members.set('mock-9', mock.member('mock-9', 7999, 'ONLINE', {}));
  mock.overflow();
  await page.waitForSelector('#connection[data-state="disconnected"]', WAIT);
  assert.match(await page.textContent('#connection'), /Disconnected \(the page fell behind the event stream\), retrying in \d+ s/);
  assert.ok(await page.evaluate(() => document.body.classList.contains('stale')));
  await page.waitForSelector('#connection[data-state="live"]', WAIT);
  await page.waitForSelector(row('mock-9', 'ONLINE'), WAIT);
  assert.ok(mock.requests.filter((r) => r.path === '/v1/events').length > before);
  assert.ok(await page.locator('#event-log li[data-type="overflow"]').count() >= 1);
});

test('the end of the stream reconnects', async () => {
  mock.closeStreams();
  await page.waitForSelector('#connection[data-state="disconnected"]', WAIT);
  assert.match(await page.textContent('#connection'), /the agent closed the event stream/);
  await page.waitForSelector('#connection[data-state="live"]', WAIT);
});

test('the event log keeps the newest 200 entries', async () => {
  const m1 = mock.members.get('mock-1');
  for (let i = 0; i < 250; i++) {
    mock.emit('metadata-changed', { type: 'metadata-changed', member: { ...m1, metadata: { i: String(i) } }, previous_status: null, time_ms: Date.now() });
  }
  await page.waitForSelector(`${row('mock-1')} li[data-key="i"] >> text=249`, WAIT);
  assert.equal(await page.locator('#event-log li').count(), 200);
  assert.match(await page.textContent('#event-log li:first-child'), /i=249/);
});

test('this node\'s own metadata change (no event) appears from GET /v1/self', async () => {
  const m1 = mock.members.get('mock-1');
  mock.members.set('mock-1', { ...m1, metadata: { role: 'web', zone: 'z9' }, metadata_version: m1.metadata_version + 1 });
  await page.waitForSelector(`${row('mock-1')} li[data-key="zone"]`, WAIT);
  assert.equal(await page.textContent(`${row('mock-1')} li[data-key="zone"] .v`), 'z9');
  assert.match(await page.textContent('#event-log li:first-child'), /metadata-changed\s+mock-1: metadata role=web zone=z9/);
});

test('a resync replaces the whole table', async () => {
  const m1 = mock.members.get('mock-1');
  const fresh = [m1, mock.member('mock-r', 7990, 'SUSPECT', {})];
  mock.emit('resync', { type: 'resync', member: m1, previous_status: null, time_ms: Date.now(), members: fresh, dropped_events: 7 });
  await page.waitForSelector(row('mock-r', 'SUSPECT'), WAIT);
  await page.waitForSelector(row('mock-9'), { ...WAIT, state: 'detached' });
  assert.match(await page.textContent('#event-log li:first-child'), /resync\s+2 members \(the agent dropped 7 events\)/);
});

test('the chart shows rates from /v1/stats', async () => {
  await page.waitForFunction(() => document.getElementById('stat-msgs-in').textContent !== '–', null, WAIT);
  assert.match(await page.textContent('#stat-msgs-in'), /^\d+(\.\d)?$/);
  assert.match(await page.textContent('#stat-bytes-out'), /(B|KiB|MiB)$/);
  assert.match(await page.textContent('#stat-health'), /^\d/);
  const stats = mock.requests.filter((r) => r.path === '/v1/stats');
  assert.ok(stats.every((r) => r.auth === `Bearer ${TOKEN}`));
  await page.screenshot({ path: join(OUT, 'dashboard-mock.png'), fullPage: true });
  assert.deepEqual(browser.errors, [], 'no JavaScript error in the page');
});

test('without the token the page says how to give it', async () => {
  // sessionStorage belongs to one tab: a new tab starts without the token.
  const other = await browser.context.newPage();
  const errors = [];
  other.on('pageerror', (e) => errors.push(String(e)));
  try {
    await other.goto(`${mock.url}/ui/`);
    await other.waitForFunction(() => {
      const c = document.getElementById('connection');
      return c.dataset.state === 'disconnected' && c.textContent.includes('unauthorized');
    }, null, WAIT);
    assert.match(await other.textContent('#connection'), /unauthorized: open this page as \/ui\/\?token=YOUR_TOKEN\), retrying in 1\d s/);
    assert.equal(await other.evaluate(() => sessionStorage.getItem('libgossip.agent.token')), null);
    assert.deepEqual(errors, []);
  } finally {
    await other.close();
  }
});
