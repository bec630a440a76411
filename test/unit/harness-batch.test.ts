// The batch runner's timing, in-process with a stand-in actor: the schedule and the lag.
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import type { ActorContext } from '../../src/harness/actor.js';
import { runClientBatch } from '../../src/harness/client-batch.js';
import type { ClientTask } from '../../src/harness/messages.js';
import { MetricsAggregator } from '../../src/metrics/aggregate.js';
import { summarize } from '../../src/metrics/histogram.js';
import type { ClientScript } from '../../src/scenario/plan.js';
import { sharedNow } from '../../src/util/clock.js';

function task(scripts: ClientScript[], model: 'open' | 'closed', runStart: number, concurrency = scripts.length): { task: ClientTask; metrics: MetricsAggregator; close(): void } {
  const { port1, port2 } = new MessageChannel();
  const metrics = new MetricsAggregator();
  port1.on('message', (m: { snapshot: Parameters<MetricsAggregator['add']>[0] }) => metrics.add(m.snapshot));
  const behaviour = { requests: 1, thinkTime: { distribution: 'constant' as const, meanMs: 0 }, connection: 'persistent' as const, prefer: 'fastest' as const, action: { download: 1, stream: 0 }, timeoutMs: 1000, songs: { popularity: 'uniform' as const, exponent: 1, absent: 0, ids: undefined } };
  return {
    task: { runStart, model, concurrency, scripts, servers: [], songs: [], behaviour, flushIntervalMs: 50, port: port2 },
    metrics,
    close: () => port1.close(),
  };
}

const script = (client: number, startMs: number): ClientScript => ({ client, startMs, seed: `t/${client}`, requests: [] });

describe('client batch', () => {
  it('starts open-model clients no earlier than scheduled, and measures how late', async () => {
    const runStart = sharedNow() + 50;
    const starts = new Map<number, number>();
    const actor = async (s: ClientScript, ctx: ActorContext) => {
      starts.set(s.client, ctx.now());
    };
    const scripts = [script(0, 10), script(1, 120), script(2, 60), script(3, 200)];
    const t = task(scripts, 'open', runStart);
    await runClientBatch(t.task, actor);
    for (const s of scripts) expect(starts.get(s.client)).toBeGreaterThanOrEqual(runStart + s.startMs);
    await new Promise((r) => setTimeout(r, 100));
    expect(summarize(t.metrics.scheduleLag).count).toBe(4);
    t.close();
  });

  it('reports the lag when the harness starts clients after their time', async () => {
    const runStart = sharedNow() - 1000; // the schedule began a second ago
    const t = task([script(0, 100)], 'open', runStart);
    await runClientBatch(t.task, async () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    expect(summarize(t.metrics.scheduleLag).min).toBeGreaterThanOrEqual(890);
    t.close();
  });

  it('keeps at most `concurrency` clients running in the closed model', async () => {
    let running = 0;
    let peak = 0;
    const actor = async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
    };
    const t = task(Array.from({ length: 20 }, (_, i) => script(i, 0)), 'closed', sharedNow(), 3);
    await runClientBatch(t.task, actor);
    expect(peak).toBe(3);
    t.close();
  });
});
