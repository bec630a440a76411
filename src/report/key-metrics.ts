// The numbers runs are compared on (simulate compare, --repeat): what each means and which way is better.
import { PHASES, type Phase } from '../metrics/histogram.js';
import type { Report } from './model.js';
import { metricValue } from './thresholds.js';

export type MetricUnit = 'ms' | 'req/s' | 'B/s' | 'count' | 'ratio';
/** Which way of a change is an improvement. */
export type Better = 'lower' | 'higher';

export interface KeyMetric {
  /** The metric's path, as thresholds name it (errors.rate and errors.total are derived). */
  key: string;
  label: string;
  unit: MetricUnit;
  better: Better;
  /** null when the report has nothing to say (a phase that saw no value). */
  value(report: Report): number | null;
}

function latency(phase: Phase, p: 'p50' | 'p99'): KeyMetric {
  return {
    key: `latency.${phase}.${p}`,
    label: `${phase} ${p}`,
    unit: 'ms',
    better: 'lower',
    value: (r) => (r.latency[phase].count === 0 ? null : r.latency[phase][p]),
  };
}

/** In the order tables show them. */
export const KEY_METRICS: readonly KeyMetric[] = [
  { key: 'throughput.requestsPerSec', label: 'requests/s', unit: 'req/s', better: 'higher', value: (r) => r.throughput.requestsPerSec },
  { key: 'throughput.bytesPerSec', label: 'bytes/s', unit: 'B/s', better: 'higher', value: (r) => r.throughput.bytesPerSec },
  ...PHASES.flatMap((phase) => [latency(phase, 'p50'), latency(phase, 'p99')]),
  { key: 'errors.total', label: 'errors', unit: 'count', better: 'lower', value: (r) => metricValue(r, 'errors.total') },
  { key: 'errors.rate', label: 'error rate', unit: 'ratio', better: 'lower', value: (r) => metricValue(r, 'errors.rate') },
  { key: 'totals.verified', label: 'verified', unit: 'count', better: 'higher', value: (r) => r.totals.verified },
  { key: 'totals.failed', label: 'failed', unit: 'count', better: 'lower', value: (r) => r.totals.failed },
];
