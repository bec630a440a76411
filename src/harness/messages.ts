// The client pool's thread boundary: what a pool task carries in, what goes to it while it runs,
// and what comes back out. One file of typed messages; errors cross as { code, message }.
import type { LiveBatch, LiveTaskOptions } from '../live/client-probe.js';
import type { MetricsSnapshot } from '../metrics/types.js';
import type { ClientSelection, PlanTotals } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { MessagePort } from 'node:worker_threads';

/** A server as the clients see it: where to connect. */
export interface ServerAddress {
  id: string;
  host: string;
  port: number;
}

/** What a client needs to know of a song to verify it (and the plan, to know who holds it). */
export interface SongFacts {
  id: string;
  bytes: number;
  sha256: string;
  servers: string[];
}

/**
 * One batch of simulated clients for one pool thread: many actors, one task. The task carries
 * no scripts: the thread draws its clients' scripts from the plan as it starts them, so memory
 * follows what runs at once, not the plan's size.
 */
export interface ClientTask {
  /** The run's start on the shared clock (performance.timeOrigin + performance.now()). */
  runStart: number;
  /** The plan's source (with `songs`): the thread draws its scripts from it. */
  scenario: ResolvedScenario;
  /** This batch's clients out of the plan. */
  clients: ClientSelection;
  /** Closed model: at most this many of the batch's clients at once. */
  concurrency: number;
  servers: ServerAddress[];
  /** The catalog's songs, in catalog order (the plan's song choices depend on it). */
  songs: SongFacts[];
  /** How often the batch sends a metrics snapshot to the coordinator. */
  flushIntervalMs: number;
  /** After a stop, how long requests in flight may take to finish before the batch ends without them. */
  graceMs: number;
  /** Where snapshots go while the batch runs, and stops come from (transferred to the worker). */
  port: MessagePort;
  /** The live view (--live, --trace): which clients send per-message events. Absent: none does, and none is built. */
  live?: LiveTaskOptions;
}

/**
 * Sent by the batch on the task's port. `final` carries everything not sent yet and is the
 * batch's last message: the port is FIFO, so once it arrives no snapshot of the batch is still
 * in flight.
 */
export type BatchMessage =
  | { type: 'metrics'; snapshot: MetricsSnapshot }
  | { type: 'final'; snapshot: MetricsSnapshot }
  /** The sampled clients' live events, in batches (only with ClientTask.live). */
  | { type: 'live'; batch: LiveBatch };

/** Sent by the coordinator on the task's port: `stop` ends arrivals and next songs, then the grace runs. */
export type CoordinatorMessage = { type: 'stop' };

/** The task's return value. */
export interface ClientTaskResult {
  /** Clients started. */
  started: number;
  /** Clients that played their whole script. */
  completed: number;
  /** Clients still in a request when the grace ran out: their requests in flight are not counted. */
  cut: number;
  /** The plan totals of the scripts the batch drew (all of its clients, unless stopped). */
  plan: PlanTotals;
  /** Whether a stop ended the batch before its clients were all started. */
  stopped: boolean;
}
