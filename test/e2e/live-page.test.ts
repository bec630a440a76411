// The live page and the report's sequence view as a person sees them: Debian's Chromium (headless)
// opens the page over real HTTP, reads `/events` as real server-sent events while new ones keep
// arriving, and draws both servers, the client lanes and the CHECK arrows; Pause freezes the view
// while events keep coming, Go on draws them. The finished run's report draws the same view offline.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/live/events.js';
import { LIVE_PAGE_MAX_EVENTS } from '../../src/live/page/live-script.js';
import { renderHtml } from '../../src/report/html.js';
import { asReport, reportSchema } from '../../src/report/report-schema.js';
import { limitSequence } from '../../src/report/sequence.js';
import { packageRoot } from '../../src/util/paths.js';
import { chromiumAvailable, useChromium, warnIfNoChromium } from '../helpers/browser.js';
import { makeReport } from '../helpers/report-fixture.js';
import { CLI_BINS } from '../helpers/run-cli.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { classroomEvents, classroomHello, recordedClassroom, startReplayServer } from './live-page-fixture.js';

const outDir = join(packageRoot, 'test-output');
/**
 * The documentation's screenshot (docs/live.md shows docs/live.png): a test run writes it to
 * test-output/ (git-ignored); `UPDATE_DOCS_SCREENSHOT=1` writes docs/live.png itself, so a run of
 * the suite never changes a committed file.
 */
const SCREENSHOT = process.env.UPDATE_DOCS_SCREENSHOT === '1' ? join(packageRoot, 'docs', 'live.png') : join(outDir, 'live.png');
/** The scenario a teacher runs with `--live` (scenarios/classroom.yaml, from the live server's branch). */
const CLASSROOM = join(packageRoot, 'scenarios', 'classroom.yaml');
/** Rounds of the recorded run a browser gets at once (each: five clients ask for one song each). */
const HISTORY_ROUNDS = 2;
/** Then a new event this often: fast enough to see arrows arrive within a second or two. */
const REPLAY_INTERVAL_MS = 60;
/** Events the page must receive while paused before the test checks that nothing moved. */
const EVENTS_WHILE_PAUSED = 10;

warnIfNoChromium('the live page browser tests');

interface EventSource {
  /** The live page's address. */
  url: string;
  stop(): Promise<void>;
}

/** A replay of a recorded classroom-like run over real HTTP and SSE (live-page-fixture.ts). */
async function startReplaySource(): Promise<EventSource> {
  const events = classroomEvents();
  const history = Array.from({ length: recordedClassroom(HISTORY_ROUNDS).length }, () => events.next().value as LiveEvent);
  const server = await startReplayServer({ history, next: events, intervalMs: REPLAY_INTERVAL_MS });
  return { url: server.url, stop: () => server.close() };
}

/** The real thing: `simulate scenarios/classroom.yaml --live 0`, its page at the `live:` line it prints. */
async function startSimulateSource(): Promise<EventSource> {
  const tmp = makeTmpDir('jukebox-live-page-');
  const child = spawn(process.execPath, [CLI_BINS.simulate, CLASSROOM, '--live', '0', '--out', join(tmp.dir, 'classroom.json')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /^live: (http:\/\/\S+)$/m.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', look);
    child.stderr.on('data', look);
    child.once('exit', (code) => reject(new Error(`simulate ended (exit ${code}) before printing its live: line:\n${output}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      tmp.cleanup();
    },
  };
}

/**
 * Where the page's events come from: the one function to swap. The classroom scenario ships with
 * the live server (`simulate --live`), so where it exists the test watches a real run; until then,
 * the replay. The assertions hold for both.
 */
const startEventSource: () => Promise<EventSource> = existsSync(CLASSROOM) ? startSimulateSource : startReplaySource;

/** Runs in the page: what the sequence diagram shows now. */
const PROBE = String.raw`(function () {
  var body = document.querySelector('#seq-body svg');
  var rows = body ? Array.prototype.slice.call(body.querySelectorAll('g.jx-row')) : [];
  function of(kind, server, prefix) {
    return rows.filter(function (g) {
      return g.getAttribute('data-kind') === kind && (!server || g.getAttribute('data-server') === server) && (!prefix || g.textContent.indexOf(prefix) === 0);
    }).length;
  }
  var ts = rows.map(function (g) { return Number(g.getAttribute('data-t')); });
  return {
    serverCards: Array.prototype.map.call(document.querySelectorAll('#servers .jx-server'), function (e) { return e.getAttribute('data-server') + ':' + (e.getBoundingClientRect().width > 0); }),
    serverLanes: Array.prototype.map.call(document.querySelectorAll('#seq-head .jx-server-lane'), function (e) { return e.getAttribute('data-server'); }),
    clientLanes: Array.prototype.map.call(document.querySelectorAll('#seq-head .jx-client-lane'), function (e) { return e.getAttribute('data-client'); }),
    checkS1: of('request', 's1', 'CHECK'),
    checkS2: of('request', 's2', 'CHECK'),
    choices: of('choice'),
    transfers: of('transfer'),
    faults: of('fault'),
    rows: rows.length,
    latest: ts.length ? Math.max.apply(null, ts) : -1,
    html: body ? body.outerHTML.length : 0,
    received: Number(document.documentElement.getAttribute('data-received')),
    waiting: Number(document.documentElement.getAttribute('data-waiting')),
    paused: document.documentElement.getAttribute('data-paused'),
    status: document.getElementById('status').textContent
  };
})()`;

interface Probe {
  serverCards: string[];
  serverLanes: string[];
  clientLanes: string[];
  checkS1: number;
  checkS2: number;
  choices: number;
  transfers: number;
  faults: number;
  rows: number;
  latest: number;
  html: number;
  received: number;
  waiting: number;
  paused: string;
  status: string;
}

describe.skipIf(!chromiumAvailable)('the live view in a browser', () => {
  const newPage = useChromium(outDir);

  async function openPage(url: string, viewport = { width: 1400, height: 1000 }) {
    const page = await newPage({ viewport, deviceScaleFactor: 1 });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
    return { page, errors, requests };
  }

  const probe = async (page: Page): Promise<Probe> => (await page.evaluate(PROBE)) as Probe;

  /**
   * Probes the page until `ok` holds (the page's CSP forbids the eval that a string predicate of
   * waitForFunction needs, so the test polls from here); fails naming what it waited for.
   */
  async function until(page: Page, what: string, ok: (p: Probe) => boolean, timeoutMs = 30_000): Promise<Probe> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await probe(page);
      if (ok(p)) return p;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the page shows ${JSON.stringify({ ...p, html: undefined })}`);
      await page.waitForTimeout(50); // a poll interval, not a wait for something to happen
    }
  }

  it('shows both servers, a lane per client, CHECK arrows to both, new arrows arriving; Pause freezes and Go on resumes', async () => {
    const source = await startEventSource();
    const { page, errors, requests } = await openPage(source.url);
    try {
      const first = await until(page, 'the first request arrows', (p) => p.checkS1 > 0 && p.checkS2 > 0);
      expect(first.serverCards).toEqual(['s1:true', 's2:true']);
      expect(first.serverLanes.sort()).toEqual(['s1', 's2']);
      expect(first.clientLanes.length).toBeGreaterThanOrEqual(3);
      expect(first.checkS1).toBeGreaterThan(0);
      expect(first.checkS2).toBeGreaterThan(0);
      expect(await page.isVisible('#servers .jx-server[data-server="s1"] .jx-song')).toBe(true);
      const story = await until(page, 'a choice and a transfer', (p) => p.choices > 0 && p.transfers > 0);

      // New arrows arrive while we watch: the newest row's time moves on.
      await until(page, 'a newer row', (p) => p.latest > story.latest);

      // Pause: events keep being received and wait; nothing drawn moves.
      await page.click('#pause');
      const frozen = await probe(page);
      expect(frozen.paused).toBe('true');
      const later = await until(page, 'events received while paused', (p) => p.received >= frozen.received + EVENTS_WHILE_PAUSED);
      expect(later.waiting).toBeGreaterThan(0);
      expect(later.status).toContain('PAUSED');
      expect({ rows: later.rows, latest: later.latest, html: later.html }).toEqual({ rows: frozen.rows, latest: frozen.latest, html: frozen.html });

      // Go on: what waited is drawn, and the view moves again.
      await page.click('#pause');
      const resumed = await until(page, 'the waiting rows drawn after Go on', (p) => p.latest > later.latest);
      expect(resumed.paused).toBe('false');
      expect(resumed.waiting).toBe(0);
      expect(resumed.rows).toBeGreaterThan(later.rows);

      await page.screenshot({ path: join(outDir, 'live-latest.png') }); // followed to the newest rows
      // The documentation's picture: the servers, counters and the start of the conversation.
      await page.click('#pause');
      await page.setViewportSize({ width: 1400, height: 1350 });
      await page.evaluate('window.scrollTo(0, 0)');
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT });

      expect(errors).toEqual([]);
      const origin = new URL(source.url).origin;
      expect(requests.filter((u) => new URL(u).origin !== origin)).toEqual([]);
      expect(new Set(requests.map((u) => new URL(u).pathname))).toEqual(new Set(['/', '/events']));
    } finally {
      await page.close();
      await source.stop();
    }
  });

  it('keeps at most LIVE_PAGE_MAX_EVENTS waiting while paused, says how many it dropped, and draws a bounded diagram after Go on', async () => {
    // The replay, whatever startEventSource watches: only it can send a burst on demand.
    const events = classroomEvents();
    const server = await startReplayServer({ history: [], next: events, intervalMs: REPLAY_INTERVAL_MS });
    const { page, errors } = await openPage(server.url);
    try {
      await until(page, 'the first rows', (p) => p.rows > 0);
      await page.click('#pause');
      const before = await probe(page);
      const burst = 2 * LIVE_PAGE_MAX_EVENTS;
      server.burst(burst);
      const full = await until(page, 'the burst received', (p) => p.received >= before.received + burst);
      expect(full.waiting).toBe(LIVE_PAGE_MAX_EVENTS);
      expect(full.status).toMatch(new RegExp(`PAUSED · ${LIVE_PAGE_MAX_EVENTS} new events waiting \\(\\d+ oldest dropped\\)`));
      expect({ rows: full.rows, latest: full.latest }).toEqual({ rows: before.rows, latest: before.latest });
      await page.click('#pause');
      const after = await until(page, 'the waiting events drawn', (p) => p.waiting === 0 && p.latest > before.latest);
      // Ticks draw no row; every other kept event draws at most one.
      expect(after.rows).toBeLessThanOrEqual(LIVE_PAGE_MAX_EVENTS * 1.1);
      expect(after.rows).toBeGreaterThan(LIVE_PAGE_MAX_EVENTS / 2);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await server.close();
    }
  });

  it("draws the finished run's sequence in the HTML report, offline, with the same lanes and arrows", async () => {
    const recorded = recordedClassroom(4);
    const report = { ...makeReport({ name: 'classroom-replay' }), sequence: limitSequence([classroomHello, ...recorded]) };
    // The report as it is written and read back: the sequence survives the schema.
    const read = asReport(reportSchema.parse(JSON.parse(JSON.stringify(report))));
    expect(read.sequence).toEqual(report.sequence);
    const file = join(outDir, 'report-sequence.html');
    writeFileSync(file, renderHtml(read));
    const { page, errors, requests } = await openPage(pathToFileURL(file).href, { width: 1280, height: 900 });
    try {
      await page.waitForSelector('#sequence[data-rows]', { state: 'attached', timeout: 30_000 });
      const seen = (await page.evaluate(String.raw`(function () {
        var rows = Array.prototype.slice.call(document.querySelectorAll('#sequence .jx-seq-body g.jx-row'));
        function count(kind, server, prefix) { return rows.filter(function (g) { return g.getAttribute('data-kind') === kind && (!server || g.getAttribute('data-server') === server) && (!prefix || g.textContent.indexOf(prefix) === 0); }).length; }
        return {
          serverLanes: Array.prototype.map.call(document.querySelectorAll('#sequence .jx-server-lane'), function (e) { return e.getAttribute('data-server'); }).sort(),
          clientLanes: document.querySelectorAll('#sequence .jx-client-lane').length,
          checkS1: count('request', 's1', 'CHECK'), checkS2: count('request', 's2', 'CHECK'),
          faults: count('fault'), cancelled: rows.filter(function (g) { return g.getAttribute('data-kind') === 'done' && g.textContent.indexOf('cancelled') >= 0; }).length,
          songs: document.querySelectorAll('#sequence-servers .jx-song').length
        };
      })()`)) as { serverLanes: string[]; clientLanes: number; checkS1: number; checkS2: number; faults: number; cancelled: number; songs: number };
      const expected = recorded.filter((e) => e.type === 'request' && e.line.startsWith('CHECK'));
      expect(seen).toEqual({
        serverLanes: ['s1', 's2'],
        clientLanes: 5,
        checkS1: expected.filter((e) => 'server' in e && e.server === 's1').length,
        checkS2: expected.filter((e) => 'server' in e && e.server === 's2').length,
        faults: 2,
        cancelled: recorded.filter((e) => e.type === 'done' && e.outcome === 'cancelled').length,
        songs: 8,
      });
      expect(seen.cancelled).toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await page.locator('#sequence').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(outDir, 'report-sequence.png') });
    } finally {
      await page.close();
    }
  });
});
