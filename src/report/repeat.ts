// `simulate <scenario> --repeat N`: the key metrics over N runs of one scenario, as medians with
// their spread and a bootstrap interval (the same method as simulate compare).
import { JukeboxError } from '../errors.js';
import { KEY_METRICS, type Better, type MetricUnit } from './key-metrics.js';
import type { Report } from './model.js';
import { BOOTSTRAP_RESAMPLES, bootstrapMedianInterval, bootstrapRng, CONFIDENCE, spread, type Interval, type Spread } from './stats.js';

export const REPEAT_SUMMARY_SCHEMA = 'jukebox-repeat/1';

export interface RepeatMetric {
  key: string;
  label: string;
  unit: MetricUnit;
  better: Better;
  /** One per run, in run order; null where a run has no value. */
  values: (number | null)[];
  /** Median, min, max, quartiles over the runs with a value; null when none has. */
  spread: Spread | null;
  /** 95 % percentile-bootstrap interval of the median; null with fewer than 2 values. */
  interval: Interval | null;
}

export interface RepeatSummary {
  schema: typeof REPEAT_SUMMARY_SCHEMA;
  name: string;
  runs: number;
  /** Each run's seed and start, in run order. */
  seeds: (string | number)[];
  startedAt: string[];
  /** How many runs passed their thresholds (all of them when there are none). */
  passed: number;
  method: string;
  metrics: RepeatMetric[];
}

export function summarizeRepeats(reports: Report[], resamples = BOOTSTRAP_RESAMPLES): RepeatSummary {
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
      interval: present.length < 2 ? null : bootstrapMedianInterval(present, bootstrapRng(`repeat:${m.key}`), resamples),
    };
  });
  return {
    schema: REPEAT_SUMMARY_SCHEMA,
    name: first.name,
    runs: reports.length,
    seeds: reports.map((r) => r.seed),
    startedAt: reports.map((r) => r.startedAt),
    passed: reports.filter((r) => r.passed).length,
    method:
      `median over ${reports.length} run${reports.length === 1 ? '' : 's'}, min–max and quartiles; ` +
      `percentile-bootstrap ${Math.round(CONFIDENCE * 100)}% interval of the median (${resamples} resamples, seeded)`,
    metrics,
  };
}
