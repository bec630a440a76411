// A ratio target is judged on both sides' rounds: met when the best rounds reach it, not met only
// when the rank test shows the side below it, and "can't tell" when the rounds overlap the target
// (a single run's ratio on a shared machine moves too much to call a 3 % shortfall).
import { describe, expect, it } from 'vitest';
import type { Spread } from '../../../bench/results.js';
import { judgeRatio } from '../../../bench/verdict.js';

const rounds = (values: number[], better: 'higher' | 'lower' = 'higher'): Spread => {
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return better === 'higher' ? { best: high, worst: low, rounds: values.length, values } : { best: low, worst: high, rounds: values.length, values };
};
const bestRatio = (own: number[], peer: number[]) => Math.max(...own) / Math.max(...peer);

describe('judgeRatio (higher is better: a rate)', () => {
  it('met when the best rounds reach the target', () => {
    const own = [52_000, 48_000, 50_500, 49_000, 51_000];
    const peer = [53_000, 50_000, 54_000, 49_500, 52_000];
    expect(judgeRatio(bestRatio(own, peer), 0.95, 'higher', rounds(own), rounds(peer))).toEqual({ met: true });
  });

  it('not met when every round is well below the target times the peer', () => {
    const own = [30_000, 31_500, 29_000, 32_000, 30_500];
    const peer = [50_000, 51_000, 49_000, 52_000, 50_500];
    expect(judgeRatio(bestRatio(own, peer), 0.9, 'higher', rounds(own), rounds(peer))).toEqual({ met: false });
  });

  it("can't tell when the rounds overlap the target: 0.92× by the best rounds is within their noise", () => {
    // The 05:30 run of 2026-12-02: jukebox 39,946–52,936 round trips/s, bare Node 41,308–57,524.
    const own = [39_946, 52_936, 45_000, 48_500, 50_100];
    const peer = [41_308, 57_524, 50_200, 55_000, 46_900];
    const verdict = judgeRatio(bestRatio(own, peer), 0.95, 'higher', rounds(own), rounds(peer));
    expect(verdict.met).toBeUndefined();
    expect(verdict.undecided).toMatch(/rounds overlap .*rank test p = \d\.\d\d, 5 \+ 5 rounds/);
  });

  it("can't tell from a single round each (--quick), however far below", () => {
    expect(judgeRatio(0.5, 0.9, 'higher', undefined, undefined)).toEqual({ undecided: expect.stringContaining('1 + 1 round(s) cannot tell') });
  });

  it('no verdict without a ratio (a peer missing)', () => {
    expect(judgeRatio(undefined, 0.9, 'higher')).toEqual({});
  });
});

describe('judgeRatio (lower is better: p99 at most twice the peer, i.e. ≥ 0.5×)', () => {
  const peer = [6.5, 6.6, 7.0, 6.8, 6.7];

  it('met when the best p99 is within twice the best peer', () => {
    const own = [9.0, 9.5, 10.0, 9.2, 9.8];
    expect(judgeRatio(Math.min(...peer) / Math.min(...own), 0.5, 'lower', rounds(own, 'lower'), rounds(peer, 'lower'))).toEqual({ met: true });
  });

  it('not met when every p99 is well above twice the peer', () => {
    const own = [20.0, 21.0, 22.0, 20.5, 21.5];
    expect(judgeRatio(Math.min(...peer) / Math.min(...own), 0.5, 'lower', rounds(own, 'lower'), rounds(peer, 'lower'))).toEqual({ met: false });
  });
});
