// The server's limits and timeouts: named defaults, and their resolution from partial options.
import { JukeboxError } from '../errors.js';

/** Open connections per server; one more is answered `ERR 503` and closed. */
export const DEFAULT_MAX_CONNECTIONS = 1024;
/** A connection that moves no byte in either direction for this long is closed (idle or stalled reader). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
/**
 * The idle limit is checked by one sweep over every connection this many times per idle timeout
 * (a connection goes between 1 and 1.25 idle timeouts after its last byte), rather than by a
 * timer per socket that Node re-arms on every read and write: that cost CHECK about 4 %.
 */
export const IDLE_CHECKS_PER_TIMEOUT = 4;
/** A request line must arrive whole within this long of its first byte (slowloris). */
export const DEFAULT_LINE_TIMEOUT_MS = 10_000;
/** On graceful shutdown, transfers in flight get this long to finish before their sockets are cut. */
export const DEFAULT_GRACE_TIMEOUT_MS = 10_000;
/** Parsed requests waiting for their turn on one connection; past this the socket stops being read. */
export const DEFAULT_MAX_QUEUED_REQUESTS = 64;
/** One write of a body read from disk: large enough for throughput, small enough that a slow reader holds little. */
export const DEFAULT_WRITE_CHUNK_BYTES = 256 * 1024;
/**
 * One write of a body held in memory: a slice of the song's shared Buffer, so no memory is held
 * per reader and it can be larger. Fewer, larger write(2)s: GET of a 4 MB song at 16 connections
 * went from 2.3–2.9 to 3.0–3.5 GB/s (256 KiB vs 1 MiB, same run). A reader must take one such
 * write within the idle timeout (1 MiB in 60 s: about 17 KB/s), or it counts as stalled.
 */
export const DEFAULT_MEMORY_WRITE_CHUNK_BYTES = 1024 * 1024;
/** Songs are held in memory (one Buffer shared by every connection) up to this total; the rest are read from disk. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 256 * 1024 * 1024;
/** A rejected connection (503) that the client does not close is cut after this long. */
export const REJECT_LINGER_MS = 2_000;
/**
 * Rejected connections (503) held open at once while their answer drains, per server. Each holds
 * a file descriptor, so a flood past the connection limit would otherwise take as many as it
 * sends in REJECT_LINGER_MS; past this, a rejection is answered and closed at once (a client that
 * had already sent its request may then see a reset instead of the answer). It is part of each
 * server's descriptor budget (descriptors.ts), so it stays small.
 */
export const MAX_LINGERING_REJECTIONS = 16;

export interface ServerLimits {
  maxConnections: number;
  idleTimeoutMs: number;
  lineTimeoutMs: number;
  graceTimeoutMs: number;
  maxQueuedRequests: number;
  writeChunkBytes: number;
  memoryWriteChunkBytes: number;
  memoryBudgetBytes: number;
}

export const DEFAULT_LIMITS: Readonly<ServerLimits> = Object.freeze({
  maxConnections: DEFAULT_MAX_CONNECTIONS,
  idleTimeoutMs: DEFAULT_IDLE_TIMEOUT_MS,
  lineTimeoutMs: DEFAULT_LINE_TIMEOUT_MS,
  graceTimeoutMs: DEFAULT_GRACE_TIMEOUT_MS,
  maxQueuedRequests: DEFAULT_MAX_QUEUED_REQUESTS,
  writeChunkBytes: DEFAULT_WRITE_CHUNK_BYTES,
  memoryWriteChunkBytes: DEFAULT_MEMORY_WRITE_CHUNK_BYTES,
  memoryBudgetBytes: DEFAULT_MEMORY_BUDGET_BYTES,
});

/** The smallest value each limit may take (0 only where "none" makes sense). */
const MINIMUM: Readonly<Record<keyof ServerLimits, number>> = {
  maxConnections: 1,
  idleTimeoutMs: 1,
  lineTimeoutMs: 1,
  graceTimeoutMs: 0,
  maxQueuedRequests: 1,
  writeChunkBytes: 1,
  memoryWriteChunkBytes: 1,
  memoryBudgetBytes: 0,
};

/** Fills in defaults and validates once, at the boundary; every problem is reported together. */
export function resolveLimits(partial: Partial<ServerLimits> = {}): ServerLimits {
  const limits: ServerLimits = { ...DEFAULT_LIMITS };
  const problems: string[] = [];
  for (const key of Object.keys(DEFAULT_LIMITS) as Array<keyof ServerLimits>) {
    const value = partial[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < MINIMUM[key]) problems.push(`${key} must be an integer >= ${MINIMUM[key]}, got ${String(value)}`);
    else limits[key] = value;
  }
  const unknown = Object.keys(partial).filter((key) => !(key in DEFAULT_LIMITS));
  for (const key of unknown) problems.push(`unknown limit ${JSON.stringify(key)}; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
  if (problems.length > 0) throw new JukeboxError('E_BAD_ARGUMENT', `bad server limits:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return limits;
}

/** STREAM pacing multiplier: 1 = real time. */
export const DEFAULT_STREAM_SPEED = 1;

export function resolveStreamSpeed(speed: number | undefined): number {
  if (speed === undefined) return DEFAULT_STREAM_SPEED;
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new JukeboxError('E_BAD_ARGUMENT', `stream speed must be a number > 0, got ${String(speed)}`, {
      hint: '1 streams in real time, 10 ten times faster',
    });
  }
  return speed;
}
