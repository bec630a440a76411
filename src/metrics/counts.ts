// Latency counts in HdrHistogram's own counts layout, recorded and handed over without
// hdr-histogram-js on the hot path. A pool thread records into plain typed arrays, its snapshot
// carries only the non-empty counts as (index, count) typed arrays (no deflate, no base64: a
// structured clone copies them as memory), and the coordinator adds them into its hdr
// histograms index by index. The histograms that result are the ones hdr's encode → decode →
// add made before, count for count (same counts, total, min and max), so reports do not change.
import * as hdr from 'hdr-histogram-js';
import { createHistogram, HISTOGRAM_HIGHEST_US, HISTOGRAM_LOWEST_US, type Histogram } from './histogram.js';

/**
 * A histogram's counts as they cross threads: the counts-array indices that are not empty, in
 * increasing order, and their counts. Nothing recorded: both empty.
 */
export interface CountsDelta {
  indices: Uint16Array;
  counts: Uint32Array;
}

/** The layout of every histogram of createHistogram(): read from hdr-histogram-js once, not restated. */
const LAYOUT = asJs(createHistogram());
/** log2 of half the sub-buckets (10 at 3 significant digits): the shift between a bucket's values and its indices. */
const HALF_MAGNITUDE = LAYOUT.subBucketHalfCountMagnitude;
/** Every index fits a Uint16Array (23,552 at 1 µs … 1 hour, 3 digits). */
export const COUNTS_LENGTH = LAYOUT.countsArrayLength;
// countsIndex() below is hdr's index for unit magnitude 0 (lowest value 1) and values below 2^32
// (its shifts are 32-bit): true of the bounds in histogram.ts, checked here rather than assumed.
if (LAYOUT.unitMagnitude !== 0 || HISTOGRAM_HIGHEST_US >= 2 ** 32 || COUNTS_LENGTH > 0xffff)
  throw new Error(
    `counts.ts: the histogram bounds (${HISTOGRAM_LOWEST_US} … ${HISTOGRAM_HIGHEST_US} µs) no longer fit its index arithmetic; hint: update countsIndex()`,
  );

const EMPTY: CountsDelta = { indices: new Uint16Array(0), counts: new Uint32Array(0) };

/** An empty delta (a fresh one each call: a snapshot's arrays may be transferred). */
export function emptyDelta(): CountsDelta {
  return { indices: EMPTY.indices.slice(), counts: EMPTY.counts.slice() };
}

/**
 * hdr's counts-array index of a value in µs (1 … HISTOGRAM_HIGHEST_US), with integer arithmetic
 * instead of its log2 and pow: the bucket is how many powers of two the value lies above the
 * 2048 values of bucket 0, the sub-bucket its top 11 bits.
 */
export function countsIndex(us: number): number {
  const bucket = Math.max(0, 31 - Math.clz32(us) - HALF_MAGNITUDE);
  return (bucket << HALF_MAGNITUDE) + (us >>> bucket);
}

/** A latency in ms as the histograms' µs integer, clamped to their bounds as recordMs() does. */
export function toUs(ms: number): number {
  return Math.min(HISTOGRAM_HIGHEST_US, Math.max(HISTOGRAM_LOWEST_US, Math.round(ms * 1000)));
}

/**
 * One histogram's counts between two hand-overs, on a pool thread. Dense (one slot per index,
 * 94 KB) and reused: recording is an array increment, and `take()` walks only the range that
 * was recorded into.
 */
export class LatencyCounts {
  private readonly counts = new Uint32Array(COUNTS_LENGTH);
  private low = COUNTS_LENGTH;
  private high = -1;
  /** Indices not empty: take() allocates exactly this many, in one walk. */
  private distinct = 0;

  get empty(): boolean {
    return this.high < 0;
  }

  recordMs(ms: number): void {
    this.recordUs(toUs(ms));
  }

  /** `us` must be an integer within the bounds (toUs()). */
  recordUs(us: number): void {
    const i = countsIndex(us);
    const c = this.counts[i] as number;
    if (c === 0) this.distinct++;
    this.counts[i] = c + 1;
    if (i < this.low) this.low = i;
    if (i > this.high) this.high = i;
  }

  /**
   * Records a latency and, as HdrHistogram's recordValueWithExpectedInterval does, the values the
   * requests not sent meanwhile would have seen: `ms − interval`, `ms − 2·interval` … while at
   * least the interval (coordinated omission). `intervalMs` ≤ 0: no correction.
   */
  recordMsCorrected(ms: number, intervalMs: number): void {
    const us = toUs(ms);
    this.recordUs(us);
    const intervalUs = Math.round(intervalMs * 1000);
    if (intervalUs <= 0) return;
    for (let missing = us - intervalUs; missing >= intervalUs; missing -= intervalUs) this.recordUs(missing);
  }

  /** The counts since the last take, and empty again. */
  take(): CountsDelta {
    if (this.high < 0) return emptyDelta();
    const { counts, low, high, distinct } = this;
    const indices = new Uint16Array(distinct);
    const taken = new Uint32Array(distinct);
    let k = 0;
    for (let i = low; i <= high; i++) {
      const c = counts[i] as number;
      if (c === 0) continue;
      indices[k] = i;
      taken[k++] = c;
    }
    counts.fill(0, low, high + 1);
    this.low = COUNTS_LENGTH;
    this.high = -1;
    this.distinct = 0;
    return { indices, counts: taken };
  }

  /**
   * The median in µs, as hdr's getValueAtPercentile(50) gives it: the highest value equivalent to
   * the first index at which half the values (rounded up, at least one) are counted. 0 when empty.
   */
  medianUs(): number {
    const { counts, low, high } = this;
    let total = 0;
    for (let i = low; i <= high; i++) total += counts[i] as number;
    const half = Math.max(1, Math.ceil(total / 2));
    let seen = 0;
    for (let i = low; i <= high; i++) {
      seen += counts[i] as number;
      if (seen >= half) return LAYOUT.highestEquivalentValue(LAYOUT.valueFromIndex(i));
    }
    return 0;
  }
}

function asJs(histogram: Histogram): hdr.JsHistogram {
  if (!(histogram instanceof hdr.JsHistogram)) throw new Error('counts.ts: createHistogram() must build a JavaScript (not WebAssembly) histogram');
  return histogram;
}

/**
 * Adds a delta into a histogram of createHistogram() as hdr's add() of the decoded delta did:
 * counts by index, the total, and the min and max of the indices (the lowest value of the first
 * non-zero index above 0, the highest value of the last).
 */
export function addCounts(into: Histogram, delta: CountsDelta): void {
  const { indices, counts } = delta;
  const n = indices.length;
  if (n === 0) return;
  const h = asJs(into);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const c = counts[k] as number;
    h.addToCountAtIndex(indices[k] as number, c);
    total += c;
  }
  h.setTotalCount(h.totalCount + total);
  const max = h.highestEquivalentValue(h.valueFromIndex(indices[n - 1] as number));
  if (max > h.maxValue) h.maxValue = max;
  // Index 0 (value 0) is never a minimum: hdr's minNonZeroValue.
  const minIndex = indices[0] === 0 ? indices[1] : indices[0];
  if (minIndex !== undefined) {
    const min = h.valueFromIndex(minIndex);
    if (min < h.minNonZeroValue) h.minNonZeroValue = min;
  }
}

/** Two deltas' counts added, index by index (both sorted; neither is changed). */
export function mergeDeltas(a: CountsDelta, b: CountsDelta): CountsDelta {
  if (a.indices.length === 0) return b;
  if (b.indices.length === 0) return a;
  const indices = new Uint16Array(a.indices.length + b.indices.length);
  const counts = new Uint32Array(indices.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.indices.length || j < b.indices.length) {
    const ai = i < a.indices.length ? (a.indices[i] as number) : Infinity;
    const bj = j < b.indices.length ? (b.indices[j] as number) : Infinity;
    if (ai <= bj) {
      indices[k] = ai;
      counts[k] = (a.counts[i++] as number) + (ai === bj ? (b.counts[j++] as number) : 0);
    } else {
      indices[k] = bj;
      counts[k] = b.counts[j++] as number;
    }
    k++;
  }
  return k === indices.length ? { indices, counts } : { indices: indices.slice(0, k), counts: counts.slice(0, k) };
}

/** A histogram of createHistogram() holding a delta's counts (tests, reports of one second). */
export function histogramOf(delta: CountsDelta): Histogram {
  const h = createHistogram();
  addCounts(h, delta);
  return h;
}
