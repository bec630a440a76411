// The batch runner in-process with stand-in actors (no threads, no sockets): the schedule and its
// lag, the concurrency limit, which clients a batch draws, and how a stop ends it.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { runClientActor, type ActorContext, type ClientEnd } from '../../src/harness/actor.js';
import { runClientBatch } from '../../src/harness/client-batch.js';
import type { BatchMessage, ClientTask, CoordinatorMessage } from '../../src/harness/messages.js';
import { MetricsAggregator } from '../../src/metrics/aggregate.js';
import { summarize } from '../../src/metrics/histogram.js';
import { MetricsRecorder } from '../../src/metrics/recorder.js';
import { parseScenario } from '../../src/scenario/load.js';
import { ALL_CLIENTS, makePlan, startTimes, type ClientScript, type ClientSelection } from '../../src/scenario/plan.js';
import type { ResolvedScenario } from '../../src/scenario/types.js';
import { sharedNow } from '../../src/util/clock.js';
import { sampleCatalog, sampleCatalogFile } from '../helpers/catalog-data.js';

const catalogPath = sampleCatalogFile();
const songs = sampleCatalog().songs.map((s) => ({ id: s.id, bytes: s.bytes, sha256: s.sha256, servers: s.servers }));

function scenarioOf(load: Record<string, unknown>, client: Record<string, unknown> = { requests: 1 }): ResolvedScenario {
  return parseScenario({ name: 'batch', seed: 5, catalog: catalogPath, load, client }, undefined).scenario;
}

interface Harness {
  task: ClientTask;
  metrics: MetricsAggregator;
  /** Resolves when the batch's final snapshot has arrived. */
  final: Promise<void>;
  /** Posts on the coordinator's end of the port. */
  send(message: CoordinatorMessage): void;
  close(): void;
}

function task(scenario: ResolvedScenario, runStart: number, options: { concurrency?: number; clients?: ClientSelection; graceMs?: number } = {}): Harness {
  const { port1, port2 } = new MessageChannel();
  const metrics = new MetricsAggregator();
  const final = new Promise<void>((resolve) => {
    port1.on('message', (m: BatchMessage) => {
      if (m.type === 'live') return;
      metrics.add(m.snapshot);
      if (m.type === 'final') resolve();
    });
  });
  const concurrency = options.concurrency ?? (scenario.load.model === 'closed' ? scenario.load.concurrency : 1);
  return {
    task: {
      runStart,
      scenario,
      clients: options.clients ?? ALL_CLIENTS,
      concurrency,
      servers: [],
      songs,
      flushIntervalMs: 50,
      graceMs: options.graceMs ?? 5000,
      port: port2,
    },
    metrics,
    final,
    send: (message) => port1.postMessage(message),
    close: () => port1.close(),
  };
}

/** A client that takes no time. */
const instant = async (): Promise<ClientEnd> => 'completed';

/** A client that thinks until the stop, as a real one does between songs. */
function thinker(started: number[]): (s: ClientScript, ctx: ActorContext) => Promise<ClientEnd> {
  return async (s, ctx) => {
    started.push(s.client);
    if (!ctx.stop.aborted) await new Promise((resolve) => ctx.stop.addEventListener('abort', resolve, { once: true }));
    return 'stopped';
  };
}

describe('client batch', () => {
  it('starts each open-model client on its arrival, no earlier, and measures how late', async () => {
    const scenario = scenarioOf({ arrivalRate: 40, duration: '300ms' });
    const expected = startTimes(scenario);
    expect(expected.length).toBeGreaterThan(3);
    const runStart = sharedNow() + 50;
    const starts = new Map<number, { at: number; startMs: number }>();
    const actor = async (s: ClientScript, ctx: ActorContext): Promise<ClientEnd> => {
      starts.set(s.client, { at: ctx.now(), startMs: s.startMs });
      return 'completed';
    };
    const t = task(scenario, runStart);
    const result = await runClientBatch(t.task, actor);
    expect([...starts.values()].map((s) => s.startMs)).toEqual(expected);
    for (const s of starts.values()) expect(s.at).toBeGreaterThanOrEqual(runStart + s.startMs);
    await t.final;
    expect(summarize(t.metrics.scheduleLag).count).toBe(expected.length);
    expect(result).toMatchObject({ started: expected.length, completed: expected.length, cut: 0, stopped: false });
    t.close();
  });

  it('reports the lag when the harness starts clients after their time', async () => {
    const scenario = scenarioOf({ arrivalRate: 40, duration: '300ms' });
    const runStart = sharedNow() - 1000; // the schedule began a second ago
    const t = task(scenario, runStart);
    await runClientBatch(t.task, instant);
    await t.final;
    expect(summarize(t.metrics.scheduleLag).min).toBeGreaterThanOrEqual(690);
    t.close();
  });

  it('keeps at most `concurrency` clients running in the closed model, and runs each once', async () => {
    let running = 0;
    let peak = 0;
    const ran: number[] = [];
    const actor = async (s: ClientScript): Promise<ClientEnd> => {
      ran.push(s.client);
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return 'completed';
    };
    const t = task(scenarioOf({ clients: 20 }), sharedNow(), { concurrency: 3 });
    await runClientBatch(t.task, actor);
    expect(peak).toBe(3);
    expect(ran.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    t.close();
  });

  it("draws only its selection's clients, with the plan's scripts, and returns their plan totals", async () => {
    const scenario = scenarioOf({ clients: 10 }, { requests: 3, action: { download: 0.5, stream: 0.5 }, songs: { absent: 0.2 } });
    const whole = makePlan(scenario, sampleCatalog());
    const seen: ClientScript[] = [];
    const t = task(scenario, sharedNow(), { clients: { first: 1, stride: 3 }, concurrency: 2 });
    const result = await runClientBatch(t.task, async (s) => (seen.push(s), 'completed'));
    const mine = whole.clients.filter((c) => c.client % 3 === 1);
    expect(seen.sort((a, b) => a.client - b.client)).toEqual(mine);
    expect(result.plan.clients).toBe(3);
    expect(result.plan.requests).toBe(9);
    expect(result.plan.downloads + result.plan.streams + result.plan.absent).toBe(9);
    t.close();
  });

  it('starts no client at all when stopped before it begins, and still sends its final snapshot', async () => {
    const started: number[] = [];
    for (const scenario of [scenarioOf({ clients: 50, concurrency: 5 }), scenarioOf({ arrivalRate: 100, duration: '2s' })]) {
      const t = task(scenario, sharedNow());
      const result = await runClientBatch(t.task, thinker(started), { stop: AbortSignal.abort() });
      await t.final;
      expect(result).toMatchObject({ started: 0, completed: 0, cut: 0, stopped: true });
      t.close();
    }
    expect(started).toEqual([]);
  });

  it('starts no client when the stop was posted before the batch began', async () => {
    const started: number[] = [];
    const t = task(scenarioOf({ clients: 50, concurrency: 5 }), sharedNow());
    t.send({ type: 'stop' });
    const result = await runClientBatch(t.task, thinker(started));
    expect(result).toMatchObject({ started: 0, stopped: true });
    expect(started).toEqual([]);
    t.close();
  });

  it('stops starting clients at a stop and lets the running ones end (closed model)', async () => {
    const started: number[] = [];
    const stop = new AbortController();
    const t = task(scenarioOf({ clients: 1000, concurrency: 4 }), sharedNow());
    const actor = async (s: ClientScript, ctx: ActorContext): Promise<ClientEnd> => {
      // Ten clients play through; then one asks for the stop, and every running client sees it.
      if (s.client < 10) {
        started.push(s.client);
        await new Promise((r) => setImmediate(r));
        return 'completed';
      }
      if (s.client === 10) stop.abort();
      return thinker(started)(s, ctx);
    };
    const result = await runClientBatch(t.task, actor, { stop: stop.signal });
    expect(result.stopped).toBe(true);
    expect(result.started).toBe(started.length);
    expect(started.length).toBeGreaterThanOrEqual(11);
    expect(started.length).toBeLessThanOrEqual(11 + 3);
    expect(result.plan.clients).toBe(result.started);
    expect(result.completed).toBe(result.started - (started.length - 10));
    expect(result.cut).toBe(0);
    t.close();
  });

  it('ends when the grace runs out, counting the clients still in a request as cut (the stop comes as a message)', async () => {
    const t = task(scenarioOf({ clients: 100, concurrency: 3 }), sharedNow(), { graceMs: 200 });
    let started = 0;
    // A request that never ends: only the grace can end the batch.
    const stuck = (): Promise<ClientEnd> => {
      if (++started === 3) t.send({ type: 'stop' });
      return new Promise<ClientEnd>(() => undefined);
    };
    const result = await runClientBatch(t.task, stuck);
    expect(result).toMatchObject({ started: 3, completed: 0, cut: 3, stopped: true });
    await t.final;
    t.close();
  });

  it('stops open-model arrivals at a stop', async () => {
    const scenario = scenarioOf({ arrivalRate: 50, duration: '20s' });
    const stop = new AbortController();
    const started: number[] = [];
    const t = task(scenario, sharedNow());
    const actor = async (s: ClientScript): Promise<ClientEnd> => {
      started.push(s.client);
      if (started.length === 5) stop.abort();
      return 'completed';
    };
    const result = await runClientBatch(t.task, actor, { stop: stop.signal });
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(result).toMatchObject({ started: 5, completed: 5, stopped: true });
    t.close();
  });
});

describe('client actor at a stop', () => {
  const ctxWith = (stop: AbortSignal): ActorContext => {
    const scenario = scenarioOf({ clients: 1 });
    return {
      recorder: new MetricsRecorder(sharedNow(), sharedNow),
      servers: [],
      songs: new Map(),
      behaviour: scenario.client,
      runStart: sharedNow(),
      now: sharedNow,
      stop,
      scheduled: false,
    };
  };
  const script = (thinkMs: number): ClientScript => ({
    client: 0,
    startMs: 0,
    seed: 'x/client/0',
    requests: [0, 1, 2].map(() => ({ song: 'lost1', absent: true, action: 'download' as const, thinkMs })),
  });

  it('plays no song once stopped', async () => {
    const ctx = ctxWith(AbortSignal.abort());
    expect(await runClientActor(script(0), ctx)).toBe('stopped');
    expect(ctx.recorder.drain(true).counters).toMatchObject({ clients: 1, requests: 0 });
  });

  it('wakes from a long think at a stop, with no next song', async () => {
    const stop = new AbortController();
    const ctx = ctxWith(stop.signal);
    // No server holds the song: each request ends at once (cancelled); then a think of an hour.
    const ended = runClientActor(script(3_600_000), ctx);
    setTimeout(() => stop.abort(), 50);
    expect(await ended).toBe('stopped');
    expect(ctx.recorder.drain(true).counters).toMatchObject({ clients: 1, requests: 1, cancelled: 1 });
  });

  it('plays the whole script when not stopped', async () => {
    const ctx = ctxWith(new AbortController().signal);
    expect(await runClientActor(script(1), ctx)).toBe('completed');
    expect(ctx.recorder.drain(true).counters).toMatchObject({ clients: 1, requests: 3, cancelled: 3 });
  });
});
