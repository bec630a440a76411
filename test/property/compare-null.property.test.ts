// What a user bets on when compare says "different": drawn many times from one distribution, two
// groups are called different at most 5 % of the time, at every group size compare accepts, and a
// real 20 % change is found at 5 runs per side. Seeded, so every run of the suite sees the same draws.
import { describe, expect, it } from 'vitest';
import { compareGroups, type CompareRun } from '../../src/report/compare.js';
import { ALPHA, rankSumCounts } from '../../src/report/stats.js';
import { createRng, type Rng } from '../../src/util/rng.js';

/** Trials per group size: one standard error of an observed rate near 5 % is 0.49 %. */
const TRIALS = 2_000;
/** Sampling slack of one size's observed rate: 3 standard errors (a seeded draw exceeds it with p ≈ 0.001). */
const SAMPLING_SLACK = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / TRIALS);
/** The group sizes compare is used with: 2 to 20 runs per side. */
const SIZES = Array.from({ length: 19 }, (_, i) => i + 2);
/** Run-to-run noise of a metric: lognormal, 5 % (a busy machine's spread of a throughput or a p50). */
const NOISE_SIGMA = 0.05;
const KEY = 'latency.request.p50';

/** Standard normal by Box–Muller from the project's seeded generator. */
function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

function group(label: string, rng: Rng, n: number, scale = 1): { label: string; runs: CompareRun[] } {
  return {
    label,
    runs: Array.from({ length: n }, (_, i) => ({
      label: `${label}${i + 1}`,
      summarized: { name: 'sim', seed: 1, startedAt: '', durationMs: null, values: { [KEY]: 20 * scale * Math.exp(NOISE_SIGMA * normal(rng)) } },
    })),
  };
}

function verdict(rng: Rng, n: number, scale: number) {
  const c = compareGroups([group('a', rng, n), group('b', rng, n, scale)]);
  return c.metrics.find((m) => m.key === KEY)?.deltas[0];
}

/** The exact chance, under no difference and without ties, that the test says p < alpha with n and m runs. */
function exactFalsePositiveRate(n: number, m: number): number {
  const counts = rankSumCounts(
    Array.from({ length: n + m }, (_, i) => 2 * (i + 1)),
    m,
  );
  const mean = m * (n + m + 1);
  let total = 0;
  counts.forEach((c) => (total += c));
  let rejected = 0;
  counts.forEach((c, s) => {
    if (c === 0) return;
    let extreme = 0;
    counts.forEach((d, t) => {
      if (Math.abs(t - mean) >= Math.abs(s - mean)) extreme += d;
    });
    if (extreme / total < ALPHA) rejected += c;
  });
  return rejected / total;
}

describe('compare under no difference (null simulation)', () => {
  it(`calls groups drawn from one distribution different at most ${ALPHA * 100} % of the time at 2..20 runs per side, and "can't tell" at 2 and 3`, () => {
    const rng = createRng('compare-null');
    const rates: Record<number, number> = {};
    for (const n of SIZES) {
      let different = 0;
      let cantTell = 0;
      for (let t = 0; t < TRIALS; t++) {
        const d = verdict(rng, n, 1);
        if (d?.verdict === 'better' || d?.verdict === 'worse') different++;
        if (d?.verdict === 'cant-tell') cantTell++;
      }
      rates[n] = different / TRIALS;
      if (n < 4) expect(cantTell, `${n} per side`).toBe(TRIALS);
      else expect(cantTell, `${n} per side`).toBe(0);
    }
    // Each size's exact rate is at most ALPHA (next test); the observed one adds sampling noise,
    // so one size may show a little more, and all sizes pooled (38,000 trials) must not.
    for (const n of SIZES) expect(rates[n], `false-positive rate at ${n} per side`).toBeLessThanOrEqual(ALPHA + SAMPLING_SLACK);
    const pooled = SIZES.reduce((sum, n) => sum + (rates[n] ?? 0), 0) / SIZES.length;
    console.info(
      `false positives per runs a side (${TRIALS} trials each): ${SIZES.map((n) => `${n}: ${((rates[n] ?? 0) * 100).toFixed(1)} %`).join(', ')}; pooled ${(pooled * 100).toFixed(2)} %`,
    );
    expect(pooled).toBeLessThanOrEqual(ALPHA);
    // The test is not mute: from 4 runs a side it does say "different" about as often as its level allows.
    for (const n of SIZES.filter((k) => k >= 6)) expect(rates[n], `rate at ${n} per side`).toBeGreaterThan(0.02);
  });

  it(`rejects with probability at most ${ALPHA} for every pair of group sizes 2..20, computed exactly`, () => {
    for (const n of SIZES)
      for (const m of SIZES) {
        const rate = exactFalsePositiveRate(n, m);
        expect(rate, `${n}+${m}`).toBeLessThanOrEqual(ALPHA);
        if (n + m >= 10) expect(rate, `${n}+${m}`).toBeGreaterThan(0.01);
      }
  });
});

describe('compare under a real change', () => {
  it('finds a 20 % slowdown (5 % noise) at 5 runs per side in at least 80 % of trials, and calls it worse, never better', () => {
    const rng = createRng('compare-power');
    let worse = 0;
    let better = 0;
    for (let t = 0; t < TRIALS; t++) {
      const d = verdict(rng, 5, 1.2);
      if (d?.verdict === 'worse') worse++;
      if (d?.verdict === 'better') better++;
    }
    console.info(`a 20 % slowdown at 5 runs per side: called worse in ${((worse / TRIALS) * 100).toFixed(1)} % of ${TRIALS} trials, better in ${better}`);
    expect(worse / TRIALS).toBeGreaterThanOrEqual(0.8);
    expect(better).toBe(0);
  });

  it('at 3 runs per side says "can\'t tell: need 4" even for a 20 % change, instead of guessing', () => {
    const d = verdict(createRng('compare-3'), 3, 1.2);
    expect(d).toMatchObject({ verdict: 'cant-tell', needRuns: 4, significant: null });
  });
});
