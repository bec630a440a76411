// What handlers see: the server's shared state and one request's exchange with its connection.
import type { Response } from '../protocol/types.js';
import type { Clock } from '../util/clock.js';
import type { FaultState } from './faults.js';
import type { ServerLimits } from './limits.js';
import type { SongStore } from './song-store.js';
import type { ServerCounters } from './stats.js';

/** Shared by every connection of one server; fixed once the server has started. */
export interface ServerContext {
  readonly serverId: string;
  readonly catalogVersion: string;
  readonly store: SongStore;
  readonly counters: ServerCounters;
  readonly streamSpeed: number;
  readonly limits: ServerLimits;
  readonly clock: Clock;
  /** Injected faults (delay, throttle, pause): all off unless a harness switches one on. */
  readonly faults: FaultState;
}

/**
 * What a write or an answer gives back: undefined when the socket took the bytes at once (the
 * usual case for a response line), or a promise that settles on 'drain'. Answers without a body
 * then finish synchronously, with no promise and no microtask per request.
 */
export type Pending = Promise<void> | undefined;

/** One request being answered. Each write waits for the socket only when it must (backpressure). */
export interface Exchange {
  readonly server: ServerContext;
  /** Aborted when the connection goes away, so that waits (STREAM pacing) end at once. */
  readonly signal: AbortSignal;
  /** Writes the response line. */
  reply(response: Response): Pending;
  /** Writes body bytes after a `DATA` or `LIST` line. */
  write(chunk: Buffer): Pending;
  /** Closes the connection once this request's answer is written (QUIT). */
  closeAfterReply(): void;
  /** Told of each body chunk written (GET/STREAM) while someone watches transfers; undefined otherwise (no call, no object). */
  readonly onBodyProgress?: ((progress: BodyProgress) => void) | undefined;
}

/** A transfer's progress: `bytes` of the song's `total` are written (offset included); `ended` once, when it ends or is cut. */
export interface BodyProgress {
  song: string;
  bytes: number;
  total: number;
  ended: boolean;
}

/** Thrown by writes once the peer is gone; the connection ends the request quietly. */
export class ConnectionGoneError extends Error {
  constructor() {
    super('the connection closed');
    this.name = 'ConnectionGoneError';
  }
}
