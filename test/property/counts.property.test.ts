// Property tests of the thread-crossing form of histograms (src/metrics/counts.ts): its index,
// median and coordinated-omission correction are hdr-histogram-js's own, value for value, and
// what crosses (recorder → drain → structured clone → aggregator) adds up to the histograms and
// per-second summaries that recording every value into one hdr histogram gives.
import fc from 'fast-check';
import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { MetricsAggregator } from '../../src/metrics/aggregate.js';
import { COUNTS_LENGTH, countsIndex, LatencyCounts, mergeDeltas, histogramOf } from '../../src/metrics/counts.js';
import {
  createHistogram,
  decodeHistogram,
  encodeHistogram,
  HISTOGRAM_HIGHEST_US,
  HISTOGRAM_LOWEST_US,
  recordMs,
  recordMsCorrected,
  summarize,
  summarizeSparse,
  type Histogram,
} from '../../src/metrics/histogram.js';
import { MetricsRecorder } from '../../src/metrics/recorder.js';
import type { MetricsSnapshot } from '../../src/metrics/types.js';

function reference(): hdr.JsHistogram {
  const h = createHistogram();
  if (!(h instanceof hdr.JsHistogram)) throw new Error('createHistogram() is not a JS histogram');
  return h;
}

/** Values around every power of two (where buckets change) and anywhere in the range. */
const anyUs = fc.oneof(
  fc.integer({ min: HISTOGRAM_LOWEST_US, max: HISTOGRAM_HIGHEST_US }),
  fc
    .integer({ min: 0, max: 31 })
    .chain((k) => fc.integer({ min: -2, max: 2 }).map((d) => Math.min(HISTOGRAM_HIGHEST_US, Math.max(HISTOGRAM_LOWEST_US, 2 ** k + d)))),
);

/** Latencies as the harness sees them: mostly sub-millisecond to seconds, some far out, some beyond the bounds. */
const latencyMs = fc.oneof(
  fc.double({ min: 0, max: 50, noNaN: true }),
  fc.double({ min: 0, max: 5000, noNaN: true }),
  fc.constantFrom(0, 0.0004, 0.001, 2.047, 2.048, 2.049, 3_600_000, 7_200_000),
);

/**
 * Request latencies where the coordinated-omission correction runs: it records one value per
 * interval the latency spans, so the bounds' hour at a 1 ms pace would be millions.
 */
const requestMs = fc.oneof(
  fc.double({ min: 0, max: 50, noNaN: true }),
  fc.double({ min: 0, max: 5000, noNaN: true }),
  fc.constantFrom(0, 0.0004, 2.048, 2.049),
);
/** A pace of 0 (or less: no correction) or of at least a millisecond. */
const intervalMs = fc.oneof(fc.constantFrom(0, -1), fc.double({ min: 1, max: 500, noNaN: true }));

/** What the old path gave for a histogram recorded on a thread: its encoding decoded (the max is its bucket's highest value). */
function crossedTheOldWay(h: Histogram): Histogram {
  return decodeHistogram(encodeHistogram(h));
}

describe('counts index', () => {
  it("is hdr-histogram-js's counts-array index for every value in the bounds", () => {
    const h = reference();
    fc.assert(
      fc.property(anyUs, (us) => {
        expect(countsIndex(us)).toBe(h.countsArrayIndex(us));
        expect(countsIndex(us)).toBeLessThan(COUNTS_LENGTH);
      }),
      { numRuns: 2000 },
    );
    expect(countsIndex(HISTOGRAM_HIGHEST_US)).toBe(h.countsArrayIndex(HISTOGRAM_HIGHEST_US));
  });
});

describe('LatencyCounts', () => {
  it('has the median hdr gives for the same values', () => {
    fc.assert(
      fc.property(fc.array(latencyMs, { minLength: 1, maxLength: 300 }), (values) => {
        const counts = new LatencyCounts();
        const h = createHistogram();
        for (const ms of values) {
          counts.recordMs(ms);
          recordMs(h, ms);
        }
        expect(counts.medianUs()).toBe(h.getValueAtPercentile(50));
      }),
    );
    expect(new LatencyCounts().medianUs()).toBe(0);
  });

  it("records the coordinated-omission correction as hdr's recordValueWithExpectedInterval", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(requestMs, intervalMs), { maxLength: 50 }), (pairs) => {
        const counts = new LatencyCounts();
        const h = createHistogram();
        for (const [ms, interval] of pairs) {
          counts.recordMsCorrected(ms, interval);
          recordMsCorrected(h, ms, interval);
        }
        expect(encodeHistogram(histogramOf(counts.take()))).toBe(encodeHistogram(h));
      }),
      { numRuns: 200 },
    );
  });

  it('hands each value over once: take() empties it, and deltas add as histograms do', () => {
    fc.assert(
      fc.property(fc.array(latencyMs, { maxLength: 200 }), fc.array(latencyMs, { maxLength: 200 }), (first, second) => {
        const counts = new LatencyCounts();
        const whole = createHistogram();
        for (const ms of first) {
          counts.recordMs(ms);
          recordMs(whole, ms);
        }
        const a = counts.take();
        expect(counts.empty).toBe(true);
        for (const ms of second) {
          counts.recordMs(ms);
          recordMs(whole, ms);
        }
        const b = counts.take();
        expect(histogramOf(a).totalCount + histogramOf(b).totalCount).toBe(first.length + second.length);
        const merged = histogramOf(mergeDeltas(a, b));
        expect(encodeHistogram(merged)).toBe(encodeHistogram(whole));
        expect(summarize(merged)).toEqual(summarize(crossedTheOldWay(whole)));
        expect(counts.take().indices.length).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

/** Events in seconds 0, 1, 3 and 4 of the run: second 2 has none at all (a gap), second 5 only a sample. */
const event = fc.record({
  thread: fc.integer({ min: 0, max: 1 }),
  atMs: fc.integer({ min: 0, max: 3999 }).map((t) => (t >= 2000 ? t + 1000 : t)),
  latencyMs: requestMs,
  checkMs: latencyMs,
  lagMs: fc.double({ min: -5, max: 300, noNaN: true }),
  flush: fc.boolean(),
});

describe('thread crossing: recorder → drain → structured clone → aggregator', () => {
  it('gives the histograms, summaries and per-second timeline of recording every value into one histogram', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 400 }), (unsorted) => {
        const events = [...unsorted].sort((x, y) => x.atMs - y.atMs);
        let now = 0;
        const threads = [0, 1].map(() => new MetricsRecorder(0, () => now, { thinkMeanMs: 5, correct: true }));
        const aggregator = new MetricsAggregator();
        const cross = (snapshot: MetricsSnapshot) => aggregator.add(structuredClone(snapshot));
        const direct = { request: createHistogram(), check: createHistogram(), lag: createHistogram(), corrected: createHistogram() };
        const perSecond = new Map<number, Histogram>();
        for (const e of events) {
          now = e.atMs;
          const r = threads[e.thread] as MetricsRecorder;
          const token = r.requestStarted(now - e.latencyMs);
          r.recordPhase('check', e.checkMs);
          r.recordScheduleLag(e.lagMs);
          recordMsCorrected(direct.corrected, e.latencyMs, r.paceMs());
          r.requestEnded('verified', e.latencyMs, token);
          recordMs(direct.request, e.latencyMs);
          recordMs(direct.check, e.checkMs);
          recordMs(direct.lag, Math.max(0, e.lagMs));
          const second = Math.floor(e.atMs / 1000);
          if (!perSecond.has(second)) perSecond.set(second, createHistogram());
          recordMs(perSecond.get(second) as Histogram, e.latencyMs);
          if (e.flush) cross(r.drain());
        }
        // Second 5: requests outstanding are sampled, none ends (a second with no latency at all).
        now = 5500;
        for (const r of threads) {
          r.requestStarted(now);
          r.sample();
        }
        now = 6100;
        for (const r of threads) cross(r.drain(true));

        const same = (got: Histogram, recorded: Histogram) => {
          expect(encodeHistogram(got)).toBe(encodeHistogram(recorded));
          expect(summarize(got)).toEqual(summarize(crossedTheOldWay(recorded)));
        };
        same(aggregator.phases.request, direct.request);
        same(aggregator.phases.check, direct.check);
        same(aggregator.scheduleLag, direct.lag);
        same(aggregator.correctedRequest, direct.corrected);
        expect(summarize(aggregator.phases.ttfb).count).toBe(0);
        expect(aggregator.counters.requests).toBe(events.length);

        const timeline = aggregator.timeline();
        expect(timeline.map((s) => s.second)).toEqual([0, 1, 2, 3, 4, 5]);
        for (const s of timeline) {
          const recorded = perSecond.get(s.second);
          expect(s.requests).toBe(recorded?.totalCount ?? 0);
          if (recorded) expect(summarizeSparse(s.histogram)).toEqual(summarize(crossedTheOldWay(recorded)));
          else expect(summarizeSparse(s.histogram).count).toBe(0);
        }
        expect(timeline[2]).toMatchObject({ requests: 0, inFlight: 0 });
        expect(timeline[5]).toMatchObject({ requests: 0, inFlight: 2 });
      }),
      { numRuns: 60 },
    );
  });
});
