// Statistics for comparing runs: order statistics, the exact Mann–Whitney U (rank-sum permutation)
// test, the Hodges–Lehmann shift with its exact interval, and a distribution-free interval of a median.
// Everything is exact and deterministic: no resampling, no random numbers, no normal approximation,
// because groups of runs are small (2..20) and approximations are worst exactly there.
import { JukeboxError } from '../errors.js';

/**
 * Two-sided significance level of the rank test: "different" means p < ALPHA (benchstat's default).
 * At this level a null comparison is called different at most 5 % of the time, at every group size.
 */
export const ALPHA = 0.05;
/** Confidence aimed at by every interval (the exact confidence reached is reported with it). */
export const CONFIDENCE = 0.95;

export interface Interval {
  low: number;
  high: number;
}

/** An interval with the confidence it really has: with few runs, 95 % cannot be reached and less is said. */
export interface ConfidenceInterval extends Interval {
  confidence: number;
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

/** n choose k as a float: exact up to 2^53, far beyond C(40, 20) ≈ 1.4e11 (the largest compare needs). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * The smallest two-sided p-value the rank test can give with n and m runs: every run of one side
 * below every run of the other, 2 of the C(n+m, n) equally likely orderings. Below ALPHA no
 * difference, however large, can be called significant.
 */
export function smallestP(n: number, m: number): number {
  return Math.min(1, 2 / binomial(n + m, n));
}

/** Whether n and m runs can show a difference at ALPHA at all. */
export function canDetect(n: number, m: number, alpha = ALPHA): boolean {
  return n >= 1 && m >= 1 && smallestP(n, m) < alpha;
}

/** The fewest runs per side (equal sides) with which the rank test can call anything different at alpha. */
export function runsNeeded(alpha = ALPHA): number {
  let k = 1;
  while (!canDetect(k, k, alpha)) k++;
  return k;
}

/** Twice the midranks of `values` in the pooled sample `pool` (sorted): integers, so sums compare exactly. */
function doubledMidranks(poolSorted: readonly number[]): Map<number, number> {
  const ranks = new Map<number, number>();
  let i = 0;
  while (i < poolSorted.length) {
    let j = i;
    while (j + 1 < poolSorted.length && poolSorted[j + 1] === poolSorted[i]) j++;
    // Tied values share the mean of ranks i+1..j+1; doubled that is i+j+2.
    ranks.set(poolSorted[i] as number, i + j + 2);
    i = j + 1;
  }
  return ranks;
}

/** Memo of null distributions by (tie pattern, group size): without ties it depends on the sizes only. */
const distributions = new Map<string, Float64Array>();
/** Bound on the memo: a long simulation with ties must not grow it without end. */
const DISTRIBUTION_MEMO_LIMIT = 2_000;

/**
 * How many of the C(N, k) subsets of size k of the (doubled) ranks have each sum: the exact null
 * distribution of the rank sum of a group of k, ties included (a permutation test on midranks).
 * Dynamic programming over the ranks: O(N · k · sum), about a million steps at 20 + 20 runs.
 */
export function rankSumCounts(doubledRanks: readonly number[], k: number): Float64Array {
  const key = `${k}|${doubledRanks.join(',')}`;
  const known = distributions.get(key);
  if (known) return known;
  const maxSum = doubledRanks.reduce((a, b) => a + b, 0);
  const width = maxSum + 1;
  // table[j * width + s]: subsets of size j with sum s among the ranks seen so far.
  const table = new Float64Array((k + 1) * width);
  table[0] = 1;
  let reach = 0;
  for (const r of doubledRanks) {
    reach += r;
    for (let j = k; j >= 1; j--) {
      const to = j * width;
      const from = (j - 1) * width;
      for (let s = reach; s >= r; s--) table[to + s] = (table[to + s] ?? 0) + (table[from + s - r] ?? 0);
    }
  }
  const counts = table.slice(k * width, (k + 1) * width);
  if (distributions.size >= DISTRIBUTION_MEMO_LIMIT) distributions.clear();
  distributions.set(key, counts);
  return counts;
}

export interface RankTest {
  /** Mann–Whitney U of the candidate: pairs (baseline, candidate) with the candidate larger, ties counting ½. */
  u: number;
  /** Exact two-sided p-value. */
  p: number;
  n: number;
  m: number;
}

/**
 * Exact two-sided Mann–Whitney U test (Wilcoxon rank-sum) of baseline against candidate. The
 * p-value is the share of all C(n+m, m) ways of splitting the pooled midranks into the two groups
 * whose candidate rank sum lies at least as far from its mean as the one observed: exact for any
 * sizes and with ties (then it is the permutation test on midranks).
 */
export function mannWhitney(baseline: readonly number[], candidate: readonly number[]): RankTest {
  const n = baseline.length;
  const m = candidate.length;
  if (n === 0 || m === 0) throw new JukeboxError('E_INTERNAL', 'rank test of an empty group');
  const pool = sortedCopy([...baseline, ...candidate]);
  const rankOf = doubledMidranks(pool);
  const ranks = pool.map((v) => rankOf.get(v) as number);
  const observed = candidate.reduce((s, v) => s + (rankOf.get(v) as number), 0);
  const counts = rankSumCounts(ranks, m);
  // Doubled: the mean rank sum m(N+1)/2 doubled is an integer, so distances compare exactly.
  const mean = m * (n + m + 1);
  const distance = Math.abs(observed - mean);
  let extreme = 0;
  let total = 0;
  for (let s = 0; s < counts.length; s++) {
    const c = counts[s] ?? 0;
    total += c;
    if (Math.abs(s - mean) >= distance) extreme += c;
  }
  return { u: observed / 2 - (m * (m + 1)) / 2, p: Math.min(1, extreme / total), n, m };
}

/**
 * The Hodges–Lehmann shift of candidate against baseline (the median of all n·m differences
 * candidate − baseline) and its exact distribution-free confidence interval: the k-th smallest and
 * k-th largest of those differences, k the largest for which P(U < k) ≤ (1 − CONFIDENCE)/2 under
 * no difference. When even [smallest, largest] falls short of CONFIDENCE (2 + 2 runs reach only
 * 67 %), that whole range is given with the confidence it has. Exact without ties; with ties, close.
 */
export function hodgesLehmann(baseline: readonly number[], candidate: readonly number[]): { shift: number; interval: ConfidenceInterval } {
  const n = baseline.length;
  const m = candidate.length;
  if (n === 0 || m === 0) throw new JukeboxError('E_INTERNAL', 'Hodges–Lehmann of an empty group');
  const diffs: number[] = [];
  for (const c of candidate) for (const b of baseline) diffs.push(c - b);
  diffs.sort((a, b) => a - b);
  // Null distribution of U without ties: rank sums of m among ranks 1..N, doubled.
  const counts = rankSumCounts(
    Array.from({ length: n + m }, (_, i) => 2 * (i + 1)),
    m,
  );
  const total = binomial(n + m, m);
  const offset = m * (m + 1); // doubled smallest rank sum: U = (sum − offset) / 2
  const tail = (1 - CONFIDENCE) / 2;
  let k = 1;
  let below = counts[offset] ?? 0; // P(U ≤ k − 1) · total, for k = 1
  let confidence = 1 - (2 * below) / total;
  for (;;) {
    const next = below + (counts[offset + 2 * k] ?? 0);
    if (next / total > tail || k + 1 > Math.floor((n * m + 1) / 2)) break;
    below = next;
    k++;
    confidence = 1 - (2 * below) / total;
  }
  return {
    shift: quantileSorted(diffs, 0.5),
    interval: { low: diffs[k - 1] as number, high: diffs[n * m - k] as number, confidence },
  };
}

/**
 * Distribution-free confidence interval of a median: [x(k), x(n+1−k)] of the sorted values, which
 * holds the true median with probability 1 − 2·P(Binomial(n, ½) < k), k as large as CONFIDENCE
 * allows; with too few values (fewer than 6) [min, max] and its lower confidence. null for one value.
 */
export function medianInterval(values: readonly number[]): ConfidenceInterval | null {
  const n = values.length;
  if (n < 2) return null;
  const sorted = sortedCopy(values);
  const total = Math.pow(2, n);
  const tail = (1 - CONFIDENCE) / 2;
  let k = 1;
  let below = 1; // P(Bin < k) · 2^n for k = 1: only the outcome 0
  for (;;) {
    const next = below + binomial(n, k);
    if (next / total > tail || k + 1 > Math.floor((n + 1) / 2)) break;
    below = next;
    k++;
  }
  return { low: sorted[k - 1] as number, high: sorted[n - k] as number, confidence: 1 - (2 * below) / total };
}
