// What the client pool's threads send the coordinator: deltas since their last flush.
// Histograms cross as CountsDelta (typed arrays of the non-empty counts), not encoded: a
// structured clone copies them as memory, and the coordinator adds them without decoding.
import type { CountsDelta } from './counts.js';
import type { Phase } from './histogram.js';

export const ERROR_KINDS = ['refused', 'reset', 'timeout', 'protocol', 'integrity', 'server', 'unavailable', 'other'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface ServerCounters {
  /** Protocol requests the clients sent it (CHECK, GET, STREAM). */
  requests: number;
  /** Body bytes received from it. */
  bytes: number;
  /** Times clients picked it for a transfer. */
  chosen: number;
}

export interface Counters {
  clients: number;
  requests: number;
  downloads: number;
  streams: number;
  cancelled: number;
  failed: number;
  verified: number;
  bytes: number;
  failovers: number;
  resumes: number;
  resumedBytes: number;
  integrityFailures: number;
  errors: Partial<Record<ErrorKind, number>>;
  servers: Record<string, ServerCounters>;
}

/** One second of the run, as seen by one thread. */
export interface TimelineSlice {
  /** Whole seconds since the run's start. */
  second: number;
  requests: number;
  bytes: number;
  errors: number;
  /** Most clients in progress at once during the second. */
  active: number;
  /** Request latency counts of the second. */
  histogram: CountsDelta;
  /** Most song requests outstanding at once during the second (sampled, and at each start). */
  inFlight: number;
  /** Age (ms, from its intended start) of the oldest request outstanding during the second; 0 when none was. */
  oldestAgeMs: number;
  /** Latest a client started behind its schedule in this second (open model), ms; 0 when none was late. */
  lagMs: number;
}

/**
 * A time when requests were outstanding and nothing came back (no answer, no byte, no request
 * ending) for longer than the stall limit, as one pool thread saw it.
 */
export interface StallSlice {
  /** When the last progress before it was made, ms since the run's start. */
  startMs: number;
  durationMs: number;
  /** Requests outstanding through it. */
  inFlight: number;
  /** Requests the outstanding clients would have sent meanwhile at their pace (think time + typical service time). */
  missed: number;
  /** Still going when the thread's clients ended (cut by the grace): its length is a lower bound. */
  ongoing: boolean;
}

/** The traffic window as one thread saw it, ms since the run's start; undefined before any request. */
export interface TrafficWindow {
  /** The first request sent. */
  firstSendMs?: number;
  /** The last byte received or request ended. */
  lastByteMs?: number;
}

export interface MetricsSnapshot {
  counters: Counters;
  /** Counts per phase: only values recorded since the previous snapshot. */
  phases: Record<Phase, CountsDelta>;
  timeline: TimelineSlice[];
  /** How late clients started against their schedule (open model). */
  scheduleLag: CountsDelta;
  /**
   * Request latency corrected for coordinated omission against the clients' pace (closed model);
   * in the open model the same values as `phases.request` (latency already counts from the
   * schedule).
   */
  correctedRequest: CountsDelta;
  /** Stalls that ended since the previous snapshot (and, in the final one, one still going). */
  stalls: StallSlice[];
  /** The thread's whole traffic window so far (not a delta). */
  window: TrafficWindow;
}

export function emptyCounters(): Counters {
  return {
    clients: 0,
    requests: 0,
    downloads: 0,
    streams: 0,
    cancelled: 0,
    failed: 0,
    verified: 0,
    bytes: 0,
    failovers: 0,
    resumes: 0,
    resumedBytes: 0,
    integrityFailures: 0,
    errors: {},
    servers: {},
  };
}

/** Adds `delta` into `into`. */
export function addCounters(into: Counters, delta: Counters): void {
  const numeric = [
    'clients',
    'requests',
    'downloads',
    'streams',
    'cancelled',
    'failed',
    'verified',
    'bytes',
    'failovers',
    'resumes',
    'resumedBytes',
    'integrityFailures',
  ] as const;
  for (const key of numeric) into[key] += delta[key];
  for (const [kind, n] of Object.entries(delta.errors) as [ErrorKind, number][]) into.errors[kind] = (into.errors[kind] ?? 0) + n;
  for (const [id, s] of Object.entries(delta.servers)) {
    const target = (into.servers[id] ??= { requests: 0, bytes: 0, chosen: 0 });
    target.requests += s.requests;
    target.bytes += s.bytes;
    target.chosen += s.chosen;
  }
}
