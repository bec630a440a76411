// The simulated listener of a stream: startup after 2 s of audio, real-time play at the bitrate
// (times the playback speed), stalls when the buffer runs dry, resume once 2 s are buffered again.
// Times are given by the test, so every figure is exact.
import { describe, expect, it } from 'vitest';
import { PlaybackSimulation, START_BUFFER_SEC } from '../../../src/client/journey-playback.js';

// 128 kbit/s = 16 000 bytes of audio per second = 16 bytes per ms; 2 s of audio = 32 000 bytes.
const BITRATE = 128;
const BYTES_PER_MS = 16;
const TWO_SECONDS = START_BUFFER_SEC * 1000 * BYTES_PER_MS;

function sim(totalBytes: number, playbackSpeed = 1) {
  return new PlaybackSimulation({ bitrateKbps: BITRATE, totalBytes, playbackSpeed, startMs: 0 });
}

describe('PlaybackSimulation', () => {
  it('starts once 2 s of audio is buffered; the startup delay is the time from the request', () => {
    const p = sim(100_000);
    expect(p.receive(TWO_SECONDS - 1, 900)).toEqual([]);
    expect(p.snapshot(900)).toMatchObject({ phase: 'buffering', startupDelayMs: undefined });
    expect(p.receive(TWO_SECONDS, 1000)).toEqual([{ type: 'playback-started', atMs: 1000, startupDelayMs: 1000 }]);
    expect(p.snapshot(1000)).toMatchObject({ phase: 'playing', playheadSec: 0, bufferSec: 2, startupDelayMs: 1000 });
  });

  it('plays in real time: the playhead moves one second of audio per second', () => {
    const p = sim(100_000);
    p.receive(80_000, 1000);
    expect(p.advance(2500)).toEqual([]);
    expect(p.snapshot(2500)).toMatchObject({ phase: 'playing', playheadSec: 1.5, bufferSec: 5 - 1.5 });
  });

  it('stalls at the moment the buffer ran dry, even when noticed later, and resumes once 2 s are buffered again', () => {
    const p = sim(100_000);
    p.receive(TWO_SECONDS, 1000);
    // The 2 s buffer lasts until t = 3000; the stall is noticed at 3500.
    expect(p.advance(3500)).toEqual([{ type: 'stall-started', atMs: 3000, stall: 1, playheadSec: 2 }]);
    expect(p.snapshot(3800)).toMatchObject({ phase: 'stalled', stalls: 1, stallMs: 800 });
    // Not yet 2 s ahead of the playhead: still stalled.
    expect(p.receive(2 * TWO_SECONDS - 1, 3900)).toEqual([]);
    expect(p.receive(2 * TWO_SECONDS, 4000)).toEqual([{ type: 'stall-ended', atMs: 4000, stall: 1, stallMs: 1000 }]);
    expect(p.snapshot(4000)).toMatchObject({ phase: 'playing', stalls: 1, stallMs: 1000, playheadSec: 2, bufferSec: 2 });
  });

  it('sums up when the last byte arrives: the buffered rest plays without stalls, so its end is computed', () => {
    const p = sim(100_000);
    p.receive(TWO_SECONDS, 1000);
    p.advance(3500);
    p.receive(2 * TWO_SECONDS, 4000);
    p.receive(100_000, 4500);
    const { changes, summary } = p.finish(4500);
    expect(changes).toEqual([]);
    // At 4500 the playhead is at 2.5 s of audio (40 000 bytes): 60 000 bytes = 3750 ms remain.
    expect(summary).toEqual({
      playbackSpeed: 1,
      startBufferSec: 2,
      durationSec: 100_000 / 16_000,
      startupDelayMs: 1000,
      stalls: 1,
      stallMs: 1000,
      transferMs: 4500,
      playbackEndMs: 4500 + 3750,
    });
  });

  it('consumes faster at a higher playback speed: at 2× a 2 s buffer lasts 1 s', () => {
    const p = sim(100_000, 2);
    p.receive(TWO_SECONDS, 1000);
    expect(p.advance(2500)).toEqual([{ type: 'stall-started', atMs: 2000, stall: 1, playheadSec: 2 }]);
  });

  it('never stalls when bytes arrive as fast as they are played', () => {
    const p = sim(160_000);
    // A server pacing 100 ms of audio (1600 bytes) every 100 ms, for 10 s.
    for (let t = 100; t <= 10_000; t += 100) p.receive((t / 100) * 1600, t);
    const { summary } = p.finish(10_000);
    expect(summary).toMatchObject({ startupDelayMs: 2000, stalls: 0, stallMs: 0, playbackEndMs: 12_000 });
  });

  it('stalls again and again when bytes arrive at half the playback speed', () => {
    const p = sim(320_000, 2);
    for (let t = 100; t <= 20_000; t += 100) p.receive((t / 100) * 1600, t);
    const { summary } = p.finish(20_000);
    expect(summary.stalls).toBeGreaterThanOrEqual(3);
    expect(summary.stallMs).toBeGreaterThan(0);
  });

  it('starts a song shorter than 2 s once all of it is in', () => {
    const p = sim(16_000);
    expect(p.receive(8_000, 500)).toEqual([]);
    expect(p.receive(16_000, 1000)).toEqual([{ type: 'playback-started', atMs: 1000, startupDelayMs: 1000 }]);
  });

  it('an empty song starts and ends when its transfer ends', () => {
    const { summary } = sim(0).finish(5);
    expect(summary).toMatchObject({ startupDelayMs: 5, stalls: 0, stallMs: 0, transferMs: 5, playbackEndMs: 5 });
  });

  it('reports the end of playback when the whole song plays out before the transfer is declared over', () => {
    const p = sim(TWO_SECONDS);
    p.receive(TWO_SECONDS, 100);
    expect(p.advance(5000)).toEqual([{ type: 'playback-ended', atMs: 2100 }]);
    expect(p.finish(5000).summary.playbackEndMs).toBe(2100);
  });

  it('refuses a non-positive playback speed or bitrate', () => {
    expect(() => sim(10, 0)).toThrow(RangeError);
    expect(() => new PlaybackSimulation({ bitrateKbps: 0, totalBytes: 10, playbackSpeed: 1, startMs: 0 })).toThrow(RangeError);
  });
});
