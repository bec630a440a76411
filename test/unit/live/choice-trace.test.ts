// The words of a choice and the lines of the trace, from the live events (pure functions).
import { describe, expect, it } from 'vitest';
import { chooseServer, type CheckAnswer } from '../../../src/client/choice.js';
import { choiceReason } from '../../../src/live/choice-reason.js';
import type { LiveEvent } from '../../../src/live/events.js';
import { elapsedStamp, TraceWriter } from '../../../src/live/trace.js';
import { createRng } from '../../../src/util/rng.js';

const exist = (serverId: string, latencyMs: number, active?: number): CheckAnswer => ({
  serverId,
  outcome: 'exist',
  bytes: 10,
  sha256: 'a'.repeat(64),
  latencyMs,
  ...(active === undefined ? {} : { active }),
});
const absent = (serverId: string): CheckAnswer => ({ serverId, outcome: 'not_exist', latencyMs: 1 });
const reason = (answers: CheckAnswer[], prefer = 'fastest') => choiceReason(answers, chooseServer(answers, prefer, createRng('t')));

describe('choiceReason', () => {
  it('says who holds it, by how much the faster answered, or why none was chosen', () => {
    expect(reason([exist('s1', 2), absent('s2')])).toBe('only s1 holds it');
    expect(reason([exist('s1', 2.5), exist('s2', 2.1)])).toBe('both: s2 answered 0.4 ms faster');
    expect(reason([exist('s1', 2, 3), exist('s2', 1, 0)], 'least-loaded')).toBe('both: s2 had fewer active transfers (0 vs 3)');
    expect(reason([{ serverId: 's1', outcome: 'unavailable', error: 'E_REFUSED' }, exist('s2', 1)])).toBe('only s2 holds it (s1: refused)');
    expect(reason([absent('s1'), absent('s2')])).toBe('neither: cancelled');
    expect(reason([{ serverId: 's1', outcome: 'unavailable', error: 'E_REFUSED' }, absent('s2')])).toBe('neither: failed (s1 refused)');
  });
});

describe('TraceWriter', () => {
  const lines = (events: LiveEvent[]) => {
    const out: string[] = [];
    new TraceWriter((l) => out.push(l), elapsedStamp).events(events);
    return out;
  };

  it('writes time, client, arrow, server and line; one closing line per transfer with bytes, duration and rate', () => {
    expect(
      lines([
        { type: 'request', t: 1000, client: 'c1', server: 's1', line: 'GET song1' },
        { type: 'response', t: 1002, client: 'c1', server: 's1', line: 'DATA 2097152', ms: 2 },
        { type: 'transfer', t: 1100, client: 'c1', server: 's1', song: 'song1', bytes: 1024, total: 2097152 },
        { type: 'transfer', t: 2002, client: 'c1', server: 's1', song: 'song1', bytes: 2097152, total: 2097152 },
        { type: 'done', t: 2010, client: 'c1', song: 'song1', outcome: 'verified', ms: 1010 },
      ]),
    ).toEqual([
      '    1.000 c1 → s1 GET song1',
      '    1.002 c1 ← s1 DATA 2097152 (2.0 ms)',
      '    2.002 c1 ← s1 song1 done: 2.00 MiB in 1000 ms (2.00 MiB/s)',
      '    2.010 c1 song1 verified in 1010 ms',
    ]);
  });

  it('closes a transfer cut short when its connection closes, and escapes what a client sent', () => {
    expect(
      lines([
        { type: 'response', t: 0, client: 'ev\x1bil', server: 's2', line: 'DATA 4096', ms: 1 },
        { type: 'transfer', t: 500, client: 'ev\x1bil', server: 's2', song: 'x', bytes: 2048, total: 4096 },
        { type: 'close', t: 500, client: 'ev\x1bil', server: 's2' },
      ]),
    ).toEqual([
      '    0.000 ev\\x1bil ← s2 DATA 4096 (1.0 ms)',
      '    0.500 ev\\x1bil ← s2 x cut after 2.0 KiB of 4.0 KiB in 500 ms (4.0 KiB/s)',
      '    0.500 ev\\x1bil s2 closed',
    ]);
  });
});
