// The live view's HTTP server with real sockets: a reader that never reads cannot make it buffer
// without bound (its stream holds at most LIVE_STREAM_MAX_BUFFERED_BYTES; the rest is dropped and
// counted, and the count reaches the reader in its ticks), while a reader that keeps up misses
// nothing; a late reader gets `hello` and then the bounded recent history.
import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveBus } from '../../../src/live/bus.js';
import { parseLiveEvent, type LiveEvent } from '../../../src/live/events.js';
import { LIVE_STREAM_MAX_BUFFERED_BYTES, startLiveServer, type LiveServer } from '../../../src/live/http-server.js';

let server: LiveServer | undefined;
let bus: LiveBus | undefined;
const responses: IncomingMessage[] = [];
afterEach(async () => {
  for (const r of responses.splice(0)) r.destroy();
  bus?.close();
  await server?.close();
  server = undefined;
});

function newBus(historyEvents?: number): LiveBus {
  const start = performance.now();
  return new LiveBus({
    hello: { servers: [{ id: 's1', host: '127.0.0.1', port: 5000, songs: ['song1'] }], clients: ['c1'] },
    now: () => performance.now(),
    startedAt: start,
    ...(historyEvents === undefined ? {} : { historyEvents }),
  });
}

function open(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    get(new URL('events', url), (res) => {
      responses.push(res);
      resolve(res);
    }).once('error', reject);
  });
}

/** Collects a stream's events (checked against the contract) until `until` holds. */
function collect(res: IncomingMessage, until: (events: LiveEvent[]) => boolean): Promise<LiveEvent[]> {
  const events: LiveEvent[] = [];
  let partial = '';
  return new Promise((resolve, reject) => {
    res.setEncoding('utf8');
    res.on('data', (text: string) => {
      partial += text;
      const frames = partial.split('\n\n');
      partial = frames.pop() ?? '';
      try {
        for (const f of frames) if (f.startsWith('data: ')) events.push(parseLiveEvent(JSON.parse(f.slice(6))));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
      if (until(events)) resolve(events);
    });
    res.once('end', () => reject(new Error(`the stream ended after ${events.length} events`)));
  });
}

const LINE = `GET song1 0 ${'x'.repeat(100)}`;

/**
 * Publishes `batches` batches of `size` request events, letting the event loop write between them;
 * with `paced`, each batch waits until that reader's stream has room (it reads as fast as it can).
 */
async function flood(target: LiveBus, batches: number, size: number, paced?: () => number): Promise<number> {
  let n = 0;
  for (let b = 0; b < batches; b++) {
    while (paced && paced() > 256 * 1024) await new Promise((resolve) => setTimeout(resolve, 1));
    target.publish(Array.from({ length: size }, () => ({ type: 'request' as const, t: n++, client: 'c1', server: 's1', line: LINE })));
    target.flush();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return n;
}

/** Polls a condition the server offers no event for (a stream has subscribed); a deadline stops a hung test, not a slow one. */
async function until(condition: () => boolean, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met within the deadline');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the live view’s /events', () => {
  it('a reader that never reads costs at most LIVE_STREAM_MAX_BUFFERED_BYTES: the rest is dropped, counted, and said in its ticks', async () => {
    bus = newBus();
    server = await startLiveServer({ bus });
    const stalled = await open(server.url);
    stalled.pause();
    stalled.socket.pause();
    const keeping = await open(server.url);
    // About 30 MB of events: far more than the kernel's socket buffers and the stream's bound together.
    const total = 200 * 1000;
    const seen = collect(keeping, (events) => events.filter((e) => e.type === 'request').length >= total);
    const both = server;
    await until(() => both.streams().length === 2); // both streams have subscribed
    const live = server;
    await flood(bus, 200, 1000, () => live.streams()[1]?.bufferedBytes ?? 0);
    const stats = server.streams();
    const slow = stats.reduce((a, b) => (a.dropped > b.dropped ? a : b));
    expect(slow.dropped).toBeGreaterThan(0);
    expect(slow.peakBufferedBytes).toBeLessThanOrEqual(LIVE_STREAM_MAX_BUFFERED_BYTES);
    expect(slow.bufferedBytes).toBeLessThanOrEqual(LIVE_STREAM_MAX_BUFFERED_BYTES);
    // The reader that keeps up gets every event, in order.
    const events = await seen;
    const requests = events.filter((e) => e.type === 'request');
    expect(requests).toHaveLength(total);
    expect(requests.every((e, i) => e.t === i)).toBe(true);
    // Once the stalled reader reads again, its next tick says how many it lost.
    const dropped = slow.dropped;
    const ticked = collect(stalled, (evs) => evs.some((e) => e.type === 'tick'));
    stalled.socket.resume();
    stalled.resume();
    const waitTick = setInterval(
      () => bus?.tick({ type: 'tick', t: 1, servers: {}, totals: { clients: 0, requests: 0, verified: 0, cancelled: 0, failed: 0, bytes: 0 } }),
      100,
    );
    try {
      const tick = (await ticked).find((e) => e.type === 'tick');
      expect(tick).toMatchObject({ type: 'tick', dropped: expect.any(Number) });
      expect(tick?.type === 'tick' && (tick.dropped ?? 0) >= dropped).toBe(true);
    } finally {
      clearInterval(waitTick);
    }
  }, 60_000);

  it('a reader that joins late gets hello, then the recent history (bounded), then the live events', async () => {
    bus = newBus(5);
    server = await startLiveServer({ bus });
    await flood(bus, 1, 12); // t 0..11: only the last 5 are kept
    const late = await open(server.url);
    const received = collect(late, (events) => events.some((e) => e.type === 'request' && e.t === 100));
    const one = server;
    await until(() => one.streams().length === 1); // subscribed: what follows is live, not history
    bus.publish([{ type: 'request', t: 100, client: 'c1', server: 's1', line: 'CHECK song1' }]);
    const events = await received;
    expect(events[0]).toMatchObject({ type: 'hello', clients: ['c1'] });
    expect(events.slice(1).map((e) => ('t' in e ? e.t : -1))).toEqual([7, 8, 9, 10, 11, 100]);
  });

  it('serves the page at / and 404 elsewhere', async () => {
    bus = newBus();
    server = await startLiveServer({ bus });
    const page = await fetch(server.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/^<!doctype html>/i);
    expect((await fetch(new URL('nope', server.url))).status).toBe(404);
  });
});
