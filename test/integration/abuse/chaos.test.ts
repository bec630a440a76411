// The chaos suite: each abuse of issue 6 against a real server in its own process (so that its
// memory is its own), with a well-behaved client in its own thread asking meanwhile. The server
// must stay up, answer that client, keep its memory bounded, and let go of every connection.
// The same cases, run longer, give the figures in docs/reliability.md (bench/abuse/main.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { abuseCases } from '../../../bench/abuse/cases.js';
import { ABUSE_SERVER_ID, createAbuseLibrary, TINY_SONG, type AbuseLibrary } from '../../../bench/abuse/library.js';
import { measureAbuse } from '../../../bench/abuse/measure.js';
import { runProbe } from '../../../bench/abuse/probe.js';
import { AbuseServer } from '../../../bench/abuse/server-handle.js';

/**
 * Peak RSS growth allowed during an attack. What the server holds is bounded by its limits
 * (a 1 KiB line per connection, 64 queued requests, one 256 KiB write chunk per transfer);
 * buffering per client instead would take far more: 100 slow readers × 4 MiB = 400 MiB, or
 * the flood's 16 MiB per connection of requests and eight times that in answers.
 */
const MAX_GROWTH_BYTES = 150 * 1024 * 1024;

let library: AbuseLibrary;

beforeAll(() => {
  library = createAbuseLibrary();
});

afterAll(() => {
  library.cleanup();
});

describe('chaos: the server under abuse', () => {
  for (const { abuse, probe } of abuseCases('quick')) {
    it(`${abuse.name}: stays up, answers a well-behaved client meanwhile, keeps memory bounded, lets go of every connection`, async () => {
      const server = await AbuseServer.start({
        catalogPath: library.catalogPath,
        serverId: ABUSE_SERVER_ID,
        ...(abuse.limits ? { limits: abuse.limits } : {}),
      });
      try {
        const m = await measureAbuse(server, library, abuse, probe);
        // The well-behaved client: every CHECK, GET (verified) and new connection answered, under attack.
        expect(m.probe.firstError).toBeUndefined();
        expect(m.probe.errors).toBe(0);
        if (probe.minRounds === probe.maxRounds) {
          // An attack that lasts until stopped was biting through every round of the probe.
          expect(m.probe.roundsUnderAttack).toBe(m.probe.rounds);
          expect(m.inEffectAtEnd).toBe(true);
        } else {
          // One that ends by itself: the probe asked while it ran.
          expect(m.probe.roundsUnderAttack).toBeGreaterThan(0);
        }
        expect(m.peakGrowthBytes).toBeLessThan(MAX_GROWTH_BYTES);
        // No unexpected failure on the server's side, and no connection left behind.
        expect(m.after.internalErrors).toBe(0);
        expect(m.after.stats.connections).toBe(0);
        expect(m.after.stats.activeTransfers).toBe(0);
        if (abuse.name === 'slowloris') expect(m.attack.closedByServer).toBe(m.attack.connections);
        // Still serving afterwards.
        const after = await runProbe(
          { ...probe, port: server.port, song: TINY_SONG.id, sha256: library.sha256.get(TINY_SONG.id) ?? '', minRounds: 1, maxRounds: 1 },
          () => false,
        );
        expect(after.errors).toBe(0);
      } finally {
        await server.stop();
      }
    });
  }
});
