// The one histogram factory: fixed bounds, microsecond integers inside, milliseconds outside.
// Histograms go into reports only as their compressed base64 encoding; between threads they
// cross as plain counts (counts.ts), which cost no deflate and no decoding.
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

export const PHASES = ['connect', 'check', 'ttfb', 'transfer', 'request'] as const;
export type Phase = (typeof PHASES)[number];

/** 1 µs to 1 hour at 3 significant digits: every latency a run can see, at 0.1 % precision. */
export const HISTOGRAM_LOWEST_US = 1;
export const HISTOGRAM_HIGHEST_US = 3_600_000_000;
export const HISTOGRAM_DIGITS = 3;

/**
 * `dense` (32-bit counters, fastest to record and to add into) for the run's histograms; `sparse`
 * (packed counters, a few KB when few values are in it, but each access a lookup) for many
 * histograms kept at once. The per-second timeline no longer needs it: its seconds are kept as
 * counts (counts.ts) and built dense when read.
 */
export type HistogramKind = 'dense' | 'sparse';

export function createHistogram(kind: HistogramKind = 'dense'): Histogram {
  return hdr.build({
    bitBucketSize: kind === 'dense' ? 32 : 'packed',
    lowestDiscernibleValue: HISTOGRAM_LOWEST_US,
    highestTrackableValue: HISTOGRAM_HIGHEST_US,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    autoResize: false,
  });
}

/** Records a latency in ms; values beyond the bounds are clamped rather than lost. */
export function recordMs(histogram: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  histogram.recordValue(Math.min(HISTOGRAM_HIGHEST_US, Math.max(HISTOGRAM_LOWEST_US, us)));
}

/**
 * Records a latency in ms, and with it the values the requests a client did not send while it
 * waited would have seen (HdrHistogram's expected-interval correction for coordinated omission):
 * `ms − interval`, `ms − 2·interval` … while above the interval. `intervalMs` ≤ 0: no correction.
 */
export function recordMsCorrected(histogram: Histogram, ms: number, intervalMs: number): void {
  const us = Math.min(HISTOGRAM_HIGHEST_US, Math.max(HISTOGRAM_LOWEST_US, Math.round(ms * 1000)));
  const intervalUs = Math.round(intervalMs * 1000);
  if (intervalUs <= 0) histogram.recordValue(us);
  else histogram.recordValueWithExpectedInterval(us, intervalUs);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string, kind: HistogramKind = 'dense'): Histogram {
  return hdr.decodeFromCompressedBase64(encoded, kind === 'dense' ? 32 : 'packed');
}

/** Adds encoded histograms into a fresh one: merging never averages percentiles. */
export function mergeEncoded(encoded: Iterable<string>): Histogram {
  const merged = createHistogram();
  for (const e of encoded) merged.add(decodeHistogram(e));
  return merged;
}

export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/**
 * summarize() of a histogram that may be sparse (packed): each percentile query walks every
 * bucket, and in a packed histogram each step is a lookup, so it is copied into a dense one first
 * (one walk instead of seven: the per-second timeline summaries were most of a report's build
 * time). A dense one is summarized as it is.
 */
export function summarizeSparse(histogram: Histogram): LatencySummary {
  if (histogram.totalCount === 0 || !(histogram instanceof hdr.PackedHistogram)) return summarize(histogram);
  const dense = createHistogram('dense');
  dense.add(histogram);
  return summarize(dense);
}

/** Percentiles in ms (three decimals: microsecond resolution). */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    count,
    min: ms(histogram.minNonZeroValue),
    mean: ms(histogram.mean),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(histogram.maxValue),
  };
}
