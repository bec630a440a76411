// Issue 7: the harness's own cost. The same servers serve a download-only load twice: once from
// the minimal bulk client (counts bytes, nothing else), once through `simulate`'s coordinator
// (plan, pool threads, actors, sha256 of every byte, histograms, report). The ratio is the share
// of the minimal client's throughput that the harness keeps.
import { runScenario } from '../src/harness/coordinator.js';
import { buildReport } from '../src/report/build.js';
import { collectEnvironment } from '../src/report/environment.js';
import { parseScenario } from '../src/scenario/load.js';
import { BIG_SONG, SERVER_ID } from './fixture.js';
import { runBulkLoad } from './load/bulk-client.js';
import { jukeboxFraming } from './load/framing.js';
import type { LoadTiming } from './load/window.js';
import { LOOPBACK } from './peers/process.js';
import { ratioOf, type BenchRow } from './results.js';

export const HARNESS_CONNECTIONS = 16;
const HARNESS_TARGET_RATIO = 0.9;
/** Downloads per simulated client: enough for a few seconds of load, bounded whatever the speed. */
const HARNESS_REQUESTS_PER_CLIENT = 40;

export interface HarnessBenchInput {
  catalogPath: string;
  jukeboxPort: number;
  bigBytes: number;
}

export async function runHarnessOverhead(input: HarnessBenchInput, timing: LoadTiming, log: (line: string) => void): Promise<{ rows: BenchRow[]; raw: Record<string, unknown> }> {
  log(`harness: download-only load at ${HARNESS_CONNECTIONS} connections, minimal client vs simulate`);
  const minimal = await runBulkLoad({ ...timing, host: LOOPBACK, port: input.jukeboxPort, connections: HARNESS_CONNECTIONS, request: `GET ${BIG_SONG.id}\n`, framing: jukeboxFraming, expectBodyBytes: input.bigBytes });
  log(`  minimal client: ${minimal.mbPerSecond.toFixed(0)} MB/s`);
  const { scenario, catalog } = parseScenario(
    {
      name: 'bench-harness-overhead',
      seed: 1,
      catalog: input.catalogPath,
      servers: [{ id: SERVER_ID, host: LOOPBACK, port: input.jukeboxPort, external: true }],
      load: { clients: HARNESS_CONNECTIONS, concurrency: HARNESS_CONNECTIONS, workers: 2 },
      client: { requests: HARNESS_REQUESTS_PER_CLIENT, connection: 'persistent', action: { download: 1 }, songs: { ids: [BIG_SONG.id], absent: 0 } },
    },
    undefined,
  );
  const report = buildReport(await runScenario(scenario, catalog), collectEnvironment());
  const harnessMbPerSecond = report.throughput.bytesPerSec / 1e6;
  log(`  simulate: ${harnessMbPerSecond.toFixed(0)} MB/s, ${report.totals.verified} verified, ${report.totals.failed} failed`);
  const ratio = ratioOf(harnessMbPerSecond, minimal.mbPerSecond, 'higher');
  const row: BenchRow = {
    group: 'issue 7',
    name: `simulate download-only, ${HARNESS_CONNECTIONS} clients (sha256 verified)`,
    figure: harnessMbPerSecond,
    unit: 'MB/s',
    better: 'higher',
    peer: { name: 'minimal bulk client', figure: minimal.mbPerSecond },
    ratio,
    target: `≥ ${HARNESS_TARGET_RATIO.toFixed(1)}×`,
    met: ratio !== undefined && ratio >= HARNESS_TARGET_RATIO,
    note: report.totals.failed > 0 ? `${report.totals.failed} failed requests` : undefined,
  };
  return { rows: [row], raw: { minimal, harness: { throughput: report.throughput, totals: report.totals, durationMs: report.durationMs } } };
}
