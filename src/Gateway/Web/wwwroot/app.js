// The gateway's web console. Everything it needs comes from the gateway that served it: /api/session (log in with an
// access token; the session is an HttpOnly cookie), /api/status, /api/command, and /ws (live readings, the listener
// protocol of docs/protocol.md, subprotocol gateway.v1). Charts are drawn by hand on canvas.
'use strict';

const WINDOW_MS = 10 * 60 * 1000; // each chart shows the last 10 minutes
const MAX_POINTS = 2000;           // per series, whatever the sampling rate
const STATUS_EVERY_MS = 5000;
const UNITS = { 'Cel': '°C', '%RH': '%', 'Pa': 'Pa', 'lx': 'lx', 'V': 'V', 'count': '', 'Hz': 'Hz', '/': '' };

const $ = (id) => document.getElementById(id);
const series = new Map(); // "sensor/quantity" → { sensor, quantity, unit, points: [[t, v]], canvas, row }
let session = null;
let socket = null;
let statusTimer = null;
let reconnectTimer = null;
let pingTimer = null;
let drawQueued = false;
let lastSeq = 0;         // the highest seq charted: a reading at or below it is not charted twice
let buffered = null;     // live readings that arrive while the last 10 minutes are being fetched, charted after them

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) e.append(c);
  return e;
}

function unit(u) { return u in UNITS ? UNITS[u] : u; }

function format(v) {
  if (typeof v !== 'number') return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : a >= 100 ? v.toFixed(1) : v.toFixed(2);
}

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let json = null;
  try { json = await response.json(); } catch { json = null; }
  return { status: response.status, json };
}

function setConn(text, kind) {
  const c = $('conn');
  c.textContent = text;
  c.className = 'badge ' + (kind || '');
}

// --- log in and out -------------------------------------------------------------------------------------------------
async function login(event) {
  event.preventDefault();
  const input = $('token');
  $('login-error').textContent = '';
  const { status, json } = await api('POST', '/api/session', { token: input.value });
  input.value = ''; // the token is not kept in the page once sent
  if (status !== 200) {
    $('login-error').textContent = (json && json.message) ? `Refused: ${json.message}` : `Refused (HTTP ${status})`;
    return;
  }
  start(json);
}

async function logout() {
  await api('DELETE', '/api/session');
  stop('logged out');
}

function start(info) {
  session = info;
  $('device').textContent = info.device;
  $('session-info').textContent = `Logged in with key “${info.key}”, which may run: ${info.allow.join(', ')}. The session ends after ${Math.round(info.idleSeconds / 60)} minutes without use.`;
  $('login').hidden = true;
  $('console').hidden = false;
  $('logout').hidden = false;
  buildOutputs(info.outputs);
  connect();
  refreshStatus();
  clearInterval(statusTimer);
  statusTimer = setInterval(refreshStatus, STATUS_EVERY_MS);
}

function stop(reason) {
  session = null;
  clearInterval(statusTimer);
  clearTimeout(reconnectTimer);
  clearInterval(pingTimer);
  if (socket) { socket.onclose = null; socket.close(); socket = null; }
  $('console').hidden = true;
  $('login').hidden = false;
  $('logout').hidden = true;
  setConn(reason, 'warn');
  $('token').focus();
}

// --- live readings over the WebSocket -------------------------------------------------------------------------------
function connect() {
  const scheme = location.protocol === 'https:' ? 'wss://' : 'ws://';
  socket = new WebSocket(scheme + location.host + '/ws', 'gateway.v1');
  setConn('connecting…');
  socket.onopen = () => {
    setConn('live', 'ok');
    loadRecent(); // a first open fills the charts; a reopen fills what the drop missed
    clearInterval(pingTimer);
    pingTimer = setInterval(() => socket && socket.readyState === 1 && socket.send('{"type":"ping"}'), 30000);
  };
  socket.onmessage = (m) => {
    let msg;
    try { msg = JSON.parse(m.data); } catch { return; }
    if (msg.type === 'reading') { if (buffered) buffered.push(msg); else addReading(msg); }
    else if (msg.type === 'event') refreshStatus();
    else if (msg.type === 'error') setConn(`gateway: ${msg.message}`, 'bad');
  };
  socket.onclose = () => {
    clearInterval(pingTimer);
    setConn('disconnected; retrying', 'bad');
    if (session) reconnectTimer = setTimeout(async () => {
      const { status } = await api('GET', '/api/session');
      if (status === 200) connect(); else stop('session expired; log in again');
    }, 3000);
  };
}

// The outbox's last 10 minutes (GET /api/recent), then the live readings that came meanwhile: charts start full.
async function loadRecent() {
  buffered = buffered || [];
  try {
    const { status, json } = await api('GET', '/api/recent');
    if (status === 200 && json && Array.isArray(json.readings)) json.readings.forEach(addReading);
  } finally {
    const live = buffered || [];
    buffered = null;
    live.forEach(addReading);
  }
}

function addReading(r) {
  if (typeof r.seq === 'number') {
    if (r.seq <= lastSeq) return; // already charted (history and live overlap)
    lastSeq = r.seq;
  }
  if (typeof r.value !== 'number') return;
  const id = `${r.sensor}/${r.quantity}`;
  let s = series.get(id);
  if (!s) s = addSeries(id, r);
  const t = Date.parse(r.ts) || Date.now();
  s.points.push([t, r.value]);
  const cutoff = Date.now() - WINDOW_MS;
  while (s.points.length > MAX_POINTS || (s.points.length && s.points[0][0] < cutoff)) s.points.shift();
  s.canvas.dataset.points = String(s.points.length);
  s.valueCell.textContent = `${format(r.value)} ${unit(r.unit)}`.trim();
  s.timeCell.textContent = new Date(t).toLocaleTimeString();
  queueDraw();
}

function addSeries(id, r) {
  const caption = `${r.sensor} ${r.quantity}` + (unit(r.unit) ? ` (${unit(r.unit)})` : '');
  const canvas = el('canvas', { role: 'img' });
  canvas.dataset.series = id;
  canvas.dataset.points = '0';
  canvas.setAttribute('aria-label', `Chart of ${caption}`);
  const figure = el('figure', {}, el('figcaption', { textContent: caption }), canvas);
  // keep charts in a stable order
  const after = [...$('charts').children].find((f) => f.querySelector('canvas').dataset.series > id);
  $('charts').insertBefore(figure, after || null);
  const valueCell = el('td', { className: 'num' });
  const timeCell = el('td');
  const row = el('tr', {}, el('td', { textContent: r.sensor }), el('td', { textContent: r.quantity }), valueCell, timeCell);
  row.dataset.series = id;
  const body = $('now').tBodies[0];
  const rowAfter = [...body.rows].find((x) => x.dataset.series > id);
  body.insertBefore(row, rowAfter || null);
  const s = { sensor: r.sensor, quantity: r.quantity, unit: r.unit, points: [], canvas, valueCell, timeCell };
  series.set(id, s);
  return s;
}

function queueDraw() {
  if (drawQueued) return;
  drawQueued = true;
  requestAnimationFrame(() => { drawQueued = false; for (const s of series.values()) draw(s); });
}

// A line chart: time across (at most the last WINDOW_MS, up to now), value up, scaled to the points shown, min and max labelled.
function draw(s) {
  const c = s.canvas;
  const ratio = window.devicePixelRatio || 1;
  const w = Math.max(100, c.clientWidth), h = Math.max(60, c.clientHeight);
  if (c.width !== Math.round(w * ratio)) { c.width = Math.round(w * ratio); c.height = Math.round(h * ratio); }
  const g = c.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  const pts = s.points;
  if (!pts.length) return;
  let lo = Infinity, hi = -Infinity;
  for (const [, v] of pts) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (hi - lo < 1e-9) { hi += 0.5; lo -= 0.5; }
  const pad = (hi - lo) * 0.1; hi += pad; lo -= pad;
  const left = 4, right = w - 4, top = 14, bottom = h - 14;
  // Until the window has filled, the time axis starts at the first point rather than leaving the chart empty.
  const now = Date.now(), from = Math.max(now - WINDOW_MS, pts[0][0] - 1000), span = Math.max(1000, now - from);
  const x = (t) => left + (right - left) * (t - from) / span;
  const y = (v) => bottom - (bottom - top) * (v - lo) / (hi - lo);
  g.strokeStyle = '#d5d9e0'; g.lineWidth = 1;
  g.beginPath(); g.moveTo(left, top); g.lineTo(right, top); g.moveTo(left, bottom); g.lineTo(right, bottom); g.stroke();
  g.strokeStyle = '#0b63c5'; g.lineWidth = 2; g.beginPath();
  pts.forEach(([t, v], i) => (i ? g.lineTo(x(t), y(v)) : g.moveTo(x(t), y(v))));
  g.stroke();
  if (pts.length === 1) { g.fillStyle = '#0b63c5'; g.beginPath(); g.arc(x(pts[0][0]), y(pts[0][1]), 3, 0, 7); g.fill(); }
  g.fillStyle = '#5a6472'; g.font = '11px system-ui, sans-serif';
  g.fillText(format(hi), left, top - 3);
  g.fillText(format(lo), left, h - 2);
  g.textAlign = 'right'; g.fillText('now', right, h - 2); g.textAlign = 'left';
}

// --- status: sensor health, links, outbox, output states ------------------------------------------------------------
async function refreshStatus() {
  if (!session) return;
  const { status, json } = await api('GET', '/api/status');
  if (status === 401) { stop('session expired; log in again'); return; }
  if (status !== 200) { $('status-error').textContent = `Status unavailable: ${json ? json.message : 'HTTP ' + status}`; return; }
  $('status-error').textContent = '';
  renderHealth(json.sensors || []);
  renderLinks(json.links || []);
  renderOutbox(json.outbox || {});
  for (const o of json.outputs || []) {
    const box = document.querySelector(`input[data-output="${CSS.escape(o.name)}"]`);
    if (box && !box.disabled) { box.checked = o.on === true; box.dataset.state = String(o.on); }
  }
}

function badge(text, kind) { return el('span', { className: `badge ${kind}`, textContent: text }); }

function renderHealth(sensors) {
  const list = $('health');
  list.replaceChildren(...sensors.map((s) => {
    const kind = s.health === 'ok' ? 'ok' : s.health === 'failed' ? 'bad' : 'warn';
    const li = el('li', {}, el('strong', { textContent: s.id }), badge(s.health, kind), el('span', { textContent: `${s.reads} reads, every ${s.interval}` }));
    if (s.lastError) li.append(el('span', { className: 'error', textContent: s.lastError }));
    li.dataset.sensor = s.id;
    return li;
  }));
}

function renderLinks(links) {
  const body = $('links').tBodies[0];
  if (!links.length) { body.replaceChildren(el('tr', {}, el('td', { colSpan: 6, textContent: 'No upstream links configured.' }))); return; }
  body.replaceChildren(...links.map((l) => {
    const kind = l.state === 'up' ? 'ok' : l.state === 'connecting' ? 'warn' : 'bad';
    // What the link still owes its peer (seqs after the last acknowledged one) and how old the oldest of them is.
    const owed = l.backlog == null ? '–' : l.backlog === 0 ? '0' : `${l.backlog} (oldest ${ageText(l.oldestUnacknowledgedSeconds)})`;
    const lastAck = l.backlog == null ? '–' : l.lastAckSeconds == null ? 'none yet' : `${ageText(l.lastAckSeconds)} ago`;
    return el('tr', {}, el('td', { textContent: `${l.name} (${l.kind})` }), el('td', { textContent: l.target || '' }),
      el('td', {}, badge(l.state, kind)), el('td', { textContent: owed }), el('td', { textContent: lastAck }),
      el('td', { textContent: l.lastError || '–' }));
  }));
}

// Seconds as gwctl says them (Formats.Age): 42s, 3m, 5h, 2d.
function ageText(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

function renderOutbox(o) {
  const figures = [['pending', 'Pending'], ['stored', 'Stored'], ['dropped', 'Dropped'], ['gaps', 'Gaps'], ['lastSeq', 'Last seq']];
  $('outbox').replaceChildren(...figures.map(([k, label]) => el('div', {}, el('dt', { textContent: label }), el('dd', { textContent: String(o[k] ?? '–') }))));
  if (o.diskTrouble) $('outbox').append(el('div', {}, el('dt', { textContent: 'Disk' }), el('dd', { className: 'error', textContent: 'trouble' })));
}

// --- output switches: a real checkbox per output, each change runs output.set and shows its result -----------------
function buildOutputs(names) {
  const list = $('outputs');
  list.replaceChildren(...names.map((name) => {
    const id = `out-${name}`;
    const box = el('input', { type: 'checkbox', id });
    box.setAttribute('role', 'switch');
    box.dataset.output = name;
    box.setAttribute('aria-describedby', `${id}-result`);
    const label = el('label', { className: 'switch', htmlFor: id }, box, el('span', { textContent: name }));
    const result = el('p', { className: 'result', id: `${id}-result` });
    result.setAttribute('role', 'status');
    result.setAttribute('aria-live', 'polite');
    result.dataset.result = name;
    box.addEventListener('change', () => toggle(name, box, result));
    return el('li', {}, label, result);
  }));
  if (!names.length) list.append(el('li', { textContent: 'No outputs configured.' }));
}

async function toggle(name, box, result) {
  const wanted = box.checked;
  box.disabled = true;
  result.className = 'result';
  result.textContent = `switching ${name} ${wanted ? 'on' : 'off'}…`;
  delete result.dataset.code;
  try {
    const { status, json } = await api('POST', '/api/command', { name: 'output.set', args: { output: name, on: wanted } });
    if (status === 401) { stop('session expired; log in again'); return; }
    const code = json && json.ok ? 'ok' : (json && json.code) || `http_${status}`;
    result.dataset.code = code;
    if (json && json.ok) {
      result.className = 'result ok';
      result.textContent = `${name} is ${wanted ? 'on' : 'off'} (ok)`;
    } else {
      box.checked = !wanted;
      result.className = 'result bad';
      result.textContent = `Refused (${code}): ${json ? json.message : 'HTTP ' + status}`;
    }
  } catch (e) {
    box.checked = !wanted;
    result.dataset.code = 'network';
    result.className = 'result bad';
    result.textContent = `No answer from the gateway: ${e.message}`;
  } finally {
    box.disabled = false;
  }
}

window.addEventListener('resize', queueDraw);
setInterval(queueDraw, 5000); // the time axis moves on even when nothing arrives
document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  const { status, json } = await api('GET', '/api/session');
  if (status === 200) start(json);
  else {
    setConn('not logged in');
    if (json && json.code === 'no_tokens') $('login-error').textContent = json.message;
    $('token').focus();
  }
});
