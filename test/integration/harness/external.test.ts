// External servers: the harness uses them where they run and starts none of its own.
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { runScenario } from '../../../src/harness/coordinator.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { startServer, type JukeboxServer } from '../../../src/server/server.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';

const running: JukeboxServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.close({ graceful: false })));
});

describe('external servers', () => {
  it('are used as they are: the clients reach them, and their own STATS are in the result', async () => {
    const catalog = loadCatalog(defaultCatalogPath);
    const files = await resolveLibrary(catalog);
    for (const id of ['s1', 's2']) running.push(await startServer({ serverId: id, catalog, files, host: '127.0.0.1', port: 0 }));
    const [s1, s2] = running as [JukeboxServer, JukeboxServer];
    const { scenario, catalog: loaded } = parseScenario(
      {
        name: 'external',
        seed: 2,
        catalog: defaultCatalogPath,
        servers: [
          { id: 's1', host: '127.0.0.1', port: s1.port, external: true },
          { id: 's2', host: '127.0.0.1', port: s2.port, external: true },
        ],
        load: { clients: 4, workers: 1 },
        client: { requests: 2 },
      },
      undefined,
    );
    const run = await runScenario(scenario, loaded);
    expect(run.metrics.counters.failed).toBe(0);
    expect(run.metrics.counters.verified + run.metrics.counters.cancelled).toBe(8);
    // The servers counted the clients' requests (plus the harness's own STATS request each).
    expect(s1.stats().requests + s2.stats().requests).toBeGreaterThanOrEqual(
      (run.metrics.counters.servers.s1?.requests ?? 0) + (run.metrics.counters.servers.s2?.requests ?? 0),
    );
    expect(run.serverStats.s1?.server).toBe('s1');
    expect(run.serverStats.s2?.server).toBe('s2');
  });

  it('an external server that is not running fails the requests as refused, not as absent songs', async () => {
    const { scenario, catalog } = parseScenario(
      {
        name: 'external-down',
        seed: 2,
        catalog: defaultCatalogPath,
        servers: [
          { id: 's1', host: '127.0.0.1', port: 1, external: true },
          { id: 's2', host: '127.0.0.1', port: 2, external: true },
        ],
        load: { clients: 2, workers: 1 },
        client: { requests: 1, songs: { absent: 0 } },
      },
      undefined,
    );
    const run = await runScenario(scenario, catalog);
    expect(run.metrics.counters.cancelled).toBe(0);
    expect(run.metrics.counters.failed).toBe(2);
    expect(run.metrics.counters.errors.refused).toBe(2);
    expect(run.serverStats.s1).toBeUndefined();
  });
});
