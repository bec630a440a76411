// The numbers runs are compared on (simulate compare, --repeat): the registry's metrics marked `compared`.
import { METRICS, type MetricDef, type MetricUnit } from './metrics.js';

export type { Better, MetricUnit } from './metrics.js';

/** key, label, unit, better, value(report): null when the report has nothing to say. */
export type KeyMetric = MetricDef & { unit: MetricUnit };

function isKey(m: MetricDef): m is KeyMetric {
  return m.compared === true && m.unit !== 'sessions/s';
}

/** In the order tables show them. */
export const KEY_METRICS: readonly KeyMetric[] = METRICS.filter(isKey);
