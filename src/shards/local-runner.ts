// `simulate <scenario> --shards N` (../../../shared/design/shards.md, "Running shards"): the
// scenario's servers started once, each in a process of its own, N shard processes against them,
// one progress for all, and their reports merged into the one report of the whole plan.
//
//   parent ──fork──▶ server s1, server s2 (own processes: each holds only its own connections)
//      │
//      └──fork──▶ shard 1/N … N/N ──IPC: warm, progress, report──▶ parent ──mergeReports──▶ Report
//
// Every shard starts its schedule at the same instant (a barrier once all are warm), so together
// they make the unsharded plan's arrivals. A stop (the caller's signal) goes to every shard, which
// finishes like an interrupted run; a failure, or kill(), ends every process started here.
import type { LoadedCatalog } from '../catalog/types.js';
import { JukeboxError } from '../errors.js';
import type { Progress } from '../harness/coordinator.js';
import type { ServerAddress } from '../harness/messages.js';
import { HARNESS_IDLE_TIMEOUT_MS, HARNESS_MAX_CONNECTIONS } from '../harness/server-host.js';
import type { ServerStats } from '../protocol/types.js';
import { mergeReports, type MergedReport } from '../report/merge.js';
import type { Report } from '../report/model.js';
import { countSelected } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { ServerWarning } from '../server/events.js';
import { readOpenFileLimit } from '../server/descriptors.js';
import { autoShardCount, MAX_LOCAL_SHARDS, peakClients } from './auto.js';
import { childEntry, forkChild, type Child } from './child.js';
import type { ServerCommand, ServerNotice, ServerProcessSpec, ShardCommand, ShardNotice } from './messages.js';

/** Loading the catalog, checking the server's songs' sha256 and listening take less than this, even on a busy machine. */
const SERVER_START_TIMEOUT_MS = 120_000;
/** Starting Node, loading the harness and warming a shard's pool threads: seconds, even with many shards on few cores. */
const SHARD_WARM_TIMEOUT_MS = 120_000;
/** After the last shard is warm, the time to hand every shard the start before it comes. */
const SHARD_START_LEAD_MS = 500;
/** How often the servers are asked for their open connections (the run's "connected at once"). */
const CONNECTIONS_POLL_MS = 250;
/** How often the one progress line is updated from the shards' latest. */
const PROGRESS_INTERVAL_MS = 1000;
/** A server answers stats and stop at once; more than this and it is stuck. */
const SERVER_ANSWER_TIMEOUT_MS = 10_000;

export interface LocalShardsOptions {
  /** How many shard processes, or 'auto' (auto.ts). */
  shards: number | 'auto';
  /** Aborting it stops every shard like Ctrl-C stops a run: no new clients, requests in flight get the grace. */
  signal?: AbortSignal;
  graceMs: number;
  /** Once the count is known, with the reason when it was chosen (auto). */
  onShards?: (count: number, reason: string | undefined) => void;
  onServersReady?: (servers: ServerAddress[]) => void;
  /** A server process's warning (e.g. its connection limit lowered to fit its open-file limit). */
  onWarning?: (warning: ServerWarning) => void;
  /** About once a second: every shard's progress summed. */
  onProgress?: (progress: Progress) => void;
}

/** One process's peak resident memory. */
export interface ProcessPeak {
  name: string;
  peakRssBytes: number;
}

export interface LocalShardsResult {
  /** The shards' reports merged, with the servers' own STATS and every process's peak memory. */
  report: MergedReport & { processes: ProcessPeak[]; peakConnections: Record<string, number> };
  shards: number;
}

export interface LocalShardsRun {
  done: Promise<LocalShardsResult>;
  /** Ends every process started here at once (a second Ctrl-C). */
  kill(): void;
}

export function startLocalShards(scenario: ResolvedScenario, catalog: LoadedCatalog, options: LocalShardsOptions): LocalShardsRun {
  const children = new Set<Child<{ type: string }>>();
  const kill = () => {
    for (const child of children) child.kill();
  };
  const done = runLocalShards(scenario, catalog, options, children).catch((err: unknown) => {
    kill();
    throw err;
  });
  return { done, kill };
}

async function runLocalShards(
  scenario: ResolvedScenario,
  catalog: LoadedCatalog,
  options: LocalShardsOptions,
  children: Set<Child<{ type: string }>>,
): Promise<LocalShardsResult> {
  refuseFaults(scenario);
  const { count, reason } =
    options.shards === 'auto' ? autoShardCount(scenario, readOpenFileLimit(), scenario.load.workers) : { count: checkCount(options.shards), reason: undefined };
  options.onShards?.(count, reason);
  const servers = await startServers(scenario, catalog, children, options);
  const peakConnections: Record<string, number> = Object.fromEntries(servers.map((s) => [s.id, 0]));
  const lastStats = new Map<string, ServerStats>();
  // One question at a time per server: a busy server answers late, and questions must not pile up.
  const asking = new Set<string>();
  const poll = setInterval(() => {
    for (const s of servers) {
      if (asking.has(s.id)) continue;
      asking.add(s.id);
      void s.child
        .next('stats', SERVER_ANSWER_TIMEOUT_MS)
        .then(record, () => undefined)
        .finally(() => asking.delete(s.id));
      s.child.send({ type: 'stats' } satisfies ServerCommand);
    }
  }, CONNECTIONS_POLL_MS);
  const record = (notice: Extract<ServerNotice, { type: 'stats' }>) => {
    lastStats.set(notice.stats.server, notice.stats);
    peakConnections[notice.stats.server] = Math.max(peakConnections[notice.stats.server] ?? 0, notice.stats.connections);
  };
  let reports: Report[];
  try {
    const addresses = scenario.servers.map((s): ServerAddress => {
      const own = servers.find((o) => o.id === s.id);
      return own ? { id: s.id, host: own.host, port: own.port } : { id: s.id, host: s.host, port: s.port };
    });
    options.onServersReady?.(addresses);
    reports = await runShards(shardScenario(scenario, addresses, count), count, children, options);
  } finally {
    clearInterval(poll);
  }
  const serverPeaks = await Promise.all(servers.map((s) => stopServer(s.child, record)));
  const merged = mergeReports(reports.map((report) => ({ report })));
  for (const [id, stats] of lastStats) {
    const server = merged.servers[id];
    if (server) server.stats = stats;
  }
  const processes: ProcessPeak[] = [
    { name: 'simulate (coordinator)', peakRssBytes: process.resourceUsage().maxRSS * 1024 },
    ...servers.map((s, i) => ({ name: `server ${s.id}`, peakRssBytes: serverPeaks[i] ?? 0 })),
    ...reports.map((r) => ({ name: `shard ${r.shard?.index}/${count}`, peakRssBytes: r.resources?.peakRssBytes ?? 0 })),
  ];
  return { report: { ...merged, processes, peakConnections }, shards: count };
}

function checkCount(count: number): number {
  if (Number.isInteger(count) && count >= 1 && count <= MAX_LOCAL_SHARDS) return count;
  throw new JukeboxError('E_BAD_ARGUMENT', `shards: expected a whole number from 1 to ${MAX_LOCAL_SHARDS}, or auto, got ${count}`, {
    hint: 'auto picks the count from the peak connections and the open-file limit',
  });
}

/** Faults are applied by the run that started the server, in its process: with shards, no one process has them. */
function refuseFaults(scenario: ResolvedScenario): void {
  if (scenario.faults.length === 0) return;
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    `scenario "${scenario.name}" has ${scenario.faults.length} fault${scenario.faults.length === 1 ? '' : 's'}, which a run applies to the servers of its own process; with --shards the servers run in processes of their own`,
    { hint: 'run a scenario with faults without --shards' },
  );
}

interface ServerProcess {
  id: string;
  host: string;
  port: number;
  child: Child<ServerNotice>;
}

/** The scenario's own servers, each in its process, on the host and port it names (0: any free port). External ones are used as they are. */
async function startServers(
  scenario: ResolvedScenario,
  catalog: LoadedCatalog,
  children: Set<Child<{ type: string }>>,
  options: LocalShardsOptions,
): Promise<ServerProcess[]> {
  const own = scenario.servers.filter((s) => !s.external);
  // One after the other: a server makes the song files it lacks (catalog/library.ts), and two
  // making the same file at once would race. This process never loads the songs itself.
  const started: ServerProcess[] = [];
  for (const s of own) {
    const spec: ServerProcessSpec = {
      serverId: s.id,
      catalogPath: catalog.path,
      host: s.host,
      port: s.port,
      streamSpeed: s.streamSpeed,
      maxConnections: HARNESS_MAX_CONNECTIONS,
      idleTimeoutMs: HARNESS_IDLE_TIMEOUT_MS,
    };
    const child = forkChild<ServerNotice>(childEntry('server-child'), [JSON.stringify(spec)], `server ${s.id}`);
    children.add(child);
    const listening = await child.next('listening', SERVER_START_TIMEOUT_MS);
    // The harness asks for as many connections as the process may hold: lowered to fit is expected, and said only when the run may need more.
    for (const warning of listening.warnings)
      if (warning.kind !== 'connectionLimitLowered' || listening.maxConnections < peakClients(scenario)) options.onWarning?.(warning);
    started.push({ id: s.id, host: listening.host, port: listening.port, child });
  }
  return started;
}

/** Stops a server process; resolves with its peak memory (0 when it could not say). Its last STATS are taken first. */
async function stopServer(child: Child<ServerNotice>, record: (notice: Extract<ServerNotice, { type: 'stats' }>) => void): Promise<number> {
  try {
    const stats = child.next('stats', SERVER_ANSWER_TIMEOUT_MS);
    child.send({ type: 'stats' } satisfies ServerCommand);
    record(await stats);
    const stopped = child.next('stopped', SERVER_ANSWER_TIMEOUT_MS);
    child.send({ type: 'stop' } satisfies ServerCommand);
    return (await stopped).peakRssBytes;
  } catch {
    // The run is measured already: a server that cannot say its peak is ended, not waited for.
    child.kill();
    return 0;
  }
}

/** What every shard runs: the scenario with its servers external where they listen, and the machine's pool threads shared among the shards. */
function shardScenario(scenario: ResolvedScenario, addresses: ServerAddress[], count: number): ResolvedScenario {
  return {
    ...scenario,
    servers: scenario.servers.map((s) => {
      const a = addresses.find((x) => x.id === s.id);
      return a ? { ...s, host: a.host, port: a.port, external: true } : s;
    }),
    load: { ...scenario.load, workers: Math.max(1, Math.ceil(scenario.load.workers / count)) },
  };
}

async function runShards(scenario: ResolvedScenario, count: number, children: Set<Child<{ type: string }>>, options: LocalShardsOptions): Promise<Report[]> {
  const shards = Array.from({ length: count }, (_, i) => {
    const child = forkChild<ShardNotice>(childEntry('shard-child'), [], `shard ${i + 1}/${count}`);
    children.add(child);
    return child;
  });
  const latest: (Progress | undefined)[] = new Array<Progress | undefined>(count);
  shards.forEach((child, i) =>
    child.on((notice) => {
      if (notice.type === 'progress') latest[i] = notice.progress;
    }),
  );
  const clientsTotal = countSelected(scenario);
  const progress = setInterval(() => options.onProgress?.(sumProgress(latest, clientsTotal)), PROGRESS_INTERVAL_MS);
  const stop = () => {
    for (const child of shards) child.send({ type: 'stop' } satisfies ShardCommand);
  };
  options.signal?.addEventListener('abort', stop, { once: true });
  try {
    // Each waits for its report from the start: a shard failing at any point fails the run at once.
    const reports = shards.map((child) => child.next('report', undefined));
    const warm = Promise.all(shards.map((child) => child.next('warm', SHARD_WARM_TIMEOUT_MS)));
    // Whichever rejects first is the one awaited; the others' later rejections are the same failure.
    for (const p of [...reports, warm]) p.catch(() => undefined);
    shards.forEach((child, i) => child.send({ type: 'run', scenario, shard: { index: i + 1, count }, graceMs: options.graceMs } satisfies ShardCommand));
    if (options.signal?.aborted) stop();
    // A report before the start means a failure; it surfaces through the race.
    await Promise.race([warm, Promise.all(reports)]);
    const atMs = Date.now() + SHARD_START_LEAD_MS;
    for (const child of shards) child.send({ type: 'start', atMs } satisfies ShardCommand);
    const all = await Promise.all(reports);
    options.onProgress?.(sumProgress(latest, clientsTotal));
    return all.map((notice) => notice.report);
  } finally {
    options.signal?.removeEventListener('abort', stop);
    clearInterval(progress);
  }
}

/** One progress for all shards: counts added, the elapsed time of the furthest. */
function sumProgress(latest: readonly (Progress | undefined)[], clientsTotal: number): Progress {
  const sum: Progress = { elapsedMs: 0, clientsDone: 0, clientsTotal, requests: 0, bytes: 0, failed: 0 };
  for (const p of latest) {
    if (!p) continue;
    sum.elapsedMs = Math.max(sum.elapsedMs, p.elapsedMs);
    sum.clientsDone += p.clientsDone;
    sum.requests += p.requests;
    sum.bytes += p.bytes;
    sum.failed += p.failed;
  }
  return sum;
}
