// What a run hands to the report: merged measurements and what the servers said of themselves.
import type { MetricsAggregator } from '../metrics/aggregate.js';
import type { ServerStats } from '../protocol/types.js';
import type { PlanTotals } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { Shard } from '../shards/selection.js';

export interface FaultEvent {
  /** ms since the run's start */
  atMs: number;
  server: string;
  action: string;
  detail: string;
}

/** What the whole process (servers, pool threads, coordinator) used, from process.resourceUsage(). */
export interface ResourceUse {
  peakRssBytes: number;
  cpuUserMs: number;
  cpuSystemMs: number;
}

/** How far an interrupted run got: when the stop came and how much of the plan had run. */
export interface RunInterruption {
  /** When the stop came, ms since the run's start. */
  atMs: number;
  /** How long requests in flight were given to finish. */
  graceMs: number;
  clientsPlanned: number;
  clientsStarted: number;
  /** Clients that played their whole script (the others stopped before their next song, or were cut). */
  clientsDone: number;
  /** Clients still in a request when the grace ran out: that request is in no count. */
  clientsCut: number;
  requestsPlanned: number;
  /** Song requests that ended, whatever their outcome. */
  requestsDone: number;
}

export interface RunResult {
  scenario: ResolvedScenario;
  /**
   * The plan's totals. Interrupted: clients and requests are the whole plan's, but downloads,
   * streams and absent count only the clients that started (the rest was never drawn).
   */
  plan: PlanTotals;
  /** Wall-clock start, ms since the epoch. */
  startedAtMs: number;
  durationMs: number;
  metrics: MetricsAggregator;
  serverStats: Record<string, ServerStats | undefined>;
  faults: FaultEvent[];
  resources: ResourceUse;
  /** Present when the run was stopped early (RunOptions.signal). */
  interrupted?: RunInterruption;
  /** The plan's identity (shards/fingerprint.ts): the same for every shard of one plan and for its unsharded run. */
  fingerprint?: string;
  /** Present when the run was one shard of the plan (RunOptions.shard). */
  shard?: Shard;
}
