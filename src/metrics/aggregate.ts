// The coordinator's side: merges the pool threads' snapshots. Histograms are added, never
// percentiles averaged: counts by index (counts.ts), with no decoding.
import { addCounts, emptyDelta, histogramOf, mergeDeltas, type CountsDelta } from './counts.js';
import { createHistogram, PHASES, summarize, type Histogram, type Phase } from './histogram.js';
import { addCounters, emptyCounters, type Counters, type MetricsSnapshot, type StallSlice, type TrafficWindow } from './types.js';

export interface MergedSecond {
  second: number;
  requests: number;
  bytes: number;
  errors: number;
  active: number;
  /**
   * Request latency of the second, built from its counts when read (each read builds a new one):
   * a run keeps thousands of seconds, as compact counts rather than histograms.
   */
  readonly histogram: Histogram;
  /** Requests outstanding at once (the threads' peaks added: an upper bound). */
  inFlight: number;
  /** The oldest outstanding request's age, ms (the largest of the threads'). */
  oldestAgeMs: number;
  /** The latest start behind schedule, ms. */
  lagMs: number;
}

/** A second as the aggregator keeps it: its request latency as the threads' counts added up. */
interface SecondTotals extends Omit<MergedSecond, 'histogram'> {
  counts: CountsDelta;
}

function emptySecond(second: number): SecondTotals {
  return { second, requests: 0, bytes: 0, errors: 0, active: 0, counts: emptyDelta(), inFlight: 0, oldestAgeMs: 0, lagMs: 0 };
}

function mergedSecond(totals: SecondTotals): MergedSecond {
  const { counts, ...rest } = totals;
  return {
    ...rest,
    get histogram(): Histogram {
      return histogramOf(counts);
    },
  };
}

export class MetricsAggregator {
  readonly counters: Counters = emptyCounters();
  readonly phases: Record<Phase, Histogram>;
  readonly scheduleLag: Histogram = createHistogram();
  /** Request latency corrected for coordinated omission (closed model; the open model's is the measured one). */
  readonly correctedRequest: Histogram = createHistogram();
  /** The traffic window over every thread: the earliest first send, the latest last byte. */
  readonly window: TrafficWindow = {};
  private readonly stallSlices: StallSlice[] = [];
  private readonly seconds = new Map<number, SecondTotals>();

  constructor() {
    this.phases = Object.fromEntries(PHASES.map((p) => [p, createHistogram()])) as Record<Phase, Histogram>;
  }

  add(snapshot: MetricsSnapshot): void {
    addCounters(this.counters, snapshot.counters);
    for (const phase of PHASES) addCounts(this.phases[phase], snapshot.phases[phase]);
    addCounts(this.scheduleLag, snapshot.scheduleLag);
    addCounts(this.correctedRequest, snapshot.correctedRequest);
    this.stallSlices.push(...snapshot.stalls);
    const w = snapshot.window;
    if (w.firstSendMs !== undefined) this.window.firstSendMs = Math.min(this.window.firstSendMs ?? Infinity, w.firstSendMs);
    if (w.lastByteMs !== undefined) this.window.lastByteMs = Math.max(this.window.lastByteMs ?? -Infinity, w.lastByteMs);
    for (const slice of snapshot.timeline) {
      let merged = this.seconds.get(slice.second);
      if (!merged) {
        merged = emptySecond(slice.second);
        this.seconds.set(slice.second, merged);
      }
      merged.inFlight += slice.inFlight;
      merged.oldestAgeMs = Math.max(merged.oldestAgeMs, slice.oldestAgeMs);
      merged.lagMs = Math.max(merged.lagMs, slice.lagMs);
      merged.requests += slice.requests;
      merged.bytes += slice.bytes;
      merged.errors += slice.errors;
      // Threads run different clients, so their peaks add up (an upper bound of the true peak).
      merged.active += slice.active;
      merged.counts = mergeDeltas(merged.counts, slice.histogram);
    }
  }

  /** Every second from 0 to the last one seen, gaps filled with zeros. */
  timeline(): MergedSecond[] {
    const last = Math.max(-1, ...this.seconds.keys());
    return Array.from({ length: last + 1 }, (_, second) => mergedSecond(this.seconds.get(second) ?? emptySecond(second)));
  }

  /**
   * The threads' stalls in time order, overlapping ones made one: a server that stops answering
   * stalls the clients of every thread at once, and that is one stall (its requests in flight
   * and missed requests added up).
   */
  stalls(): StallSlice[] {
    const sorted = [...this.stallSlices].sort((a, b) => a.startMs - b.startMs);
    const merged: StallSlice[] = [];
    for (const s of sorted) {
      const last = merged[merged.length - 1];
      if (last && s.startMs < last.startMs + last.durationMs) {
        const end = Math.max(last.startMs + last.durationMs, s.startMs + s.durationMs);
        last.durationMs = end - last.startMs;
        last.inFlight += s.inFlight;
        last.missed += s.missed;
        last.ongoing ||= s.ongoing;
      } else merged.push({ ...s });
    }
    return merged;
  }

  /** Latest progress, for the live display. */
  progress(): { requests: number; bytes: number; failed: number; clients: number } {
    return { requests: this.counters.requests, bytes: this.counters.bytes, failed: this.counters.failed, clients: this.counters.clients };
  }
}

export { summarize };
