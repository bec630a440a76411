import { describe, expect, it } from 'vitest';
import {
  ALPHA,
  canDetect,
  hodgesLehmann,
  mannWhitney,
  median,
  medianInterval,
  quantileSorted,
  rankSumCounts,
  runsNeeded,
  smallestP,
  spread,
} from '../../../src/report/stats.js';

describe('order statistics', () => {
  it('takes medians of odd and even counts and interpolates quantiles between ranks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantileSorted([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantileSorted([10, 20], 0.9)).toBe(19);
  });

  it('summarizes spread as median, min, max and quartiles', () => {
    expect(spread([5, 1, 9, 3, 7])).toEqual({ n: 5, median: 5, min: 1, max: 9, q1: 3, q3: 7 });
  });
});

/** P(U ≤ u) without ties for groups of n and m, from the exact distribution the test uses. */
function cdfU(n: number, m: number, u: number): number {
  const counts = rankSumCounts(
    Array.from({ length: n + m }, (_, i) => 2 * (i + 1)),
    m,
  );
  const offset = m * (m + 1);
  let below = 0;
  let total = 0;
  counts.forEach((c, s) => {
    total += c;
    if (s <= offset + 2 * u) below += c;
  });
  return below / total;
}

/** The two-sided p of a rank test by listing every split of the pooled values: the slow, obvious way. */
function bruteForceP(baseline: number[], candidate: number[]): number {
  const pool = [...baseline, ...candidate];
  const sorted = [...pool].sort((a, b) => a - b);
  const rank = (v: number) => {
    const first = sorted.indexOf(v);
    const last = sorted.lastIndexOf(v);
    return (first + last + 2) / 2;
  };
  const ranks = pool.map(rank);
  const m = candidate.length;
  const mean = (m * (pool.length + 1)) / 2;
  const observed = Math.abs(candidate.map(rank).reduce((a, b) => a + b, 0) - mean);
  let extreme = 0;
  let total = 0;
  for (let mask = 0; mask < 1 << pool.length; mask++) {
    let bits = 0;
    let sum = 0;
    for (let i = 0; i < pool.length; i++)
      if (mask & (1 << i)) {
        bits++;
        sum += ranks[i] ?? 0;
      }
    if (bits !== m) continue;
    total++;
    if (Math.abs(sum - mean) >= observed - 1e-9) extreme++;
  }
  return extreme / total;
}

describe('the exact Mann–Whitney U distribution', () => {
  it('matches the published frequencies of U for 4 + 4 runs (1 1 2 3 5 5 7 7 8 7 7 5 5 3 2 1 1, of 70)', () => {
    const counts = rankSumCounts([2, 4, 6, 8, 10, 12, 14, 16], 4);
    const byU = Array.from({ length: 17 }, (_, u) => counts[20 + 2 * u]);
    expect(byU).toEqual([1, 1, 2, 3, 5, 5, 7, 7, 8, 7, 7, 5, 5, 3, 2, 1, 1]);
  });

  it('matches the table of two-sided 5 % critical values of U (reject at U ≤ critical, not at critical + 1)', () => {
    // Mann–Whitney critical values, two-sided α = 0.05 (e.g. any statistics textbook's table).
    const table: [number, number, number][] = [
      [4, 5, 1],
      [5, 5, 2],
      [6, 6, 5],
      [8, 8, 13],
      [10, 10, 23],
      [5, 10, 8],
      [20, 20, 127],
    ];
    for (const [n, m, critical] of table) {
      expect(2 * cdfU(n, m, critical), `${n}+${m} at U=${critical}`).toBeLessThanOrEqual(ALPHA);
      expect(2 * cdfU(n, m, critical + 1), `${n}+${m} at U=${critical + 1}`).toBeGreaterThan(ALPHA);
    }
  });

  it('gives benchstat’s p = 0.690 for two interleaved groups of 5, and 2/252 for groups that do not overlap', () => {
    expect(mannWhitney([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]).p.toFixed(3)).toBe('0.690');
    expect(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10])).toMatchObject({ u: 25, p: 2 / 252 });
    expect(mannWhitney([6, 7, 8, 9, 10], [1, 2, 3, 4, 5])).toMatchObject({ u: 0, p: 2 / 252 });
  });

  it('is the exact permutation test on midranks when values tie', () => {
    const cases: [number[], number[]][] = [
      [
        [1, 1, 2, 3],
        [2, 3, 3, 4],
      ],
      [
        [0, 0, 0, 1, 5],
        [0, 1, 1, 1, 7, 7],
      ],
      [
        [2, 2, 2],
        [2, 2, 3, 3],
      ],
      [
        [10.5, 11, 9, 12, 10],
        [13, 12, 14, 11, 15, 12],
      ],
    ];
    for (const [a, b] of cases) expect(mannWhitney(a, b).p, `${a} vs ${b}`).toBeCloseTo(bruteForceP(a, b), 12);
    expect(mannWhitney([0, 0, 0, 0], [0, 0, 0, 0]).p).toBe(1);
  });

  it('knows the smallest p each group size can give, and so how many runs a side a difference needs', () => {
    expect(smallestP(2, 2)).toBeCloseTo(1 / 3, 12);
    expect(smallestP(3, 3)).toBeCloseTo(0.1, 12);
    expect(smallestP(4, 4)).toBeCloseTo(2 / 70, 12);
    expect(smallestP(1, 1)).toBe(1);
    // 2 + 7: 2/36 > 0.05; 2 + 8: 2/45 < 0.05; 3 + 4: 2/35 > 0.05; 3 + 5: 2/56 < 0.05.
    const sizes: [number, number][] = [
      [1, 30],
      [2, 2],
      [3, 3],
      [2, 7],
      [3, 4],
      [4, 4],
      [2, 8],
      [3, 5],
    ];
    expect(sizes.map(([n, m]) => canDetect(n, m))).toEqual([false, false, false, false, false, true, true, true]);
    expect(runsNeeded(ALPHA)).toBe(4);
    expect(runsNeeded(0.01)).toBe(5);
  });
});

describe('Hodges–Lehmann shift and its exact interval', () => {
  it('is the median pairwise difference, between the 3rd smallest and 3rd largest difference at 5 + 5 runs (96.8 %)', () => {
    const { shift, interval } = hodgesLehmann([1, 2, 3, 4, 5], [11, 12, 13, 14, 15]);
    expect(shift).toBe(10);
    expect(interval).toEqual({ low: 7, high: 13, confidence: 1 - 8 / 252 });
  });

  it('gives the whole range of differences with the confidence it has when 95 % is out of reach', () => {
    expect(hodgesLehmann([1, 2], [5, 9]).interval).toEqual({ low: 3, high: 8, confidence: 1 - 2 / 6 });
  });
});

describe('interval of a median from order statistics', () => {
  it('is min–max below 6 values (93.75 % at 5), narrows as values are added, and is null for one value', () => {
    expect(medianInterval([5, 1, 2, 3, 4])).toEqual({ low: 1, high: 5, confidence: 1 - 2 / 32 });
    expect(medianInterval([9, 1, 8, 2, 7, 3, 6, 4, 5])).toEqual({ low: 2, high: 8, confidence: 1 - 20 / 512 });
    expect(medianInterval([3])).toBeNull();
  });
});
