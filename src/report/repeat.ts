// `simulate <scenario> --repeat N`: the key metrics over N runs of one scenario, as medians with
// their spread and an exact distribution-free interval of each median. The summary is a
// persisted format of its own (`jukebox-repeat/1`): its zod schema below is the source of its type,
// and it holds every run's key metrics, so that `compare` can take a summary as a group of runs.
import { z } from 'zod';
import { JukeboxError } from '../errors.js';
import { KEY_METRICS } from './key-metrics.js';
import type { Report } from './model.js';
import { CONFIDENCE, medianInterval, spread } from './stats.js';

export const REPEAT_SUMMARY_SCHEMA = 'jukebox-repeat/1';

const seed = z.union([z.string(), z.number()]);
const spreadSchema = z.object({ n: z.number().int().nonnegative(), median: z.number(), min: z.number(), max: z.number(), q1: z.number(), q3: z.number() });
/** `confidence` is absent in summaries written before it was kept (their interval was a 95 % bootstrap). */
const intervalSchema = z.object({ low: z.number(), high: z.number(), confidence: z.number().min(0).max(1).optional() });

const repeatMetricSchema = z.object({
  key: z.string(),
  label: z.string(),
  unit: z.enum(['ms', 'req/s', 'B/s', 'count', 'ratio']),
  better: z.enum(['lower', 'higher']),
  /** One per run, in run order; null where a run has no value. */
  values: z.array(z.number().nullable()),
  /** Median, min, max, quartiles over the runs with a value; null when none has. */
  spread: spreadSchema.nullable(),
  /** Order-statistic interval of the median with the confidence it reaches (95 % from 6 runs on); null with fewer than 2 values. */
  interval: intervalSchema.nullable(),
});

/** One run of the summary: its report file (relative to the summary's folder, so a folder can be moved whole) and what tables show of it. */
const repeatRunSchema = z.object({
  file: z.string().optional(),
  seed,
  startedAt: z.string(),
  durationMs: z.number().nonnegative(),
  passed: z.boolean(),
});

export const repeatSummarySchema = z
  .object({
    schema: z.literal(REPEAT_SUMMARY_SCHEMA),
    name: z.string(),
    runs: z.number().int().positive(),
    /** Each run's seed and start, in run order. */
    seeds: z.array(seed),
    startedAt: z.array(z.string()),
    /** How many runs passed their thresholds (all of them when there are none). */
    passed: z.number().int().nonnegative(),
    /** How many thresholds the scenario set; absent in summaries written before it was kept. */
    thresholds: z.number().int().nonnegative().optional(),
    method: z.string(),
    metrics: z.array(repeatMetricSchema),
    /** The runs, in order; absent in summaries written before they were kept. */
    reports: z.array(repeatRunSchema).optional(),
  })
  .superRefine((s, ctx) => {
    // Every per-run list must have one entry per run, or compare would pair the wrong values.
    const perRun: [string, unknown[] | undefined][] = [
      ['seeds', s.seeds],
      ['startedAt', s.startedAt],
      ['reports', s.reports],
      ...s.metrics.map((m, i): [string, unknown[]] => [`metrics.${i}.values`, m.values]),
    ];
    for (const [path, list] of perRun) {
      if (list !== undefined && list.length !== s.runs)
        ctx.addIssue({
          code: 'custom',
          path: path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
          message: `expected ${s.runs} entries (one per run), got ${list.length}`,
        });
    }
    if (s.passed > s.runs) ctx.addIssue({ code: 'custom', path: ['passed'], message: `expected at most ${s.runs} (runs), got ${s.passed}` });
  });

export type RepeatSummary = z.output<typeof repeatSummarySchema>;
export type RepeatMetric = RepeatSummary['metrics'][number];
export type RepeatRun = NonNullable<RepeatSummary['reports']>[number];

export interface RepeatOptions {
  /** Each run's report file as the summary should name it (relative to the summary's folder); absent for runs not written. */
  files?: readonly (string | undefined)[];
}

export function summarizeRepeats(reports: Report[], options: RepeatOptions = {}): RepeatSummary {
  const first = reports[0];
  if (!first) throw new JukeboxError('E_BAD_ARGUMENT', 'a repeat summary needs at least one report');
  const metrics = KEY_METRICS.map((m): RepeatMetric => {
    const values = reports.map((r) => m.value(r));
    const present = values.filter((v): v is number => v !== null);
    return {
      key: m.key,
      label: m.label,
      unit: m.unit,
      better: m.better,
      values,
      spread: present.length === 0 ? null : spread(present),
      interval: medianInterval(present),
    };
  });
  return {
    schema: REPEAT_SUMMARY_SCHEMA,
    name: first.name,
    runs: reports.length,
    seeds: reports.map((r) => r.seed),
    startedAt: reports.map((r) => r.startedAt),
    passed: reports.filter((r) => r.passed).length,
    thresholds: first.thresholds.length,
    method:
      `median over ${reports.length} run${reports.length === 1 ? '' : 's'}, min–max and quartiles; ` +
      `distribution-free interval of the median from order statistics (${Math.round(CONFIDENCE * 100)}% from 6 runs on; with fewer, min–max and the confidence it has)`,
    metrics,
    reports: reports.map((r, i): RepeatRun => {
      const file = options.files?.[i];
      const run: RepeatRun = { seed: r.seed, startedAt: r.startedAt, durationMs: r.durationMs, passed: r.passed };
      return file === undefined ? run : { file, ...run };
    }),
  };
}

/** The value of one key metric in each run of a summary; all null for a metric the summary does not have (written by an older jukebox). */
export function repeatValues(summary: RepeatSummary, key: string): (number | null)[] {
  return summary.metrics.find((m) => m.key === key)?.values ?? Array.from({ length: summary.runs }, () => null);
}
