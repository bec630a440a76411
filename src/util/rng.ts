// Seeded randomness: the only source of chance in core code (same seed, same plan).
import seedrandom from 'seedrandom';

export interface Rng {
  /** A float in [0, 1). */
  next(): number;
}

export function createRng(seed: string | number): Rng {
  const prng = seedrandom(String(seed));
  return { next: () => prng.quick() };
}

/** An integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

/** Exponentially distributed with the given mean (inverse transform). */
export function exponential(rng: Rng, mean: number): number {
  return -mean * Math.log(1 - rng.next());
}

/** Picks an index in [0, n) with probability ∝ 1/(rank+1)^exponent, by a precomputed CDF. */
export function zipfSampler(n: number, exponent: number): (rng: Rng) => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, exponent));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return (rng) => {
    const u = rng.next();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 1) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}
