// The coordinator: runs one scenario from start to finish.
//
//  scenario.yaml ──load/resolve──▶ ResolvedScenario ──plan(seed)──▶ Plan (per-client scripts)
//                                                                       │
//    coordinator ──start/stop/fault──▶ server worker threads (s1, s2)   │
//         │                                  ▲  jukebox/1 over TCP      │
//         └──submit batches──▶ piscina pool: client actors ─────────────┘
//                                    │ encoded HDR histograms + counters, per second
//                                    ▼
//                      merged metrics ──buildReport──▶ Report ──render──▶ console / JSON / HTML
//
// Each arrow goes one way: the coordinator hands scripts down and takes measurements up.
import type { LoadedCatalog } from '../catalog/types.js';
import { MetricsAggregator } from '../metrics/aggregate.js';
import { makePlan, type Plan } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { sharedNow } from '../util/clock.js';
import { ClientPool, splitConcurrency, splitScripts } from './client-pool.js';
import { faultSteps, startFaultSchedule } from './faults.js';
import type { ServerAddress, SongFacts } from './messages.js';
import type { FaultEvent, ResourceUse, RunResult } from './run-result.js';
import { startScenarioServers, type ScenarioServers } from './server-host.js';

/** How often pool threads send their measurements (and the live display updates). */
export const FLUSH_INTERVAL_MS = 1000;
/** Lead time between handing out batches and the run's start, so threads are ready for the schedule. */
export const START_LEAD_MS = 250;

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
}

export async function runScenario(scenario: ResolvedScenario, catalog: LoadedCatalog, options: RunOptions = {}): Promise<RunResult> {
  const plan = makePlan(scenario, catalog.catalog);
  const servers = await startScenarioServers(scenario, catalog);
  try {
    options.onServersReady?.(servers.addresses);
    return await runClients(scenario, catalog, plan, servers, options);
  } finally {
    await servers.stop();
  }
}

async function runClients(scenario: ResolvedScenario, catalog: LoadedCatalog, plan: Plan, servers: ScenarioServers, options: RunOptions): Promise<RunResult> {
  const metrics = new MetricsAggregator();
  const threads = Math.max(1, Math.min(scenario.load.workers, plan.clients.length));
  const pool = new ClientPool(threads);
  const batches = splitScripts(plan.clients, threads);
  const concurrency = scenario.load.model === 'closed' ? splitConcurrency(scenario.load.concurrency, batches.length) : [];
  const songs: SongFacts[] = catalog.catalog.songs.map((s) => ({ id: s.id, bytes: s.bytes, sha256: s.sha256, servers: s.servers }));
  const startedAtMs = Date.now() + START_LEAD_MS;
  const runStart = sharedNow() + START_LEAD_MS;
  const progress = setInterval(() => options.onProgress?.(progressOf(metrics, plan, runStart)), FLUSH_INTERVAL_MS);
  // Fault times count from the run's start, like the clients' schedule and the report's timeline.
  const faults = startFaultSchedule(faultSteps(scenario.faults), servers.faultTargets, { runStart, now: sharedNow, onEvent: options.onFault });
  let faultEvents: FaultEvent[] = [];
  try {
    await Promise.all(
      batches.map((scripts, i) =>
        pool.runBatch(
          {
            runStart,
            model: scenario.load.model,
            concurrency: concurrency[i] ?? scripts.length,
            scripts,
            servers: servers.addresses,
            songs,
            behaviour: scenario.client,
            flushIntervalMs: FLUSH_INTERVAL_MS,
          },
          metrics,
        ),
      ),
    );
  } finally {
    clearInterval(progress);
    // Steps not yet due when the last client ends are dropped: the run is over.
    faultEvents = await faults.stop();
    await pool.close();
  }
  const durationMs = sharedNow() - runStart;
  options.onProgress?.(progressOf(metrics, plan, runStart));
  return { scenario, plan: plan.totals, startedAtMs, durationMs, metrics, serverStats: await servers.stats(), faults: faultEvents, resources: resourceUse() };
}

function resourceUse(): ResourceUse {
  const usage = process.resourceUsage();
  return { peakRssBytes: usage.maxRSS * 1024, cpuUserMs: Math.round(usage.userCPUTime / 1000), cpuSystemMs: Math.round(usage.systemCPUTime / 1000) };
}

function progressOf(metrics: MetricsAggregator, plan: Plan, runStart: number): Progress {
  const p = metrics.progress();
  return { elapsedMs: Math.max(0, sharedNow() - runStart), clientsDone: p.clients, clientsTotal: plan.clients.length, requests: p.requests, bytes: p.bytes, failed: p.failed };
}
