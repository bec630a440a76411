// Comparing runs: key metrics side by side against a baseline, and whether a difference is larger
// than the run-to-run noise. Pure: reports in, a Comparison out (rendered by compare-console.ts).
import { JukeboxError } from '../errors.js';
import { KEY_METRICS, type Better, type KeyMetric, type MetricUnit } from './key-metrics.js';
import type { Report } from './model.js';
import { repeatValues, type RepeatSummary } from './repeat.js';
import { BOOTSTRAP_RESAMPLES, bootstrapMedianDifference, bootstrapRng, CONFIDENCE, excludesZero, spread, type Interval, type Spread } from './stats.js';

export const COMPARISON_SCHEMA = 'jukebox-comparison/1';
/** A change smaller than this (in %) is called "same" unless the caller says otherwise. */
export const DEFAULT_REGRESSION_PCT = 10;
/** Noise can be judged only with at least this many runs on each side. */
export const MIN_RUNS_FOR_NOISE = 2;

/** A run known only through a `--repeat` summary: its key metrics, not its timeline or histograms. */
export interface SummarizedRun {
  name: string;
  seed: string | number;
  startedAt: string;
  /** null when the summary predates keeping each run's length. */
  durationMs: number | null;
  /** Key metric values by key (KEY_METRICS); a key the summary lacks reads as null. */
  values: Record<string, number | null>;
}

/** A run to compare: a whole report, or one run of a repeat summary. */
export type CompareRun = { label: string; /** The file it was read from, when it was. */ file?: string } & ({ report: Report } | { summarized: SummarizedRun });

export interface CompareGroup {
  label: string;
  runs: CompareRun[];
}

export interface CompareOptions {
  /** A change beyond this (in %, in the worse direction) is a regression. */
  regressionPct?: number;
  resamples?: number;
}

/**
 * `worse`/`better`: beyond the threshold (and, with repeated runs, beyond the noise);
 * `noise`: beyond the threshold but within the run-to-run noise; `same`: within the threshold;
 * `n/a`: a side has no value (a phase that saw nothing).
 */
export type Verdict = 'worse' | 'better' | 'same' | 'noise' | 'n/a';

export interface GroupValues {
  /** One per run, in the group's order; null where the run has no value. */
  values: (number | null)[];
  /** Over the runs that have a value; null when none has. */
  spread: Spread | null;
}

export interface MetricDelta {
  /** The candidate group's label. */
  group: string;
  /** median(candidate) − median(baseline), in the metric's unit. */
  absolute: number | null;
  /** absolute / median(baseline); null when the baseline is 0 (no percentage of nothing). */
  relative: number | null;
  /** 95 % bootstrap confidence interval of `absolute`; null when noise cannot be judged. */
  interval: Interval | null;
  /** Whether `interval` leaves out 0; null when noise cannot be judged. */
  significant: boolean | null;
  verdict: Verdict;
}

export interface MetricComparison {
  key: string;
  label: string;
  unit: MetricUnit;
  better: Better;
  /** Baseline first. */
  groups: GroupValues[];
  /** One per group after the baseline. */
  deltas: MetricDelta[];
}

export interface RunInfo {
  label: string;
  file?: string;
  name: string;
  seed: string | number;
  startedAt: string;
  /** null for a run of a repeat summary that did not keep it. */
  durationMs: number | null;
}

export interface Regression {
  key: string;
  label: string;
  group: string;
  absolute: number;
  relative: number | null;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  /** `runs`: single runs, each against the first; `groups`: repeated runs, medians per group. */
  mode: 'runs' | 'groups';
  groups: { label: string; runs: RunInfo[] }[];
  regressionPct: number;
  /** True when every group has enough runs for the bootstrap to say what is noise. */
  noiseJudged: boolean;
  method: string;
  metrics: MetricComparison[];
  /** The `worse` verdicts: what `--fail-on-regression` fails on. */
  regressions: Regression[];
  notes: string[];
}

/** Single runs side by side: each one is its own group, the first is the baseline. */
export function compareRuns(runs: CompareRun[], options: CompareOptions = {}): Comparison {
  if (runs.length < 2)
    throw new JukeboxError('E_BAD_ARGUMENT', `compare needs at least two reports, got ${runs.length}`, {
      hint: 'give two or more report files; the first is the baseline',
    });
  return compare(
    'runs',
    runs.map((r) => ({ label: r.label, runs: [r] })),
    options,
  );
}

/** Groups of repeated runs (baseline first): medians, spread, and the bootstrap on the difference. */
export function compareGroups(groups: CompareGroup[], options: CompareOptions = {}): Comparison {
  if (groups.length < 2) throw new JukeboxError('E_BAD_ARGUMENT', 'compare needs a baseline group and at least one other group');
  const empty = groups.find((g) => g.runs.length === 0);
  if (empty) throw new JukeboxError('E_BAD_ARGUMENT', `the group "${empty.label}" has no reports`, { hint: 'give at least one report file per group' });
  return compare('groups', groups, options);
}

function compare(mode: Comparison['mode'], groups: CompareGroup[], options: CompareOptions): Comparison {
  const regressionPct = options.regressionPct ?? DEFAULT_REGRESSION_PCT;
  if (!Number.isFinite(regressionPct) || regressionPct < 0)
    throw new JukeboxError('E_BAD_ARGUMENT', `the regression threshold must be a percentage ≥ 0, got ${regressionPct}`);
  const resamples = options.resamples ?? BOOTSTRAP_RESAMPLES;
  const noiseJudged = groups.every((g) => g.runs.length >= MIN_RUNS_FOR_NOISE);
  const metrics = KEY_METRICS.map((metric) => compareMetric(metric, groups, regressionPct, resamples));
  const regressions: Regression[] = [];
  for (const m of metrics) {
    for (const d of m.deltas) {
      if (d.verdict === 'worse' && d.absolute !== null)
        regressions.push({ key: m.key, label: m.label, group: d.group, absolute: d.absolute, relative: d.relative });
    }
  }
  return {
    schema: COMPARISON_SCHEMA,
    mode,
    groups: groups.map((g) => ({ label: g.label, runs: g.runs.map(runInfo) })),
    regressionPct,
    noiseJudged,
    method: describeMethod(mode, noiseJudged, regressionPct, resamples),
    metrics,
    regressions,
    notes: notesFor(groups, noiseJudged, regressionPct),
  };
}

function compareMetric(metric: KeyMetric, groups: CompareGroup[], regressionPct: number, resamples: number): MetricComparison {
  const values = groups.map((g): GroupValues => {
    const raw = g.runs.map((r) => runValue(r, metric));
    const present = raw.filter((v): v is number => v !== null);
    return { values: raw, spread: present.length === 0 ? null : spread(present) };
  });
  const baseline = values[0] as GroupValues;
  const deltas = groups.slice(1).map((g, i) => delta(metric, g.label, baseline, values[i + 1] as GroupValues, regressionPct, resamples));
  return { key: metric.key, label: metric.label, unit: metric.unit, better: metric.better, groups: values, deltas };
}

function delta(metric: KeyMetric, group: string, baseline: GroupValues, candidate: GroupValues, regressionPct: number, resamples: number): MetricDelta {
  if (!baseline.spread || !candidate.spread) return { group, absolute: null, relative: null, interval: null, significant: null, verdict: 'n/a' };
  const base = baseline.spread.median;
  const absolute = candidate.spread.median - base;
  const relative = base === 0 ? (absolute === 0 ? 0 : null) : absolute / base;
  let interval: Interval | null = null;
  if (baseline.spread.n >= MIN_RUNS_FOR_NOISE && candidate.spread.n >= MIN_RUNS_FOR_NOISE) {
    const present = (g: GroupValues) => g.values.filter((v): v is number => v !== null);
    interval = bootstrapMedianDifference(present(baseline), present(candidate), bootstrapRng(`${metric.key}:${group}`), resamples);
  }
  const significant = interval === null ? null : excludesZero(interval);
  return { group, absolute, relative, interval, significant, verdict: verdictOf(metric.better, base, absolute, significant, regressionPct) };
}

function verdictOf(better: Better, base: number, absolute: number, significant: boolean | null, regressionPct: number): Verdict {
  if (!beyondThreshold(base, absolute, regressionPct)) return 'same';
  if (significant === false) return 'noise';
  const improved = better === 'higher' ? absolute > 0 : absolute < 0;
  return improved ? 'better' : 'worse';
}

/** A change from zero has no percentage: any change from zero counts as beyond the threshold. */
export function beyondThreshold(base: number, absolute: number, pct: number): boolean {
  if (absolute === 0) return false;
  if (base === 0) return true;
  return Math.abs(absolute / base) * 100 > pct;
}

function runValue(run: CompareRun, metric: KeyMetric): number | null {
  return 'report' in run ? metric.value(run.report) : (run.summarized.values[metric.key] ?? null);
}

/** What a run's name, seed, start and length are, wherever it came from. */
function runFacts(run: CompareRun): Omit<RunInfo, 'label' | 'file'> {
  const r = 'report' in run ? run.report : run.summarized;
  return { name: r.name, seed: r.seed, startedAt: r.startedAt, durationMs: r.durationMs };
}

/**
 * The runs of a repeat summary as a group: each run's key metrics come from the summary, and its
 * file is its report's path resolved by `resolveFile` (the summary names them relative to itself).
 */
export function runsOfRepeat(summary: RepeatSummary, resolveFile: (file: string) => string = (f) => f): CompareRun[] {
  const byKey = new Map(KEY_METRICS.map((m) => [m.key, repeatValues(summary, m.key)]));
  return Array.from({ length: summary.runs }, (_, i): CompareRun => {
    const entry = summary.reports?.[i];
    const values = Object.fromEntries([...byKey].map(([key, v]) => [key, v[i] ?? null]));
    const summarized: SummarizedRun = {
      name: summary.name,
      seed: entry?.seed ?? summary.seeds[i] ?? '?',
      startedAt: entry?.startedAt ?? summary.startedAt[i] ?? '',
      durationMs: entry?.durationMs ?? null,
      values,
    };
    const run: CompareRun = { label: `run ${i + 1}`, summarized };
    return entry?.file === undefined ? run : { ...run, file: resolveFile(entry.file) };
  });
}

function runInfo(run: CompareRun): RunInfo {
  const info: RunInfo = { label: run.label, ...runFacts(run) };
  if (run.file !== undefined) info.file = run.file;
  return info;
}

function describeMethod(mode: Comparison['mode'], noiseJudged: boolean, pct: number, resamples: number): string {
  const against = mode === 'runs' ? 'each run against the first' : "the median of each group against the baseline group's median";
  if (!noiseJudged) return `${against}; a difference is flagged when it is beyond ±${pct}% (no noise estimate: too few runs per side)`;
  return (
    `${against}; a difference is flagged when it is beyond ±${pct}% and the percentile-bootstrap ` +
    `${Math.round(CONFIDENCE * 100)}% confidence interval of the difference of medians ` +
    `(${resamples} resamples of each group, seeded) leaves out 0`
  );
}

function notesFor(groups: CompareGroup[], noiseJudged: boolean, pct: number): string[] {
  const notes: string[] = [];
  if (!noiseJudged) {
    notes.push(
      `With one run on a side, run-to-run noise cannot be judged: differences are flagged by the ±${pct}% threshold only. ` +
        `Repeat the runs (--baseline a1.json a2.json a3.json --candidate b1.json b2.json b3.json) to tell a change from noise.`,
    );
  }
  const names = [...new Set(groups.flatMap((g) => g.runs.map((r) => runFacts(r).name)))];
  if (names.length > 1) notes.push(`The reports are of different scenarios (${names.join(', ')}): differences may come from the scenarios, not the code.`);
  const small = groups.filter((g) => g.runs.length >= MIN_RUNS_FOR_NOISE && g.runs.length < 5);
  if (noiseJudged && small.length > 0)
    notes.push('With fewer than 5 runs in a group the bootstrap interval is coarse: a difference counts only when the groups barely overlap.');
  return notes;
}
