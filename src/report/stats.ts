// Statistics for comparing runs: order statistics and a seeded percentile bootstrap.
import { JukeboxError } from '../errors.js';
import { createRng, randomInt, type Rng } from '../util/rng.js';

/** Bootstrap resamples: enough that the 2.5 % and 97.5 % points are stable to a few parts in 1000. */
export const BOOTSTRAP_RESAMPLES = 10_000;
/** Two-sided confidence of every interval reported. */
export const CONFIDENCE = 0.95;
/** The bootstrap's seed: the same reports always give the same intervals. */
export const BOOTSTRAP_SEED = 'jukebox-bootstrap';

export interface Interval {
  low: number;
  high: number;
}

export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  /** First and third quartiles (their difference is the IQR). */
  q1: number;
  q3: number;
}

/** The q-quantile (0..1) of values already sorted ascending, interpolating between ranks (R's type 7). */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new JukeboxError('E_INTERNAL', 'quantile of no values');
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const below = sorted[lo] ?? 0;
  const above = sorted[Math.min(lo + 1, sorted.length - 1)] ?? below;
  return below + (above - below) * (pos - lo);
}

export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

export function median(values: readonly number[]): number {
  return quantileSorted(sortedCopy(values), 0.5);
}

export function spread(values: readonly number[]): Spread {
  const sorted = sortedCopy(values);
  return {
    n: sorted.length,
    median: quantileSorted(sorted, 0.5),
    min: sorted[0] ?? 0,
    max: sorted[sorted.length - 1] ?? 0,
    q1: quantileSorted(sorted, 0.25),
    q3: quantileSorted(sorted, 0.75),
  };
}

/** A seeded Rng for one named quantity, so an interval does not depend on what else was computed first. */
export function bootstrapRng(name: string): Rng {
  return createRng(`${BOOTSTRAP_SEED}:${name}`);
}

/** The median of a resample (with replacement) of `values`; `scratch` avoids allocating per resample. */
function resampledMedian(values: readonly number[], rng: Rng, scratch: number[]): number {
  for (let i = 0; i < values.length; i++) scratch[i] = values[randomInt(rng, values.length)] ?? 0;
  scratch.sort((a, b) => a - b);
  return quantileSorted(scratch, 0.5);
}

function percentileInterval(estimates: number[]): Interval {
  estimates.sort((a, b) => a - b);
  const tail = (1 - CONFIDENCE) / 2;
  return { low: quantileSorted(estimates, tail), high: quantileSorted(estimates, 1 - tail) };
}

/** Percentile-bootstrap 95 % confidence interval of the median of `values`. */
export function bootstrapMedianInterval(values: readonly number[], rng: Rng, resamples = BOOTSTRAP_RESAMPLES): Interval {
  if (values.length === 0) throw new JukeboxError('E_INTERNAL', 'bootstrap of no values');
  const scratch = new Array<number>(values.length).fill(0);
  const estimates = Array.from({ length: resamples }, () => resampledMedian(values, rng, scratch));
  return percentileInterval(estimates);
}

/**
 * Percentile-bootstrap 95 % confidence interval of median(candidate) − median(baseline): each
 * group is resampled with replacement on its own. When the interval leaves out 0, the difference
 * is larger than the run-to-run noise the groups show.
 */
export function bootstrapMedianDifference(baseline: readonly number[], candidate: readonly number[], rng: Rng, resamples = BOOTSTRAP_RESAMPLES): Interval {
  if (baseline.length === 0 || candidate.length === 0) throw new JukeboxError('E_INTERNAL', 'bootstrap of an empty group');
  const a = new Array<number>(baseline.length).fill(0);
  const b = new Array<number>(candidate.length).fill(0);
  const estimates = Array.from({ length: resamples }, () => resampledMedian(candidate, rng, b) - resampledMedian(baseline, rng, a));
  return percentileInterval(estimates);
}

/** True when the interval lies wholly on one side of zero. */
export function excludesZero(interval: Interval): boolean {
  return interval.low > 0 || interval.high < 0;
}
