// Merging reports of one scenario run in parts (across machines) into one report: histograms
// are added and percentiles recomputed from them, never averaged.
import { encodeHistogram, mergeEncoded, PHASES, summarize, type Phase } from '../metrics/histogram.js';
import { emptyCounters, ERROR_KINDS, type ErrorKind } from '../metrics/types.js';
import { JukeboxError } from '../errors.js';
import { checkShardSet, hasShards } from '../shards/merge-check.js';
import type { Environment, FaultMarker, Report, ReportPlan, ReportServer, ReportTotals, TimelineEntry } from './model.js';
import { evaluateThresholds } from './thresholds.js';

/** Where a merged report came from: one entry per input, in the order given. */
export interface MergeSource {
  name: string;
  seed: string | number;
  startedAt: string;
  durationMs: number;
  /** Whole seconds by which its timeline was shifted to line up with the earliest start. */
  offsetSec: number;
  environment: Environment;
  file?: string;
}

/** A merged report is a report (`jukebox-report/1`) with its sources listed. */
export type MergedReport = Report & { mergedFrom: MergeSource[] };

/** A source that was a shard says which (the merged report itself is none). */
export type MergeSourceShard = MergeSource & { shard?: { index: number; count: number } };

export interface MergeInput {
  report: Report;
  file?: string;
}

export interface MergeOptions {
  /** Merge reports of different scenario names anyway. */
  force?: boolean;
}

export function mergeReports(inputs: MergeInput[], options: MergeOptions = {}): MergedReport {
  const first = inputs[0];
  if (!first || inputs.length < 2)
    throw new JukeboxError('E_BAD_ARGUMENT', `merge needs at least two reports, got ${inputs.length}`, { hint: 'give the reports of every part of the run' });
  const reports = inputs.map((i) => i.report);
  // Shards of one run (../../../shared/design/shards.md): a whole set of one plan, or refused.
  if (hasShards(inputs)) checkShardSet(inputs);
  const names = [...new Set(reports.map((r) => r.name))];
  if (names.length > 1 && !options.force) {
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `the reports are of different scenarios (${names.map((n) => `"${n}"`).join(', ')}); merging them would mix unlike runs`,
      {
        hint: 'merge only the parts of one scenario, or pass --force to merge them anyway',
      },
    );
  }
  const starts = reports.map((r) => Date.parse(r.startedAt));
  const bad = starts.findIndex((s) => Number.isNaN(s));
  if (bad >= 0) throw new JukeboxError('E_BAD_ARGUMENT', `${inputs[bad]?.file ?? `report ${bad + 1}`}: startedAt "${reports[bad]?.startedAt}" is not a date`);
  const earliest = Math.min(...starts);
  const latestEnd = Math.max(...reports.map((r, i) => (starts[i] ?? 0) + r.durationMs));
  const durationMs = latestEnd - earliest;
  const offsetsMs = starts.map((s) => s - earliest);
  const totals = sumTotals(reports.map((r) => r.totals));
  const seconds = Math.max(durationMs / 1000, 1e-3);
  const merged = mergeEncodedPhases(reports);
  const scenario = first.report.scenario;
  const withoutThresholds: Omit<Report, 'thresholds' | 'passed'> = {
    schema: first.report.schema,
    name: names.join('+'),
    seed: mergedSeed(reports),
    startedAt: new Date(earliest).toISOString(),
    durationMs,
    scenario,
    environment: first.report.environment,
    plan: sumPlans(reports.map((r) => r.plan)),
    totals,
    throughput: {
      requestsPerSec: round2(totals.requests / seconds),
      bytesPerSec: Math.round(totals.bytes / seconds),
      sessionsPerSec: round2(totals.clients / seconds),
    },
    latency: Object.fromEntries(PHASES.map((p) => [p, summarize(merged[p])])) as Report['latency'],
    servers: sumServers(reports),
    errors: sumErrors(reports),
    schedule: mergeSchedules(reports),
    timeline: mergeTimelines(reports, offsetsMs),
    faults: mergeFaults(reports, offsetsMs),
    histograms: Object.fromEntries(PHASES.map((p) => [p, encodeHistogram(merged[p])])) as Record<Phase, string>,
  };
  const thresholds = evaluateThresholds(withoutThresholds, scenario.thresholds);
  const mergedFrom = inputs.map((input, i): MergeSource => {
    const r = input.report;
    const source: MergeSourceShard = {
      name: r.name,
      seed: r.seed,
      startedAt: r.startedAt,
      durationMs: r.durationMs,
      offsetSec: Math.round((offsetsMs[i] ?? 0) / 1000),
      environment: r.environment,
    };
    if (input.file !== undefined) source.file = input.file;
    if (r.shard) source.shard = { ...r.shard };
    return source;
  });
  const result: MergedReport = { ...withoutThresholds, thresholds, passed: thresholds.every((t) => t.passed), mergedFrom };
  const interruption = mergeInterruptions(reports);
  return interruption ? { ...result, interrupted: true, interruption } : result;
}

/** A part stopped early makes the whole stopped early: its counts added, the earliest stop and the longest grace kept. */
function mergeInterruptions(reports: Report[]): Report['interruption'] | undefined {
  const parts = reports.filter((r) => r.interrupted);
  if (parts.length === 0) return undefined;
  const sum = (key: 'clientsStarted' | 'clientsDone' | 'clientsCut' | 'requestsDone') => parts.reduce((a, r) => a + (r.interruption?.[key] ?? 0), 0);
  // Parts that ran to the end count as done: all their clients and requests.
  const whole = reports.filter((r) => !r.interrupted);
  return {
    atMs: Math.min(...parts.map((r) => r.interruption?.atMs ?? r.durationMs)),
    graceMs: Math.max(...parts.map((r) => r.interruption?.graceMs ?? 0)),
    clientsPlanned: reports.reduce((a, r) => a + (r.interruption?.clientsPlanned ?? r.plan.clients), 0),
    clientsStarted: sum('clientsStarted') + whole.reduce((a, r) => a + r.totals.clients, 0),
    clientsDone: sum('clientsDone') + whole.reduce((a, r) => a + r.totals.clients, 0),
    clientsCut: sum('clientsCut'),
    requestsPlanned: reports.reduce((a, r) => a + (r.interruption?.requestsPlanned ?? r.plan.requests), 0),
    requestsDone: sum('requestsDone') + whole.reduce((a, r) => a + r.totals.requests, 0),
  };
}

function mergeEncodedPhases(reports: Report[]): Record<Phase, ReturnType<typeof mergeEncoded>> {
  return Object.fromEntries(PHASES.map((p) => [p, mergeEncoded(reports.map((r) => r.histograms[p]))])) as Record<Phase, ReturnType<typeof mergeEncoded>>;
}

/** The one seed when all parts share it; otherwise every seed, comma-separated. */
function mergedSeed(reports: Report[]): string | number {
  const seeds = [...new Set(reports.map((r) => r.seed))];
  return seeds.length === 1 ? (seeds[0] as string | number) : seeds.join(',');
}

function sumTotals(all: ReportTotals[]): ReportTotals {
  // The counters' one list of names (metrics/types.ts), without the per-kind and per-server maps.
  const { errors: _errors, servers: _servers, ...out } = emptyCounters();
  for (const t of all) for (const key of Object.keys(out) as (keyof ReportTotals)[]) out[key] += t[key] ?? 0;
  return out;
}

/** The plans' totals added; the fingerprint kept when every part has the same one (shards of one plan). */
function sumPlans(all: ReportPlan[]): ReportPlan {
  const totals = { clients: 0, requests: 0, downloads: 0, streams: 0, absent: 0 };
  for (const p of all) for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += p[key] ?? 0;
  const fingerprints = new Set(all.map((p) => p.fingerprint));
  const [only] = fingerprints;
  return fingerprints.size === 1 && only !== undefined ? { ...totals, fingerprint: only } : totals;
}

/**
 * Counters per server id are summed. The servers' own STATS are left out: parts may have run
 * their own servers or shared external ones, and only in the first case may they be added.
 */
function sumServers(reports: Report[]): Record<string, ReportServer> {
  const out: Record<string, ReportServer> = {};
  for (const r of reports) {
    for (const [id, s] of Object.entries(r.servers)) {
      const target = (out[id] ??= { requests: 0, bytes: 0, chosen: 0 });
      target.requests += s.requests;
      target.bytes += s.bytes;
      target.chosen += s.chosen;
    }
  }
  return out;
}

function sumErrors(reports: Report[]): Record<ErrorKind, number> {
  const out = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>;
  for (const r of reports) for (const [kind, n] of Object.entries(r.errors) as [ErrorKind, number][]) out[kind] = (out[kind] ?? 0) + n;
  return out;
}

/** Reports carry lag percentiles, not the lag histogram: the merge keeps the worst part's (an upper bound). */
function mergeSchedules(reports: Report[]): Report['schedule'] {
  const first = reports[0] as Report;
  return {
    model: first.schedule.model,
    lagMs: {
      p50: Math.max(...reports.map((r) => r.schedule.lagMs.p50)),
      p99: Math.max(...reports.map((r) => r.schedule.lagMs.p99)),
      max: Math.max(...reports.map((r) => r.schedule.lagMs.max)),
    },
    behind: reports.some((r) => r.schedule.behind),
  };
}

/**
 * Seconds are lined up by each part's start (to the nearest second) and summed. A second's p99 is
 * the largest of the parts' p99s (likewise p50 and p90): an upper bound of the true p99, since at most 1 % of each part's
 * requests, so at most 1 % of all, lie above it. Reports keep no per-second histogram to do better.
 */
export function mergeTimelines(reports: Report[], offsetsMs: number[]): TimelineEntry[] {
  const byT = new Map<number, TimelineEntry>();
  reports.forEach((r, i) => {
    const offset = Math.round((offsetsMs[i] ?? 0) / 1000);
    for (const e of r.timeline) {
      const t = e.t + offset;
      const entry = byT.get(t) ?? { t, requestsPerSec: 0, bytesPerSec: 0, p50: null, p90: null, p99: null, errors: 0, active: 0 };
      entry.requestsPerSec += e.requestsPerSec;
      entry.bytesPerSec += e.bytesPerSec;
      entry.errors += e.errors;
      entry.active += e.active;
      entry.p50 = largest(entry.p50, e.p50);
      entry.p90 = largest(entry.p90, e.p90);
      entry.p99 = largest(entry.p99, e.p99);
      byT.set(t, entry);
    }
  });
  const last = Math.max(-1, ...byT.keys());
  return Array.from(
    { length: last + 1 },
    (_, t) => byT.get(t) ?? { t, requestsPerSec: 0, bytesPerSec: 0, p50: null, p90: null, p99: null, errors: 0, active: 0 },
  );
}

/** The larger of two percentiles; null (no request ended that second) only when both are. */
function largest(a: number | null | undefined, b: number | null | undefined): number | null {
  if (a === null || a === undefined) return b ?? null;
  return b === null || b === undefined ? a : Math.max(a, b);
}

/** Faults on the merged clock; the same fault seen by several parts (same time, server, action) is kept once. */
function mergeFaults(reports: Report[], offsetsMs: number[]): FaultMarker[] {
  const seen = new Set<string>();
  return reports
    .flatMap((r, i) => r.faults.map((f) => ({ ...f, t: round2(f.t + (offsetsMs[i] ?? 0) / 1000) })))
    .filter((f) => {
      const key = JSON.stringify([f.t, f.server, f.action, f.detail]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.t - b.t);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
