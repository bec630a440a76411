// The sequence view's model and renderers (src/live/page/sequence-script.ts) run as the browser
// runs them, here in a bare V8 context without a DOM: the same events give the same diagram, which
// is what lets the report replay a run, and nothing a client calls itself can inject markup.
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/live/events.js';
import { SEQUENCE_GLOBAL, SEQUENCE_SCRIPT } from '../../src/live/page/sequence-script.js';
import { limitSequence, sequenceEvents } from '../../src/report/sequence.js';
import { makeReport } from '../helpers/report-fixture.js';
import { classroomHello, recordedClassroom } from './live-page-fixture.js';

interface Row {
  kind: string;
  client?: string;
  server?: string;
  line?: string;
  bytes?: number;
  finished?: boolean;
  outcome?: string;
}
interface Model {
  servers: { id: string; songs: string[] }[];
  clients: string[];
  rows: Row[];
  droppedRows: number;
  counts: Record<string, number>;
}
interface Sequence {
  MAX_ROWS: number;
  model(events: unknown[], opts?: { maxRows?: number }): Model;
  renderHeader(m: Model, opts: { width: number; font: number }): string;
  renderBody(m: Model, opts: { width: number; font: number }): string;
  renderServers(m: Model): string;
  renderCounters(m: Model): string;
}

function load(): Sequence {
  const context: Record<string, unknown> = {};
  runInNewContext(SEQUENCE_SCRIPT, context);
  return context[SEQUENCE_GLOBAL] as Sequence;
}

const S = load();
const recorded: LiveEvent[] = [classroomHello, ...recordedClassroom(4)];

describe('the sequence view model', () => {
  it('puts the servers and the hello clients in lanes and one row per message, in the order they came', () => {
    const m = S.model(recorded);
    expect(m.servers.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(m.servers[0]!.songs).toEqual(['song1', 'song2', 'song3', 'song4']);
    expect(m.clients).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    const messages = recorded.filter((e) => ['connect', 'close', 'request', 'response', 'choice', 'done', 'fault'].includes(e.type));
    expect(m.rows.filter((r) => r.kind !== 'transfer').map((r) => r.kind)).toEqual(messages.map((e) => e.type));
  });

  it('draws a transfer as one row that fills up, finished by its done', () => {
    const m = S.model(recorded);
    const bars = m.rows.filter((r) => r.kind === 'transfer');
    const gets = recorded.filter((e) => e.type === 'request' && e.line.startsWith('GET'));
    expect(bars.length).toBe(gets.length);
    for (const bar of bars) expect(bar).toMatchObject({ bytes: 3_840_268, finished: true, outcome: 'verified' });
    expect(m.counts.verified).toBe(recorded.filter((e) => e.type === 'done' && e.outcome === 'verified').length);
  });

  it('learns lanes it was not told of and ignores event types it does not know', () => {
    const m = S.model([
      { type: 'request', t: 5, client: 'alice', server: 's9', line: 'CHECK x' },
      { type: 'gossip', t: 6, client: 'bob' },
      { type: 'choice', t: 7, client: 'alice', song: 'x', reason: 'neither: cancelled' },
    ]);
    expect(m.clients).toEqual(['alice']);
    expect(m.servers.map((s) => s.id)).toEqual(['s9']);
    expect(m.rows.map((r) => r.kind)).toEqual(['request', 'choice']);
    expect(S.renderBody(m, { width: 900, font: 18 })).toContain('no server for x: neither: cancelled');
  });

  it('keeps only the newest rows of a long run and says how many scrolled off', () => {
    const m = S.model(recorded, { maxRows: 10 });
    expect(m.rows.length).toBe(10);
    expect(m.droppedRows).toBe(S.model(recorded).rows.length - 10);
    expect(S.renderBody(m, { width: 1200, font: 18 })).toContain(`${m.droppedRows} older rows scrolled off`);
  });

  it('shows a HELLO name as text, never as markup', () => {
    const evil = '<img src=x onerror=alert(1)>"';
    const m = S.model([
      classroomHello,
      { type: 'connect', t: 1, client: evil, server: 's1' },
      { type: 'request', t: 2, client: evil, server: 's1', line: 'CHECK </text><script>alert(2)</script>' },
    ]);
    const html = [S.renderHeader(m, { width: 1200, font: 18 }), S.renderBody(m, { width: 1200, font: 18 }), S.renderServers(m), S.renderCounters(m)].join('');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain('CHECK &lt;/text&gt;&lt;script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it("breaks a server's lifeline from its crash to its restart, and names the fault while it lasts", () => {
    const crashed = recorded.filter((e) => !(e.type === 'fault' && e.action === 'restart'));
    const down = S.model(crashed);
    expect(S.renderBody(down, { width: 1200, font: 18 }).match(/class="jx-fault-span" data-server="s1"/g)?.length).toBe(1);
    expect(S.renderHeader(down, { width: 1200, font: 18 })).toContain('⚡ crash');
    expect(S.renderServers(down)).toContain('⚡ crash since 10.05 s');
    const back = S.model(recorded);
    expect(S.renderBody(back, { width: 1200, font: 18 }).match(/class="jx-fault-span"/g)?.length).toBe(1);
    expect(S.renderHeader(back, { width: 1200, font: 18 })).not.toContain('⚡');
    expect(S.renderServers(back)).toContain('last fault over: restart at 15.05 s');
  });

  it('draws rows in time order when a batch from another thread arrives late, and ends a fault named with its detail', () => {
    const m = S.model([
      classroomHello,
      { type: 'request', t: 70, client: 'c2', server: 's1', line: 'CHECK song3' },
      { type: 'fault', t: 80, server: 's1', action: 'crash' },
      { type: 'request', t: 30, client: 'c3', server: 's1', line: 'CHECK song1' },
      { type: 'response', t: 70, client: 'c2', server: 's1', line: 'NOT_EXIST', ms: 0.5 },
      { type: 'fault', t: 90, server: 's1', action: 'restart: listening again on port 42469' },
    ]);
    expect(m.rows.map((r) => [r.kind, r.client ?? r.server])).toEqual([
      ['request', 'c3'],
      ['request', 'c2'],
      ['response', 'c2'],
      ['fault', 's1'],
      ['fault', 's1'],
    ]);
    expect(S.renderHeader(m, { width: 1200, font: 18 })).not.toContain('⚡');
    expect(S.renderBody(m, { width: 1200, font: 18 }).match(/class="jx-fault-span"/g)?.length).toBe(1);
  });

  it('is a pure function of the events: the same list, the same SVG', () => {
    const a = S.renderBody(S.model(recorded), { width: 1280, font: 15 });
    const b = S.renderBody(S.model(JSON.parse(JSON.stringify(recorded)) as unknown[]), { width: 1280, font: 15 });
    expect(a).toBe(b);
    expect(a.match(/data-kind="fault"/g)?.length).toBe(2);
  });
});

describe("the report's sequence section", () => {
  it('keeps the first hello and the first events of the run up to the limit, without ticks', () => {
    const events = recordedClassroom(3);
    const kept = limitSequence([classroomHello, ...events, { ...classroomHello, scenario: 'again' }], 20);
    expect(kept[0]).toBe(classroomHello);
    expect(kept.slice(1)).toEqual(events.filter((e) => e.type !== 'tick').slice(0, 20));
  });

  it("gives a sequence recorded without hello the scenario's servers as lanes, in order", () => {
    const report = makeReport({ name: 'no-hello' });
    const messages = recordedClassroom(1).filter((e) => e.type !== 'tick');
    const events = sequenceEvents({ ...report, sequence: messages });
    expect(events[0]).toMatchObject({ type: 'hello', servers: report.scenario.servers.map((s) => ({ id: s.id })) });
    expect(events.slice(1)).toEqual(messages);
    expect(sequenceEvents(report)).toEqual([]);
  });
});
