// Thresholds: the scenario's pass/fail conditions, evaluated against a report.
import type { Threshold } from '../scenario/types.js';
import { findMetric, formatMetric, type ReportData } from './metrics.js';
import type { ThresholdResult } from './model.js';

export { metricValue } from './metrics.js';

/**
 * A metric with no data fails its threshold (`< 50ms` on a phase that never ran must not pass),
 * unless the threshold allows it (`ifNoData: skip`); an unknown metric (a report from a scenario of
 * another version) has no data either.
 */
export function evaluateThresholds(report: ReportData, thresholds: Threshold[]): ThresholdResult[] {
  return thresholds.map((t) => {
    const actual = findMetric(t.metric)?.value(report) ?? null;
    const result: ThresholdResult = { metric: t.metric, condition: t.condition, actual, passed: actual !== null && holds(actual, t.op, t.value) };
    if (actual !== null) return result;
    const skipped = t.ifNoData === 'skip';
    return { ...result, passed: skipped, noData: true, ...(skipped ? { skipped: true as const } : {}) };
  });
}

/** Whether `actual op value` holds. Exported for the table-driven test of every operator. */
export function holds(actual: number, op: Threshold['op'], value: number): boolean {
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

/** A result's actual value in its metric's unit ("33.33%", "1.20ms"); "no data" when the run had none. */
export function thresholdActual(t: ThresholdResult): string {
  const def = findMetric(t.metric);
  if (t.actual === null) return 'no data';
  return def ? formatMetric(def.unit, t.actual) : String(t.actual);
}

/** pass, FAIL, or what happened with no data: FAIL (no data), or skipped (no data) when the threshold allowed it. */
export function thresholdVerdict(t: ThresholdResult): string {
  if (t.noData || t.actual === null) return t.passed ? 'skipped (no data)' : 'FAIL (no data)';
  return t.passed ? 'pass' : 'FAIL';
}
