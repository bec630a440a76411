// The coordinator's side: merges the pool threads' snapshots. Histograms are added, never
// percentiles averaged.
import { createHistogram, decodeHistogram, PHASES, summarize, type Histogram, type Phase } from './histogram.js';
import { addCounters, emptyCounters, type Counters, type MetricsSnapshot } from './types.js';

export interface MergedSecond {
  second: number;
  requests: number;
  bytes: number;
  errors: number;
  active: number;
  histogram: Histogram;
}

export class MetricsAggregator {
  readonly counters: Counters = emptyCounters();
  readonly phases: Record<Phase, Histogram>;
  readonly scheduleLag: Histogram = createHistogram();
  private readonly seconds = new Map<number, MergedSecond>();

  constructor() {
    this.phases = Object.fromEntries(PHASES.map((p) => [p, createHistogram()])) as Record<Phase, Histogram>;
  }

  add(snapshot: MetricsSnapshot): void {
    addCounters(this.counters, snapshot.counters);
    for (const phase of PHASES) this.phases[phase].add(decodeHistogram(snapshot.phases[phase]));
    this.scheduleLag.add(decodeHistogram(snapshot.scheduleLag));
    for (const slice of snapshot.timeline) {
      let merged = this.seconds.get(slice.second);
      if (!merged) {
        merged = { second: slice.second, requests: 0, bytes: 0, errors: 0, active: 0, histogram: createHistogram('sparse') };
        this.seconds.set(slice.second, merged);
      }
      merged.requests += slice.requests;
      merged.bytes += slice.bytes;
      merged.errors += slice.errors;
      // Threads run different clients, so their peaks add up (an upper bound of the true peak).
      merged.active += slice.active;
      merged.histogram.add(decodeHistogram(slice.histogram, 'sparse'));
    }
  }

  /** Every second from 0 to the last one seen, gaps filled with zeros. */
  timeline(): MergedSecond[] {
    const last = Math.max(-1, ...this.seconds.keys());
    return Array.from({ length: last + 1 }, (_, second) => this.seconds.get(second) ?? { second, requests: 0, bytes: 0, errors: 0, active: 0, histogram: createHistogram('sparse') });
  }

  /** Latest progress, for the live display. */
  progress(): { requests: number; bytes: number; failed: number; clients: number } {
    return { requests: this.counters.requests, bytes: this.counters.bytes, failed: this.counters.failed, clients: this.counters.clients };
  }
}

export { summarize };
