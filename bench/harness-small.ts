// Issue 15: the harness as a load generator for small requests. A CHECK-only scenario (50
// persistent clients, no think time, every song absent, so each song request is one CHECK to
// each of the two servers and nothing else) beside the minimal line client driving the same two
// servers on the same connections (50 to each), in alternating rounds, best round kept.
//
// Both sides count the same thing: CHECK round trips per second, over both servers. The line
// client counts the answers inside its window; simulate's figure is twice its steady song
// requests per second (each is 2 CHECKs, one per server), the timeline's interior seconds as
// the download row takes them. p99 is of the CHECK round trip: the line client's own histogram
// (the worse of the two servers), simulate's `check` phase (sent → answered, as askServers times it).
//
// Why simulate's rate is what it is shows in two more figures: the CPU time of this whole process
// per CHECK (user + system, over each side's whole run: the servers run in processes of their
// own, so it is the client's cost alone), and a third side, the client library alone (askServers
// over kept connections, no harness), which splits simulate's cost into the library's share and
// the harness's.
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { loadCatalog } from '../src/catalog/load.js';
import type { Catalog } from '../src/catalog/types.js';
import { runScenario } from '../src/harness/coordinator.js';
import { buildReport } from '../src/report/build.js';
import { collectEnvironment } from '../src/report/environment.js';
import { parseScenario } from '../src/scenario/load.js';
import { DEFAULT_MAX_CONNECTIONS } from '../src/server/limits.js';
import { SERVER_ID } from './fixture.js';
import { steadyRate } from './harness.js';
import { runAskLoad } from './load/ask-client.js';
import { runLineLoad, type LineLoadResult } from './load/line-client.js';
import type { LoadTiming } from './load/window.js';
import { startJukeboxProcess } from './peers/jukebox-process.js';
import { LOOPBACK } from './peers/process.js';
import { medianOf, ratioOf, spreadOf, type BenchRow } from './results.js';
import { compare, type Log, type Measured } from './rounds.js';
import { judgeRatio } from './verdict.js';

/** Clients of the scenario; each holds one connection per server, as many as the line client opens. */
export const SMALL_HARNESS_CLIENTS = 50;
const RATE_TARGET_RATIO = 0.9;
/** simulate's CHECK p99 at most this many times the minimal client's. */
const P99_TARGET_TIMES = 2;
/** The second server: holds no song of the bench library (it answers every CHECK NOT_EXIST, as the first does for an absent song). */
const SECOND_SERVER_ID = 's2';
/** Not in the catalog: both servers answer NOT_EXIST. The planner's synthetic absent songs are of this form. */
const ABSENT_SONG = 'no-such-song-1';
/**
 * Song requests per client: 50 × 1,200 = 60,000 requests, 120,000 CHECKs, 3–6 s at the rates
 * seen here (whole seconds between start-up and tail for the steady window), bounded whatever the speed.
 */
const REQUESTS_PER_CLIENT = 1_200;
/** Pool threads measured: 1 and 2, and up to the machine's parallelism where it has more (at most 4: a bench part stays short). */
const MAX_POOL_THREADS = 4;

export interface SmallHarnessInput {
  catalogPath: string;
  jukeboxPort: number;
}

interface CheckRate {
  /** CHECK round trips per second, both servers together. */
  perSecond: number;
  p99Ms: number;
  /** simulate only: over the whole run, start-up and tail included. */
  wholeRunPerSecond?: number;
  failed?: number;
  /** This process's CPU time (user + system) per CHECK over the side's whole run, µs. */
  cpuPerCheckUs: number;
}

const LINE = 'minimal line client';
const ASK = 'client library alone (askServers loop)';

export async function runSmallHarness(
  input: SmallHarnessInput,
  timing: LoadTiming & { rounds: number },
  log: Log,
): Promise<{ rows: BenchRow[]; raw: Record<string, unknown> }> {
  const catalogPath = writeTwoServerCatalog(input.catalogPath);
  const second = await startJukeboxProcess(SECOND_SERVER_ID, catalogPath, DEFAULT_MAX_CONNECTIONS);
  try {
    const ports = [input.jukeboxPort, second.port];
    const threadCounts = poolThreadCounts();
    log(
      `harness-small: CHECK-only load, ${SMALL_HARNESS_CLIENTS} clients × 2 servers: minimal line client, the client library alone, simulate at ${threadCounts.join(', ')} pool threads`,
    );
    const sides = [
      { name: LINE, run: () => runLineBoth(ports, timing) },
      { name: ASK, run: () => runAskBoth(ports, timing) },
      ...threadCounts.map((threads) => ({ name: simulateName(threads), run: () => runSimulate(catalogPath, ports, threads) })),
    ];
    const describe = (r: CheckRate) =>
      `${r.perSecond.toFixed(0)} CHECK/s${r.wholeRunPerSecond === undefined ? '' : ` steady (${r.wholeRunPerSecond.toFixed(0)} over the whole run)`}, p99 ${r.p99Ms.toFixed(2)} ms${r.failed ? `, ${r.failed} failed` : ''}, ${r.cpuPerCheckUs.toFixed(1)} µs CPU per CHECK`;
    const measured = await compare(sides, timing.rounds, (r) => r.perSecond, describe, log);
    const line = measured.get(LINE)?.best;
    const lineCpu = medianCpu(measured.get(LINE));
    const rows: BenchRow[] = [];
    for (const threads of threadCounts) {
      const name = simulateName(threads);
      rows.push(...rowsFor(threads, measured.get(name), measured.get(LINE)), clientCpuRow(medianCpu(measured.get(name)), lineCpu));
    }
    rows.push(...askRows(measured.get(ASK)?.best, medianCpu(measured.get(ASK)), line, lineCpu));
    return { rows, raw: Object.fromEntries(measured) };
  } finally {
    await second.stop().catch(() => second.kill());
  }
}

function simulateName(threads: number): string {
  return `simulate CHECK-only, ${threads} pool thread${threads === 1 ? '' : 's'}`;
}

function poolThreadCounts(): number[] {
  const counts = [1, 2];
  for (let n = 3; n <= Math.min(MAX_POOL_THREADS, availableParallelism()); n++) counts.push(n);
  return counts;
}

function rowsFor(threads: number, simRounds: Measured<CheckRate> | undefined, lineRounds: Measured<CheckRate> | undefined): BenchRow[] {
  const [sim, line] = [simRounds?.best, lineRounds?.best];
  const rateSpreads = [spreadOf(simRounds, (r) => r.perSecond, 'higher'), spreadOf(lineRounds, (r) => r.perSecond, 'higher')] as const;
  const p99Spreads = [spreadOf(simRounds, (r) => r.p99Ms, 'lower'), spreadOf(lineRounds, (r) => r.p99Ms, 'lower')] as const;
  const name = `simulate CHECK-only, ${SMALL_HARNESS_CLIENTS} clients, ${threads} pool thread${threads === 1 ? '' : 's'}`;
  const note = sim?.failed ? `${sim.failed} failed requests` : undefined;
  const rate = sim && line ? ratioOf(sim.perSecond, line.perSecond, 'higher') : undefined;
  // ratioOf orients so that > 1 is better: for p99 that is line ÷ simulate; the target is simulate ≤ 2 × line.
  const p99 = sim && line ? ratioOf(sim.p99Ms, line.p99Ms, 'lower') : undefined;
  return [
    {
      group: 'issue 15',
      name: `${name} (CHECK round trips/s)`,
      figure: sim?.perSecond ?? 0,
      spread: rateSpreads[0],
      unit: 'CHECK/s',
      better: 'higher',
      peer: line && { name: LINE, figure: line.perSecond, spread: rateSpreads[1] },
      ratio: rate,
      target: `≥ ${RATE_TARGET_RATIO.toFixed(1)}×`,
      ...judgeRatio(rate, RATE_TARGET_RATIO, 'higher', ...rateSpreads),
      note,
    },
    {
      group: 'issue 15',
      name: '  same, CHECK p99',
      figure: sim?.p99Ms ?? 0,
      spread: p99Spreads[0],
      unit: 'ms',
      better: 'lower',
      peer: line && { name: LINE, figure: line.p99Ms, spread: p99Spreads[1] },
      ratio: p99,
      target: `≥ ${(1 / P99_TARGET_TIMES).toFixed(1)}× (p99 ≤ ${P99_TARGET_TIMES}× the peer's)`,
      ...judgeRatio(p99, 1 / P99_TARGET_TIMES, 'lower', ...p99Spreads),
    },
  ];
}

/** The median of a side's rounds' CPU per CHECK. */
function medianCpu(m: Measured<CheckRate> | undefined): number | undefined {
  return medianOf(m, (r) => r.cpuPerCheckUs);
}

function clientCpuRow(cpu: number | undefined, lineCpu: number | undefined): BenchRow {
  return {
    group: 'issue 15',
    name: '  same, client CPU per CHECK (this process, user + system; median of rounds)',
    figure: cpu ?? 0,
    unit: 'µs/CHECK',
    better: 'lower',
    peer: lineCpu === undefined ? undefined : { name: LINE, figure: lineCpu },
    ratio: cpu !== undefined && lineCpu !== undefined ? ratioOf(cpu, lineCpu, 'lower') : undefined,
    note: cpu === undefined ? 'not measured' : undefined,
  };
}

/** The client library alone: how much of simulate's cost is the library's, and how much the harness's. */
function askRows(ask: CheckRate | undefined, askCpu: number | undefined, line: CheckRate | undefined, lineCpu: number | undefined): BenchRow[] {
  return [
    {
      group: 'issue 15',
      name: `the client library alone: askServers loop, ${SMALL_HARNESS_CLIENTS} clients, main thread (CHECK round trips/s)`,
      figure: ask?.perSecond ?? 0,
      unit: 'CHECK/s',
      better: 'higher',
      peer: line && { name: LINE, figure: line.perSecond },
      ratio: ask && line ? ratioOf(ask.perSecond, line.perSecond, 'higher') : undefined,
      note: ask ? undefined : 'every round failed',
    },
    { ...clientCpuRow(askCpu, lineCpu), name: '  same, client CPU per CHECK (user + system; median of rounds)' },
  ];
}

/** The bench catalog with a second server that holds none of its songs, beside it (song files are relative to it). */
function writeTwoServerCatalog(catalogPath: string): string {
  const { catalog } = loadCatalog(catalogPath);
  const first = catalog.servers.find((s) => s.id === SERVER_ID);
  if (!first) throw new Error(`the bench catalog has no server ${SERVER_ID}`);
  const two: Catalog = { ...catalog, servers: [first, { ...first, id: SECOND_SERVER_ID }] };
  const path = join(dirname(catalogPath), 'catalog-two-servers.json');
  writeFileSync(path, `${JSON.stringify(two, null, 2)}\n`);
  return path;
}

/** The line client on both servers at once, 50 connections each: the sum of the rates, the worse p99. */
async function runLineBoth(ports: number[], timing: LoadTiming): Promise<CheckRate> {
  const cpuBefore = process.cpuUsage();
  const results: LineLoadResult[] = await Promise.all(
    ports.map((port) =>
      runLineLoad({ ...timing, host: LOOPBACK, port, connections: SMALL_HARNESS_CLIENTS, request: `CHECK ${ABSENT_SONG}\n`, expectPrefix: 'NOT_EXIST' }),
    ),
  );
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: results.reduce((sum, r) => sum + r.perSecond, 0),
    p99Ms: Math.max(...results.map((r) => r.latency.p99)),
    cpuPerCheckUs: (cpu.user + cpu.system) / results.reduce((sum, r) => sum + r.totalRoundTrips, 0),
  };
}

/** The client library alone on the same servers: 50 clients, one connection to each. */
async function runAskBoth(ports: number[], timing: LoadTiming): Promise<CheckRate> {
  const cpuBefore = process.cpuUsage();
  const result = await runAskLoad({ ...timing, host: LOOPBACK, ports, clients: SMALL_HARNESS_CLIENTS, song: ABSENT_SONG });
  const cpu = process.cpuUsage(cpuBefore);
  return { perSecond: result.perSecond, p99Ms: result.latency.p99, cpuPerCheckUs: (cpu.user + cpu.system) / result.totalChecks };
}

async function runSimulate(catalogPath: string, ports: number[], threads: number): Promise<CheckRate> {
  const { scenario, catalog } = parseScenario(
    {
      name: 'bench-harness-small',
      seed: 1,
      catalog: catalogPath,
      servers: [SERVER_ID, SECOND_SERVER_ID].map((id, i) => ({ id, host: LOOPBACK, port: ports[i], external: true })),
      load: { clients: SMALL_HARNESS_CLIENTS, concurrency: SMALL_HARNESS_CLIENTS, workers: threads },
      client: { requests: REQUESTS_PER_CLIENT, connection: 'persistent', songs: { absent: 1 } },
    },
    undefined,
  );
  const cpuBefore = process.cpuUsage();
  const run = await runScenario(scenario, catalog);
  const cpu = process.cpuUsage(cpuBefore);
  const report = buildReport(run, collectEnvironment());
  const checksPerRequest = scenario.servers.length;
  return {
    // Start-up (the pool thread, its module loading, 100 connects) is in it: a few percent of a run this long.
    cpuPerCheckUs: (cpu.user + cpu.system) / (report.totals.requests * checksPerRequest),
    perSecond: steadyRate(report, 'requestsPerSec') * checksPerRequest,
    wholeRunPerSecond: report.throughput.requestsPerSec * checksPerRequest,
    p99Ms: report.latency.check.p99,
    failed: report.totals.failed,
  };
}
