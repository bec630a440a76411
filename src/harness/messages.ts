// The client pool's thread boundary: what a pool task carries in and what comes back out.
// One file of typed messages; errors cross as { code, message }.
import type { MetricsSnapshot } from '../metrics/types.js';
import type { ClientScript } from '../scenario/plan.js';
import type { ClientBehaviour } from '../scenario/types.js';
import type { MessagePort } from 'node:worker_threads';

/** A server as the clients see it: where to connect. */
export interface ServerAddress {
  id: string;
  host: string;
  port: number;
}

/** What a client needs to know of a song to verify it. */
export interface SongFacts {
  id: string;
  bytes: number;
  sha256: string;
  servers: string[];
}

/** One batch of simulated clients for one pool thread: many actors, one task. */
export interface ClientTask {
  /** The run's start on the shared clock (performance.timeOrigin + performance.now()). */
  runStart: number;
  model: 'closed' | 'open';
  /** Closed model: at most this many of the batch's clients at once. */
  concurrency: number;
  scripts: ClientScript[];
  servers: ServerAddress[];
  songs: SongFacts[];
  behaviour: ClientBehaviour;
  /** How often the batch sends a metrics snapshot to the coordinator. */
  flushIntervalMs: number;
  /** Where snapshots go while the batch runs (transferred to the worker). */
  port: MessagePort;
}

/**
 * Sent on the task's port. `final` carries everything not sent yet and is the batch's last
 * message: the port is FIFO, so once it arrives no snapshot of the batch is still in flight.
 */
export type BatchMessage = { type: 'metrics'; snapshot: MetricsSnapshot } | { type: 'final'; snapshot: MetricsSnapshot };

/** The task's return value. */
export interface ClientTaskResult {
  clients: number;
}

