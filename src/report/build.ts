// RunResult → Report: the numbers a person reads, computed once.
import type { RunResult } from '../harness/run-result.js';
import type { MergedSecond } from '../metrics/aggregate.js';
import { encodeHistogram, PHASES, summarize, summarizeSparse, type Phase } from '../metrics/histogram.js';
import { ERROR_KINDS, type Counters, type ErrorKind } from '../metrics/types.js';
import type { ResolvedScenario, ThinkTime } from '../scenario/types.js';
import type { Environment, PaceReport, Report, ReportServer, StallReport, TimelineEntry, WindowReport } from './model.js';
import { REPORT_SCHEMA } from './model.js';
import { evaluateThresholds } from './thresholds.js';

/** Starting 1 % of clients later than this behind the open model's schedule is called out in the report. */
export const SCHEDULE_LAG_WARN_MS = 100;

export function buildReport(run: RunResult, environment: Environment): Report {
  const { metrics, scenario } = run;
  const merged = metrics.timeline();
  const window = windowOf(run, merged);
  // Rates over the traffic window: the harness's start-up and the tail after the last byte are no traffic.
  const seconds = Math.max((window.trafficMs > 0 ? window.trafficMs : run.durationMs) / 1000, 1e-3);
  const c = metrics.counters;
  const lag = summarize(metrics.scheduleLag);
  const latency = Object.fromEntries(PHASES.map((p) => [p, summarize(metrics.phases[p])])) as Report['latency'];
  const timeline = merged.map(timelineEntry);
  const servers: Record<string, ReportServer> = {};
  for (const s of scenario.servers) {
    const counted = c.servers[s.id] ?? { requests: 0, bytes: 0, chosen: 0 };
    const stats = run.serverStats[s.id];
    servers[s.id] = stats ? { ...counted, stats } : { ...counted };
  }
  const withoutThresholds: Omit<Report, 'thresholds' | 'passed'> = {
    schema: REPORT_SCHEMA,
    name: scenario.name,
    seed: scenario.seed,
    startedAt: new Date(run.startedAtMs).toISOString(),
    durationMs: Math.round(run.durationMs),
    scenario,
    environment,
    plan: run.fingerprint === undefined ? run.plan : { ...run.plan, fingerprint: run.fingerprint },
    ...(run.shard ? { shard: { ...run.shard } } : {}),
    totals: totalsOf(c),
    throughput: {
      requestsPerSec: round(c.requests / seconds),
      bytesPerSec: Math.round(c.bytes / seconds),
      sessionsPerSec: round(c.clients / seconds),
    },
    latency,
    latencyCorrected: { request: summarize(metrics.correctedRequest) },
    pace: paceOf(scenario, latency.request.p50),
    stalls: metrics.stalls().map((st): StallReport => ({
      t: round(st.startMs / 1000),
      durationMs: st.durationMs,
      inFlight: st.inFlight,
      missed: st.missed,
      ...(st.ongoing ? { ongoing: true } : {}),
    })),
    window,
    servers,
    errors: Object.fromEntries(ERROR_KINDS.map((k) => [k, c.errors[k] ?? 0])) as Record<ErrorKind, number>,
    schedule: {
      model: scenario.load.model,
      lagMs: { p50: lag.p50, p99: lag.p99, max: lag.max },
      behind: lag.p99 > SCHEDULE_LAG_WARN_MS,
      behindSeconds: timeline.filter((e) => (e.lagMs ?? 0) > SCHEDULE_LAG_WARN_MS).map((e) => e.t),
    },
    timeline,
    faults: run.faults.map((f) => ({ t: round(f.atMs / 1000), server: f.server, action: f.action, detail: f.detail })),
    resources: run.resources,
    histograms: Object.fromEntries(PHASES.map((p: Phase) => [p, encodeHistogram(metrics.phases[p])])) as Record<Phase, string>,
    histogramsCorrected: { request: encodeHistogram(metrics.correctedRequest) },
  };
  const thresholds = evaluateThresholds(withoutThresholds, scenario.thresholds);
  const report: Report = { ...withoutThresholds, thresholds, passed: thresholds.every((t) => t.passed) };
  return run.interrupted ? { ...report, interrupted: true, interruption: { ...run.interrupted } } : report;
}

/** A second of the timeline; a second in which no request ended has no percentiles (null, not 0). */
function timelineEntry(s: MergedSecond): TimelineEntry {
  const latency = summarizeSparse(s.histogram);
  const none = s.requests === 0;
  return {
    t: s.second,
    requestsPerSec: s.requests,
    bytesPerSec: s.bytes,
    p50: none ? null : latency.p50,
    p90: none ? null : latency.p90,
    p99: none ? null : latency.p99,
    errors: s.errors,
    active: s.active,
    inFlight: s.inFlight,
    oldestAgeMs: s.oldestAgeMs,
    lagMs: round(s.lagMs),
  };
}

function meanThink(t: ThinkTime): number {
  return t.distribution === 'uniform' ? (t.minMs + t.maxMs) / 2 : t.meanMs;
}

/** The pace as the report states it: the threads estimate the service time as they go; this is the whole run's median. */
function paceOf(scenario: ResolvedScenario, serviceMs: number): PaceReport {
  const thinkMs = meanThink(scenario.client.thinkTime);
  return { thinkMs, serviceMs, intervalMs: round(thinkMs + serviceMs), corrected: scenario.load.model === 'closed' };
}

/**
 * The traffic window, and its steady part: the whole seconds strictly inside the traffic window
 * (its first and last seconds are partial), and then
 * - open model: after the ramp-up and before the arrivals end (the rest is the tail draining);
 * - closed model: from the first to the last second in which as many clients ran at once as ever
 *   did (before: lanes filling; after: lanes running dry).
 */
function windowOf(run: RunResult, seconds: MergedSecond[]): WindowReport {
  const w = run.metrics.window;
  if (w.firstSendMs === undefined || w.lastByteMs === undefined) return { firstSendS: null, lastByteS: null, trafficMs: 0, steady: null };
  const trafficMs = Math.max(0, Math.round(w.lastByteMs - w.firstSendMs));
  const first = Math.floor(w.firstSendMs / 1000) + 1;
  const last = Math.floor(w.lastByteMs / 1000) - 1;
  const load = run.scenario.load;
  let inside = seconds.filter((s) => s.second >= first && s.second <= last);
  if (load.model === 'open') inside = inside.filter((s) => s.second >= Math.ceil(load.rampUpMs / 1000) && s.second + 1 <= load.durationMs / 1000);
  else {
    const plateau = Math.max(0, ...inside.map((s) => s.active));
    inside = inside.filter((s) => s.active >= plateau);
  }
  const from = inside[0]?.second;
  const to = inside[inside.length - 1]?.second;
  let steady: WindowReport['steady'] = null;
  if (from !== undefined && to !== undefined) {
    const span = seconds.filter((s) => s.second >= from && s.second <= to);
    const n = to - from + 1;
    steady = {
      fromS: from,
      toS: to + 1,
      requestsPerSec: round(span.reduce((a, s) => a + s.requests, 0) / n),
      bytesPerSec: Math.round(span.reduce((a, s) => a + s.bytes, 0) / n),
    };
  }
  return { firstSendS: round3(w.firstSendMs / 1000), lastByteS: round3(w.lastByteMs / 1000), trafficMs, steady };
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function totalsOf(counters: Counters): Report['totals'] {
  const { errors: _errors, servers: _servers, ...totals } = counters;
  return totals;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
