// STREAM pacing: a token bucket whose schedule is fixed relative to the transfer's start.
import { setTimeout as sleep } from 'node:timers/promises';
import { firstFrameAtOrAfter, frameTime, lastFrameStartingBy, type Mp3Index } from '../mp3/index.js';

/** Each paced write carries about this much audio. */
export const STREAM_CHUNK_AUDIO_MS = 100;

export interface PaceSchedule {
  /** Bytes of ~100 ms of audio: the bucket's capacity and the usual write size. */
  chunkBytes: number;
  /** Refill rate: the song's byte rate times the stream speed. */
  bytesPerMs: number;
}

export function streamSchedule(bitrateKbps: number, streamSpeed: number): PaceSchedule {
  const audioBytesPerMs = (bitrateKbps * 1000) / 8 / 1000;
  return {
    chunkBytes: Math.max(1, Math.round(audioBytesPerMs * STREAM_CHUNK_AUDIO_MS)),
    bytesPerMs: audioBytesPerMs * streamSpeed,
  };
}

/**
 * How many bytes in total may have been sent `elapsedMs` after the start: the bucket starts full
 * (one chunk) and refills continuously. Because it is computed from the start, not from the last
 * write, a late timer is made up by a larger next write: jitter never accumulates into drift.
 */
export function allowanceAt(schedule: PaceSchedule, elapsedMs: number): number {
  return Math.floor(schedule.chunkBytes + schedule.bytesPerMs * Math.max(0, elapsedMs));
}

/** The time after the start (ms) at which the allowance reaches `totalBytes`. */
export function dueAtMs(schedule: PaceSchedule, totalBytes: number): number {
  return Math.max(0, (totalBytes - schedule.chunkBytes) / schedule.bytesPerMs);
}

/** Waits `ms` (nothing when ≤ 0); rejects with an AbortError when `signal` aborts first. */
export async function waitMs(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await sleep(ms, undefined, { signal });
}

/**
 * Audio (seconds) a STREAM sends ahead of its play time, like a radio server's burst on connect:
 * as much as a player buffers before it starts (the client's START_BUFFER_SEC), so that a player
 * starts at once and a late timer or a busy moment never starves it.
 */
export const STREAM_LEAD_SEC = 2;
/**
 * Frames due within this much wall time go in one write: a stream wakes at most ten times a
 * second, whatever its speed, instead of once per frame (about 38 per second of audio).
 */
export const STREAM_BATCH_MS = 100;
/** Slack for float rounding when a due time is turned back into a frame count. */
const TIME_EPSILON_SEC = 1e-9;

/** What the body loop asks of a pace, in bytes from the transfer's offset and ms since its start. */
export interface Pace {
  /** Bytes that may have been sent `elapsedMs` after the start. */
  allowedAt(elapsedMs: number): number;
  /** When the allowance first reaches `bytes` (0 = at once). */
  dueAt(bytes: number): number;
  /** The least a paced write sends (unless less is left): the byte pace's chunk, one byte (its whole frame) for the frame pace. */
  readonly minWriteBytes: number;
}

/** The byte pace (a file that is not MP3: no frames to go by): the token bucket above. */
export function bytePace(bitrateKbps: number, streamSpeed: number): Pace {
  const schedule = streamSchedule(bitrateKbps, streamSpeed);
  return {
    allowedAt: (elapsedMs) => allowanceAt(schedule, elapsedMs),
    dueAt: (bytes) => dueAtMs(schedule, bytes),
    minWriteBytes: schedule.chunkBytes,
  };
}

/**
 * The frame pace of a STREAM from byte `offset`: bytes before the first whole frame at or after
 * the offset (tags, a cover, the information frame, a cut frame) go at once; then each frame when
 * it would play, counted from that frame (a resumed stream goes on at the right play time),
 * divided by the stream speed, STREAM_LEAD_SEC early. Bytes after the last frame (ID3v1, APE)
 * go with it. A VBR file thus streams at its true rate, whatever its header says.
 */
export function framePace(index: Mp3Index, offset: number, streamSpeed: number): Pace {
  const count = index.offsets.length;
  const first = firstFrameAtOrAfter(index, offset);
  const startSec = frameTime(index, first);
  const length = index.bytes - offset;
  /** Bytes (from the offset) up to the end of frame j; the last frame takes the file's end with it. */
  const bytesThrough = (j: number): number => (j + 1 >= count ? length : (index.offsets[j + 1] as number) - offset);
  const headBytes = first >= count ? length : (index.offsets[first] as number) - offset;
  return {
    minWriteBytes: 1,
    allowedAt(elapsedMs) {
      const horizon = startSec + STREAM_LEAD_SEC + ((Math.max(0, elapsedMs) + STREAM_BATCH_MS) / 1000) * streamSpeed + TIME_EPSILON_SEC;
      const last = lastFrameStartingBy(index, horizon); // frames first…last are due
      return last < first ? headBytes : bytesThrough(last);
    },
    dueAt(bytes) {
      if (bytes <= headBytes) return 0;
      // The frame holding the bytes' last one: the largest j whose offset is at or before it.
      const j = Math.min(count - 1, firstFrameAtOrAfter(index, offset + bytes) - 1);
      const dueSec = (frameTime(index, j) - startSec - STREAM_LEAD_SEC) / streamSpeed;
      return Math.max(0, dueSec * 1000 - STREAM_BATCH_MS);
    },
  };
}
