// What a run hands to the report: merged measurements and what the servers said of themselves.
import type { MetricsAggregator } from '../metrics/aggregate.js';
import type { ServerStats } from '../protocol/types.js';
import type { PlanTotals } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';

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

export interface RunResult {
  scenario: ResolvedScenario;
  plan: PlanTotals;
  /** Wall-clock start, ms since the epoch. */
  startedAtMs: number;
  durationMs: number;
  metrics: MetricsAggregator;
  serverStats: Record<string, ServerStats | undefined>;
  faults: FaultEvent[];
  resources: ResourceUse;
}
