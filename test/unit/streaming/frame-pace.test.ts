// The frame pace of STREAM on a made-up frame index (times exact): tags at once, each frame at
// its play time / speed with the lead, a resume counted from its offset's frame, the trailing
// tag with the last frame, and allowance and due time agreeing.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Mp3Index } from '../../../src/mp3/index.js';
import { framePace, STREAM_BATCH_MS, STREAM_LEAD_SEC } from '../../../src/server/pacer.js';

const FRAME_SEC = 0.025; // a round frame time keeps the arithmetic readable
const TAG = 1000;
const TRAILER = 128;

/** `sizes` bytes per frame after a 1000-byte tag, then a 128-byte ID3v1. */
function fakeIndex(sizes: number[]): Mp3Index {
  const offsets = new Uint32Array(sizes.length);
  let at = TAG;
  sizes.forEach((size, i) => {
    offsets[i] = at;
    at += size;
  });
  const durationSec = sizes.length * FRAME_SEC;
  return {
    bytes: at + TRAILER,
    audioStart: TAG,
    audioEnd: at,
    offsets,
    times: undefined,
    frameSec: FRAME_SEC,
    durationSec,
    averageBitrateKbps: 0,
    stream: 'MPEG-1 Layer III',
    sampleRate: 44100,
    channels: 2,
    vbrHeader: 'none',
    promisedFrames: undefined,
    junkBytes: TRAILER,
  };
}

/** 400 frames (10 s) alternating small and large: VBR. */
const sizes = Array.from({ length: 400 }, (_, i) => (i % 2 === 0 ? 100 : 500));
const index = fakeIndex(sizes);
const leadFrames = STREAM_LEAD_SEC / FRAME_SEC;
const batchFrames = STREAM_BATCH_MS / 1000 / FRAME_SEC;

/** Bytes from `offset` through frame j. */
function through(j: number, offset = 0): number {
  return (index.offsets[j + 1] ?? index.bytes) - offset;
}

describe('framePace', () => {
  it('sends the tag and the lead (2 s of audio, plus one batch) at once', () => {
    const pace = framePace(index, 0, 1);
    expect(pace.dueAt(TAG)).toBe(0);
    expect(pace.allowedAt(0)).toBe(through(leadFrames + batchFrames));
  });

  it('releases each later frame at its play time (minus the lead) divided by the speed', () => {
    for (const speed of [1, 10]) {
      const pace = framePace(index, 0, speed);
      const j = 300; // starts at 7.5 s
      const dueMs = pace.dueAt(through(j));
      expect(dueMs).toBeCloseTo(((j * FRAME_SEC - STREAM_LEAD_SEC) / speed) * 1000 - STREAM_BATCH_MS, 6);
      expect(pace.allowedAt(dueMs)).toBeGreaterThanOrEqual(through(j));
      expect(pace.allowedAt(dueMs - 1)).toBeLessThan(through(j));
    }
  });

  it('a resume from the middle of a frame: the cut frame goes at once and the pace counts from the next frame', () => {
    const offset = (index.offsets[200] as number) + 50; // inside frame 200, which starts at 5 s
    const pace = framePace(index, offset, 1);
    const head = (index.offsets[201] as number) - offset;
    expect(pace.dueAt(head)).toBe(0);
    // Frame 201, the lead and one batch are allowed at once; the last frame (399), 198 frames later, when it plays minus the lead.
    expect(pace.allowedAt(0)).toBe(through(201 + leadFrames + batchFrames, offset));
    expect(pace.dueAt(through(399, offset))).toBeCloseTo(((399 - 201) * FRAME_SEC - STREAM_LEAD_SEC) * 1000 - STREAM_BATCH_MS, 6);
  });

  it('the ID3v1 tag goes with the last frame: the whole file is allowed once the last frame is due', () => {
    const pace = framePace(index, 0, 1);
    const last = pace.dueAt(index.bytes);
    expect(last).toBeCloseTo((399 * FRAME_SEC - STREAM_LEAD_SEC) * 1000 - STREAM_BATCH_MS, 6);
    expect(pace.allowedAt(last)).toBe(index.bytes);
  });

  it('allowance and due time agree for any byte count, offset and speed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: index.bytes - 1 }),
        fc.double({ min: 0.5, max: 50, noNaN: true }),
        fc.integer({ min: 1, max: index.bytes }),
        (offset, speed, want) => {
          const bytes = Math.min(want, index.bytes - offset);
          const pace = framePace(index, offset, speed);
          expect(pace.allowedAt(pace.dueAt(bytes))).toBeGreaterThanOrEqual(bytes);
        },
      ),
    );
  });
});
