// The coordinator: runs one scenario from start to finish.
//
//  scenario.yaml ──load/resolve──▶ ResolvedScenario ──plan(seed)──▶ Plan (drawn per client, in the threads)
//                                                                       │
//    coordinator ──start/stop/fault──▶ server worker threads (s1, s2)   │
//         │                                  ▲  jukebox/1 over TCP      │
//         └──submit batches──▶ piscina pool: client actors ─────────────┘
//                                    │ encoded HDR histograms + counters, per second
//                                    ▼
//                      merged metrics ──buildReport──▶ Report ──render──▶ console / JSON / HTML
//
// Each arrow goes one way: the coordinator hands each thread its share of the plan (a client
// selection; the thread draws the scripts) and takes measurements up. An abort of the run's
// signal goes down as a stop: no new clients or songs, requests in flight get a grace to finish,
// and the run returns what it measured, marked interrupted.
import type { LoadedCatalog } from '../catalog/types.js';
import type { LiveBatch } from '../live/client-probe.js';
import { LIVE_TICK_MS, type LiveServerCounters, type LiveTotals } from '../live/events.js';
import { JukeboxError } from '../errors.js';
import { MetricsAggregator } from '../metrics/aggregate.js';
import { addPlanTotals, ALL_CLIENTS, countSelected, emptyPlanTotals, withinSelection, type ClientSelection } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { planFingerprint } from '../shards/fingerprint.js';
import { checkShardable, shardConcurrency, shardSelection, type Shard } from '../shards/selection.js';
import { sharedNow } from '../util/clock.js';
import { ClientPool, splitConcurrency } from './client-pool.js';
import { faultSteps, startFaultSchedule } from './faults.js';
import type { ClientTaskResult, ServerAddress, SongFacts } from './messages.js';
import type { FaultEvent, ResourceUse, RunInterruption, RunResult } from './run-result.js';
import { startScenarioServers, type ScenarioServers } from './server-host.js';

/** How often pool threads send their measurements (and the live display updates). */
export const FLUSH_INTERVAL_MS = 1000;
/**
 * Lead time between handing out batches and the run's start: the threads are already warm (see
 * ClientPool.warm), so it only covers posting the tasks and drawing the first scripts.
 */
export const START_LEAD_MS = 250;
/** After an interrupt, how long requests in flight may take to finish: most transfers of a test catalog end well within it. */
export const DEFAULT_GRACE_MS = 5_000;
/** The longest grace a run accepts: an interrupt is a wish to stop, so it must come within minutes, not hours. */
export const MAX_GRACE_MS = 10 * 60_000;

export interface Progress {
  elapsedMs: number;
  clientsDone: number;
  clientsTotal: number;
  requests: number;
  bytes: number;
  failed: number;
}

export interface RunOptions {
  /** Called about once a second while clients run. */
  onProgress?: (progress: Progress) => void;
  /** Called once the servers listen, with their addresses. */
  onServersReady?: (servers: ServerAddress[]) => void;
  /** Called as each of the scenario's faults (or its end, or a restart) is applied. */
  onFault?: (event: FaultEvent) => void;
  /**
   * Aborting it interrupts the run: no new clients and no next songs; requests in flight get
   * `graceMs` to finish; then the run returns normally with `interrupted` set.
   */
  signal?: AbortSignal;
  /** The grace after an interrupt, ms: 0 to MAX_GRACE_MS (default DEFAULT_GRACE_MS). */
  graceMs?: number;
  /** Run only this shard of the plan (../shards/selection.ts); its servers must be external. */
  shard?: Shard;
  /**
   * Called once the pool threads are warm; the schedule starts no earlier than the wall-clock time
   * (ms since the epoch) it resolves with. Shards in several processes start together this way.
   */
  startBarrier?: () => Promise<number>;
  /** The live view (--live, --trace): absent, no thread builds a single event. */
  live?: RunLiveHooks;
}

/** What the run tells the live view (see src/live/run-live.ts). */
export interface RunLiveHooks {
  /** Clients whose index is below this send per-message events. */
  sampledClients: number;
  /** The run's start on the shared clock, once fixed (before any client starts). */
  started(runStart: number): void;
  /** A batch of the sampled clients' events from one thread. */
  batch(batch: LiveBatch): void;
  /** Once a second: `t`, each server's counters, the run's totals so far. */
  tick(t: number, servers: Record<string, LiveServerCounters>, totals: LiveTotals): void;
  /** A fault of the scenario applied or lifted. */
  fault(event: FaultEvent): void;
}

export async function runScenario(scenario: ResolvedScenario, catalog: LoadedCatalog, options: RunOptions = {}): Promise<RunResult> {
  const graceMs = checkGrace(options.graceMs ?? DEFAULT_GRACE_MS);
  if (options.shard) checkShardable(scenario, options.shard);
  const selection = options.shard ? shardSelection(options.shard) : ALL_CLIENTS;
  // Known before anything starts, without drawing a script: the live display's total.
  const clientsTotal = countSelected(scenario, selection);
  const servers = await startScenarioServers(scenario, catalog);
  try {
    options.onServersReady?.(servers.addresses);
    const result = await runClients(scenario, catalog, { clientsTotal, graceMs, selection }, servers, options);
    const fingerprint = planFingerprint(scenario, catalog.version);
    return options.shard ? { ...result, fingerprint, shard: { ...options.shard } } : { ...result, fingerprint };
  } finally {
    await servers.stop();
  }
}

function checkGrace(graceMs: number): number {
  if (Number.isFinite(graceMs) && graceMs >= 0 && graceMs <= MAX_GRACE_MS) return graceMs;
  throw new JukeboxError('E_BAD_ARGUMENT', `grace: expected a duration from 0 to ${MAX_GRACE_MS} ms, got ${String(graceMs)}`, {
    hint: 'give the grace after an interrupt in ms, e.g. 5000',
  });
}

/**
 * How many pool threads (and batches): no more than the scenario's workers, than there are
 * clients, nor (closed model) than clients run at once, so that every batch may run at least one.
 */
function threadCount(scenario: ResolvedScenario, clientsTotal: number, concurrency: number): number {
  return Math.min(scenario.load.workers, clientsTotal, scenario.load.model === 'closed' ? concurrency : Infinity);
}

async function runClients(
  scenario: ResolvedScenario,
  catalog: LoadedCatalog,
  plan: { clientsTotal: number; graceMs: number; selection: ClientSelection },
  servers: ScenarioServers,
  options: RunOptions,
): Promise<RunResult> {
  const metrics = new MetricsAggregator();
  // A closed-model shard runs its share of the clients at once.
  const atOnce =
    scenario.load.model === 'closed' ? (options.shard ? shardConcurrency(scenario.load.concurrency, options.shard) : scenario.load.concurrency) : 0;
  const threads = threadCount(scenario, plan.clientsTotal, atOnce);
  const pool = new ClientPool(Math.max(1, threads));
  const concurrency = scenario.load.model === 'closed' ? splitConcurrency(atOnce, threads) : [];
  const songs: SongFacts[] = catalog.catalog.songs.map((s) => ({ id: s.id, bytes: s.bytes, sha256: s.sha256, servers: s.servers }));
  // Threads start and load their code before the schedule is fixed: start-up is not lag.
  try {
    await pool.warm();
  } catch (err) {
    await pool.close();
    throw err;
  }
  let startAt: number | undefined;
  try {
    startAt = options.startBarrier ? await options.startBarrier() : undefined;
  } catch (err) {
    await pool.close();
    throw err;
  }
  // sharedNow() counts from the epoch, like Date.now(): the same instant in every process.
  const now = sharedNow();
  const runStart = Math.max(now + START_LEAD_MS, startAt ?? -Infinity);
  const startedAtMs = Date.now() + (runStart - now);
  const progress = setInterval(() => options.onProgress?.(progressOf(metrics, plan.clientsTotal, runStart)), FLUSH_INTERVAL_MS);
  const live = options.live;
  live?.started(runStart);
  const ticking = live ? startLiveTicks(live, servers, metrics, runStart) : undefined;
  const onFault = live ? (e: FaultEvent) => (live.fault(e), options.onFault?.(e)) : options.onFault;
  // Fault times count from the run's start, like the clients' schedule and the report's timeline.
  const faults = startFaultSchedule(faultSteps(scenario.faults), servers.faultTargets, { runStart, now: sharedNow, onEvent: onFault });
  const stop = new AbortController();
  let stoppedAt: number | undefined;
  const onAbort = () => {
    stoppedAt = sharedNow();
    // No fault starts during the grace: the run is over, only its requests in flight finish.
    void faults.stop();
    stop.abort();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  let faultEvents: FaultEvent[] = [];
  let results: ClientTaskResult[];
  try {
    results = await Promise.all(
      Array.from({ length: threads }, (_, i) =>
        pool.runBatch(
          {
            runStart,
            scenario,
            // Round-robin over the plan's clients, so each thread gets a share of every phase of the run.
            clients: withinSelection(plan.selection, i, threads),
            concurrency: concurrency[i] ?? 1,
            servers: servers.addresses,
            songs,
            flushIntervalMs: FLUSH_INTERVAL_MS,
            graceMs: plan.graceMs,
            ...(live ? { live: { sampledClients: live.sampledClients } } : {}),
          },
          metrics,
          stop.signal,
          live ? (batch) => live.batch(batch) : undefined,
        ),
      ),
    );
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    clearInterval(progress);
    // Steps not yet due when the last client ends are dropped: the run is over.
    faultEvents = await faults.stop();
    await pool.close();
    // The last tick, with every thread's final counters merged: the live view's totals end exact.
    await ticking?.stop();
  }
  const durationMs = sharedNow() - runStart;
  options.onProgress?.(progressOf(metrics, plan.clientsTotal, runStart));
  const drawn = emptyPlanTotals();
  for (const r of results) addPlanTotals(drawn, r.plan);
  const interrupted = stoppedAt === undefined ? undefined : interruption(scenario, plan, results, metrics, stoppedAt - runStart);
  const result: RunResult = {
    scenario,
    plan: interrupted ? { ...drawn, clients: interrupted.clientsPlanned, requests: interrupted.requestsPlanned } : drawn,
    startedAtMs,
    durationMs,
    metrics,
    serverStats: await servers.stats(),
    faults: faultEvents,
    resources: resourceUse(),
  };
  return interrupted ? { ...result, interrupted } : result;
}

function interruption(
  scenario: ResolvedScenario,
  plan: { clientsTotal: number; graceMs: number },
  results: ClientTaskResult[],
  metrics: MetricsAggregator,
  atMs: number,
): RunInterruption {
  const sum = (key: 'started' | 'completed' | 'cut') => results.reduce((a, r) => a + r[key], 0);
  return {
    atMs: Math.max(0, Math.round(atMs)),
    graceMs: plan.graceMs,
    clientsPlanned: plan.clientsTotal,
    clientsStarted: sum('started'),
    clientsDone: sum('completed'),
    clientsCut: sum('cut'),
    // Every client's script has the same number of requests: the plan's total needs no drawing.
    requestsPlanned: plan.clientsTotal * scenario.client.requests,
    requestsDone: metrics.counters.requests,
  };
}

function resourceUse(): ResourceUse {
  const usage = process.resourceUsage();
  return { peakRssBytes: usage.maxRSS * 1024, cpuUserMs: Math.round(usage.userCPUTime / 1000), cpuSystemMs: Math.round(usage.systemCPUTime / 1000) };
}

function progressOf(metrics: MetricsAggregator, clientsTotal: number, runStart: number): Progress {
  const p = metrics.progress();
  return { elapsedMs: Math.max(0, sharedNow() - runStart), clientsDone: p.clients, clientsTotal, requests: p.requests, bytes: p.bytes, failed: p.failed };
}

/**
 * The live view's tick once a second: the servers' own counters (asked of their threads) and the
 * run's totals (merged from the threads' snapshots). A tick still waiting for its answers makes
 * the next one skip, so that a stalled server never piles up questions.
 */
function startLiveTicks(live: RunLiveHooks, servers: ScenarioServers, metrics: MetricsAggregator, runStart: number): { stop(): Promise<void> } {
  let lastBytes = new Map<string, number>();
  let lastAt = sharedNow();
  let asking: Promise<void> | undefined;
  const tick = async () => {
    try {
      const stats = await servers.ownStats();
      const now = sharedNow();
      const seconds = Math.max(0.001, (now - lastAt) / 1000);
      const counters: Record<string, LiveServerCounters> = {};
      const bytes = new Map<string, number>();
      for (const [id, s] of Object.entries(stats)) {
        if (!s) continue;
        bytes.set(id, s.bytesSent);
        counters[id] = {
          open: s.connections,
          active: s.activeTransfers,
          bytesPerSec: Math.max(0, Math.round((s.bytesSent - (lastBytes.get(id) ?? s.bytesSent)) / seconds)),
        };
      }
      lastBytes = bytes;
      lastAt = now;
      const c = metrics.counters;
      live.tick(Math.max(0, Math.round(now - runStart)), counters, {
        clients: c.clients,
        requests: c.requests,
        verified: c.verified,
        cancelled: c.cancelled,
        failed: c.failed,
        bytes: c.bytes,
      });
    } finally {
      asking = undefined;
    }
  };
  const timer = setInterval(() => {
    asking ??= tick();
  }, LIVE_TICK_MS);
  return {
    async stop() {
      clearInterval(timer);
      await asking;
      await tick();
    },
  };
}
