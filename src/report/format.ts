// Numbers for people, by unit: shared by the console tables and the HTML pages of reports and comparisons.
import { formatBytes, formatDuration } from '../util/duration.js';
import type { MetricUnit } from './key-metrics.js';

/** A value in its unit: 1.20ms, 12.3, 4.5 MiB/s, 0.85%. */
export function formatValue(unit: MetricUnit, v: number | null): string {
  if (v === null) return 'n/a';
  switch (unit) {
    case 'ms':
      return formatDuration(v);
    case 'req/s':
      return v.toFixed(1);
    case 'B/s':
      return `${formatBytes(Math.round(v))}/s`;
    case 'count':
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
    case 'ratio':
      return `${(v * 100).toFixed(2)}%`;
  }
}

/** A signed difference in its unit: +1.20ms, -3.1 KiB/s. */
export function formatChange(unit: MetricUnit, v: number | null): string {
  if (v === null) return 'n/a';
  if (v === 0) return '0';
  return `${v > 0 ? '+' : '-'}${formatValue(unit, Math.abs(v))}`;
}

/** A relative change: +12.5%; `(from 0)` when the baseline was zero and is no longer. */
export function formatRelative(rel: number | null, absolute: number | null): string {
  if (rel === null) return absolute === null || absolute === 0 ? '' : '(from 0)';
  return `${rel > 0 ? '+' : ''}${(rel * 100).toFixed(1)}%`;
}
