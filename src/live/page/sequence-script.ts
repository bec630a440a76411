// The sequence view's code as it runs in the browser: a pure model of the live events
// (src/live/events.ts, the contract ../../../../shared/design/live-view.md) and renderers that turn
// that model into SVG and HTML strings. The live page (index.ts) and the finished run's HTML report
// (src/report/html-sequence.ts) inline this same script, so a run replayed after class looks
// exactly as it did live. Plain ES2017, no DOM access: the callers put the strings in the page.
//
// Why SVG and not a canvas: the diagram is mostly text (request lines, answers, reasons), which SVG
// keeps sharp at any projector's size and zoom; each arrow is an element a test or a curious student
// can inspect (data-kind, data-client, data-server); and the same markup prints and scrolls like
// the rest of the page. A canvas would only pay off with tens of thousands of arrows, which the
// sampling (a few dozen clients) and the bounded event list (MAX_ROWS) never produce.
//
// Why rows and not a time-proportional axis: messages a client sends to both servers in the same
// millisecond would lie on top of each other. Each message gets a row in the order it happened, and
// the time is written in the left margin.
//
// Readable in grey: kinds differ by line and shape, not only by colour (request: solid line and a
// filled head; answer: dashed line and an open head, a cross when it is NOT_EXIST or ERR; data:
// a thick bar filling up; fault: a zigzag band across every lane; notes: boxes with ✔ ✖ ○ marks).
// It is kept as a string because the pages inline it; test/e2e/live-page*.test.ts run it.

/** The global the script defines in the page. */
export const SEQUENCE_GLOBAL = 'JukeboxSequence';

export const SEQUENCE_SCRIPT = String.raw`
(function (root) {
  'use strict';
  // Kept rows: older ones scroll off. A classroom minute makes a few hundred; this bounds the
  // page's work for a long run (the whole diagram is rebuilt on each render).
  var MAX_ROWS = 3000;
  var TIME_GUTTER = 84;
  var RIGHT_PAD = 16;
  // Below this a lane's labels stop fitting; the diagram then scrolls sideways.
  var MIN_COLUMN = 150;
  // Server colours: a dark blue and a dark orange differ in lightness too, so they stay apart in
  // grey; a third and fourth server (never in the shipped scenarios) reuse other dark hues.
  var SERVER_COLORS = ['#1d4f91', '#b34a00', '#2e6b30', '#6a2c91'];
  var FAULT_COLOR = '#c62828';
  var INK = '#1f2933';
  var MUTED = '#616e7c';
  var LIFELINE = '#9aa5b1';

  function str(v) { return v === undefined || v === null ? '' : String(v); }
  var ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
  function esc(v) { return str(v).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; }); }
  function num(v) { return typeof v === 'number' && isFinite(v) ? v : 0; }

  function fmtBytes(v) {
    v = num(v);
    if (v < 1024) return v.toFixed(0) + ' B';
    if (v < 1048576) return (v / 1024).toFixed(1) + ' KiB';
    if (v < 1073741824) return (v / 1048576).toFixed(1) + ' MiB';
    return (v / 1073741824).toFixed(2) + ' GiB';
  }
  function fmtMs(v) {
    v = num(v);
    if (v < 1) return +v.toFixed(2) + ' ms';
    if (v < 1000) return +v.toFixed(v < 10 ? 1 : 0) + ' ms';
    return +(v / 1000).toFixed(2) + ' s';
  }
  function fmtT(t) { return (num(t) / 1000).toFixed(2) + ' s'; }
  function songName(s) {
    if (s && typeof s === 'object') return str(s.id || s.name || s.song || JSON.stringify(s));
    return str(s);
  }
  function clip(text, chars) {
    text = str(text);
    var n = Math.max(4, Math.floor(chars));
    return text.length <= n ? text : text.slice(0, n - 1) + '…';
  }
  // An answer that says no or went wrong: drawn with a cross at its head.
  function isBadAnswer(line) { return /^(NOT_EXIST|ERR)/.test(str(line)); }

  function emptyModel() {
    return {
      scenario: null, servers: [], serverIndex: {}, clients: [], clientIndex: {}, clientState: {},
      rows: [], droppedRows: 0, tick: null, faultState: {}, helloClients: null,
      counts: { requests: 0, answers: 0, noAnswers: 0, choices: 0, verified: 0, cancelled: 0, failed: 0, faults: 0, connects: 0, bytes: 0 }
    };
  }

  function addServer(m, id, info) {
    id = str(id);
    if (!id) return;
    var s = m.serverIndex[id];
    if (!s) {
      s = { id: id, host: '', port: '', songs: [], color: SERVER_COLORS[m.servers.length % SERVER_COLORS.length] };
      m.serverIndex[id] = s;
      m.servers.push(s);
    }
    if (info) {
      if (info.host !== undefined) s.host = str(info.host);
      if (info.port !== undefined) s.port = str(info.port);
      if (Array.isArray(info.songs)) s.songs = info.songs.map(songName);
    }
  }
  function addClient(m, id) {
    id = str(id);
    if (!id || m.clientIndex[id]) return;
    m.clientIndex[id] = true;
    m.clients.push(id);
  }

  // A fault marker that starts a lasting fault (the harness's actions: crash until restart,
  // delay, throttle, refuse, pause until <action>-end; a reset is over at once).
  // The action may carry its detail after it ('restart: listening again on port 5000').
  function faultStarts(action) {
    var word = str(action).split(/[\s:]/)[0];
    return word !== 'restart' && word !== 'reset' && !/-end$/.test(word);
  }

  // The events in time order. Events cross threads in batches, so one from a pool thread can
  // arrive after a later one from a server thread; the stable sort keeps equal times as they came.
  function inTimeOrder(events) {
    var sorted = true;
    for (var i = 1; i < events.length && sorted; i++) sorted = !(num(events[i].t) < num(events[i - 1].t));
    if (sorted) return events;
    return events.map(function (e, i) { return { e: e, i: i }; })
      .sort(function (a, b) { return num(a.e.t) - num(b.e.t) || a.i - b.i; })
      .map(function (x) { return x.e; });
  }

  // The events that name a client or server lane (a type this script does not know names none).
  var LANE_EVENTS = ['connect', 'close', 'request', 'response', 'choice', 'transfer', 'done', 'fault'];

  // The model of an event list: lanes, rows in time order, counters, the latest tick. Pure: the
  // same events give the same model, which is what lets the report replay a run.
  function model(events, opts) {
    var maxRows = (opts && opts.maxRows) || MAX_ROWS;
    var m = emptyModel();
    var transfers = {};
    var c = m.counts;
    function row(r) { m.rows.push(r); return r; }
    inTimeOrder((events || []).filter(function (ev) { return ev && typeof ev === 'object'; })).forEach(function (ev) {
      var client = str(ev.client), server = str(ev.server), t = num(ev.t);
      if (LANE_EVENTS.indexOf(ev.type) >= 0) {
        if (client) addClient(m, client);
        if (server) addServer(m, server);
      }
      switch (ev.type) {
        case 'hello':
          (ev.servers || []).forEach(function (s) { if (s) addServer(m, s.id, s); });
          if (ev.scenario !== undefined) m.scenario = ev.scenario;
          if (Array.isArray(ev.clients)) { m.helloClients = ev.clients; ev.clients.forEach(function (id) { addClient(m, id); }); }
          break;
        case 'tick':
          m.tick = ev;
          break;
        case 'connect':
          c.connects++;
          row({ kind: 'connect', t: t, client: client, server: server });
          break;
        case 'close':
          row({ kind: 'close', t: t, client: client, server: server });
          break;
        case 'request':
          c.requests++;
          m.clientState[client] = 'asks ' + server + ': ' + str(ev.line);
          row({ kind: 'request', t: t, client: client, server: server, line: str(ev.line) });
          break;
        case 'response':
          c.answers++;
          if (isBadAnswer(ev.line)) c.noAnswers++;
          row({ kind: 'response', t: t, client: client, server: server, line: str(ev.line), ms: ev.ms, bad: isBadAnswer(ev.line) });
          break;
        case 'choice':
          c.choices++;
          m.clientState[client] = server ? 'chose ' + server + ' for ' + str(ev.song) : 'no server for ' + str(ev.song);
          row({ kind: 'choice', t: t, client: client, server: server, song: str(ev.song), reason: str(ev.reason) });
          break;
        case 'transfer': {
          var key = client + '\u0000' + server + '\u0000' + str(ev.song);
          var tr = transfers[key];
          if (!tr || tr.finished) {
            tr = row({ kind: 'transfer', t: t, client: client, server: server, song: str(ev.song), bytes: 0, total: 0, tEnd: t, finished: false, outcome: '' });
            transfers[key] = tr;
          }
          c.bytes += Math.max(0, num(ev.bytes) - tr.bytes);
          tr.bytes = num(ev.bytes);
          tr.total = num(ev.total);
          tr.tEnd = t;
          var pct = tr.total > 0 ? Math.round((100 * tr.bytes) / tr.total) : 0;
          m.clientState[client] = 'gets ' + str(ev.song) + ' from ' + server + ' ' + pct + '%';
          break;
        }
        case 'done': {
          var outcome = str(ev.outcome);
          if (outcome === 'verified') c.verified++;
          else if (outcome === 'cancelled') c.cancelled++;
          else c.failed++;
          Object.keys(transfers).forEach(function (k) {
            var x = transfers[k];
            if (x.client === client && x.song === str(ev.song) && !x.finished) { x.finished = true; x.outcome = outcome; }
          });
          m.clientState[client] = str(ev.song) + ' ' + outcome;
          row({ kind: 'done', t: t, client: client, song: str(ev.song), outcome: outcome, ms: ev.ms });
          break;
        }
        case 'fault': {
          c.faults++;
          var ongoing = faultStarts(ev.action);
          m.faultState[server] = { action: str(ev.action), t: t, active: ongoing };
          row({ kind: 'fault', t: t, server: server, action: str(ev.action), active: ongoing });
          break;
        }
        default:
          break; // a type a newer jukebox added: ignored, the rest still draws
      }
    });
    if (m.rows.length > maxRows) {
      m.droppedRows = m.rows.length - maxRows;
      m.rows = m.rows.slice(m.droppedRows);
    }
    return m;
  }

  // Columns: half the servers on the left edge, the clients in the middle, the rest on the right,
  // so that a client asking both servers at once sends one arrow each way.
  function layout(m, width, font) {
    var cols = [];
    var half = Math.ceil(m.servers.length / 2);
    m.servers.slice(0, half).forEach(function (s) { cols.push({ kind: 'server', id: s.id, server: s }); });
    m.clients.forEach(function (id) { cols.push({ kind: 'client', id: id }); });
    m.servers.slice(half).forEach(function (s) { cols.push({ kind: 'server', id: s.id, server: s }); });
    var n = Math.max(1, cols.length);
    var colW = Math.max(MIN_COLUMN * font / 18, (width - TIME_GUTTER - RIGHT_PAD) / n);
    var x = { client: {}, server: {} };
    cols.forEach(function (col, i) { col.x = TIME_GUTTER + colW * (i + 0.5); x[col.kind][col.id] = col.x; });
    return { cols: cols, colW: colW, x: x, width: Math.ceil(TIME_GUTTER + colW * n + RIGHT_PAD), font: font, charW: font * 0.58 };
  }

  function rowHeight(kind, font) {
    if (kind === 'connect' || kind === 'close') return Math.round(font * 1.3);
    if (kind === 'fault') return Math.round(font * 2.6);
    return Math.round(font * 2.1);
  }

  function markerDefs(m) {
    var out = '<defs>';
    m.servers.forEach(function (s, i) {
      out += '<marker id="jx-req-' + i + '" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="' + s.color + '"/></marker>';
      out += '<marker id="jx-ans-' + i + '" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10" fill="none" stroke="' + s.color + '" stroke-width="1.6"/></marker>';
      out += '<marker id="jx-bad-' + i + '" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="11" markerHeight="11"><path d="M1,1 L9,9 M9,1 L1,9" stroke="' + FAULT_COLOR + '" stroke-width="2.2"/></marker>';
    });
    return out + '</defs>';
  }

  function text(x, y, body, size, attrs) {
    return '<text x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" font-size="' + size + '"' + (attrs || '') + '>' + esc(body) + '</text>';
  }

  // A label on a white backing so that it stays readable where it crosses other lanes' lines.
  function label(L, x, y, body, size, attrs, maxChars) {
    var shown = clip(body, maxChars);
    var w = shown.length * size * 0.58 + 8;
    // Kept inside the diagram when it is wider than the arrow it names.
    x = Math.max(TIME_GUTTER + w / 2, Math.min(x, L.width - RIGHT_PAD - w / 2));
    return '<rect x="' + (x - w / 2).toFixed(1) + '" y="' + (y - size).toFixed(1) + '" width="' + w.toFixed(1) + '" height="' + (size * 1.25).toFixed(1) + '" rx="3" fill="#fff" fill-opacity="0.88"/>' +
      text(x, y, shown, size, ' text-anchor="middle"' + (attrs || ''));
  }

  function note(L, x, y, body, size, border, dash, maxChars) {
    var shown = clip(body, maxChars);
    var w = shown.length * size * 0.58 + 16;
    var left = Math.max(TIME_GUTTER, Math.min(x - w / 2, L.width - RIGHT_PAD - w));
    return '<rect x="' + left.toFixed(1) + '" y="' + (y - size * 1.05).toFixed(1) + '" width="' + w.toFixed(1) + '" height="' + (size * 1.55).toFixed(1) + '" rx="5" fill="#fff" stroke="' + border + '" stroke-width="2"' + (dash ? ' stroke-dasharray="' + dash + '"' : '') + '/>' +
      text(left + 8, y, shown, size, ' fill="' + INK + '"');
  }

  function serverIdx(m, id) { var s = m.serverIndex[id]; return s ? m.servers.indexOf(s) : 0; }
  function attrs(r) {
    return ' class="jx-row jx-' + r.kind + '" data-kind="' + r.kind + '" data-t="' + r.t + '"' +
      (r.client ? ' data-client="' + esc(r.client) + '"' : '') + (r.server ? ' data-server="' + esc(r.server) + '"' : '');
  }

  function drawRow(m, L, r, y) {
    var f = L.font, small = Math.round(f * 0.75);
    var cx = L.x.client[r.client], sx = L.x.server[r.server];
    var si = serverIdx(m, r.server);
    var color = (m.serverIndex[r.server] || {}).color || INK;
    var span = cx !== undefined && sx !== undefined ? Math.abs(sx - cx) : L.colW;
    // A label may run past a short arrow (over a neighbour lane, on its white backing): up to
    // about two lanes wide, so that a client next to its server still reads the whole answer.
    var chars = Math.max(span, Math.min(2.2 * L.colW, L.width - TIME_GUTTER - RIGHT_PAD)) / L.charW - 2;
    var mid = cx !== undefined && sx !== undefined ? (cx + sx) / 2 : 0;
    var out = '<g' + attrs(r) + '>';
    switch (r.kind) {
      case 'request':
        out += '<line x1="' + cx + '" y1="' + y + '" x2="' + sx + '" y2="' + y + '" stroke="' + color + '" stroke-width="2.5" marker-end="url(#jx-req-' + si + ')"/>';
        out += label(L, mid, y - 5, r.line, f, ' font-weight="600" fill="' + INK + '"', chars);
        break;
      case 'response':
        out += '<line x1="' + sx + '" y1="' + y + '" x2="' + cx + '" y2="' + y + '" stroke="' + color + '" stroke-width="2.5" stroke-dasharray="9 5" marker-end="url(#jx-ans-' + si + ')"' + (r.bad ? ' marker-start="url(#jx-bad-' + si + ')"' : '') + '/>';
        out += label(L, mid, y - 5, (r.bad ? '✕ ' : '') + r.line + (r.ms !== undefined ? '  · ' + fmtMs(r.ms) : ''), f, r.bad ? ' font-weight="700" fill="' + FAULT_COLOR + '"' : ' fill="' + INK + '"', chars);
        break;
      case 'connect':
      case 'close':
        out += '<line x1="' + cx + '" y1="' + y + '" x2="' + sx + '" y2="' + y + '" stroke="' + color + '" stroke-width="1.2" stroke-dasharray="2 4"/>';
        out += r.kind === 'connect'
          ? '<circle cx="' + sx + '" cy="' + y + '" r="4" fill="' + color + '"/>'
          : '<rect x="' + (sx - 4) + '" y="' + (y - 4) + '" width="8" height="8" fill="none" stroke="' + color + '" stroke-width="1.5"/>';
        out += label(L, mid, y - 2, r.kind, small, ' fill="' + MUTED + '"', chars);
        break;
      case 'transfer': {
        var frac = r.total > 0 ? Math.min(1, r.bytes / r.total) : 0;
        var dir = cx < sx ? -1 : 1;
        var fillEnd = sx + dir * span * frac;
        out += '<line x1="' + sx + '" y1="' + y + '" x2="' + cx + '" y2="' + y + '" stroke="' + color + '" stroke-opacity="0.25" stroke-width="9"/>';
        out += '<line class="jx-progress" x1="' + sx + '" y1="' + y + '" x2="' + fillEnd.toFixed(1) + '" y2="' + y + '" stroke="' + color + '" stroke-width="9"/>';
        out += '<path d="M' + cx + ',' + y + ' L' + (cx - dir * 14) + ',' + (y - 9) + ' L' + (cx - dir * 14) + ',' + (y + 9) + ' z" fill="' + color + '"/>';
        var pct = Math.round(frac * 100);
        var rate = r.tEnd > r.t ? '  ' + fmtBytes((r.bytes * 1000) / (r.tEnd - r.t)) + '/s' : '';
        var end = r.finished ? (r.outcome === 'verified' ? '  ✔' : '  ✖ ' + r.outcome) : '';
        out += label(L, mid, y - 9, r.song + '  ' + pct + '% of ' + fmtBytes(r.total) + end + rate, f, ' fill="' + INK + '"', chars);
        break;
      }
      case 'choice': {
        var chose = r.server ? 'chose ' + r.server + ' for ' + r.song + ': ' : 'no server for ' + r.song + ': ';
        out += note(L, cx, y, '➜ ' + chose + r.reason, f, r.server ? color : MUTED, r.server ? '' : '4 3', (L.width - TIME_GUTTER) / (f * 0.58) - 3);
        break;
      }
      case 'done': {
        var ok = r.outcome === 'verified', cancelled = r.outcome === 'cancelled';
        var mark = ok ? '✔ ' : cancelled ? '○ ' : '✖ ';
        out += note(L, cx, y, mark + r.song + ' ' + r.outcome + (r.ms !== undefined ? ' in ' + fmtMs(r.ms) : ''), f, ok ? '#1b873f' : cancelled ? MUTED : FAULT_COLOR, ok ? '' : cancelled ? '2 3' : '7 3', (L.width - TIME_GUTTER) / (f * 0.58) - 3);
        break;
      }
      case 'fault': {
        var zig = 'M' + TIME_GUTTER + ',' + y;
        for (var zx = TIME_GUTTER, up = true; zx < L.width - RIGHT_PAD; zx += 10, up = !up) zig += ' L' + (zx + 10) + ',' + (y + (up ? -5 : 5));
        out += '<path d="' + zig + '" fill="none" stroke="' + FAULT_COLOR + '" stroke-width="2.5"/>';
        var at = sx !== undefined ? sx : L.width / 2;
        out += '<circle cx="' + at + '" cy="' + y + '" r="' + (f * 0.45) + '" fill="' + FAULT_COLOR + '"/>';
        out += note(L, L.width / 2, y + f * 0.45, '⚡ FAULT ' + r.server + ': ' + r.action, f, FAULT_COLOR, '', 80);
        break;
      }
    }
    return out + '</g>';
  }

  // The lanes' names, drawn apart from the body so that a page can keep them in view (sticky).
  function renderHeader(m, opts) {
    var f = (opts && opts.font) || 18;
    var L = layout(m, (opts && opts.width) || 1200, f);
    var h = Math.round(f * 3.2);
    var out = '<svg xmlns="http://www.w3.org/2000/svg" class="jx-head" width="' + L.width + '" height="' + h + '" viewBox="0 0 ' + L.width + ' ' + h + '" font-family="system-ui, sans-serif">';
    out += text(8, f * 1.3, 'time', Math.round(f * 0.75), ' fill="' + MUTED + '"');
    L.cols.forEach(function (col) {
      var w = L.colW - 10, x = col.x - w / 2, chars = (w - 8) / (f * 0.58);
      if (col.kind === 'server') {
        var fault = m.faultState[col.id];
        out += '<g class="jx-lane jx-server-lane" data-server="' + esc(col.id) + '"><rect x="' + x + '" y="3" width="' + w + '" height="' + (h - 6) + '" rx="4" fill="' + col.server.color + '"/>';
        out += text(col.x, f * 1.3, clip('server ' + col.id, chars), f, ' text-anchor="middle" font-weight="700" fill="#fff"');
        out += text(col.x, f * 2.5, clip(fault && fault.active ? '⚡ ' + fault.action : col.server.host ? col.server.host + ':' + col.server.port : '', chars * 1.3), Math.round(f * 0.75), ' text-anchor="middle" fill="#fff"' + (fault && fault.active ? ' font-weight="700"' : ''));
        out += '</g>';
      } else {
        out += '<g class="jx-lane jx-client-lane" data-client="' + esc(col.id) + '"><rect x="' + x + '" y="3" width="' + w + '" height="' + (h - 6) + '" rx="' + (h / 3) + '" fill="#fff" stroke="' + INK + '" stroke-width="2"/>';
        out += text(col.x, f * 1.3, clip(col.id, chars), f, ' text-anchor="middle" font-weight="700" fill="' + INK + '"');
        out += text(col.x, f * 2.5, clip(m.clientState[col.id] || 'waiting', chars * 1.3), Math.round(f * 0.75), ' text-anchor="middle" fill="' + MUTED + '"');
        out += '</g>';
      }
    });
    return out + '</svg>';
  }

  // The diagram: a lifeline per lane, then one row per message in the order it happened.
  function renderBody(m, opts) {
    var f = (opts && opts.font) || 18;
    var L = layout(m, (opts && opts.width) || 1200, f);
    var y = Math.round(f * 1.2);
    var rows = '', times = '', lastTime = '';
    if (m.droppedRows > 0) {
      rows += text(TIME_GUTTER, y, m.droppedRows + ' older rows scrolled off (only the latest ' + m.rows.length + ' are kept)', Math.round(f * 0.75), ' fill="' + MUTED + '" font-style="italic" class="jx-dropped"');
      y += f;
    }
    var faultFrom = {}, faultSpans = [];
    m.rows.forEach(function (r) {
      var h = rowHeight(r.kind, f);
      var mid = y + Math.round(h * 0.62);
      if (r.kind === 'fault') {
        if (faultFrom[r.server] !== undefined) faultSpans.push({ server: r.server, y1: faultFrom[r.server], y2: mid });
        if (r.active) faultFrom[r.server] = mid; else delete faultFrom[r.server];
      }
      rows += drawRow(m, L, r, mid);
      var stamp = fmtT(r.t);
      if (stamp !== lastTime && r.kind !== 'connect' && r.kind !== 'close') {
        times += text(TIME_GUTTER - 10, mid + f * 0.3, stamp, Math.round(f * 0.75), ' text-anchor="end" fill="' + MUTED + '" font-variant-numeric="tabular-nums"');
        lastTime = stamp;
      }
      y += h;
    });
    var height = Math.max(y + f, Math.round(f * 4));
    var lines = L.cols.map(function (col) {
      return col.kind === 'server'
        ? '<line x1="' + col.x + '" y1="0" x2="' + col.x + '" y2="' + height + '" stroke="' + col.server.color + '" stroke-width="4"/>'
        : '<line x1="' + col.x + '" y1="0" x2="' + col.x + '" y2="' + height + '" stroke="' + LIFELINE + '" stroke-width="2" stroke-dasharray="1 5" stroke-linecap="round"/>';
    }).join('');
    Object.keys(faultFrom).forEach(function (id) { faultSpans.push({ server: id, y1: faultFrom[id], y2: height }); });
    // While a fault lasts the server's lifeline is broken: red and dashed, so that the arrows that
    // do not come back from it (or come back slowly) are seen against it.
    var spans = faultSpans.map(function (sp) {
      var x = L.x.server[sp.server];
      return x === undefined ? '' : '<line class="jx-fault-span" data-server="' + esc(sp.server) + '" x1="' + x + '" y1="' + sp.y1 + '" x2="' + x + '" y2="' + sp.y2 + '" stroke="#fff" stroke-width="6"/>' +
        '<line x1="' + x + '" y1="' + sp.y1 + '" x2="' + x + '" y2="' + sp.y2 + '" stroke="' + FAULT_COLOR + '" stroke-width="4" stroke-dasharray="10 6"/>';
    }).join('');
    var empty = m.rows.length === 0 ? text(L.width / 2, Math.round(f * 2.5), 'no messages yet', f, ' text-anchor="middle" fill="' + MUTED + '" font-style="italic"') : '';
    return '<svg xmlns="http://www.w3.org/2000/svg" class="jx-body" width="' + L.width + '" height="' + height + '" viewBox="0 0 ' + L.width + ' ' + height + '" font-family="system-ui, sans-serif">' +
      markerDefs(m) + lines + spans + times + rows + empty + '</svg>';
  }

  // The servers' cards: the songs each holds, open connections and transfers from the last tick.
  function renderServers(m) {
    var now = (m.tick && m.tick.servers) || {};
    return m.servers.map(function (s) {
      var live = now[s.id] || {};
      var fault = m.faultState[s.id];
      var songs = s.songs.length === 0 ? '<span class="jx-muted">songs not known</span>' :
        s.songs.slice(0, 24).map(function (song) { return '<span class="jx-song">' + esc(song) + '</span>'; }).join('') +
        (s.songs.length > 24 ? '<span class="jx-muted">+' + (s.songs.length - 24) + ' more</span>' : '');
      return '<div class="jx-server" data-server="' + esc(s.id) + '" style="border-color:' + s.color + '">' +
        '<div class="jx-server-name" style="background:' + s.color + '">server ' + esc(s.id) + (s.host ? ' <small>' + esc(s.host + ':' + s.port) + '</small>' : '') + '</div>' +
        (fault ? '<div class="jx-fault' + (fault.active ? '' : ' jx-fault-over') + '">' + (fault.active ? '⚡ ' + esc(fault.action) + ' since ' : 'last fault over: ' + esc(fault.action) + ' at ') + esc(fmtT(fault.t)) + '</div>' : '') +
        '<div class="jx-stats"><span><b data-stat="open">' + num(live.open) + '</b> connections open</span><span><b data-stat="active">' + num(live.active) + '</b> transfers</span><span><b>' + esc(fmtBytes(live.bytesPerSec)) + '/s</b></span></div>' +
        '<div class="jx-songs">' + songs + '</div></div>';
    }).join('');
  }

  // Counters: the sampled clients' messages counted here, the whole run's totals from the tick.
  function renderCounters(m) {
    var c = m.counts;
    var items = [['requests sent', c.requests], ['answers', c.answers], ['no / error answers', c.noAnswers], ['choices', c.choices], ['verified', c.verified], ['cancelled', c.cancelled], ['failed', c.failed], ['faults', c.faults], ['bytes received', fmtBytes(c.bytes)]];
    var totals = m.tick && m.tick.totals && typeof m.tick.totals === 'object' ? m.tick.totals : null;
    var out = '<div class="jx-counter-group"><h3>sampled clients (' + m.clients.length + ')</h3><div class="jx-cards">' + cards(items) + '</div></div>';
    if (totals) {
      var all = Object.keys(totals).filter(function (k) { return typeof totals[k] === 'number'; }).map(function (k) {
        return [k, /bytes/i.test(k) ? fmtBytes(totals[k]) : totals[k]];
      });
      out += '<div class="jx-counter-group"><h3>whole run at ' + esc(fmtT(m.tick.t)) + '</h3><div class="jx-cards">' + cards(all) + '</div></div>';
    }
    return out;
  }
  function cards(items) {
    return items.map(function (it) { return '<div class="jx-card" data-counter="' + esc(it[0]) + '"><div class="jx-v">' + esc(it[1]) + '</div><div class="jx-k">' + esc(it[0]) + '</div></div>'; }).join('');
  }

  root.${SEQUENCE_GLOBAL} = { MAX_ROWS: MAX_ROWS, model: model, renderHeader: renderHeader, renderBody: renderBody, renderServers: renderServers, renderCounters: renderCounters };
})(typeof window !== 'undefined' ? window : globalThis);
`;

/** Styles of the pieces renderServers and renderCounters produce (the SVG carries its own). */
export const SEQUENCE_CSS = `
.jx-servers { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 12px; }
.jx-server { border: 3px solid; border-radius: 8px; background: #fff; overflow: hidden; }
.jx-server-name { color: #fff; font-weight: 700; padding: 6px 12px; font-size: 1.15em; }
.jx-server-name small { font-weight: 400; opacity: .9; font-size: .75em; margin-left: 8px; }
.jx-stats { display: flex; flex-wrap: wrap; gap: 6px 18px; padding: 8px 12px 4px; }
.jx-stats b { font-size: 1.3em; font-variant-numeric: tabular-nums; }
.jx-fault { margin: 8px 12px 0; padding: 3px 8px; border: 2px dashed #c62828; color: #c62828; font-weight: 700; display: inline-block; border-radius: 4px; }
.jx-songs { display: flex; flex-wrap: wrap; gap: 6px; padding: 6px 12px 12px; }
.jx-song { border: 1px solid #9aa5b1; border-radius: 999px; padding: 1px 10px; font-size: .85em; background: #f5f7fa; }
.jx-fault-over { border-style: dotted; color: #616e7c; font-weight: 400; }
.jx-muted { color: #616e7c; font-style: italic; }
.jx-counter-group h3 { margin: 10px 0 6px; font-size: .9em; color: #616e7c; font-weight: 600; }
.jx-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; }
.jx-card { background: #fff; border: 1px solid #cbd2d9; border-radius: 8px; padding: 6px 10px; }
.jx-card .jx-v { font-size: 1.5em; font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
.jx-card .jx-k { color: #616e7c; font-size: .8em; }
.jx-seq { background: #fff; border: 1px solid #cbd2d9; border-radius: 8px; }
.jx-seq-head { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid #cbd2d9; }
.jx-seq svg { display: block; }
.jx-legend { display: flex; flex-wrap: wrap; gap: 6px 22px; font-size: .85em; color: #3e4c59; margin: 6px 0; }
`;
