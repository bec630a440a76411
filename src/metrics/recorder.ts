// Records one pool thread's measurements: histograms per phase, counters, a per-second
// timeline. `drain()` hands over everything since the last drain, so memory stays bounded
// however many requests a run makes.
import { createHistogram, encodeHistogram, PHASES, recordMs, type Histogram, type Phase } from './histogram.js';
import { emptyCounters, type Counters, type ErrorKind, type MetricsSnapshot, type ServerCounters, type TimelineSlice } from './types.js';

interface OpenSlice {
  requests: number;
  bytes: number;
  errors: number;
  active: number;
  histogram: Histogram;
}

export type RequestOutcome = 'verified' | 'cancelled' | 'failed';

export class MetricsRecorder {
  private counters: Counters = emptyCounters();
  private readonly phases: Record<Phase, Histogram>;
  private readonly scheduleLag = createHistogram();
  private readonly slices = new Map<number, OpenSlice>();
  private active = 0;

  /**
   * @param runStart the run's start on the shared clock (every thread's `now` must agree)
   * @param now the shared clock in ms
   */
  constructor(
    private readonly runStart: number,
    private readonly now: () => number,
  ) {
    this.phases = Object.fromEntries(PHASES.map((p) => [p, createHistogram()])) as Record<Phase, Histogram>;
  }

  recordPhase(phase: Phase, ms: number): void {
    recordMs(this.phases[phase], ms);
  }

  /** How late a client started against its schedule (the harness falling behind). */
  recordScheduleLag(ms: number): void {
    recordMs(this.scheduleLag, Math.max(0, ms));
  }

  clientStarted(): void {
    this.active++;
    this.touchActive();
  }

  clientFinished(): void {
    this.active--;
    this.counters.clients++;
  }

  /** A song request has ended: its outcome and its latency from its intended start. */
  requestEnded(outcome: RequestOutcome, latencyMs: number): void {
    this.counters.requests++;
    this.counters[outcome]++;
    recordMs(this.phases.request, latencyMs);
    const slice = this.slice();
    slice.requests++;
    recordMs(slice.histogram, latencyMs);
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
    this.counters.bytes += n;
    this.server(serverId).bytes += n;
    this.slice().bytes += n;
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
    const phases = Object.fromEntries(PHASES.map((p) => [p, this.takeEncoded(this.phases[p])])) as Record<Phase, string>;
    const current = this.currentSecond();
    const timeline: TimelineSlice[] = [];
    for (const [second, slice] of this.slices) {
      if (!final && second >= current) continue;
      timeline.push({ second, requests: slice.requests, bytes: slice.bytes, errors: slice.errors, active: slice.active, histogram: encodeHistogram(slice.histogram) });
      this.slices.delete(second);
    }
    return { counters, phases, timeline, scheduleLag: this.takeEncoded(this.scheduleLag) };
  }

  private takeEncoded(histogram: Histogram): string {
    const encoded = encodeHistogram(histogram);
    histogram.reset();
    return encoded;
  }

  private server(id: string): ServerCounters {
    return (this.counters.servers[id] ??= { requests: 0, bytes: 0, chosen: 0 });
  }

  private currentSecond(): number {
    return Math.max(0, Math.floor((this.now() - this.runStart) / 1000));
  }

  private slice(): OpenSlice {
    const second = this.currentSecond();
    let slice = this.slices.get(second);
    if (!slice) {
      slice = { requests: 0, bytes: 0, errors: 0, active: this.active, histogram: createHistogram('sparse') };
      this.slices.set(second, slice);
    }
    return slice;
  }

  private touchActive(): void {
    const slice = this.slice();
    slice.active = Math.max(slice.active, this.active);
  }
}
