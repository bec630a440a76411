// A whole run in-process: servers in worker threads, clients in the piscina pool, real sockets.
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../../src/harness/coordinator.js';
import { summarize } from '../../../src/metrics/histogram.js';
import { buildReport } from '../../../src/report/build.js';
import { collectEnvironment } from '../../../src/report/environment.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';

function small(seed: number, extra: Record<string, unknown> = {}) {
  return parseScenario(
    {
      name: 'small',
      seed,
      catalog: defaultCatalogPath,
      servers: [
        { id: 's1', port: 0, streamSpeed: 200 },
        { id: 's2', port: 0, streamSpeed: 200 },
      ],
      load: { clients: 12, concurrency: 6, workers: 2 },
      client: { requests: 3, action: { download: 0.7, stream: 0.3 }, songs: { absent: 0.2 }, thinkTime: { distribution: 'constant', mean: '5ms' } },
      ...extra,
    },
    undefined,
  );
}

const planned = (r: Awaited<ReturnType<typeof runScenario>>) => ({
  clients: r.plan.clients,
  requests: r.plan.requests,
  downloads: r.plan.downloads,
  streams: r.plan.streams,
  cancelled: r.plan.absent,
});
const counted = (r: Awaited<ReturnType<typeof runScenario>>) => {
  const c = r.metrics.counters;
  return { clients: c.clients, requests: c.requests, downloads: c.downloads, streams: c.streams, cancelled: c.cancelled };
};

describe('a whole run', () => {
  it('does what the plan says, verifies every transfer, and the servers agree', async () => {
    const { scenario, catalog } = small(5);
    const run = await runScenario(scenario, catalog);
    expect(counted(run)).toEqual(planned(run));
    const c = run.metrics.counters;
    expect(c.failed).toBe(0);
    expect(c.verified).toBe(c.downloads + c.streams);
    expect(c.integrityFailures).toBe(0);
    // Every CHECK, GET and STREAM the clients sent, each server counted too.
    for (const id of ['s1', 's2']) {
      expect(run.serverStats[id]?.requests).toBe(c.servers[id]?.requests);
      expect(run.serverStats[id]?.bytesSent).toBe(c.servers[id]?.bytes);
    }
    expect(summarize(run.metrics.phases.check).count).toBe(2 * c.requests);
    expect(summarize(run.metrics.phases.request).count).toBe(c.requests);
    // A request takes at least one CHECK round trip: it is never counted from before it began.
    expect(summarize(run.metrics.phases.request).min).toBeGreaterThanOrEqual(summarize(run.metrics.phases.check).min);
    // Persistent connections: one per server per client.
    expect(summarize(run.metrics.phases.connect).count).toBe(2 * c.clients);
    const report = buildReport(run, collectEnvironment());
    expect(report.timeline.reduce((a, s) => a + s.requestsPerSec, 0)).toBe(c.requests);
  });

  it('gives equal plan-determined totals for one seed, and different ones for another', async () => {
    const a = await runScenario(small(11).scenario, small(11).catalog);
    const b = await runScenario(small(11).scenario, small(11).catalog);
    const other = await runScenario(small(12).scenario, small(12).catalog);
    expect(counted(a)).toEqual(counted(b));
    expect(a.metrics.counters.bytes).toBe(b.metrics.counters.bytes);
    expect(a.metrics.counters.bytes).not.toBe(other.metrics.counters.bytes);
  });

  it('opens a new connection per request in per-request mode', async () => {
    const { scenario, catalog } = small(3, { client: { requests: 2, connection: 'per-request', songs: { absent: 0 } } });
    const run = await runScenario(scenario, catalog);
    const c = run.metrics.counters;
    expect(c.failed).toBe(0);
    // Two CHECK connections and one transfer connection per request.
    expect(summarize(run.metrics.phases.connect).count).toBe(3 * c.requests);
  });

  it('runs the open model: every scheduled client arrives and is measured from its schedule', async () => {
    const { scenario, catalog } = small(9, { load: { arrivalRate: 40, duration: '1s', workers: 2 } });
    const run = await runScenario(scenario, catalog);
    expect(run.metrics.counters.clients).toBe(run.plan.clients);
    expect(run.metrics.counters.failed).toBe(0);
    expect(summarize(run.metrics.scheduleLag).count).toBe(run.plan.clients);
  });
});
