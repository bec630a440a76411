// The fault schedule against real in-process servers: steps at their times, in order per server,
// failures recorded rather than thrown, and steps not yet due dropped when the run ends.
import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { faultSteps, startFaultSchedule, type FaultTarget } from '../../../src/harness/faults.js';
import type { FaultEvent } from '../../../src/harness/run-result.js';
import { sharedNow } from '../../../src/util/clock.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { kindOf, LOOPBACK, startTestServer, stopAll, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;
let squatter: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (squatter ? squatter.close(() => resolve()) : resolve()));
  squatter = undefined;
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

/** Resolves once `n` events have been recorded. */
function eventsSeen(n: number): { onEvent: (e: FaultEvent) => void; done: Promise<FaultEvent[]> } {
  const seen: FaultEvent[] = [];
  let resolve: (events: FaultEvent[]) => void = () => {};
  const done = new Promise<FaultEvent[]>((r) => (resolve = r));
  return {
    onEvent: (e) => {
      seen.push(e);
      if (seen.length === n) resolve(seen);
    },
    done,
  };
}

describe('fault schedule', () => {
  it('applies steps at their times relative to the run start, in order per server, and returns the events in time order', async () => {
    fixture = createLibraryFixture();
    const server = await startTestServer(fixture, 's1');
    const runStart = sharedNow();
    const watch = eventsSeen(4);
    const schedule = startFaultSchedule(
      faultSteps([
        { atMs: 60, server: 's1', action: 'crash', restartAfterMs: 40 },
        { atMs: 20, server: 's1', action: 'delay', latencyMs: 5, forMs: 10 },
      ]),
      new Map<string, FaultTarget>([['s1', server]]),
      { runStart, now: sharedNow, onEvent: watch.onEvent },
    );
    await watch.done;
    const events = await schedule.stop();
    expect(events.map((e) => e.action)).toEqual(['delay', 'delay-end', 'crash', 'restart']);
    // Never early: at or after the time each step was due (within the timers' millisecond).
    events.forEach((e, i) => expect(e.atMs).toBeGreaterThanOrEqual(([20, 30, 60, 100][i] ?? 0) - 1));
    const client = await TestClient.connect(server.port);
    expect(kindOf(await client.request('HELLO'))).toBe('OK');
  });

  it('records a step that fails (the port was taken while the server was down) and carries on', async () => {
    fixture = createLibraryFixture();
    const server = await startTestServer(fixture, 's1');
    const watch = eventsSeen(3);
    const schedule = startFaultSchedule(
      faultSteps([
        { atMs: 0, server: 's1', action: 'crash', restartAfterMs: 30 },
        { atMs: 60, server: 's1', action: 'delay', latencyMs: 1 },
      ]),
      new Map([['s1', server]]),
      {
        runStart: sharedNow(),
        now: sharedNow,
        onEvent: (e) => {
          // Someone else takes the port while s1 is down.
          if (e.action === 'crash') {
            squatter = createServer();
            squatter.listen(server.port, LOOPBACK);
          }
          watch.onEvent(e);
        },
      },
    );
    const events = await watch.done;
    await schedule.stop();
    expect(events.map((e) => e.action)).toEqual(['crash', 'restart', 'delay']);
    expect(events[1]?.detail).toMatch(/^failed: E_LISTEN: .*already in use/);
    expect(events[2]?.detail).toMatch(/^\+1 ms before every response/);
  });

  it('drops steps not yet due when stopped, and says so for a server it cannot reach', async () => {
    const watch = eventsSeen(1);
    const schedule = startFaultSchedule(
      faultSteps([
        { atMs: 0, server: 's9', action: 'reset' },
        { atMs: 60_000, server: 's9', action: 'reset' },
      ]),
      new Map(),
      { runStart: sharedNow(), now: sharedNow, onEvent: watch.onEvent },
    );
    await watch.done;
    expect(await schedule.stop()).toEqual([expect.objectContaining({ server: 's9', action: 'reset', detail: 'not applied: no such server in this run' })]);
  });
});
