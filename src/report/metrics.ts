// The registry of a report's metrics: the one list that thresholds (names and units checked when a
// scenario loads), compare (KEY_METRICS), the console, the HTML page and docs/scenarios.md derive from.
import { PHASES, type LatencySummary, type Phase } from '../metrics/histogram.js';
import { formatValue } from './format.js';
import type { Report } from './model.js';

/** The units compared metrics are in (repeat summaries persist them: a new one needs their schema too). */
export type MetricUnit = 'ms' | 'req/s' | 'B/s' | 'count' | 'ratio';
/** The unit a metric is in; conditions on it are checked against it (see CONDITION_UNITS). */
export type Unit = MetricUnit | 'sessions/s';
/** Which way of a change is an improvement. */
export type Better = 'lower' | 'higher';

/** A report before its thresholds are evaluated: what every metric is read from. */
export type ReportData = Omit<Report, 'thresholds' | 'passed'>;

export interface MetricDef {
  /** The metric's path, as thresholds and compare name it. */
  key: string;
  /** Short, for table rows (compare, console). */
  label: string;
  unit: Unit;
  better: Better;
  /** One line for the docs table and the HTML title: what the number is. */
  description: string;
  /**
   * The value in `unit`; null when the report has nothing to say: a latency phase that saw no
   * value, a rate over no requests, a section older reports do not have.
   */
  value(report: ReportData): number | null;
  /** One of the numbers runs are compared on (simulate compare, --repeat): KEY_METRICS. */
  compared?: true;
}

export const LATENCY_STATS = ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max'] as const;
type LatencyStat = (typeof LATENCY_STATS)[number];

const PHASE_TEXT: Record<Phase, string> = {
  connect: 'TCP connect',
  check: 'one CHECK round trip',
  ttfb: 'GET/STREAM sent to the DATA line',
  transfer: 'first body byte to last',
  request: 'a whole song request, from its intended start',
};

const STAT_TEXT: Record<LatencyStat, string> = {
  min: 'fastest',
  mean: 'mean',
  p50: 'median',
  p90: '90th percentile',
  p99: '99th percentile',
  p999: '99.9th percentile',
  max: 'slowest',
};

const latencyText = (phase: Phase) => `the latency of ${PHASE_TEXT[phase]} (no data when the phase saw none)`;
const CORRECTED_TEXT =
  "the song requests' latency corrected for coordinated omission against the clients' pace (closed model; the open model's is the measured one; no data in reports written before it)";

/** A latency summary's stat; null when the phase saw no value (its zeros are not measurements). */
function stat(summary: LatencySummary | undefined, s: LatencyStat): number | null {
  return summary === undefined || summary.count === 0 ? null : summary[s];
}

/** The stats compare looks at, in the order its tables show them. */
const COMPARED_STATS: readonly LatencyStat[] = ['p50', 'p99'];

function latency(phase: Phase, s: LatencyStat): MetricDef {
  return {
    key: `latency.${phase}.${s}`,
    label: `${phase} ${s}`,
    unit: 'ms',
    better: 'lower',
    description: `${STAT_TEXT[s]} of ${latencyText(phase)}`,
    value: (r) => stat(r.latency[phase], s),
    ...(COMPARED_STATS.includes(s) ? { compared: true as const } : {}),
  };
}

function corrected(s: LatencyStat): MetricDef {
  return {
    key: `latencyCorrected.request.${s}`,
    label: `request ${s} (corrected)`,
    unit: 'ms',
    better: 'lower',
    description: `${STAT_TEXT[s]} of ${CORRECTED_TEXT}`,
    value: (r) => stat(r.latencyCorrected?.request, s),
    // The tail is where a stall hides; the corrected median says little the measured one does not.
    ...(s === 'p99' ? { compared: true as const } : {}),
  };
}

/** A rate is no data when nothing it counts happened: 0 requests/s of 0 requests measures nothing. */
const overRequests = (r: ReportData, v: number): number | null => (r.totals.requests === 0 ? null : v);

function total(key: keyof ReportData['totals'], label: string, better: Better, description: string, compared = false): MetricDef {
  return { key: `totals.${key}`, label, unit: 'count', better, description, value: (r) => r.totals[key], ...(compared ? { compared: true as const } : {}) };
}

/** The open model's start lag; the closed model has no schedule to lag behind (its zeros say nothing). */
function lag(s: 'p50' | 'p99' | 'max'): MetricDef {
  return {
    key: `schedule.lagMs.${s}`,
    label: `start lag ${s}`,
    unit: 'ms',
    better: 'lower',
    description: `how late clients started against the open model's schedule: ${STAT_TEXT[s] === 'slowest' ? 'the latest' : `the ${STAT_TEXT[s]}`} (no data in the closed model)`,
    value: (r) => (r.schedule.model === 'open' && r.totals.clients > 0 ? r.schedule.lagMs[s] : null),
  };
}

/** Every metric, in the order tables show them. */
export const METRICS: readonly MetricDef[] = [
  {
    key: 'throughput.requestsPerSec',
    label: 'requests/s',
    unit: 'req/s',
    better: 'higher',
    description: 'song requests per second over the traffic window',
    value: (r) => overRequests(r, r.throughput.requestsPerSec),
    compared: true,
  },
  {
    key: 'throughput.bytesPerSec',
    label: 'bytes/s',
    unit: 'B/s',
    better: 'higher',
    description: 'body bytes received per second over the traffic window',
    value: (r) => overRequests(r, r.throughput.bytesPerSec),
    compared: true,
  },
  {
    key: 'throughput.sessionsPerSec',
    label: 'sessions/s',
    unit: 'sessions/s',
    better: 'higher',
    description: 'clients finished per second over the traffic window',
    value: (r) => (r.totals.clients === 0 ? null : r.throughput.sessionsPerSec),
  },
  {
    key: 'window.steady.requestsPerSec',
    label: 'steady requests/s',
    unit: 'req/s',
    better: 'higher',
    description: 'song requests per second over the steady seconds, without ramp-up and tail (no data when the run had none)',
    value: (r) => r.window?.steady?.requestsPerSec ?? null,
    compared: true,
  },
  {
    key: 'window.steady.bytesPerSec',
    label: 'steady bytes/s',
    unit: 'B/s',
    better: 'higher',
    description: 'body bytes per second over the steady seconds (no data when the run had none)',
    value: (r) => r.window?.steady?.bytesPerSec ?? null,
  },
  ...PHASES.flatMap((phase) => LATENCY_STATS.map((s) => latency(phase, s))),
  ...LATENCY_STATS.map(corrected),
  {
    key: 'errors.total',
    label: 'errors',
    unit: 'count',
    better: 'lower',
    description: 'errors of every kind',
    value: (r) => Object.values(r.errors).reduce((a, b) => a + b, 0),
    compared: true,
  },
  {
    key: 'errors.rate',
    label: 'error rate',
    unit: 'ratio',
    better: 'lower',
    description: 'failed ÷ song requests (no data when there were no requests)',
    value: (r) => (r.totals.requests === 0 ? null : r.totals.failed / r.totals.requests),
    compared: true,
  },
  total('verified', 'verified', 'higher', 'song requests whose sha256 matched', true),
  total('failed', 'failed', 'lower', 'song requests that failed', true),
  total('requests', 'requests', 'higher', 'song requests that ended, whatever their outcome'),
  total('bytes', 'bytes', 'higher', 'body bytes received'),
  total('cancelled', 'cancelled', 'lower', 'song requests cancelled because no server held the song'),
  total('failovers', 'failovers', 'lower', 'requests moved to the other server'),
  total('resumes', 'resumes', 'lower', 'transfers resumed after a break'),
  total('integrityFailures', 'integrity failures', 'lower', 'transfers whose bytes did not match their sha256'),
  {
    key: 'stalls.count',
    label: 'stalls',
    unit: 'count',
    better: 'lower',
    description: 'times requests were outstanding and nothing came back for over the stall limit (no data in reports written before stalls were detected)',
    value: (r) => r.stalls?.length ?? null,
  },
  {
    key: 'stalls.maxMs',
    label: 'longest stall',
    unit: 'ms',
    better: 'lower',
    description: 'the longest stall, 0 when none (no data in reports written before stalls were detected)',
    value: (r) => (r.stalls === undefined ? null : Math.max(0, ...r.stalls.map((s) => s.durationMs))),
    compared: true,
  },
  lag('p50'),
  lag('p99'),
  lag('max'),
];

/** A metric's value for people, in its unit: 1.20ms, 0.85%, 12.3; "no data" for null. */
export function formatMetric(unit: Unit, v: number | null): string {
  if (v === null) return 'no data';
  return unit === 'sessions/s' ? v.toFixed(1) : formatValue(unit, v);
}

const BY_KEY: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((m) => [m.key, m]));

export const METRIC_KEYS: readonly string[] = METRICS.map((m) => m.key);

export function findMetric(key: string): MetricDef | undefined {
  return BY_KEY.get(key);
}

/** The value of a metric in a report; null when the report has no data for it, or the key is unknown. */
export function metricValue(report: ReportData, key: string): number | null {
  return BY_KEY.get(key)?.value(report) ?? null;
}

/** How each unit is written in a threshold's condition: the suffixes it takes and what a bare number means. */
export const CONDITION_UNITS: Record<Unit, { suffixes: readonly string[]; example: string; what: string }> = {
  ms: { suffixes: ['', 'ms', 's'], example: '"< 50ms" or "< 2s"', what: 'a duration' },
  ratio: { suffixes: ['', '%'], example: '"< 0.01" or "< 1%"', what: 'a ratio' },
  count: { suffixes: [''], example: '"== 0" or "< 10"', what: 'a count' },
  'req/s': { suffixes: [''], example: '"> 100" (requests per second)', what: 'a rate' },
  'B/s': { suffixes: [''], example: '"> 1000000" (bytes per second)', what: 'a rate' },
  'sessions/s': { suffixes: [''], example: '"> 10" (sessions per second)', what: 'a rate' },
};

/**
 * The metrics table of docs/scenarios.md, made from METRICS (a test checks the doc holds it as
 * it is): latencies grouped by phase so the table stays readable.
 */
export function renderMetricsTable(): string {
  const rows: string[] = [];
  const shown = new Set<string>();
  for (const m of METRICS) {
    if (shown.has(m.key)) continue;
    const group = /^(latency(?:Corrected)?\.\w+)\.min$/.exec(m.key);
    if (group) {
      const keys = LATENCY_STATS.map((s) => `${group[1]}.${s}`);
      keys.forEach((k) => shown.add(k));
      const phase = group[1] === 'latencyCorrected.request' ? undefined : PHASES.find((p) => group[1] === `latency.${p}`);
      rows.push(`| \`${group[1]}.<stat>\` | ms | lower | ${phase ? latencyText(phase) : CORRECTED_TEXT} |`);
      continue;
    }
    shown.add(m.key);
    rows.push(`| \`${m.key}\` | ${m.unit} | ${m.better} | ${m.description} |`);
  }
  return ['| metric | unit | better | what it is |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
