// Thresholds: the scenario's pass/fail conditions, evaluated against a report.
import type { Threshold } from '../scenario/types.js';
import type { Report, ThresholdResult } from './model.js';

/** The value of a threshold metric in a report; derived metrics (errors.rate) are computed here. */
export function metricValue(report: Omit<Report, 'thresholds' | 'passed'>, metric: string): number | null {
  switch (metric) {
    case 'errors.rate':
      return report.totals.requests === 0 ? 0 : report.totals.failed / report.totals.requests;
    case 'errors.total':
      return Object.values(report.errors).reduce((a, b) => a + b, 0);
    case 'schedule.lagMs.max':
      return report.schedule.lagMs.max;
  }
  let node: unknown = report;
  for (const key of metric.split('.')) {
    if (typeof node !== 'object' || node === null) return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'number' ? node : null;
}

export function evaluateThresholds(report: Omit<Report, 'thresholds' | 'passed'>, thresholds: Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = metricValue(report, t.metric);
    return { metric: t.metric, condition: t.condition, actual, passed: actual !== null && compare(actual, t.op, t.value) };
  });
}

function compare(actual: number, op: Threshold['op'], value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
      return actual === value;
  }
}
