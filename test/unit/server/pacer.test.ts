// STREAM pacing schedule: a token bucket counted from the transfer's start.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allowanceAt, dueAtMs, streamSchedule } from '../../../src/server/pacer.js';

describe('pacer', () => {
  it('chunks are 100 ms of audio and the rate is bitrate × stream speed', () => {
    // 128 kbit/s = 16 000 bytes/s: 1600 bytes per 100 ms.
    expect(streamSchedule(128, 1)).toEqual({ chunkBytes: 1600, bytesPerMs: 16 });
    expect(streamSchedule(128, 10)).toEqual({ chunkBytes: 1600, bytesPerMs: 160 });
  });

  it('the first chunk goes at once; chunk k is due k × 100 ms / speed later', () => {
    const s = streamSchedule(128, 2);
    expect(dueAtMs(s, 1600)).toBe(0);
    expect(dueAtMs(s, 1600 * 4)).toBeCloseTo(150);
  });

  it('allowance and due time agree: at the due time of n bytes, n bytes are allowed', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(32, 128, 320),
        fc.double({ min: 0.1, max: 100, noNaN: true }),
        fc.integer({ min: 1, max: 50_000_000 }),
        (kbps, speed, bytes) => {
          const s = streamSchedule(kbps, speed);
          expect(allowanceAt(s, dueAtMs(s, bytes)) + 1).toBeGreaterThanOrEqual(bytes);
        },
      ),
    );
  });

  it('a late wake-up is made up at once: the allowance depends only on time since the start', () => {
    const s = streamSchedule(128, 1);
    expect(allowanceAt(s, 1000)).toBe(1600 + 16_000);
    expect(allowanceAt(s, 1000) - allowanceAt(s, 900)).toBe(1600);
  });
});
