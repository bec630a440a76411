// The report, `jukebox-report/1` (../../docs/reports.md): the contract that JSON files, the
// console table, the HTML page and `simulate compare` all read.
import type { ResourceUse, RunInterruption } from '../harness/run-result.js';
import type { Conditions } from './conditions.js';
import type { LatencySummary, Phase } from '../metrics/histogram.js';
import type { Counters, ErrorKind } from '../metrics/types.js';
import type { ServerStats } from '../protocol/types.js';
import type { PlanTotals } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { Shard } from '../shards/selection.js';
import type { LiveEvent } from '../live/events.js';

export const REPORT_SCHEMA = 'jukebox-report/1';

/**
 * Most events a report's `sequence` holds: a classroom minute needs a few hundred, and each costs
 * about 120 bytes of JSON in the report file and a row of SVG in its HTML page (a few MB at most).
 */
export const REPORT_SEQUENCE_LIMIT = 5000;

export interface Environment {
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  totalMemoryBytes: number;
  jukebox: string;
  gitCommit?: string;
  /** What the machine was doing during the run; absent in reports written before it was kept. */
  conditions?: Conditions;
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
  /**
   * Percentiles (ms) of the requests that ended in this second; null when none ended (a stall
   * shows as a gap, not as 0). Reports written before that have 0.
   */
  p50: number | null;
  p90: number | null;
  p99: number | null;
  errors: number;
  active: number;
  /** Most song requests outstanding at once in the second (absent from older reports). */
  inFlight?: number;
  /** Age of the oldest outstanding request in the second, ms from its intended start. */
  oldestAgeMs?: number;
  /** Latest a client started behind the open model's schedule in the second, ms. */
  lagMs?: number;
}

/** Requests outstanding and nothing coming back (no answer, byte or request end) for longer than the stall limit. */
export interface StallReport {
  /** When it began (the last progress before it), seconds since the run's start. */
  t: number;
  durationMs: number;
  /** Requests outstanding through it. */
  inFlight: number;
  /** Requests the waiting clients would have sent meanwhile at their pace (`pace.intervalMs`). */
  missed: number;
  /** Still going when the run ended: its length is a lower bound. */
  ongoing?: boolean;
}

/** The clients' pace, against which closed-model latencies are corrected for coordinated omission. */
export interface PaceReport {
  /** The scenario's mean think time. */
  thinkMs: number;
  /** The typical (median) request latency as measured. */
  serviceMs: number;
  /** The expected interval between a client's requests: think + service. */
  intervalMs: number;
  /** Whether `latencyCorrected` is corrected (closed model) or the measured values (open model: latencies count from the schedule already). */
  corrected: boolean;
}

/** The time the traffic took, and its steady part. */
export interface WindowReport {
  /** The first request sent, seconds since the run's start (null: none was). */
  firstSendS: number | null;
  /** The last byte received or request ended, seconds since the run's start. */
  lastByteS: number | null;
  /** lastByte − firstSend, ms: what `throughput` divides by. */
  trafficMs: number;
  /**
   * The whole seconds of the timeline without ramp-up and tail (see docs/reports.md), and the rates
   * over them; null when the run had none (too short).
   */
  steady: { fromS: number; toS: number; requestsPerSec: number; bytesPerSec: number } | null;
}

export interface ThresholdResult {
  metric: string;
  condition: string;
  /** In the metric's unit (docs/scenarios.md); null when the run had no data for it. */
  actual: number | null;
  passed: boolean;
  /** The run had no data for the metric (`actual` is null): failed, unless the threshold said `ifNoData: skip`. Absent otherwise and from older reports. */
  noData?: true;
  /** With `noData`: the threshold allowed it (`ifNoData: skip`), so it does not fail the run. */
  skipped?: true;
}

export interface ScheduleReport {
  model: 'closed' | 'open';
  /** How late clients started against their schedule (open model); all 0 in the closed model. */
  lagMs: { p50: number; p99: number; max: number };
  /** True when the harness fell behind its schedule by more than SCHEDULE_LAG_WARN_MS. */
  behind: boolean;
  /** The timeline seconds in which some client started more than SCHEDULE_LAG_WARN_MS late (absent from older reports). */
  behindSeconds?: number[];
}

export interface FaultMarker {
  t: number;
  server: string;
  action: string;
  detail: string;
}

/** The plan's totals and its identity (the fingerprint: absent from reports written before shards). */
export type ReportPlan = PlanTotals & { fingerprint?: string };

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
  plan: ReportPlan;
  /** The shard of the plan this report is (docs/reports.md); absent from unsharded runs and merges. */
  shard?: Shard;
  totals: ReportTotals;
  /** Rates over the traffic window (`window.trafficMs`; reports before it existed: over `durationMs`). */
  throughput: { requestsPerSec: number; bytesPerSec: number; sessionsPerSec: number };
  latency: Record<Phase, LatencySummary>;
  /**
   * Request latency corrected for coordinated omission against the clients' pace (`pace`): what
   * the requests a stalled closed-model client did not send would have seen. Open model: the
   * measured values. Absent from older reports.
   */
  latencyCorrected?: Partial<Record<Phase, LatencySummary>>;
  pace?: PaceReport;
  /** Times when requests were outstanding and nothing came back for over a second; [] when none. */
  stalls?: StallReport[];
  window?: WindowReport;
  servers: Record<string, ReportServer>;
  errors: Record<ErrorKind, number>;
  schedule: ScheduleReport;
  timeline: TimelineEntry[];
  faults: FaultMarker[];
  histograms: Record<Phase, string>;
  /** The encoded histograms of `latencyCorrected`. */
  histogramsCorrected?: Partial<Record<Phase, string>>;
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
  /**
   * The sampled clients' messages as the live view's events (src/live/events.ts), in time order:
   * the first `hello` (the servers and their songs), then at most REPORT_SEQUENCE_LIMIT events
   * from the run's start (limitSequence). The HTML report draws them as the live page's sequence
   * diagram. Absent from reports of runs that did not record them and from older reports.
   */
  sequence?: LiveEvent[];
}
