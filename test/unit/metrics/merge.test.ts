import { describe, expect, it } from 'vitest';
import { MetricsAggregator } from '../../../src/metrics/aggregate.js';
import { createHistogram, encodeHistogram, mergeEncoded, recordMs, summarize } from '../../../src/metrics/histogram.js';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';

describe('histograms', () => {
  it('merging encoded halves equals recording the whole, within histogram precision', () => {
    const whole = createHistogram();
    const a = createHistogram();
    const b = createHistogram();
    for (let i = 1; i <= 10_000; i++) {
      const ms = ((i * 7919) % 5000) / 10 + 0.05;
      recordMs(whole, ms);
      recordMs(i % 2 ? a : b, ms);
    }
    const merged = summarize(mergeEncoded([encodeHistogram(a), encodeHistogram(b)]));
    const expected = summarize(whole);
    expect(merged.count).toBe(expected.count);
    for (const k of ['p50', 'p90', 'p99', 'max'] as const) expect(Math.abs(merged[k] - expected[k])).toBeLessThanOrEqual(expected[k] * 0.001);
  });

  it('reports percentiles in ms at microsecond resolution', () => {
    const h = createHistogram();
    for (let i = 0; i < 100; i++) recordMs(h, 1.5);
    recordMs(h, 250);
    const s = summarize(h);
    expect(s.p50).toBeCloseTo(1.5, 2);
    expect(s.max).toBeCloseTo(250, 0);
    expect(s.count).toBe(101);
  });
});

describe('recorder and aggregator', () => {
  it('hands over each value exactly once across drains, and merges threads', () => {
    let now = 0;
    const one = new MetricsRecorder(0, () => now);
    const two = new MetricsRecorder(0, () => now);
    const agg = new MetricsAggregator();
    one.clientStarted();
    one.requestEnded('verified', 10);
    one.bytesReceived('s1', 100);
    two.requestEnded('cancelled', 1);
    now = 1500;
    one.requestEnded('failed', 20);
    one.error('timeout');
    agg.add(one.drain());
    agg.add(two.drain());
    now = 2500;
    agg.add(one.drain(true));
    agg.add(two.drain(true));
    expect(agg.counters).toMatchObject({ requests: 3, verified: 1, cancelled: 1, failed: 1, bytes: 100, errors: { timeout: 1 } });
    expect(agg.counters.servers.s1?.bytes).toBe(100);
    expect(summarize(agg.phases.request).count).toBe(3);
    const timeline = agg.timeline();
    expect(timeline.map((s) => s.requests)).toEqual([2, 1]);
    expect(timeline[1]?.errors).toBe(1);
    expect(timeline[0]?.bytes).toBe(100);
  });
});
