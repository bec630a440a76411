// Issue 7's scale target: 10,000 concurrent simulated clients (open model, persistent
// connections, think time) on 2 cores, with no errors and peak memory ≤ 1 GiB. A process here
// may open at most 20,000 files (`ulimit -Hn`; raising it is refused even as root), and 10,000
// persistent clients hold 40,000 sockets (both ends of one connection to each server). So the
// bench runs scenarios/10000-clients.yaml as `simulate --shards auto` does (src/shards/
// local-runner.ts): each server in a process of its own, the clients in as many shard processes
// as the open-file limit needs, and peak memory the sum of those processes' own peaks.
import { join } from 'node:path';
import { DEFAULT_GRACE_MS } from '../../src/harness/coordinator.js';
import { loadScenarioFile } from '../../src/scenario/load.js';
import { startLocalShards } from '../../src/shards/local-runner.js';
import { packageRoot } from '../../src/util/paths.js';
import type { BenchRow } from '../results.js';
import type { Log } from '../rounds.js';

export const SCALE_SCENARIO = join(packageRoot, 'scenarios', '10000-clients.yaml');
const PEAK_MEMORY_TARGET_BYTES = 2 ** 30;
const PROGRESS_LOG_MS = 5_000;
/** The scenario runs about 45 s; past this something hangs. */
const SCALE_TIMEOUT_MS = 3 * 60_000;
/**
 * The runner's own process is the bench's here, whose peak memory is that of every bench part
 * run before: it is left out (in `simulate --shards` it is a process of the run and counted).
 */
const COORDINATOR = 'simulate (coordinator)';

/** The counts the bench reports of the merged run. */
export interface RunCounts {
  clients: number;
  requests: number;
  failed: number;
  verified: number;
  cancelled: number;
}

export interface ScaleResult extends RunCounts {
  thresholdsPassed: boolean;
  /** server id → most connections open at once. */
  peakConnections: Record<string, number>;
  /** process name → its peak resident memory. */
  peakRssBytes: Record<string, number>;
  totalPeakRssBytes: number;
}

export async function runScaleBench(log: Log): Promise<{ rows: BenchRow[]; raw: ScaleResult }> {
  log(`scale: 10,000 clients from ${SCALE_SCENARIO} as simulate --shards auto runs it (each server and each shard in its own process; about 45 s)`);
  const { scenario, catalog } = loadScenarioFile(SCALE_SCENARIO);
  let lastLog = -Infinity;
  const run = startLocalShards(scenario, catalog, {
    shards: 'auto',
    graceMs: DEFAULT_GRACE_MS,
    onShards: (count, reason) => log(`  ${count} shard processes (${reason ?? 'as asked'})`),
    onWarning: (w) => log(`  ${w.serverId}: ${w.message}`),
    onProgress: (p) => {
      if (p.elapsedMs - lastLog < PROGRESS_LOG_MS) return;
      lastLog = p.elapsedMs;
      log(`  ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.clientsDone}/${p.clientsTotal} clients done, ${p.requests} requests, ${p.failed} failed`);
    },
  });
  const { report } = await withTimeout(run.done, SCALE_TIMEOUT_MS, 'the scale run', run.kill);
  const peakRssBytes = Object.fromEntries(report.processes.filter((p) => p.name !== COORDINATOR).map((p) => [p.name, p.peakRssBytes]));
  const result: ScaleResult = {
    clients: report.totals.clients,
    requests: report.totals.requests,
    failed: report.totals.failed,
    verified: report.totals.verified,
    cancelled: report.totals.cancelled,
    thresholdsPassed: report.passed,
    peakConnections: report.peakConnections,
    peakRssBytes,
    totalPeakRssBytes: Object.values(peakRssBytes).reduce((a, b) => a + b, 0),
  };
  const describe = Object.entries(result.peakConnections)
    .map(([id, n]) => `${id} ${n}`)
    .join(', ');
  log(`  ${result.clients} clients, ${result.requests} requests, ${result.failed} failed; most open at once: ${describe}`);
  return { rows: scaleRows(result), raw: result };
}

export function scaleRows(r: ScaleResult): BenchRow[] {
  const mib = (bytes: number) => bytes / 2 ** 20;
  const openAtOnce = Math.min(...Object.values(r.peakConnections));
  const row = (name: string, figure: number, unit: string, target?: string, met?: boolean, note?: string): BenchRow => ({
    group: 'issue 7',
    name,
    figure,
    unit,
    better: 'lower',
    target,
    met,
    note,
  });
  return [
    { ...row('10,000 clients (open model, persistent, think time): clients run', r.clients, 'clients'), better: 'higher' },
    { ...row('  connected at once (the lower of the two servers)', openAtOnce, 'clients'), better: 'higher' },
    row('  failed requests', r.failed, 'requests', '= 0', r.failed === 0, `${r.requests} requests, ${r.verified} verified, ${r.cancelled} cancelled`),
    row(
      `  peak memory, ${Object.keys(r.peakRssBytes).length} processes together`,
      mib(r.totalPeakRssBytes),
      'MiB',
      '≤ 1024 MiB',
      r.totalPeakRssBytes <= PEAK_MEMORY_TARGET_BYTES,
      Object.entries(r.peakRssBytes)
        .map(([k, v]) => `${k} ${mib(v).toFixed(0)}`)
        .join(', '),
    ),
    row('  memory per client connected at once', openAtOnce > 0 ? r.totalPeakRssBytes / 1024 / openAtOnce : 0, 'KiB'),
  ];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} took over ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
