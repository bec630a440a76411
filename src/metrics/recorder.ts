// Records one pool thread's measurements: histograms per phase, counters, a per-second
// timeline. `drain()` hands over everything since the last drain, so memory stays bounded
// however many requests a run makes. Latencies go into plain counts (counts.ts), not
// hdr-histogram-js: at 10,000 requests/s a thread records ~60,000 values a second.
import { LatencyCounts, type CountsDelta } from './counts.js';
import { PHASES, type Phase } from './histogram.js';
import {
  emptyCounters,
  type Counters,
  type ErrorKind,
  type MetricsSnapshot,
  type ServerCounters,
  type StallSlice,
  type TimelineSlice,
  type TrafficWindow,
} from './types.js';

interface OpenSlice {
  requests: number;
  bytes: number;
  errors: number;
  active: number;
  histogram: LatencyCounts;
  inFlight: number;
  oldestAgeMs: number;
  lagMs: number;
}

export type RequestOutcome = 'verified' | 'cancelled' | 'failed';

/**
 * Requests outstanding and nothing back for longer than this is a stall. 1 s: a request of the
 * project's catalog on loopback takes milliseconds, and a transfer in progress is not stalled
 * (each chunk received is progress), so a second of silence is the servers, not the songs; a
 * person also notices a second of silence. Longer than the stall-less worst seen (a few hundred ms
 * of GC or a busy 2-core machine), so that a healthy run reports none.
 */
export const STALL_LIMIT_MS = 1000;

/**
 * Per-second counts kept for reuse once drained (94 KB each). A thread has at most the current
 * second and the one before it open between two flushes (one a second); a few spare cover a
 * late flush without allocating.
 */
const SPARE_SLICE_COUNTS = 4;

export interface RecorderOptions {
  /** The clients' mean think time, ms: with the typical service time, their pace. */
  thinkMeanMs?: number;
  /**
   * Also record each request corrected for coordinated omission against the pace (closed model).
   * The open model needs none: its latencies count from the schedule, which did not wait.
   */
  correct?: boolean;
  /** See STALL_LIMIT_MS (tests may shorten it). */
  stallLimitMs?: number;
}

export class MetricsRecorder {
  private counters: Counters = emptyCounters();
  private readonly phases: Record<Phase, LatencyCounts>;
  private readonly scheduleLag = new LatencyCounts();
  private readonly corrected = new LatencyCounts();
  /** Every request latency of the run (never drained): the typical service time comes from it. */
  private readonly serviceSample = new LatencyCounts();
  private serviceCount = 0;
  private typicalServiceMs = 0;
  private readonly slices = new Map<number, OpenSlice>();
  /** The slice last looked up, and its second: nearly every call falls in the same second as the one before. */
  private lastSlice: OpenSlice | undefined;
  private lastSliceSecond = -1;
  private readonly spareCounts: LatencyCounts[] = [];
  private active = 0;
  /** Requests outstanding: token → the time their latency counts from. */
  private readonly outstanding = new Map<number, number>();
  private nextToken = 0;
  /**
   * Whether `outstanding` is in order of its start times (each added no earlier than the one
   * added before): then its first entry is the oldest, and the age needs no walk over all of them.
   */
  private outstandingInOrder = true;
  private lastCountFrom = -Infinity;
  /** The last answer, byte or request end while requests were outstanding (or when the first became outstanding). */
  private lastProgress: number | undefined;
  private stalls: StallSlice[] = [];
  private readonly window: TrafficWindow = {};
  private readonly thinkMeanMs: number;
  private readonly correct: boolean;
  private readonly stallLimitMs: number;

  /**
   * @param runStart the run's start on the shared clock (every thread's `now` must agree)
   * @param now the shared clock in ms
   */
  constructor(
    private readonly runStart: number,
    private readonly now: () => number,
    options: RecorderOptions = {},
  ) {
    this.phases = Object.fromEntries(PHASES.map((p) => [p, new LatencyCounts()])) as Record<Phase, LatencyCounts>;
    this.thinkMeanMs = options.thinkMeanMs ?? 0;
    this.correct = options.correct ?? false;
    this.stallLimitMs = options.stallLimitMs ?? STALL_LIMIT_MS;
  }

  /**
   * The expected interval between a client's requests: its think time plus the typical (median)
   * request latency seen so far. 0 before anything is known and with no think time.
   */
  paceMs(): number {
    return this.thinkMeanMs + this.typicalServiceMs;
  }

  recordPhase(phase: Phase, ms: number): void {
    this.progress(this.now());
    this.phases[phase].recordMs(ms);
  }

  /** How late a client started against its schedule (the harness falling behind). */
  recordScheduleLag(ms: number): void {
    const late = Math.max(0, ms);
    this.scheduleLag.recordMs(late);
    const slice = this.slice(this.now());
    slice.lagMs = Math.max(slice.lagMs, late);
  }

  /**
   * A song request is being sent now; its latency counts from `countFrom` (its intended start).
   * Returns the token `requestEnded` takes.
   */
  requestStarted(countFrom: number): number {
    const now = this.now();
    const token = this.nextToken++;
    if (this.outstanding.size === 0) {
      this.lastProgress = now;
      this.outstandingInOrder = true;
    } else if (countFrom < this.lastCountFrom) this.outstandingInOrder = false;
    this.lastCountFrom = countFrom;
    this.outstanding.set(token, countFrom);
    this.window.firstSendMs ??= now - this.runStart;
    const slice = this.slice(now);
    slice.inFlight = Math.max(slice.inFlight, this.outstanding.size);
    return token;
  }

  /** Takes the in-flight count and the oldest request's age into the current second (the batch calls it a few times a second). */
  sample(): void {
    const now = this.now();
    const slice = this.slice(now);
    slice.inFlight = Math.max(slice.inFlight, this.outstanding.size);
    slice.oldestAgeMs = Math.max(slice.oldestAgeMs, this.oldestAge(now));
  }

  clientStarted(): void {
    this.active++;
    this.touchActive();
  }

  clientFinished(): void {
    this.active--;
    this.counters.clients++;
  }

  /** A song request has ended: its outcome, its latency from its intended start, and its `requestStarted` token. */
  requestEnded(outcome: RequestOutcome, latencyMs: number, token?: number): void {
    const now = this.now();
    this.progress(now);
    this.window.lastByteMs = now - this.runStart;
    const slice = this.slice(now);
    if (token !== undefined) {
      slice.oldestAgeMs = Math.max(slice.oldestAgeMs, this.oldestAge(now));
      this.outstanding.delete(token);
    }
    this.counters.requests++;
    this.counters[outcome]++;
    this.phases.request.recordMs(latencyMs);
    this.corrected.recordMsCorrected(latencyMs, this.correct ? this.paceMs() : 0);
    this.learnServiceTime(latencyMs);
    slice.requests++;
    slice.histogram.recordMs(latencyMs);
    if (outcome === 'failed') slice.errors++;
  }

  actionStarted(action: 'download' | 'stream', serverId: string): void {
    if (action === 'download') this.counters.downloads++;
    else this.counters.streams++;
    this.server(serverId).chosen++;
  }

  protocolRequest(serverId: string): void {
    this.server(serverId).requests++;
  }

  bytesReceived(serverId: string, n: number): void {
    const now = this.now();
    this.progress(now);
    this.window.lastByteMs = now - this.runStart;
    this.counters.bytes += n;
    this.server(serverId).bytes += n;
    this.slice(now).bytes += n;
  }

  error(kind: ErrorKind): void {
    this.counters.errors[kind] = (this.counters.errors[kind] ?? 0) + 1;
    if (kind === 'integrity') this.counters.integrityFailures++;
  }

  transferRecovered(failovers: number, resumes: number, resumedBytes: number): void {
    this.counters.failovers += failovers;
    this.counters.resumes += resumes;
    this.counters.resumedBytes += resumedBytes;
  }

  /**
   * Everything recorded since the last drain. Timeline seconds still in progress stay behind
   * unless `final`, so that a second is never split across two snapshots by the same thread.
   */
  drain(final = false): MetricsSnapshot {
    const counters = this.counters;
    this.counters = emptyCounters();
    const phases = Object.fromEntries(PHASES.map((p) => [p, this.phases[p].take()])) as Record<Phase, CountsDelta>;
    if (final) this.stallStillGoing();
    const current = this.currentSecond(this.now());
    const timeline: TimelineSlice[] = [];
    for (const [second, slice] of this.slices) {
      if (!final && second >= current) continue;
      const { histogram, ...counts } = slice;
      timeline.push({ second, ...counts, histogram: histogram.take() });
      if (this.spareCounts.length < SPARE_SLICE_COUNTS) this.spareCounts.push(histogram);
      this.slices.delete(second);
    }
    this.lastSlice = undefined;
    this.lastSliceSecond = -1;
    const stalls = this.stalls;
    this.stalls = [];
    return {
      counters,
      phases,
      timeline,
      scheduleLag: this.scheduleLag.take(),
      correctedRequest: this.corrected.take(),
      stalls,
      window: { ...this.window },
    };
  }

  /** Something came back: a stall, if the silence before it was long enough while requests were outstanding. */
  private progress(now: number): void {
    if (this.outstanding.size > 0 && this.lastProgress !== undefined && now - this.lastProgress > this.stallLimitMs)
      this.stalls.push(this.stallUntil(now, false));
    this.lastProgress = now;
  }

  /** At the end, a silence still going with requests outstanding (clients cut by the grace) is a stall too. */
  private stallStillGoing(): void {
    const now = this.now();
    if (this.outstanding.size > 0 && this.lastProgress !== undefined && now - this.lastProgress > this.stallLimitMs) {
      this.stalls.push(this.stallUntil(now, true));
      this.lastProgress = now;
    }
  }

  private stallUntil(now: number, ongoing: boolean): StallSlice {
    const from = this.lastProgress ?? now;
    const durationMs = now - from;
    const pace = this.paceMs();
    // Each outstanding client would have sent one request per pace interval after the one stuck.
    const missed = pace > 0 ? this.outstanding.size * Math.floor(durationMs / pace) : 0;
    return { startMs: Math.round(from - this.runStart), durationMs: Math.round(durationMs), inFlight: this.outstanding.size, missed, ongoing };
  }

  private oldestAge(now: number): number {
    if (this.outstanding.size === 0) return 0;
    let oldest = 0;
    if (this.outstandingInOrder) oldest = Math.max(0, now - (this.outstanding.values().next().value as number));
    else for (const from of this.outstanding.values()) oldest = Math.max(oldest, now - from);
    return Math.round(oldest);
  }

  /** The median latency so far, re-read after 1, 2, 4 … requests and at least every 1024 (reading it walks the histogram). */
  private learnServiceTime(latencyMs: number): void {
    this.serviceSample.recordMs(latencyMs);
    const n = ++this.serviceCount;
    if ((n & (n - 1)) === 0 || n % 1024 === 0) this.typicalServiceMs = this.serviceSample.medianUs() / 1000;
  }

  private server(id: string): ServerCounters {
    return (this.counters.servers[id] ??= { requests: 0, bytes: 0, chosen: 0 });
  }

  private currentSecond(now: number): number {
    return Math.max(0, Math.floor((now - this.runStart) / 1000));
  }

  private slice(now: number): OpenSlice {
    const second = this.currentSecond(now);
    if (second === this.lastSliceSecond && this.lastSlice) return this.lastSlice;
    let slice = this.slices.get(second);
    if (!slice) {
      slice = {
        requests: 0,
        bytes: 0,
        errors: 0,
        active: this.active,
        histogram: this.spareCounts.pop() ?? new LatencyCounts(),
        inFlight: this.outstanding.size,
        oldestAgeMs: 0,
        lagMs: 0,
      };
      this.slices.set(second, slice);
    }
    this.lastSlice = slice;
    this.lastSliceSecond = second;
    return slice;
  }

  private touchActive(): void {
    const slice = this.slice(this.now());
    slice.active = Math.max(slice.active, this.active);
  }
}
