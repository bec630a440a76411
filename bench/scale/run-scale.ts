// Issue 7's scale target: 10,000 concurrent simulated clients (open model, persistent
// connections, think time) on 2 cores, with no errors and peak memory ≤ 1 GiB. A process here
// may open at most 20,000 files (`ulimit -Hn`; raising it is refused even as root), and 10,000
// persistent clients hold 40,000 sockets (both ends of one connection to each server). So each
// server runs in a process of its own, the clients in two processes of 5,000
// (scenarios/10000-clients-scale.yaml with seeds 1 and 2), and peak memory is the sum of the four
// processes' own peaks. The servers are asked for their open connections four times a second.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveLibrary } from '../../src/catalog/library.js';
import { defaultCatalogPath, packageRoot } from '../../src/util/paths.js';
import { startJukeboxProcess, type JukeboxProcess } from '../peers/jukebox-process.js';
import type { BenchRow } from '../results.js';
import type { Log } from '../rounds.js';
import type { ClientsDone, RunCounts } from './messages.js';

export const SCALE_SCENARIO = join(packageRoot, 'scenarios', '10000-clients-scale.yaml');
/** One client process per seed, each half of the clients. */
const CLIENT_SEEDS = ['1', '2'];
const PEAK_MEMORY_TARGET_BYTES = 2 ** 30;
const STATS_POLL_MS = 250;
const PROGRESS_LOG_MS = 5_000;
/** The scenario runs about 45 s; past this something hangs. */
const SCALE_TIMEOUT_MS = 3 * 60_000;
/** Room for 10,000 clients with one connection each to each server, and some to spare. */
const MAX_CONNECTIONS = 12_000;

const CLIENTS_PROCESS = fileURLToPath(new URL('./clients-process.js', import.meta.url));

interface WatchedServer {
  server: JukeboxProcess;
  peakConnections: number;
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
  log(`scale: 10,000 clients from ${SCALE_SCENARIO} (two client processes of 5,000, each server in its own process; about 45 s)`);
  const catalogPath = defaultCatalogPath;
  const loaded = loadCatalog(catalogPath);
  await resolveLibrary(loaded); // generates any missing MP3 once, before two processes would race for it
  const children = new Set<ChildProcess>();
  const servers: WatchedServer[] = [];
  try {
    for (const { id } of loaded.catalog.servers) servers.push({ server: await startJukeboxProcess(id, catalogPath, MAX_CONNECTIONS), peakConnections: 0 });
    const describe = () => servers.map((s) => `${s.server.serverId} ${s.peakConnections}`).join(', ');
    const poll = setInterval(() => void Promise.all(servers.map(watchConnections)).catch(() => undefined), STATS_POLL_MS);
    const startedAt = Date.now();
    const progress = setInterval(() => log(`  ${((Date.now() - startedAt) / 1000).toFixed(0)} s: most open at once so far: ${describe()}`), PROGRESS_LOG_MS);
    let halves: ClientsDone[];
    try {
      const ports = servers.map((s) => `${s.server.serverId}=${s.server.port}`);
      halves = await withTimeout(Promise.all(CLIENT_SEEDS.map((seed) => runClientsChild(seed, ports, children))), SCALE_TIMEOUT_MS, 'the scale run');
    } finally {
      clearInterval(poll);
      clearInterval(progress);
    }
    const serverPeaks = await Promise.all(servers.map((s) => s.server.stop()));
    const result = summarize(servers, serverPeaks, halves);
    log(`  ${result.clients} clients, ${result.requests} requests, ${result.failed} failed; most open at once: ${describe()}`);
    return { rows: scaleRows(result), raw: result };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const s of servers) s.server.kill();
  }
}

async function watchConnections(watched: WatchedServer): Promise<void> {
  const { connections } = await watched.server.stats();
  watched.peakConnections = Math.max(watched.peakConnections, connections);
}

function summarize(servers: WatchedServer[], serverPeaks: number[], halves: ClientsDone[]): ScaleResult {
  const peakRssBytes: Record<string, number> = {};
  servers.forEach((s, i) => (peakRssBytes[`server ${s.server.serverId}`] = serverPeaks[i] ?? 0));
  halves.forEach((h, i) => (peakRssBytes[`clients, seed ${CLIENT_SEEDS[i]}`] = h.peakRssBytes));
  const sum = (key: keyof RunCounts) => halves.reduce((total, h) => total + h[key], 0);
  return {
    clients: sum('clients'),
    requests: sum('requests'),
    failed: sum('failed'),
    verified: sum('verified'),
    cancelled: sum('cancelled'),
    thresholdsPassed: halves.every((h) => h.passed),
    peakConnections: Object.fromEntries(servers.map((s) => [s.server.serverId, s.peakConnections])),
    peakRssBytes,
    totalPeakRssBytes: Object.values(peakRssBytes).reduce((a, b) => a + b, 0),
  };
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
      '  peak memory, four processes together',
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

function runClientsChild(seed: string, ports: string[], children: Set<ChildProcess>): Promise<ClientsDone> {
  const child = fork(CLIENTS_PROCESS, [SCALE_SCENARIO, seed, ...ports], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  children.add(child);
  return new Promise((resolve, reject) => {
    let done: ClientsDone | undefined;
    child.on('message', (message: ClientsDone) => (done = message));
    child.once('exit', (code) => (done ? resolve(done) : reject(new Error(`the client process with seed ${seed} ended (code ${code}) without a result`))));
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
