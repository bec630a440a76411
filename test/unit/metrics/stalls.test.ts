// The recorder on an injected clock: stalls (requests outstanding, nothing back for over the
// limit), the coordinated-omission correction against the pace, requests in flight and the oldest
// one's age per second, the traffic window; and the aggregator making overlapping stalls one.
import { describe, expect, it } from 'vitest';
import { MetricsAggregator } from '../../../src/metrics/aggregate.js';
import { histogramOf } from '../../../src/metrics/counts.js';
import { summarize } from '../../../src/metrics/histogram.js';
import { MetricsRecorder, STALL_LIMIT_MS } from '../../../src/metrics/recorder.js';

function clocked(options: ConstructorParameters<typeof MetricsRecorder>[2] = {}) {
  const clock = { t: 0 };
  const recorder = new MetricsRecorder(0, () => clock.t, options);
  return { clock, recorder };
}

/** A request from `from` to `to` on the clock, with a byte at its end. */
function request(r: MetricsRecorder, clock: { t: number }, from: number, to: number): void {
  clock.t = from;
  const token = r.requestStarted(from);
  clock.t = to;
  r.bytesReceived('s1', 10);
  r.requestEnded('verified', to - from, token);
}

describe('stalls', () => {
  it('reports requests outstanding with nothing back for longer than the limit: when, how long, how many, and what the pace would have sent', () => {
    const { clock, recorder } = clocked({ thinkMeanMs: 90, correct: true });
    for (let i = 0; i < 10; i++) request(recorder, clock, i * 100, i * 100 + 10);
    // Three requests go out at 1.0 s; nothing comes back until 3.5 s.
    clock.t = 1000;
    const tokens = [recorder.requestStarted(1000), recorder.requestStarted(1000), recorder.requestStarted(1000)];
    clock.t = 1500;
    recorder.sample();
    clock.t = 2500;
    recorder.sample();
    clock.t = 3500;
    recorder.bytesReceived('s1', 10);
    for (const token of tokens) recorder.requestEnded('verified', 2500, token);
    const snapshot = recorder.drain(true);
    // The pace is 90 ms of think + a typical 10 ms (as the histogram resolves it: a hair more):
    // about 25 requests per client in 2.5 s.
    expect(snapshot.stalls).toEqual([{ startMs: 1000, durationMs: 2500, inFlight: 3, missed: expect.any(Number), ongoing: false }]);
    expect(snapshot.stalls[0]?.missed).toBeGreaterThanOrEqual(3 * 24);
    expect(snapshot.stalls[0]?.missed).toBeLessThanOrEqual(3 * 25);
    const seconds = new Map(snapshot.timeline.map((s) => [s.second, s]));
    // Second 2 saw no request end, but three in flight, the oldest 1.5 s old.
    expect(seconds.get(2)).toMatchObject({ requests: 0, inFlight: 3, oldestAgeMs: 1500 });
    expect(seconds.get(1)).toMatchObject({ requests: 0, inFlight: 3, oldestAgeMs: 500 });
    expect(snapshot.window).toEqual({ firstSendMs: 0, lastByteMs: 3500 });
  });

  it('takes the oldest outstanding request by its start, whether requests start in order or not (open model: a late client counts from its schedule)', () => {
    const { clock, recorder } = clocked();
    // In order: 100, 200, 300; the first one ends, the next oldest is the one from 200.
    clock.t = 300;
    const inOrder = [100, 200, 300].map((from) => recorder.requestStarted(from));
    clock.t = 400;
    recorder.requestEnded('verified', 300, inOrder[0]);
    recorder.sample();
    // Second 1: one starts counting from before the others (it was late), then the oldest ends.
    clock.t = 1100;
    const late = recorder.requestStarted(50);
    clock.t = 1200;
    recorder.sample();
    recorder.requestEnded('verified', 1150, late);
    clock.t = 1300;
    recorder.sample();
    // Second 2: all ended, then one more in order again.
    clock.t = 2100;
    recorder.requestEnded('verified', 1900, inOrder[1]);
    recorder.requestEnded('verified', 1800, inOrder[2]);
    clock.t = 2200;
    const again = recorder.requestStarted(2150);
    clock.t = 2400;
    recorder.sample();
    recorder.requestEnded('verified', 250, again);
    const seconds = new Map(recorder.drain(true).timeline.map((s) => [s.second, s.oldestAgeMs]));
    expect(Object.fromEntries(seconds)).toEqual({ 0: 300, 1: 1150, 2: 1900 });
  });

  it('sees no stall in a slow transfer that keeps receiving, nor in silence with nothing outstanding', () => {
    const { clock, recorder } = clocked();
    clock.t = 0;
    const token = recorder.requestStarted(0);
    for (let t = 500; t <= 5000; t += 500) {
      clock.t = t;
      recorder.bytesReceived('s1', 1);
    }
    recorder.requestEnded('verified', 5000, token);
    // 10 s of think time: nothing outstanding.
    request(recorder, clock, 15_000, 15_010);
    expect(recorder.drain(true).stalls).toEqual([]);
  });

  it('reports a silence still going at the end as an ongoing stall', () => {
    const { clock, recorder } = clocked();
    recorder.requestStarted(0);
    clock.t = STALL_LIMIT_MS + 500;
    expect(recorder.drain(true).stalls).toEqual([{ startMs: 0, durationMs: STALL_LIMIT_MS + 500, inFlight: 1, missed: 0, ongoing: true }]);
  });

  it("merges the threads' overlapping stalls into one, and keeps apart ones that do not overlap", () => {
    const metrics = new MetricsAggregator();
    const a = clocked();
    const b = clocked();
    a.recorder.requestStarted(0);
    b.clock.t = 300;
    b.recorder.requestStarted(300);
    a.clock.t = 2000;
    a.recorder.bytesReceived('s1', 1);
    b.clock.t = 2100;
    b.recorder.bytesReceived('s1', 1);
    b.clock.t = 5000;
    b.recorder.bytesReceived('s1', 1);
    metrics.add(a.recorder.drain(true));
    metrics.add(b.recorder.drain(true));
    expect(metrics.stalls()).toEqual([
      { startMs: 0, durationMs: 2100, inFlight: 2, missed: 0, ongoing: false },
      { startMs: 2100, durationMs: 2900, inFlight: 1, missed: 0, ongoing: false },
    ]);
  });
});

describe('correction for coordinated omission', () => {
  it('closed model: a stalled request also records what the requests its client did not send would have seen', () => {
    const { clock, recorder } = clocked({ thinkMeanMs: 10, correct: true });
    let t = 0;
    for (let i = 0; i < 990; i++) {
      request(recorder, clock, t, t + 10);
      t += 20;
    }
    for (let i = 0; i < 10; i++) {
      request(recorder, clock, t, t + 2000);
      t += 2010;
    }
    const snapshot = recorder.drain(true);
    const measured = summarize(histogramOf(snapshot.phases.request));
    const corrected = summarize(histogramOf(snapshot.correctedRequest));
    expect(measured.count).toBe(1000);
    // 1 % of requests stalled: the measured p99 is still the service time...
    expect(measured.p99).toBeLessThan(20);
    // ...but at the pace (10 + 10 ms) each stalled client missed ~99 requests, waiting 1980, 1960 … ms.
    expect(corrected.count).toBeGreaterThan(1000 + 10 * 95);
    expect(corrected.p99).toBeGreaterThan(1800);
    expect(corrected.max).toBeCloseTo(measured.max, 0);
  });

  it('open model: the corrected values are the measured ones (latency already counts from the schedule)', () => {
    const { clock, recorder } = clocked({ thinkMeanMs: 10, correct: false });
    request(recorder, clock, 0, 10);
    request(recorder, clock, 100, 2100);
    const snapshot = recorder.drain(true);
    expect(summarize(histogramOf(snapshot.correctedRequest))).toEqual(summarize(histogramOf(snapshot.phases.request)));
  });
});
