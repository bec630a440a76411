// The live page's own script: reads `/events` (EventSource, same origin), keeps a bounded list of
// events, and redraws the servers, counters and sequence diagram from that list with the shared
// renderers (sequence-script.ts). Pause freezes what is drawn while events keep arriving into a
// bounded waiting list; Go on draws them. Plain ES2017, kept as a string because the page inlines it.
import { SEQUENCE_GLOBAL } from './sequence-script.js';

/**
 * Events the page keeps for the diagram, which is rebuilt from them on each redraw: some forty
 * screens of rows to scroll back through, while a redraw stays well under 100 ms on a classroom
 * laptop (3000 rows took about 200 ms to build alone). Older ones scroll off. While paused, as many
 * wait at most; beyond that the oldest waiting are dropped (and counted): after Go on they would
 * scroll off anyway, and a class left paused must not fill the browser's memory.
 */
export const LIVE_PAGE_MAX_EVENTS = 1500;

export const LIVE_SCRIPT = String.raw`
(function () {
  'use strict';
  var S = window.${SEQUENCE_GLOBAL};
  // LIVE_PAGE_MAX_EVENTS: kept for the diagram, and waiting at most while paused.
  var MAX_EVENTS = ${LIVE_PAGE_MAX_EVENTS};
  var MAX_WAITING = MAX_EVENTS;
  // Redraws at most this often: the eye cannot follow faster, and each redraw rebuilds the SVG.
  var REDRAW_MS = 200;
  // Type size of the diagram: large enough to read from the back of a classroom.
  var FONT = 18;

  var root = document.documentElement;
  var el = function (id) { return document.getElementById(id); };
  var events = [];
  var waiting = [];
  var hello = null;
  var tick = null;
  var waitingHello = null;
  var waitingTick = null;
  var paused = false;
  var received = 0;
  var droppedWaiting = 0;
  var redrawTimer = 0;
  var lastDraw = 0;

  var scrolledOff = 0;
  function trim(list, max) {
    // Trim in steps of a tenth so that a full list is not copied for every new event.
    if (list.length <= max + max / 10) return list;
    scrolledOff += list.length - max;
    return list.slice(list.length - max);
  }

  function take(ev) {
    if (!ev || typeof ev !== 'object') return;
    received++;
    if (ev.type === 'hello') {
      // A new connection (a reconnect, or a restarted serve): its replayed history starts over.
      if (paused) { waitingHello = ev; waiting = []; } else { hello = ev; events = []; tick = null; scrolledOff = 0; }
    } else if (ev.type === 'tick') {
      if (paused) waitingTick = ev; else tick = ev;
    } else if (paused) {
      waiting.push(ev);
      if (waiting.length > MAX_WAITING) { droppedWaiting += waiting.length - MAX_WAITING; waiting = waiting.slice(waiting.length - MAX_WAITING); }
    } else {
      events.push(ev);
      events = trim(events, MAX_EVENTS);
    }
    status();
    if (!paused) schedule();
  }

  var drawCost = 0;
  function schedule() {
    if (redrawTimer) return;
    // A slow machine with a long diagram redraws less often rather than falling behind.
    var wait = Math.max(0, Math.max(REDRAW_MS, 3 * drawCost) - (Date.now() - lastDraw));
    redrawTimer = setTimeout(function () { redrawTimer = 0; draw(); }, wait);
  }

  // Follows the newest row, unless someone scrolled up to read older ones.
  function nearBottom() {
    var se = document.scrollingElement || document.documentElement;
    return se.scrollHeight - se.scrollTop - window.innerHeight < 120;
  }

  function draw() {
    lastDraw = Date.now();
    var list = (hello ? [hello] : []).concat(events, tick ? [tick] : []);
    var m = S.model(list);
    var width = Math.max(600, el('seq').clientWidth - 2);
    var follow = nearBottom();
    el('servers').innerHTML = S.renderServers(m);
    el('counters').innerHTML = S.renderCounters(m);
    el('seq-head').innerHTML = S.renderHeader(m, { width: width, font: FONT });
    el('seq-body').innerHTML = S.renderBody(m, { width: width, font: FONT });
    el('scenario').textContent = m.scenario ? 'scenario ' + m.scenario : '';
    root.setAttribute('data-rows', String(m.rows.length));
    root.setAttribute('data-drawn', String(Number(root.getAttribute('data-drawn') || 0) + 1));
    // The lanes' names stay in view under the status bar, however tall it wrapped.
    el('seq-head').style.top = document.querySelector('header.top').offsetHeight + 'px';
    if (follow) window.scrollTo(0, document.body.scrollHeight);
    drawCost = Date.now() - lastDraw;
  }

  function status() {
    root.setAttribute('data-received', String(received));
    root.setAttribute('data-waiting', String(waiting.length));
    var dropped = tick && tick.dropped ? tick.dropped : 0;
    var text = paused
      ? 'PAUSED · ' + waiting.length + ' new event' + (waiting.length === 1 ? '' : 's') + ' waiting' + (droppedWaiting ? ' (' + droppedWaiting + ' oldest dropped)' : '')
      : received + ' events received' + (scrolledOff ? ' · ' + scrolledOff + ' oldest scrolled off' : '');
    if (dropped) text += ' · the server dropped ' + dropped + ' this page was too slow to take';
    el('status').textContent = text;
  }

  function setPaused(p) {
    paused = p;
    root.setAttribute('data-paused', p ? 'true' : 'false');
    var button = el('pause');
    button.textContent = p ? '▶ Go on' : '❚❚ Pause';
    button.setAttribute('aria-pressed', p ? 'true' : 'false');
    if (p) {
      // Freeze what has arrived so far, and nothing after: no redraw is left pending.
      clearTimeout(redrawTimer);
      redrawTimer = 0;
      draw();
    } else {
      if (waitingHello) { hello = waitingHello; events = []; tick = null; waitingHello = null; scrolledOff = 0; }
      if (waitingTick) { tick = waitingTick; waitingTick = null; }
      events = trim(events.concat(waiting), MAX_EVENTS);
      waiting = [];
      droppedWaiting = 0;
      draw();
    }
    status();
  }

  el('pause').addEventListener('click', function () { setPaused(!paused); });
  document.addEventListener('keydown', function (e) {
    if (e.key === ' ' && e.target === document.body) { e.preventDefault(); setPaused(!paused); }
  });
  window.addEventListener('resize', function () { if (!paused) schedule(); });

  var source = new EventSource('/events');
  source.onmessage = function (e) {
    var data;
    try { data = JSON.parse(e.data); } catch (err) { return; }
    // One object per event, as the contract says; an array (a batch) is taken too.
    if (Array.isArray(data)) data.forEach(take); else take(data);
  };
  source.onopen = function () { el('conn').textContent = 'connected'; el('conn').className = 'conn on'; root.setAttribute('data-connected', 'true'); };
  source.onerror = function () {
    el('conn').textContent = 'not connected: the run ended or the server stopped (retrying)';
    el('conn').className = 'conn off';
    root.setAttribute('data-connected', 'false');
  };
  setPaused(false);
})();
`;
