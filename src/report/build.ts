// RunResult → Report: the numbers a person reads, computed once.
import type { RunResult } from '../harness/run-result.js';
import { encodeHistogram, PHASES, summarize, type Phase } from '../metrics/histogram.js';
import { ERROR_KINDS, type Counters, type ErrorKind } from '../metrics/types.js';
import type { Environment, Report, ReportServer } from './model.js';
import { REPORT_SCHEMA } from './model.js';
import { evaluateThresholds } from './thresholds.js';

/** Starting 1 % of clients later than this behind the open model's schedule is called out in the report. */
export const SCHEDULE_LAG_WARN_MS = 100;

export function buildReport(run: RunResult, environment: Environment): Report {
  const { metrics, scenario } = run;
  const seconds = Math.max(run.durationMs / 1000, 1e-3);
  const c = metrics.counters;
  const lag = summarize(metrics.scheduleLag);
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
    plan: run.plan,
    totals: totalsOf(c),
    throughput: {
      requestsPerSec: round(c.requests / seconds),
      bytesPerSec: Math.round(c.bytes / seconds),
      sessionsPerSec: round(c.clients / seconds),
    },
    latency: Object.fromEntries(PHASES.map((p) => [p, summarize(metrics.phases[p])])) as Report['latency'],
    servers,
    errors: Object.fromEntries(ERROR_KINDS.map((k) => [k, c.errors[k] ?? 0])) as Record<ErrorKind, number>,
    schedule: {
      model: scenario.load.model,
      lagMs: { p50: lag.p50, p99: lag.p99, max: lag.max },
      behind: lag.p99 > SCHEDULE_LAG_WARN_MS,
    },
    timeline: metrics.timeline().map((s) => {
      const latency = summarize(s.histogram);
      return { t: s.second, requestsPerSec: s.requests, bytesPerSec: s.bytes, p50: latency.p50, p90: latency.p90, p99: latency.p99, errors: s.errors, active: s.active };
    }),
    faults: run.faults.map((f) => ({ t: round(f.atMs / 1000), server: f.server, action: f.action, detail: f.detail })),
    resources: run.resources,
    histograms: Object.fromEntries(PHASES.map((p: Phase) => [p, encodeHistogram(metrics.phases[p])])) as Record<Phase, string>,
  };
  const thresholds = evaluateThresholds(withoutThresholds, scenario.thresholds);
  const report: Report = { ...withoutThresholds, thresholds, passed: thresholds.every((t) => t.passed) };
  return run.interrupted ? { ...report, interrupted: true, interruption: { ...run.interrupted } } : report;
}

function totalsOf(counters: Counters): Report['totals'] {
  const { errors: _errors, servers: _servers, ...totals } = counters;
  return totals;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
