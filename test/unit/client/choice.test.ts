// chooseServer: every rule, table-driven; answers are given in catalog order (s1 before s2).
import { describe, expect, it } from 'vitest';
import { chooseServer, type CheckAnswer, type ChoiceResult, type ServerPreference } from '../../../src/client/choice.js';
import { createRng, type Rng } from '../../../src/util/rng.js';

const SHA = 'a'.repeat(64);
const exist = (serverId: string, latencyMs: number, active?: number): CheckAnswer =>
  active === undefined
    ? { serverId, outcome: 'exist', bytes: 10, sha256: SHA, latencyMs }
    : { serverId, outcome: 'exist', bytes: 10, sha256: SHA, active, latencyMs };
const absent = (serverId: string, latencyMs = 1): CheckAnswer => ({ serverId, outcome: 'not_exist', latencyMs });
const down = (serverId: string, error: 'E_REFUSED' | 'E_RESET' | 'E_TIMEOUT' = 'E_REFUSED'): CheckAnswer => ({ serverId, outcome: 'unavailable', error });

/** An Rng that returns the given values in turn (and fails the test if asked for more). */
function fixedRng(...values: number[]): Rng & { draws: number } {
  const rng = {
    draws: 0,
    next() {
      const v = values[rng.draws++];
      if (v === undefined) throw new Error('rng drawn more often than expected');
      return v;
    },
  };
  return rng;
}

interface Row {
  name: string;
  answers: CheckAnswer[];
  prefer: ServerPreference;
  rng?: number[];
  expected: Partial<Extract<ChoiceResult, { decision: 'serve' }>> | Extract<ChoiceResult, { decision: 'cancel' }>;
}

const rows: Row[] = [
  // Nobody holds it: absent vs unavailable.
  { name: 'no server asked → absent', answers: [], prefer: 'fastest', expected: { decision: 'cancel', reason: 'absent', unavailable: [] } },
  {
    name: 'both NOT_EXIST → absent',
    answers: [absent('s1'), absent('s2')],
    prefer: 'fastest',
    expected: { decision: 'cancel', reason: 'absent', unavailable: [] },
  },
  {
    name: 'NOT_EXIST + refused → unavailable, not absent',
    answers: [absent('s1'), down('s2')],
    prefer: 'fastest',
    expected: { decision: 'cancel', reason: 'unavailable', unavailable: ['s2'] },
  },
  {
    name: 'both down (reset, timeout) → unavailable',
    answers: [down('s1', 'E_RESET'), down('s2', 'E_TIMEOUT')],
    prefer: 'random',
    expected: { decision: 'cancel', reason: 'unavailable', unavailable: ['s1', 's2'] },
  },
  // One holder: that one, whatever the preference.
  {
    name: 'only s2 holds it (s1 NOT_EXIST)',
    answers: [absent('s1'), exist('s2', 9)],
    prefer: 'fastest',
    expected: { decision: 'serve', serverId: 's2', reason: 'only-holder', order: ['s2'], fallback: [] },
  },
  {
    name: 'only s1 holds it (s2 down), preferring s2',
    answers: [exist('s1', 9), down('s2')],
    prefer: 's2',
    expected: { decision: 'serve', serverId: 's1', reason: 'only-holder', fallback: [] },
  },
  {
    name: 'only holder under least-loaded',
    answers: [exist('s1', 5, 7), absent('s2')],
    prefer: 'least-loaded',
    expected: { decision: 'serve', serverId: 's1', reason: 'only-holder' },
  },
  // fastest
  {
    name: 'fastest: lower CHECK latency wins',
    answers: [exist('s1', 8), exist('s2', 3)],
    prefer: 'fastest',
    expected: { decision: 'serve', serverId: 's2', reason: 'fastest', order: ['s2', 's1'], fallback: ['s1'] },
  },
  {
    name: 'fastest: a tie goes to catalog order',
    answers: [exist('s1', 4), exist('s2', 4)],
    prefer: 'fastest',
    expected: { decision: 'serve', serverId: 's1', order: ['s1', 's2'] },
  },
  // random
  {
    name: 'random: a low draw picks the first holder',
    answers: [exist('s1', 8), exist('s2', 3)],
    prefer: 'random',
    rng: [0.1],
    expected: { decision: 'serve', serverId: 's1', reason: 'random', fallback: ['s2'] },
  },
  {
    name: 'random: a high draw picks the second holder',
    answers: [exist('s1', 8), exist('s2', 3)],
    prefer: 'random',
    rng: [0.9],
    expected: { decision: 'serve', serverId: 's2', reason: 'random', fallback: ['s1'] },
  },
  {
    name: 'random: one holder draws nothing',
    answers: [exist('s1', 8), absent('s2')],
    prefer: 'random',
    rng: [],
    expected: { decision: 'serve', serverId: 's1' },
  },
  // least-loaded
  {
    name: 'least-loaded: fewer active transfers wins over latency',
    answers: [exist('s1', 1, 5), exist('s2', 9, 2)],
    prefer: 'least-loaded',
    expected: { decision: 'serve', serverId: 's2', reason: 'least-loaded', order: ['s2', 's1'] },
  },
  {
    name: 'least-loaded: equal load → fastest',
    answers: [exist('s1', 7, 2), exist('s2', 3, 2)],
    prefer: 'least-loaded',
    expected: { decision: 'serve', serverId: 's2', order: ['s2', 's1'] },
  },
  {
    name: 'least-loaded: equal load and latency → catalog order',
    answers: [exist('s1', 3, 2), exist('s2', 3, 2)],
    prefer: 'least-loaded',
    expected: { decision: 'serve', serverId: 's1' },
  },
  {
    name: 'least-loaded: a server that does not report active counts as most loaded',
    answers: [exist('s1', 1), exist('s2', 9, 40)],
    prefer: 'least-loaded',
    expected: { decision: 'serve', serverId: 's2' },
  },
  // a server id
  {
    name: 'prefer s2 when it holds it, even if slower',
    answers: [exist('s1', 1), exist('s2', 9)],
    prefer: 's2',
    expected: { decision: 'serve', serverId: 's2', reason: 'preferred', order: ['s2', 's1'], fallback: ['s1'] },
  },
  {
    name: 'prefer s1 when s1 lacks it → the other',
    answers: [absent('s1'), exist('s2', 9)],
    prefer: 's1',
    expected: { decision: 'serve', serverId: 's2', reason: 'only-holder' },
  },
  {
    name: 'prefer an unknown server → the fastest holder',
    answers: [exist('s1', 5), exist('s2', 2)],
    prefer: 's7',
    expected: { decision: 'serve', serverId: 's2', reason: 'preferred-lacks-song', order: ['s2', 's1'] },
  },
  {
    name: 'prefer s1 when s1 is down and s2, s3 hold it → fastest of the others',
    answers: [down('s1'), exist('s2', 5), exist('s3', 2)],
    prefer: 's1',
    expected: { decision: 'serve', serverId: 's3', reason: 'preferred-lacks-song', order: ['s3', 's2'] },
  },
];

describe('chooseServer', () => {
  it.each(rows)('$name', ({ answers, prefer, rng, expected }) => {
    const random = fixedRng(...(rng ?? []));
    const result = chooseServer(answers, prefer, random);
    expect(result).toMatchObject(expected);
    if (rng !== undefined) expect(random.draws).toBe(rng.length);
  });

  it('random with a seeded Rng is the same choice for the same seed, and uses both servers over many songs', () => {
    const answers = [exist('s1', 8), exist('s2', 3)];
    const run = (seed: string) => {
      const rng = createRng(seed);
      return Array.from({ length: 200 }, () => {
        const r = chooseServer(answers, 'random', rng);
        return r.decision === 'serve' ? r.serverId : 'cancel';
      });
    };
    const first = run('seed-1');
    expect(run('seed-1')).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['s1', 's2']));
  });

  it('the fallback order lists every other holder and never a server that lacks the song or is down', () => {
    const result = chooseServer([exist('s1', 5), absent('s2'), down('s3'), exist('s4', 1)], 'fastest', fixedRng());
    expect(result).toMatchObject({ decision: 'serve', serverId: 's4', fallback: ['s1'] });
  });
});
