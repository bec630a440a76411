// STREAM pacing: a token bucket whose schedule is fixed relative to the transfer's start.
import { setTimeout as sleep } from 'node:timers/promises';

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
