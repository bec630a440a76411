// The acceptance of issue 16: scenarios/100-clients.yaml run as 3 shards against servers the test
// starts, merged, equals the unsharded run in every plan-determined total, and its histograms
// hold exactly the parts' requests.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { runScenario } from '../../../src/harness/coordinator.js';
import { decodeHistogram, PHASES } from '../../../src/metrics/histogram.js';
import { buildReport } from '../../../src/report/build.js';
import { collectEnvironment } from '../../../src/report/environment.js';
import { mergeReports } from '../../../src/report/merge.js';
import { loadScenarioFile } from '../../../src/scenario/load.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { startServer, type JukeboxServer } from '../../../src/server/server.js';
import { planFingerprint } from '../../../src/shards/fingerprint.js';
import { packageRoot } from '../../../src/util/paths.js';

const running: JukeboxServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.close({ graceful: false })));
});

/** Two runs of 100 clients and 2 GiB each, on a busy 2-core machine. */
const TIMEOUT_MS = 300_000;

describe('3 shards of scenarios/100-clients.yaml, merged', () => {
  it(
    'equal the unsharded run in every plan-determined total, with histograms that add up',
    async () => {
      const { scenario: own, catalog } = loadScenarioFile(join(packageRoot, 'scenarios', '100-clients.yaml'));
      const files = await resolveLibrary(catalog);
      // The servers the shards share, as the scenario describes them (stream speed included), started here.
      for (const s of own.servers)
        running.push(
          await startServer({ serverId: s.id, catalog, files, host: '127.0.0.1', port: 0, streamSpeed: s.streamSpeed, limits: { maxConnections: 1000 } }),
        );
      const scenario: ResolvedScenario = {
        ...own,
        servers: own.servers.map((s, i) => ({ ...s, host: '127.0.0.1', port: running[i]?.port ?? 0, external: true })),
        load: { ...own.load, workers: 1 },
      };
      const environment = collectEnvironment();
      // The whole run beside its shards (the totals compared are the plan's, whatever the timing).
      const [whole, ...parts] = await Promise.all([
        runScenario(scenario, catalog).then((r) => buildReport(r, environment)),
        ...[1, 2, 3].map(async (index) => buildReport(await runScenario(scenario, catalog, { shard: { index, count: 3 } }), environment)),
      ]);
      expect(parts.map((p) => p.shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
      const merged = mergeReports(parts.map((report, i) => ({ report, file: `shard${i + 1}.json` })));

      expect(whole.totals.failed).toBe(0);
      expect(merged.totals.failed).toBe(0);
      const planned = (r: typeof whole) => {
        const { clients, requests, downloads, streams, cancelled, verified } = r.totals;
        return { clients, requests, downloads, streams, cancelled, verified };
      };
      expect(planned(merged)).toEqual(planned(whole));
      expect(merged.totals.clients).toBe(100);
      expect(merged.plan).toEqual(whole.plan);
      // One plan: the unsharded run, each shard and the scenario with its own servers have one fingerprint.
      expect(merged.plan.fingerprint).toBe(planFingerprint(own, catalog.version));
      expect(merged.shard).toBeUndefined();
      for (const phase of PHASES) {
        const sum = parts.reduce((a, p) => a + decodeHistogram(p.histograms[phase]).totalCount, 0);
        expect(decodeHistogram(merged.histograms[phase]).totalCount).toBe(sum);
        expect(merged.latency[phase].count).toBe(sum);
      }
      expect(merged.latency.request.count).toBe(whole.latency.request.count);
    },
    TIMEOUT_MS,
  );
});
