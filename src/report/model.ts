// The report, `jukebox-report/1` (../../docs/reports.md): the contract that JSON files, the
// console table, the HTML page and `simulate compare` all read.
import type { ResourceUse, RunInterruption } from '../harness/run-result.js';
import type { LatencySummary, Phase } from '../metrics/histogram.js';
import type { Counters, ErrorKind } from '../metrics/types.js';
import type { ServerStats } from '../protocol/types.js';
import type { PlanTotals } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';

export const REPORT_SCHEMA = 'jukebox-report/1';

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  jukebox: string;
  gitCommit?: string;
}

/** The run's counters, less those reported in their own sections (errors, servers). */
export type ReportTotals = Omit<Counters, 'errors' | 'servers'>;

export interface ReportServer {
  requests: number;
  bytes: number;
  chosen: number;
  /** The server's own counters (STATS) at the end of the run, when it could be asked. */
  stats?: ServerStats;
}

export interface TimelineEntry {
  t: number;
  requestsPerSec: number;
  bytesPerSec: number;
  /** Percentiles (ms) of the requests that ended in this second. */
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  active: number;
}

export interface ThresholdResult {
  metric: string;
  condition: string;
  actual: number | null;
  passed: boolean;
}

export interface ScheduleReport {
  model: 'closed' | 'open';
  /** How late clients started against their schedule (open model); all 0 in the closed model. */
  lagMs: { p50: number; p99: number; max: number };
  /** True when the harness fell behind its schedule by more than SCHEDULE_LAG_WARN_MS. */
  behind: boolean;
}

export interface FaultMarker {
  t: number;
  server: string;
  action: string;
  detail: string;
}

/** How far an interrupted run got, persisted as the harness measured it. */
export type ReportInterruption = RunInterruption;

export interface Report {
  schema: typeof REPORT_SCHEMA;
  name: string;
  seed: string | number;
  startedAt: string;
  durationMs: number;
  scenario: ResolvedScenario;
  environment: Environment;
  plan: PlanTotals;
  totals: ReportTotals;
  throughput: { requestsPerSec: number; bytesPerSec: number; sessionsPerSec: number };
  latency: Record<Phase, LatencySummary>;
  servers: Record<string, ReportServer>;
  errors: Record<ErrorKind, number>;
  schedule: ScheduleReport;
  timeline: TimelineEntry[];
  faults: FaultMarker[];
  histograms: Record<Phase, string>;
  thresholds: ThresholdResult[];
  passed: boolean;
  /**
   * The run's process: peak resident memory and CPU time (servers, pool threads and coordinator
   * together). Absent from merged reports, which span several processes.
   */
  resources?: ResourceUse;
  /**
   * True when the run was stopped early (Ctrl-C, SIGTERM), with `interruption` saying when and
   * how much of the plan ran. Absent from complete runs and from reports written before it existed.
   */
  interrupted?: boolean;
  interruption?: ReportInterruption;
}
