// Whether a ratio target (jukebox ≥ 0.95× bare Node, simulate ≥ 0.9× the minimal client) holds,
// judged from both sides' rounds, not from one pair of figures. Met: the best rounds reach it (the
// bench's rule since issue 7: noise on a shared machine only ever slows a run down). Not met: the
// rank test of the rounds shows the side below the target times the peer's rounds. Otherwise the
// rounds cannot tell a shortfall from noise, and the bench says so instead of guessing: a single
// run's ratio on this machine moves by up to 2× between rounds.
import { ALPHA, canDetect, mannWhitney, median, runsNeeded } from '../src/report/stats.js';
import type { BenchRow, Spread } from './results.js';

export type Verdict = Pick<BenchRow, 'met' | 'undecided'>;

/**
 * `ratio` is the best rounds' ratio oriented so that > 1 is better; `own` and `peer` carry each
 * side's rounds. A side with no rounds kept (one round, or a figure measured once) leaves only
 * the best-round rule: below the target is then undecided, never a guess either way.
 */
export function judgeRatio(ratio: number | undefined, target: number, better: 'higher' | 'lower', own?: Spread, peer?: Spread): Verdict {
  if (ratio === undefined) return {};
  if (ratio >= target) return { met: true };
  if (!own || !peer || !canDetect(own.values.length, peer.values.length)) {
    const rounds = `${own?.values.length ?? 1} + ${peer?.values.length ?? 1} round(s)`;
    const needed = runsNeeded();
    return { undecided: `${rounds} cannot tell a shortfall from noise (the rank test needs ${needed} + ${needed})` };
  }
  // The peer's rounds moved to the target: the side must do at least this well.
  const bar = peer.values.map((v) => (better === 'higher' ? v * target : v / target));
  const test = mannWhitney(bar, own.values);
  const worse = better === 'higher' ? median(own.values) < median(bar) : median(own.values) > median(bar);
  if (test.p < ALPHA && worse) return { met: false };
  return {
    undecided: `its rounds overlap the target times the peer's (rank test p = ${test.p.toFixed(2)}, ${own.values.length} + ${peer.values.length} rounds)`,
  };
}
