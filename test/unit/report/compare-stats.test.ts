import { describe, expect, it } from 'vitest';
import { bootstrapMedianDifference, bootstrapMedianInterval, bootstrapRng, excludesZero, median, quantileSorted, spread } from '../../../src/report/stats.js';

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

describe('bootstrap', () => {
  it('finds a difference between groups that do not overlap, around the true difference', () => {
    const ci = bootstrapMedianDifference([10, 11, 9.5, 10.4, 10.1], [20, 21, 19.6, 20.3, 20.8], bootstrapRng('t'));
    expect(excludesZero(ci)).toBe(true);
    expect(ci.low).toBeGreaterThan(8);
    expect(ci.high).toBeLessThan(12);
  });

  it('finds no difference between groups drawn from the same values', () => {
    const ci = bootstrapMedianDifference([10, 12, 9, 11, 10.5], [11, 9.5, 10.2, 12.1, 9.8], bootstrapRng('t'));
    expect(excludesZero(ci)).toBe(false);
  });

  it('gives the same interval for the same values and name (seeded), whatever ran before', () => {
    const a = bootstrapMedianInterval([1, 5, 2, 8, 3], bootstrapRng('x'));
    bootstrapMedianInterval([9, 9, 9], bootstrapRng('other'));
    expect(bootstrapMedianInterval([1, 5, 2, 8, 3], bootstrapRng('x'))).toEqual(a);
    expect(a.low).toBeLessThanOrEqual(3);
    expect(a.high).toBeGreaterThanOrEqual(3);
  });
});
