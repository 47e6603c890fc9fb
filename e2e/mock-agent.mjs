// A small stand-in for the agent's HTTP API, for developing the page and for testing what a real
// cluster does not do on demand (a stream overflow, a closed stream, hostile text, a token).
// It serves the page from the classpath folder at /ui/, a scripted /v1/events and counters at
// /v1/stats. Run it on its own with `npm run mock` (prints its URL), or import startMock().
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { UI_DIR } from './browser.mjs';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

function member(id, port, status, metadata, self = false) {
  return {
    id,
    ip: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    status,
    incarnation: 1,
    metadata,
    metadata_version: 1,
    self,
  };
}

/**
 * Starts the mock on 127.0.0.1 and an ephemeral port. Options: token (requests must carry it).
 * Returns {url, members, streams, requests, emit(type, data), closeStreams(), overflow(), close()}.
 */
export async function startMock({ token = null } = {}) {
  const self = member('mock-1', 7946, 'ONLINE', { role: 'web' }, true);
  const members = new Map([
    [self.id, self],
    ['mock-2', member('mock-2', 7947, 'ONLINE', { role: 'db' })],
  ]);
  const streams = new Set();
  const requests = [];
  let counter = 0;
  const started = Date.now();

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    requests.push({ method: req.method, path: url.pathname, search: url.search, auth: req.headers.authorization || null });
    const json = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/' ) {
      res.writeHead(302, { Location: '/ui/' });
      return res.end();
    }
    if (url.pathname.startsWith('/ui/')) {
      const name = url.pathname.slice(4) || 'index.html';
      if (!/^[a-z]+\.(html|js|css)$/.test(name)) return json(404, { code: 'not_found', message: 'no such file' });
      try {
        const body = await readFile(join(UI_DIR, name));
        res.writeHead(200, { 'Content-Type': TYPES[extname(name)], 'Cache-Control': 'no-cache' });
        return res.end(body);
      } catch {
        return json(404, { code: 'not_found', message: 'no such file' });
      }
    }
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      return json(401, { code: 'unauthorized', message: 'send Authorization: Bearer TOKEN' });
    }
    if (url.pathname === '/v1/events' && req.method === 'GET') {
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
      const all = [...members.values()];
      res.write(`event: snapshot\ndata: ${JSON.stringify({ self, members: all })}\n\n`);
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return undefined;
    }
    if (url.pathname === '/v1/self' && req.method === 'GET') {
      return json(200, members.get(self.id));
    }
    if (url.pathname === '/v1/stats' && req.method === 'GET') {
      counter += 1;
      const t = (Date.now() - started) / 1000;
      // The agent's shape: NodeStats under "node" (core and transport), MessageStats, agent counters.
      return json(200, {
        node: {
          core: { bytes_received: Math.round(t * 1400), bytes_sent: Math.round(t * 1100), local_health: counter % 5 === 0 ? 1 : 0, incarnation: 1 },
          transport: { packets_in: Math.round(t * 12), packets_out: Math.round(t * 10), bytes_in: Math.round(t * 1500), bytes_out: Math.round(t * 1200) },
        },
        messages: { delivered: counter, dropped: 0, handler_failures: 0, pending: 0 },
        keyring: null,
        agent: { requests: { ok: counter }, event_streams: streams.size, pending_queries: 0 },
      });
    }
    return json(404, { code: 'not_found', message: `no route for ${req.method} ${url.pathname}` });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  const api = {
    url: `http://127.0.0.1:${port}`,
    members,
    streams,
    requests,
    /** Sends one event to every open stream; a member event also updates the snapshot. */
    emit(type, data) {
      if (data && data.member) {
        if (type === 'removed') members.delete(data.member.id);
        else members.set(data.member.id, data.member);
      }
      for (const s of streams) s.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    /** Sends `overflow` and closes every stream, as the agent does with a slow subscriber. */
    overflow() {
      for (const s of streams) {
        s.write('event: overflow\ndata: {"type":"overflow","dropped":1}\n\n');
        s.end();
      }
    },
    closeStreams() {
      for (const s of streams) s.end();
    },
    member,
    async close() {
      for (const s of streams) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return api;
}

if (process.argv[1] && process.argv[1].endsWith('mock-agent.mjs')) {
  const mock = await startMock({ token: process.env.MOCK_TOKEN || null });
  console.log(`mock agent: ${mock.url}/ui/`);
  let n = 3;
  setInterval(() => {
    const id = `mock-${n}`;
    mock.emit('joined', { type: 'joined', member: mock.member(id, 7945 + n, 'ONLINE', { n: String(n) }), previous_status: null, time_ms: Date.now() });
    n += 1;
  }, 5000);
}
