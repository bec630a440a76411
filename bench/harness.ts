// Issue 7: the harness's own cost. The same server serves a download-only load from three
// clients, in alternating rounds: the minimal bulk client, which only counts bytes; the same
// client also hashing every body and checking its sha256, as every simulated client must, on its
// one thread; and `simulate`'s coordinator (plan, one pool thread, actors, sha256 of every byte,
// histograms, report). The target compares simulate with the verifying client: the same work
// on the same number of threads, so what is left is the harness's own cost. The counting client
// is shown too: hashing alone runs at about 1.2 GB/s per thread here, so no verifying client
// can come near a counting one at 3 GB/s on two cores.
import { runScenario } from '../src/harness/coordinator.js';
import { buildReport } from '../src/report/build.js';
import type { Report } from '../src/report/model.js';
import { collectEnvironment } from '../src/report/environment.js';
import { parseScenario } from '../src/scenario/load.js';
import { BIG_SONG, SERVER_ID } from './fixture.js';
import { runBulkLoad } from './load/bulk-client.js';
import { jukeboxFraming } from './load/framing.js';
import type { LoadTiming } from './load/window.js';
import { LOOPBACK } from './peers/process.js';
import { ratioOf, spreadOf, type BenchRow } from './results.js';
import { compare, type Log, type Side } from './rounds.js';
import { judgeRatio } from './verdict.js';

export const HARNESS_CONNECTIONS = 16;
/** As many threads as the verifying minimal client has. */
const HARNESS_POOL_THREADS = 1;
const HARNESS_TARGET_RATIO = 0.9;
/**
 * Downloads per simulated client: 16 × 50 × 4.2 MB = 3.4 GB, a few seconds at this machine's
 * rates (so the run has whole seconds between its start-up and its tail), bounded whatever the speed.
 */
const HARNESS_REQUESTS_PER_CLIENT = 50;
/** Fewer timeline seconds than this and the whole run is the figure (no interior to take). */
const MIN_TIMELINE_SECONDS = 3;

export interface HarnessBenchInput {
  catalogPath: string;
  jukeboxPort: number;
  bigBytes: number;
  bigSha256: string;
}

interface Throughput {
  mbPerSecond: number;
  /** simulate only: bytes over the whole run, start-up and tail included. */
  wholeRunMbPerSecond?: number;
  verified?: number;
  failed?: number;
}

const MINIMAL = 'minimal bulk client';
const MINIMAL_VERIFYING = 'minimal client + sha256';
const SIMULATE = 'simulate download-only';

export async function runHarnessOverhead(
  input: HarnessBenchInput,
  timing: LoadTiming & { rounds: number },
  log: Log,
): Promise<{ rows: BenchRow[]; raw: Record<string, unknown> }> {
  log(`harness: download-only load at ${HARNESS_CONNECTIONS} connections: minimal client, minimal client + sha256, simulate`);
  const minimal = (name: string, verifySha256: string | undefined): Side<Throughput> => ({
    name,
    run: () =>
      runBulkLoad({
        ...timing,
        host: LOOPBACK,
        port: input.jukeboxPort,
        connections: HARNESS_CONNECTIONS,
        request: `GET ${BIG_SONG.id}\n`,
        framing: jukeboxFraming,
        expectBodyBytes: input.bigBytes,
        verifySha256,
      }),
  });
  const simulate: Side<Throughput> = { name: SIMULATE, run: () => runSimulate(input) };
  const describe = (r: Throughput) =>
    r.wholeRunMbPerSecond === undefined
      ? `${r.mbPerSecond.toFixed(0)} MB/s`
      : `${r.mbPerSecond.toFixed(0)} MB/s steady, ${r.wholeRunMbPerSecond.toFixed(0)} MB/s over the whole run, ${r.verified} verified, ${r.failed} failed`;
  const measured = await compare(
    [minimal(MINIMAL, undefined), minimal(MINIMAL_VERIFYING, input.bigSha256), simulate],
    timing.rounds,
    (r) => r.mbPerSecond,
    describe,
    log,
  );

  const best = (name: string) => measured.get(name)?.best;
  const harness = best(SIMULATE);
  const figure = harness?.mbPerSecond ?? 0;
  const spread = (name: string) => spreadOf(measured.get(name), (r) => r.mbPerSecond, 'higher');
  const row = (name: string, peerName: string, target: number | undefined): BenchRow => {
    const peer = best(peerName);
    const ratio = peer ? ratioOf(figure, peer.mbPerSecond, 'higher') : undefined;
    return {
      group: 'issue 7',
      name,
      figure,
      spread: spread(SIMULATE),
      unit: 'MB/s',
      better: 'higher',
      peer: peer && { name: peerName, figure: peer.mbPerSecond, spread: spread(peerName) },
      ratio,
      target: target === undefined ? undefined : `≥ ${target.toFixed(1)}×`,
      ...(target === undefined ? {} : judgeRatio(ratio, target, 'higher', spread(SIMULATE), spread(peerName))),
      note: harness?.failed ? `${harness.failed} failed requests` : undefined,
    };
  };
  return {
    rows: [
      row(`simulate download-only, ${HARNESS_CONNECTIONS} clients, 1 pool thread (sha256 verified)`, MINIMAL_VERIFYING, HARNESS_TARGET_RATIO),
      row('  same, vs the minimal client that only counts bytes', MINIMAL, undefined),
    ],
    raw: Object.fromEntries(measured),
  };
}

async function runSimulate(input: HarnessBenchInput): Promise<Throughput> {
  const { scenario, catalog } = parseScenario(
    {
      name: 'bench-harness-overhead',
      seed: 1,
      catalog: input.catalogPath,
      servers: [{ id: SERVER_ID, host: LOOPBACK, port: input.jukeboxPort, external: true }],
      load: { clients: HARNESS_CONNECTIONS, concurrency: HARNESS_CONNECTIONS, workers: HARNESS_POOL_THREADS },
      client: { requests: HARNESS_REQUESTS_PER_CLIENT, connection: 'persistent', action: { download: 1 }, songs: { ids: [BIG_SONG.id], absent: 0 } },
    },
    undefined,
  );
  const report = buildReport(await runScenario(scenario, catalog), collectEnvironment());
  return {
    mbPerSecond: steadyBytesPerSecond(report) / 1e6,
    wholeRunMbPerSecond: report.throughput.bytesPerSec / 1e6,
    verified: report.totals.verified,
    failed: report.totals.failed,
  };
}

/**
 * The run's steady rate, comparable to the minimal client's measuring window (which leaves out
 * its warm-up): the mean of the timeline's interior seconds, without the first (pool threads
 * starting, connections opening) and the last (partial, clients finishing one by one). Too short
 * a run for an interior: the whole run's rate.
 */
export function steadyRate(report: Pick<Report, 'timeline' | 'throughput'>, rate: 'bytesPerSec' | 'requestsPerSec'): number {
  const interior = report.timeline.slice(1, -1);
  if (report.timeline.length < MIN_TIMELINE_SECONDS || interior.length === 0) return report.throughput[rate];
  return interior.reduce((sum, second) => sum + second[rate], 0) / interior.length;
}

export function steadyBytesPerSecond(report: Pick<Report, 'timeline' | 'throughput'>): number {
  return steadyRate(report, 'bytesPerSec');
}
