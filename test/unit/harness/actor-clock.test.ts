// The actor on an injected clock against a real (fake) server over loopback: latency counts from
// the intended start, never from when the request was actually sent, and a client never sends
// anything before the run's start.
import { afterEach, describe, expect, it } from 'vitest';
import { runClientActor, type ActorContext } from '../../../src/harness/actor.js';
import type { SongFacts } from '../../../src/harness/messages.js';
import { histogramOf } from '../../../src/metrics/counts.js';
import { summarize } from '../../../src/metrics/histogram.js';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import type { ClientScript } from '../../../src/scenario/plan.js';
import type { ClientBehaviour } from '../../../src/scenario/types.js';
import { closeAllFakes, fakeJukebox, sha256Hex, songBytes, type FakeServer } from '../../helpers/fake-server.js';

const SONG = songBytes(7, 4096);
const behaviour: ClientBehaviour = {
  requests: 1,
  thinkTime: { distribution: 'constant', meanMs: 0 },
  connection: 'per-request',
  prefer: 'fastest',
  action: { download: 1, stream: 0 },
  timeoutMs: 10_000,
  songs: { popularity: 'uniform', exponent: 1, absent: 0, ids: undefined },
};
const songs = new Map<string, SongFacts>([['a', { id: 'a', bytes: SONG.length, sha256: sha256Hex(SONG), servers: ['s1'] }]]);

function script(startMs: number, requests = 1): ClientScript {
  return {
    client: 0,
    startMs,
    seed: 'clock',
    requests: Array.from({ length: requests }, () => ({ song: 'a', absent: false, action: 'download' as const, thinkMs: 0 })),
  };
}

/** A clock that stands still unless the test moves it. */
function frozenClock(start: number): { now: () => number; set(t: number): void } {
  let t = start;
  return { now: () => t, set: (v) => (t = v) };
}

function context(server: FakeServer, clock: { now: () => number }, runStart: number, scheduled: boolean): { ctx: ActorContext; recorder: MetricsRecorder } {
  const recorder = new MetricsRecorder(runStart, clock.now);
  const ctx: ActorContext = {
    recorder,
    servers: [{ id: 's1', host: server.host, port: server.port }],
    songs,
    behaviour,
    runStart,
    now: clock.now,
    stop: new AbortController().signal,
    scheduled,
  };
  return { ctx, recorder };
}

function requestLatencies(recorder: MetricsRecorder) {
  const snapshot = recorder.drain(true);
  return { summary: summarize(histogramOf(snapshot.phases.request)), snapshot };
}

afterEach(closeAllFakes);

describe('the actor on an injected clock', () => {
  it('counts a late-started request from its scheduled start, not from when it was sent', async () => {
    const server = await fakeJukebox(new Map([['a', SONG]]));
    // The schedule said 2 s after the run's start; the harness got to it at 10 s, and the clock
    // stands still while the request runs: its latency is exactly the 8 s it was held up.
    const clock = frozenClock(10_000);
    const { ctx, recorder } = context(server, clock, 0, true);
    expect(await runClientActor(script(2_000), ctx)).toBe('completed');
    const { summary, snapshot } = requestLatencies(recorder);
    expect(snapshot.counters.verified).toBe(1);
    expect(summary.count).toBe(1);
    expect(summary.max).toBeGreaterThanOrEqual(8_000 * 0.999);
    expect(summary.max).toBeLessThanOrEqual(8_000 * 1.001);
  });

  it('closed model: sends nothing before the run starts, and counts from the run start once it has', async () => {
    const server = await fakeJukebox(new Map([['a', SONG]]));
    const clock = frozenClock(1_000);
    // The run starts at 1.5 s: the client (handed out early) must wait for it.
    const { ctx, recorder } = context(server, clock, 1_500, false);
    let sentEarly = -1;
    const running = runClientActor(script(0, 2), ctx);
    // Let it try: several turns of the event loop and a few of its timers.
    await new Promise((resolve) => setTimeout(resolve, 100));
    sentEarly = server.requests.length;
    clock.set(1_700); // past the start by 200 ms: the first request counts from 1.5 s
    expect(await running).toBe('completed');
    expect(sentEarly).toBe(0);
    const { summary } = requestLatencies(recorder);
    expect(summary.count).toBe(2);
    // The first waited 200 ms past its intended start (the run's start); the second, sent at once, 0.
    expect(summary.max).toBeGreaterThanOrEqual(200 * 0.999);
    expect(summary.max).toBeLessThanOrEqual(200 * 1.001);
  });
});
