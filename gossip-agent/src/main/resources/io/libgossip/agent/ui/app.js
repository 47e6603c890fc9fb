// libgossip agent dashboard: one static page, no build step, no library.
//
// - Members: GET /v1/events (server-sent events) read with fetch() and a stream reader, so that an
//   Authorization header can be sent (EventSource cannot send one). The first event is a
//   `snapshot`; member events update one row; `overflow` or the end of the stream reconnects with
//   a backoff and a fresh snapshot.
// - Traffic: GET /v1/stats every 2 s; rates are differences of counters over time.
// - Token: open /ui/?token=T once; the token moves to sessionStorage and leaves the address bar.
//
// All data is written with textContent: nothing the agent sends is parsed as HTML.
'use strict';

(function () {
  const TOKEN_KEY = 'libgossip.agent.token';
  const LOG_LIMIT = 200;
  const STATS_PERIOD_MS = 2000;
  const CHART_POINTS = 60; // two minutes at one sample every 2 s
  const BACKOFF_MIN_MS = 500;
  const BACKOFF_MAX_MS = 15000;
  const STALL_MS = 45000; // the agent sends a keepalive every 15 s
  const STATUS_ORDER = ['ONLINE', 'SUSPECT', 'FAILED', 'LEFT'];

  // The API lives beside /ui/ (works behind a proxy that adds a path prefix too).
  const apiBase = location.pathname.replace(/\/ui(\/.*)?$/, '');

  const token = takeToken();

  const el = (id) => document.getElementById(id);
  const ui = {
    selfId: el('self-id'),
    selfAddress: el('self-address'),
    selfStatus: el('self-status'),
    connection: el('connection'),
    rows: el('member-rows'),
    counts: el('member-counts'),
    log: el('event-log'),
    chart: el('chart'),
    statsState: el('stats-state'),
    msgsIn: el('stat-msgs-in'),
    msgsOut: el('stat-msgs-out'),
    bytesIn: el('stat-bytes-in'),
    bytesOut: el('stat-bytes-out'),
    health: el('stat-health'),
  };

  /** Members by id, as the last snapshot and events described them. */
  const members = new Map();
  let selfId = null;

  // ---------------------------------------------------------------- token and requests

  /** Moves ?token=T from the address bar into sessionStorage; returns the token or null. */
  function takeToken() {
    const url = new URL(location.href);
    const fromUrl = url.searchParams.get('token');
    if (fromUrl !== null) {
      try {
        sessionStorage.setItem(TOKEN_KEY, fromUrl);
      } catch (e) {
        // Storage disabled: the token still works for this page view.
      }
      url.searchParams.delete('token');
      history.replaceState(null, '', url.pathname + url.search + url.hash);
      return fromUrl === '' ? null : fromUrl;
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null;
    }
  }

  function headers(extra) {
    const h = Object.assign({}, extra || {});
    if (token) {
      h.Authorization = 'Bearer ' + token;
    }
    return h;
  }

  /** An error with the API's {code, message} when the body has them. */
  async function apiError(response) {
    let code = 'http_' + response.status;
    let message = response.statusText || 'request failed';
    try {
      const body = await response.json();
      if (body && typeof body.code === 'string') code = body.code;
      if (body && typeof body.message === 'string') message = body.message;
    } catch (e) {
      // not JSON: keep the status line
    }
    const err = new Error(code + ': ' + message);
    err.status = response.status;
    err.code = code;
    return err;
  }

  // ---------------------------------------------------------------- connection state

  function setConnection(state, text) {
    ui.connection.dataset.state = state;
    ui.connection.className = 'connection ' + state;
    ui.connection.textContent = text;
    document.body.classList.toggle('stale', state !== 'live');
  }

  // ---------------------------------------------------------------- event stream

  let backoffMs = BACKOFF_MIN_MS;
  let attempt = 0;
  let controller = null;
  let stallTimer = null;

  function resetStallTimer() {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      if (controller) controller.abort(new Error('no data for ' + STALL_MS / 1000 + ' s'));
    }, STALL_MS);
  }

  async function connect() {
    attempt += 1;
    controller = new AbortController();
    setConnection('connecting', attempt === 1 ? 'Connecting…' : 'Reconnecting…');
    let reason;
    try {
      const response = await fetch(apiBase + '/v1/events?types=member,user', {
        headers: headers({ Accept: 'text/event-stream' }),
        cache: 'no-store',
        signal: controller.signal,
      });
      if (!response.ok) {
        throw await apiError(response);
      }
      if (!response.body) {
        throw new Error('this browser cannot read a streamed response');
      }
      resetStallTimer();
      reason = await readStream(response.body);
    } catch (e) {
      reason = e && e.name === 'AbortError' && controller.signal.reason
        ? String(controller.signal.reason.message || controller.signal.reason)
        : (e && e.message) || String(e);
      if (e && e.status === 401) {
        reason = 'unauthorized: open this page as /ui/?token=YOUR_TOKEN';
        backoffMs = BACKOFF_MAX_MS; // retrying soon cannot help
      }
    } finally {
      clearTimeout(stallTimer);
    }
    scheduleReconnect(reason);
  }

  function scheduleReconnect(reason) {
    const delay = Math.round(backoffMs * (0.8 + Math.random() * 0.4));
    backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
    const seconds = Math.max(1, Math.round(delay / 1000));
    setConnection('disconnected',
      'Disconnected (' + reason + '), retrying in ' + seconds + ' s');
    addLog({ type: 'disconnected', text: reason + '; retrying in ' + seconds + ' s', cls: 'warn' });
    setTimeout(connect, delay);
  }

  /** Reads an SSE body until it ends; returns why it ended. */
  async function readStream(body) {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let eventType = 'message';
    let data = [];
    for (;;) {
      const { value, done } = await reader.read();
      if (done) {
        return 'the agent closed the event stream';
      }
      resetStallTimer();
      buffer += value;
      let nl;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) {
            const stop = dispatch(eventType, data.join('\n'));
            if (stop) {
              reader.cancel().catch(() => {});
              return stop;
            }
          }
          eventType = 'message';
          data = [];
        } else if (line.startsWith(':')) {
          // comment (keepalive)
        } else {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let val = colon < 0 ? '' : line.slice(colon + 1);
          if (val.startsWith(' ')) val = val.slice(1);
          if (field === 'event') eventType = val;
          else if (field === 'data') data.push(val);
        }
      }
    }
  }

  /** Handles one event; returns a reason to close the stream, or null. */
  function dispatch(type, raw) {
    let data;
    try {
      data = JSON.parse(raw);
    } catch (e) {
      addLog({ type: 'bad-event', text: 'unreadable ' + type + ' event', cls: 'warn' });
      return null;
    }
    if (type === 'snapshot') {
      applySnapshot(data);
      backoffMs = BACKOFF_MIN_MS;
      setConnection('live', 'Live');
      addLog({ type: 'snapshot', text: members.size + ' members' });
      return null;
    }
    if (type === 'overflow') {
      addLog({ type: 'overflow', text: 'this page fell behind the event stream', cls: 'warn' });
      return 'the page fell behind the event stream';
    }
    if (type === 'resync' && data && Array.isArray(data.members)) {
      // The node dropped events and sent its whole table instead: same as a snapshot.
      applySnapshot({ self: data.member, members: data.members });
      addLog({ type: 'resync', text: members.size + ' members (the agent dropped ' + (data.dropped_events || 0) + ' events)', cls: 'warn' });
      return null;
    }
    if (data && typeof data === 'object' && data.member && typeof data.member === 'object') {
      applyMemberEvent(type, data);
      return null;
    }
    addLog(userEventEntry(type, data));
    return null;
  }

  // ---------------------------------------------------------------- members

  function applySnapshot(data) {
    members.clear();
    const list = Array.isArray(data.members) ? data.members : [];
    for (const m of list) {
      if (m && typeof m.id === 'string') members.set(m.id, m);
    }
    if (data.self && typeof data.self.id === 'string') {
      members.set(data.self.id, Object.assign({}, data.self, { self: true }));
      selfId = data.self.id;
    }
    scheduleRender();
  }

  function applyMemberEvent(type, data) {
    const m = data.member;
    if (typeof m.id !== 'string') return;
    const previous = members.get(m.id);
    if (type === 'removed') {
      members.delete(m.id);
    } else {
      members.set(m.id, m);
    }
    if (m.self) selfId = m.id;
    scheduleRender();
    addLog(memberEventEntry(type, data, previous));
  }

  // Renders the table at most once a frame: a burst of events (a resync, a partition healing)
  // costs one redraw, not one per event.
  let renderPending = false;

  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    const run = () => {
      renderPending = false;
      renderMembers();
    };
    if (document.hidden) setTimeout(run, 250);
    else requestAnimationFrame(run);
  }

  function statusClass(status) {
    return 'status-' + String(status || 'unknown').toLowerCase();
  }

  function renderMembers() {
    const ids = Array.from(members.keys()).sort();
    const frag = document.createDocumentFragment();
    const counts = {};
    for (const id of ids) {
      const m = members.get(id);
      const status = String(m.status || 'UNKNOWN');
      counts[status] = (counts[status] || 0) + 1;
      const tr = document.createElement('tr');
      tr.dataset.memberId = id;
      tr.dataset.status = status;
      if (id === selfId) tr.classList.add('self');

      const idCell = document.createElement('th');
      idCell.scope = 'row';
      idCell.className = 'id';
      idCell.textContent = id;
      if (id === selfId) {
        const tag = document.createElement('span');
        tag.className = 'tag';
        tag.textContent = 'this node';
        idCell.append(' ', tag);
      }
      tr.append(idCell);

      tr.append(cell('address', m.address || (m.ip != null ? m.ip + ':' + m.port : '')));

      const st = cell('status', '');
      const badge = document.createElement('span');
      badge.className = 'badge ' + statusClass(status);
      badge.textContent = status;
      st.append(badge);
      tr.append(st);

      tr.append(cell('num incarnation', m.incarnation != null ? String(m.incarnation) : ''));
      tr.append(metadataCell(m.metadata));
      frag.append(tr);
    }
    if (ids.length === 0) {
      const tr = document.createElement('tr');
      tr.className = 'placeholder';
      const td = cell('', 'No members');
      td.colSpan = 5;
      tr.append(td);
      frag.append(tr);
    }
    ui.rows.replaceChildren(frag);

    const parts = [];
    for (const s of STATUS_ORDER.concat(Object.keys(counts).filter((k) => !STATUS_ORDER.includes(k)))) {
      if (counts[s]) parts.push(counts[s] + ' ' + s.toLowerCase());
    }
    ui.counts.textContent = ids.length + ' members' + (parts.length ? ': ' + parts.join(', ') : '');

    const self = selfId ? members.get(selfId) : null;
    if (self) {
      ui.selfId.textContent = self.id;
      ui.selfAddress.textContent = self.address || '';
      ui.selfStatus.replaceChildren();
      const badge = document.createElement('span');
      badge.className = 'badge ' + statusClass(self.status);
      badge.textContent = String(self.status || '');
      ui.selfStatus.append(badge);
      document.title = self.id + ' · libgossip agent';
    }
  }

  function cell(cls, text) {
    const td = document.createElement('td');
    if (cls) td.className = cls;
    td.textContent = text;
    return td;
  }

  function metadataCell(metadata) {
    const td = cell('metadata', '');
    const keys = metadata && typeof metadata === 'object' ? Object.keys(metadata).sort() : [];
    if (keys.length === 0) {
      const none = document.createElement('span');
      none.className = 'muted';
      none.textContent = '—';
      td.append(none);
      return td;
    }
    const ul = document.createElement('ul');
    ul.className = 'meta';
    for (const k of keys) {
      const li = document.createElement('li');
      li.dataset.key = k;
      const key = document.createElement('span');
      key.className = 'k';
      key.textContent = k;
      const val = document.createElement('span');
      val.className = 'v';
      val.textContent = String(metadata[k]);
      li.append(key, '=', val);
      ul.append(li);
    }
    td.append(ul);
    return td;
  }

  // ---------------------------------------------------------------- event log

  function memberEventEntry(type, data, previous) {
    const m = data.member;
    let text = m.id;
    const from = data.previous_status || (previous && previous.status !== m.status ? previous.status : null);
    if (from && from !== m.status) {
      text += ': ' + from + ' → ' + m.status;
    } else if (m.status) {
      text += ': ' + m.status;
    }
    if (type === 'metadata-changed') {
      text += '; metadata ' + formatMetadata(m.metadata);
    }
    if (type === 'joined' || type === 'recovered' || type === 'self-joined') {
      text += ' at ' + (m.address || '');
    }
    let cls = '';
    if (type === 'failed') cls = 'bad';
    else if (type === 'suspected' || type === 'conflict') cls = 'warn';
    else if (type === 'joined' || type === 'recovered') cls = 'good';
    return { type: type, text: text, time: data.time_ms, member: m.id, cls: cls };
  }

  function userEventEntry(type, data) {
    const d = data && typeof data === 'object' ? data : {};
    let text = '';
    if (d.from) text += 'from ' + d.from;
    if (d.topic) text += (text ? ', ' : '') + 'topic ' + d.topic;
    if (d.name) text += (text ? ', ' : '') + 'name ' + d.name;
    if (typeof d.payload === 'string') {
      const p = d.payload.length > 80 ? d.payload.slice(0, 80) + '…' : d.payload;
      text += (text ? ': ' : '') + JSON.stringify(p);
    } else if (typeof d.payload_base64 === 'string') {
      text += (text ? ': ' : '') + d.payload_base64.length + ' base64 characters';
    }
    return { type: type, text: text, time: d.time_ms };
  }

  function formatMetadata(md) {
    const keys = md && typeof md === 'object' ? Object.keys(md).sort() : [];
    return keys.length ? keys.map((k) => k + '=' + md[k]).join(' ') : '(none)';
  }

  function addLog(entry) {
    const li = document.createElement('li');
    li.dataset.type = entry.type;
    if (entry.member) li.dataset.memberId = entry.member;
    if (entry.cls) li.className = entry.cls;
    const when = new Date(typeof entry.time === 'number' ? entry.time : Date.now());
    const time = document.createElement('time');
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString([], { hour12: false });
    const type = document.createElement('span');
    type.className = 'type';
    type.textContent = entry.type;
    const text = document.createElement('span');
    text.className = 'text';
    text.textContent = entry.text;
    li.append(time, ' ', type, ' ', text);
    ui.log.prepend(li);
    while (ui.log.childElementCount > LOG_LIMIT) {
      ui.log.lastElementChild.remove();
    }
  }

  // ---------------------------------------------------------------- stats and chart

  // Field names tried in order (snake_case from the API; camelCase accepted too). The transport's
  // packet counters are the node's messages; the core's are a fallback.
  const FIELDS = {
    msgsIn: ['packets_in', 'packetsIn', 'messages_in', 'messagesIn', 'messages_received'],
    msgsOut: ['packets_out', 'packetsOut', 'messages_out', 'messagesOut', 'messages_sent'],
    bytesIn: ['bytes_in', 'bytesIn', 'bytes_received', 'bytesReceived'],
    bytesOut: ['bytes_out', 'bytesOut', 'bytes_sent', 'bytesSent'],
    health: ['local_health', 'localHealth'],
  };

  /** The first numeric field named in `names`, searched breadth-first through nested objects. */
  function findNumber(obj, names) {
    for (const name of names) {
      const queue = [obj];
      while (queue.length) {
        const o = queue.shift();
        if (!o || typeof o !== 'object') continue;
        if (typeof o[name] === 'number') return o[name];
        for (const v of Object.values(o)) {
          if (v && typeof v === 'object' && !Array.isArray(v)) queue.push(v);
        }
      }
    }
    return null;
  }

  const series = { msgsIn: [], msgsOut: [], bytesIn: [], bytesOut: [], health: [] };
  let lastSample = null;

  // This node's own changes (metadata set through the API) come with no cluster event: the self
  // row is refreshed from GET /v1/self on the same 2 s beat as the stats.
  function sameMember(a, b) {
    return a && b && a.status === b.status && a.incarnation === b.incarnation &&
      a.address === b.address && a.metadata_version === b.metadata_version &&
      formatMetadata(a.metadata) === formatMetadata(b.metadata);
  }

  async function pollSelf() {
    const response = await fetch(apiBase + '/v1/self', { headers: headers(), cache: 'no-store' });
    if (!response.ok) throw await apiError(response);
    const self = await response.json();
    if (!self || typeof self.id !== 'string' || ui.connection.dataset.state !== 'live') return;
    const known = members.get(self.id);
    if (sameMember(known, self)) return;
    // A stale answer (the stream already brought something newer) is ignored.
    if (known && (self.incarnation < known.incarnation ||
        (self.metadata_version != null && known.metadata_version != null && self.metadata_version < known.metadata_version))) {
      return;
    }
    const metadataChanged = known && formatMetadata(known.metadata) !== formatMetadata(self.metadata);
    members.set(self.id, Object.assign({}, self, { self: true }));
    selfId = self.id;
    scheduleRender();
    if (metadataChanged) {
      addLog({ type: 'metadata-changed', member: self.id, text: self.id + ': metadata ' + formatMetadata(self.metadata) });
    }
  }

  async function poll() {
    try {
      await Promise.all([pollStats(), pollSelf().catch(() => {})]);
    } finally {
      setTimeout(poll, STATS_PERIOD_MS);
    }
  }

  async function pollStats() {
    try {
      const response = await fetch(apiBase + '/v1/stats', { headers: headers(), cache: 'no-store' });
      if (!response.ok) throw await apiError(response);
      const stats = await response.json();
      const now = performance.now();
      const sample = { t: now };
      for (const k of Object.keys(FIELDS)) sample[k] = findNumber(stats, FIELDS[k]);
      if (lastSample) {
        const dt = (now - lastSample.t) / 1000;
        for (const k of ['msgsIn', 'msgsOut', 'bytesIn', 'bytesOut']) {
          const a = lastSample[k];
          const b = sample[k];
          push(series[k], a == null || b == null || b < a || dt <= 0 ? null : (b - a) / dt);
        }
        push(series.health, sample.health);
        showLatest();
        drawChart();
      }
      lastSample = sample;
      ui.statsState.textContent = 'polling /v1/stats every 2 s';
      ui.statsState.classList.remove('warn');
    } catch (e) {
      lastSample = null;
      ui.statsState.textContent = 'stats unavailable: ' + ((e && e.message) || e);
      ui.statsState.classList.add('warn');
    }
  }

  function push(arr, v) {
    arr.push(v);
    while (arr.length > CHART_POINTS) arr.shift();
  }

  function last(arr) {
    return arr.length ? arr[arr.length - 1] : null;
  }

  function fmtRate(v) {
    if (v == null) return '–';
    return v >= 100 ? Math.round(v).toLocaleString() : v.toFixed(1);
  }

  function fmtBytes(v) {
    if (v == null) return '–';
    if (v >= 1048576) return (v / 1048576).toFixed(1) + ' MiB';
    if (v >= 1024) return (v / 1024).toFixed(1) + ' KiB';
    return Math.round(v) + ' B';
  }

  function showLatest() {
    ui.msgsIn.textContent = fmtRate(last(series.msgsIn));
    ui.msgsOut.textContent = fmtRate(last(series.msgsOut));
    ui.bytesIn.textContent = fmtBytes(last(series.bytesIn));
    ui.bytesOut.textContent = fmtBytes(last(series.bytesOut));
    const h = last(series.health);
    ui.health.textContent = h == null ? '–' : String(h) + (h === 0 ? ' (healthy)' : '');
  }

  function cssVar(name, fallback) {
    const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return v || fallback;
  }

  function drawChart() {
    const canvas = ui.chart;
    const ratio = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 640;
    const h = canvas.clientHeight || 300;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio);
      canvas.height = Math.round(h * ratio);
    }
    const ctx = canvas.getContext('2d');
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const colIn = cssVar('--in', '#2563eb');
    const colOut = cssVar('--out', '#d97706');
    const colHealth = cssVar('--health', '#7c3aed');
    const colGrid = cssVar('--grid', '#e5e7eb');
    const colText = cssVar('--muted', '#6b7280');
    const gap = 16;
    const panelH = (h - 2 * gap) / 3;
    panel(ctx, 0, w, panelH, 'messages/s', [[series.msgsIn, colIn], [series.msgsOut, colOut]], fmtRate, colGrid, colText, false);
    panel(ctx, panelH + gap, w, panelH, 'bytes/s', [[series.bytesIn, colIn], [series.bytesOut, colOut]], fmtBytes, colGrid, colText, false);
    panel(ctx, 2 * (panelH + gap), w, panelH, 'local health', [[series.health, colHealth]], (v) => String(Math.round(v)), colGrid, colText, true);
  }

  function panel(ctx, top, w, h, title, lines, fmt, colGrid, colText, step) {
    const left = 56;
    const right = w - 6;
    const plotTop = top + 14;
    const plotBottom = top + h - 2;
    let max = step ? 1 : 0;
    for (const [arr] of lines) for (const v of arr) if (v != null && v > max) max = v;
    if (max === 0) max = 1;
    max = niceMax(max);
    ctx.strokeStyle = colGrid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(left, plotBottom + 0.5);
    ctx.lineTo(right, plotBottom + 0.5);
    ctx.moveTo(left, plotTop + 0.5);
    ctx.lineTo(right, plotTop + 0.5);
    ctx.stroke();
    ctx.fillStyle = colText;
    ctx.font = '11px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.fillText(title, left, top);
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'right';
    ctx.fillText(fmt(max), left - 6, plotTop);
    ctx.fillText(fmt(0), left - 6, plotBottom);
    ctx.textAlign = 'left';
    const xStep = (right - left) / (CHART_POINTS - 1);
    for (const [arr, color] of lines) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 1.75;
      ctx.beginPath();
      let pen = false;
      const offset = CHART_POINTS - arr.length;
      let prevY = null;
      arr.forEach((v, i) => {
        if (v == null) {
          pen = false;
          return;
        }
        const x = left + (offset + i) * xStep;
        const y = plotBottom - (v / max) * (plotBottom - plotTop);
        if (!pen) {
          ctx.moveTo(x, y);
          pen = true;
        } else {
          if (step && prevY !== null) ctx.lineTo(x, prevY);
          ctx.lineTo(x, y);
        }
        prevY = y;
      });
      ctx.stroke();
      // The newest value as a dot, so that a single sample shows too.
      const lastIndex = arr.length - 1;
      if (lastIndex >= 0 && arr[lastIndex] != null) {
        const x = left + (offset + lastIndex) * xStep;
        const y = plotBottom - (arr[lastIndex] / max) * (plotBottom - plotTop);
        ctx.fillStyle = color;
        ctx.beginPath();
        ctx.arc(x, y, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  function niceMax(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  window.addEventListener('resize', drawChart);

  // ---------------------------------------------------------------- start

  drawChart();
  connect();
  poll();
})();
