// The six abuse cases of issue 6 with their numbers: 1000 slowloris connections, 100 slow readers
// of a 4 MiB song, clients resetting mid-transfer, pipelined floods, binary garbage, half-closed
// sockets. `quick` sizes them for the test suite; the bench runs them longer.
import { garbage, halfClosed, pipelineFlood, resetters, slowloris, slowReaders } from './attacks.js';
import { LARGE_SONG, TINY_SONG } from './library.js';
import { waitForNoConnections, type AbuseCase, type ProbeTuning } from './measure.js';

export type AbuseScale = 'quick' | 'full';

export interface SizedCase {
  abuse: AbuseCase;
  probe: ProbeTuning;
}

/** Probe rounds for attacks that last until stopped: the probe ends while they still bite. */
const FIXED = (rounds: number): Pick<ProbeTuning, 'minRounds' | 'maxRounds'> => ({ minRounds: rounds, maxRounds: rounds });
/** Probe rounds for attacks that end on their own: at least `min`, then as long as the attack runs. */
const WHILE_RUNNING = (min: number): Pick<ProbeTuning, 'minRounds' | 'maxRounds'> => ({ minRounds: min, maxRounds: 100_000 });

export function abuseCases(scale: AbuseScale): SizedCase[] {
  const quick = scale === 'quick';
  const probe = { gapMs: 20, newConnectionEvery: 5, requestTimeoutMs: 10_000 };
  // Quick: a short line timeout, so that the test sees the server cut them all.
  const lineTimeoutMs = quick ? 4_000 : 10_000;
  return [
    {
      abuse: {
        name: 'slowloris',
        limits: { lineTimeoutMs },
        attack: (port) => slowloris(port, { connections: 1000, trickleEveryMs: 200 }),
        // The attack still in place: the server must cut every one of them by itself.
        beforeStop: async (server) => {
          await waitForNoConnections(server, lineTimeoutMs + 10_000);
        },
      },
      probe: { ...probe, ...FIXED(quick ? 25 : 100) },
    },
    {
      abuse: {
        name: 'slow readers',
        // From disk: each reader's chunks are its own, the harder case for memory.
        limits: { memoryBudgetBytes: 0 },
        attack: (port) => slowReaders(port, { readers: 100, song: LARGE_SONG.id, songBytes: LARGE_SONG.bytes, readBytes: 16 * 1024, readEveryMs: 100 }),
      },
      probe: { ...probe, ...FIXED(quick ? 25 : 150) },
    },
    {
      abuse: {
        name: 'resetters',
        limits: { memoryBudgetBytes: 0 },
        attack: (port) => resetters(port, { total: quick ? 600 : 3000, concurrent: 30, song: LARGE_SONG.id }),
      },
      probe: { ...probe, ...WHILE_RUNNING(10) },
    },
    {
      abuse: {
        name: 'pipelined flood',
        attack: (port) => pipelineFlood(port, { connections: 8, song: TINY_SONG.id, maxBytes: (quick ? 16 : 64) * 1024 * 1024 }),
      },
      probe: { ...probe, ...FIXED(quick ? 25 : 150) },
    },
    {
      abuse: {
        name: 'binary garbage',
        attack: (port) => garbage(port, { connections: 20, bytesEach: (quick ? 1 : 8) * 1024 * 1024, seed: 6 }),
      },
      probe: { ...probe, ...WHILE_RUNNING(10) },
    },
    {
      abuse: {
        name: 'half-closed',
        attack: (port) => halfClosed(port, { connections: 600 }),
        // The attacker holds its sockets open: the server must close and forget them by itself.
        beforeStop: async (server) => {
          await waitForNoConnections(server);
        },
      },
      probe: { ...probe, ...FIXED(quick ? 15 : 50) },
    },
  ];
}
