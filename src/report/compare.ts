// Comparing runs: key metrics side by side against a baseline, and whether a difference is larger
// than the run-to-run noise. Pure: reports in, a Comparison out (rendered by compare-console.ts).
import { JukeboxError } from '../errors.js';
import { conditionsWarnings } from './conditions.js';
import { KEY_METRICS, type Better, type KeyMetric, type MetricUnit } from './key-metrics.js';
import type { Report } from './model.js';
import { repeatValues, type RepeatSummary } from './repeat.js';
import { ALPHA, canDetect, CONFIDENCE, hodgesLehmann, mannWhitney, runsNeeded, spread, type ConfidenceInterval, type Spread } from './stats.js';

/** /2: verdicts come from the exact rank test (p, n per side, alpha, `cant-tell`), no bootstrap. */
export const COMPARISON_SCHEMA = 'jukebox-comparison/2';
/** A significant worsening beyond this (in %) is a regression unless the caller says otherwise. */
export const DEFAULT_REGRESSION_PCT = 10;
/** The fewest runs per side with which the rank test can call anything different at ALPHA (4 at 0.05). */
export const MIN_RUNS_FOR_NOISE = runsNeeded(ALPHA);

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
  /** A significant change beyond this (in %, in the worse direction) is a regression. */
  regressionPct?: number;
}

/**
 * `worse`/`better`: the rank test finds the groups different (p < alpha), in that direction;
 * `same` (shown `~`): it does not; `cant-tell`: the groups are too small for any difference to be
 * significant (one run per side, or fewer than MIN_RUNS_FOR_NOISE); `n/a`: a side has no value.
 */
export type Verdict = 'worse' | 'better' | 'same' | 'cant-tell' | 'n/a';

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
  /** Hodges–Lehmann shift (median of the pairwise differences candidate − baseline); null with a side without values. */
  shift: number | null;
  /** Exact confidence interval of the shift, in the metric's unit, with the confidence reached; null with one run on a side. */
  interval: ConfidenceInterval | null;
  /** `interval` as fractions of the baseline median; null when that is 0 or there is no interval. */
  intervalRelative: { low: number; high: number } | null;
  /** Exact two-sided Mann–Whitney p-value; null with one run on a side or no values. */
  p: number | null;
  /** Runs with a value on each side: [baseline, candidate]. */
  n: [number, number];
  /** Whether p < alpha; null when the sizes cannot show a difference (verdict `cant-tell`) or a side has no value. */
  significant: boolean | null;
  /** With `cant-tell`: the runs per side needed before a difference can be significant. */
  needRuns: number | null;
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
  /** Two-sided level of the rank test: p < alpha is "different". */
  alpha: number;
  /** True when every group has enough runs for the rank test to tell a difference from noise. */
  noiseJudged: boolean;
  method: string;
  metrics: MetricComparison[];
  /** The `worse` verdicts beyond regressionPct: what `--fail-on-regression` fails on. */
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

/** Groups of repeated runs (baseline first): medians, spread, and the exact rank test on each metric. */
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
  const base = groups[0]?.runs.length ?? 0;
  const noiseJudged = groups.slice(1).every((g) => canDetect(base, g.runs.length));
  const metrics = KEY_METRICS.map((metric) => compareMetric(metric, groups));
  const regressions: Regression[] = [];
  for (const m of metrics) {
    const origin = m.groups[0]?.spread?.median ?? 0;
    for (const d of m.deltas) {
      if (d.verdict === 'worse' && d.absolute !== null && beyondThreshold(origin, d.absolute, regressionPct))
        regressions.push({ key: m.key, label: m.label, group: d.group, absolute: d.absolute, relative: d.relative });
    }
  }
  return {
    schema: COMPARISON_SCHEMA,
    mode,
    groups: groups.map((g) => ({ label: g.label, runs: g.runs.map(runInfo) })),
    regressionPct,
    alpha: ALPHA,
    noiseJudged,
    method: describeMethod(mode, regressionPct),
    metrics,
    regressions,
    notes: notesFor(groups, metrics),
  };
}

function compareMetric(metric: KeyMetric, groups: CompareGroup[]): MetricComparison {
  const values = groups.map((g): GroupValues => {
    const raw = g.runs.map((r) => runValue(r, metric));
    const present = raw.filter((v): v is number => v !== null);
    return { values: raw, spread: present.length === 0 ? null : spread(present) };
  });
  const baseline = values[0] as GroupValues;
  const deltas = groups.slice(1).map((g, i) => delta(metric, g.label, baseline, values[i + 1] as GroupValues));
  return { key: metric.key, label: metric.label, unit: metric.unit, better: metric.better, groups: values, deltas };
}

const present = (g: GroupValues) => g.values.filter((v): v is number => v !== null);

function delta(metric: KeyMetric, group: string, baseline: GroupValues, candidate: GroupValues): MetricDelta {
  const a = present(baseline);
  const b = present(candidate);
  const n: [number, number] = [a.length, b.length];
  const none = { shift: null, interval: null, intervalRelative: null, p: null, significant: null, needRuns: null };
  if (!baseline.spread || !candidate.spread) return { group, absolute: null, relative: null, ...none, n, verdict: 'n/a' };
  const base = baseline.spread.median;
  const absolute = candidate.spread.median - base;
  const relative = base === 0 ? (absolute === 0 ? 0 : null) : absolute / base;
  const { shift, interval } = hodgesLehmann(a, b);
  const judged = a.length >= 2 && b.length >= 2;
  const ci = judged ? interval : null;
  const intervalRelative = ci && base !== 0 ? { low: ci.low / Math.abs(base), high: ci.high / Math.abs(base) } : null;
  const common = { group, absolute, relative, shift, interval: ci, intervalRelative, n };
  // Too few runs for any difference to reach significance: no test, no direction, only how many runs would do.
  if (!canDetect(a.length, b.length))
    return { ...common, p: judged ? mannWhitney(a, b).p : null, significant: null, needRuns: MIN_RUNS_FOR_NOISE, verdict: 'cant-tell' };
  const { p } = mannWhitney(a, b);
  const significant = p < ALPHA;
  return { ...common, p, significant, needRuns: null, verdict: significant ? direction(metric.better, shift) : 'same' };
}

/** The direction of a significant change: by the shift, which the test is about (the medians can tie when the ranks do not). */
function direction(better: Better, shift: number): Verdict {
  if (shift === 0) return 'same';
  return (better === 'higher') === shift > 0 ? 'better' : 'worse';
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

function describeMethod(mode: Comparison['mode'], pct: number): string {
  const against = mode === 'runs' ? 'each run against the first' : "the median of each group against the baseline group's median";
  return (
    `${against} (change in %); the groups differ when the exact two-sided Mann–Whitney U test (rank-sum permutation test, ties by midranks) gives p < ${ALPHA}, ` +
    `and cannot tell with fewer than ${MIN_RUNS_FOR_NOISE} runs a side; interval: the Hodges–Lehmann shift's exact distribution-free interval ` +
    `(${Math.round(CONFIDENCE * 100)}% where the group sizes allow, else [smallest, largest] pairwise difference and its confidence); ` +
    `a regression is a significant worsening beyond ${pct}%`
  );
}

function notesFor(groups: CompareGroup[], metrics: MetricComparison[]): string[] {
  const notes: string[] = [];
  if (groups.every((g) => g.runs.length === 1)) {
    notes.push(
      `One run per side: run-to-run noise cannot be judged, so no change is called better or worse. ` +
        `Repeat the runs (${MIN_RUNS_FOR_NOISE} or more per side: --baseline a1.json … a${MIN_RUNS_FOR_NOISE}.json --candidate b1.json … b${MIN_RUNS_FOR_NOISE}.json, or two --repeat ${MIN_RUNS_FOR_NOISE} summaries) to tell a change from noise.`,
    );
  } else if (metrics.some((m) => m.deltas.some((d) => d.verdict === 'cant-tell'))) {
    notes.push(
      `can't tell: with ${groups.map((g) => g.runs.length).join(' and ')} runs the smallest p-value the rank test can give is not below ${ALPHA}, so no difference can be significant; ` +
        `give at least ${MIN_RUNS_FOR_NOISE} runs per side. --fail-on-regression never fails on "can't tell".`,
    );
  }
  const names = [...new Set(groups.flatMap((g) => g.runs.map((r) => runFacts(r).name)))];
  if (names.length > 1) notes.push(`The reports are of different scenarios (${names.join(', ')}): differences may come from the scenarios, not the code.`);
  // The machine's conditions (issue #12): each begins "conditions differ:", which the CLI also prints as a warning.
  notes.push(
    ...conditionsWarnings(groups.map((g) => ({ label: g.label, environments: g.runs.map((r) => ('report' in r ? r.report.environment : undefined)) }))),
  );
  return notes;
}
