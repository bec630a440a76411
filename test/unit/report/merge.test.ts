import { describe, expect, it } from 'vitest';
import { decodeHistogram, PHASES } from '../../../src/metrics/histogram.js';
import { mergeReports } from '../../../src/report/merge.js';
import { FIXTURE_START_MS, fixtureEvents, makeReport, reportFromEvents } from '../../helpers/report-fixture.js';

describe('mergeReports', () => {
  const options = { name: 'split', seed: 3 };
  const events = fixtureEvents(options);
  const durationMs = Math.ceil(Math.max(...events.map((e) => e.startMs + e.latencyMs)));
  const whole = reportFromEvents(events, options, durationMs);
  const halves = [0, 1].map((part) =>
    reportFromEvents(
      events.filter((e) => e.client % 2 === part),
      options,
      durationMs,
    ),
  );
  const merged = mergeReports(halves.map((report) => ({ report })));

  it('recomputes latency from the added histograms: two halves merge into the whole, exactly', () => {
    expect(merged.latency).toEqual(whole.latency);
    for (const phase of PHASES) expect(decodeHistogram(merged.histograms[phase]).totalCount).toBe(whole.latency[phase].count);
  });

  it('sums totals, errors, server counters and the plan, and recomputes throughput', () => {
    expect(merged.totals).toEqual(whole.totals);
    expect(merged.errors).toEqual(whole.errors);
    expect(merged.plan).toEqual(whole.plan);
    expect(merged.servers).toEqual(whole.servers);
    expect(merged.durationMs).toBe(whole.durationMs);
    expect(merged.throughput).toEqual(whole.throughput);
  });

  it('sums the timelines second by second, with p99 per second as an upper bound', () => {
    expect(merged.timeline.map((e) => [e.t, e.requestsPerSec, e.bytesPerSec, e.errors])).toEqual(
      whole.timeline.map((e) => [e.t, e.requestsPerSec, e.bytesPerSec, e.errors]),
    );
    merged.timeline.forEach((e, i) => expect(e.p99).toBeGreaterThanOrEqual(whole.timeline[i]?.p99 ?? Infinity));
  });

  it('re-evaluates the thresholds on the merged numbers and lists its sources', () => {
    expect(merged.thresholds).toEqual(whole.thresholds);
    expect(merged.passed).toBe(whole.passed);
    expect(merged.faults).toEqual(whole.faults);
    expect(merged.mergedFrom.map((s) => s.offsetSec)).toEqual([0, 0]);
    expect(merged.name).toBe('split');
    expect(merged.schema).toBe('jukebox-report/1');
  });

  it('lines up parts that started at different times and spans from the first start to the last end', () => {
    const a = makeReport({ name: 'late', seed: 1 });
    const b = makeReport({ name: 'late', seed: 2, startedAtMs: FIXTURE_START_MS + 5000 });
    const m = mergeReports([{ report: a }, { report: b, file: 'b.json' }]);
    expect(m.startedAt).toBe(a.startedAt);
    expect(m.durationMs).toBe(5000 + b.durationMs);
    expect(m.timeline).toHaveLength(Math.max(a.timeline.length, 5 + b.timeline.length));
    expect(m.timeline[2]?.requestsPerSec).toBe(a.timeline[2]?.requestsPerSec);
    expect(m.timeline[7]?.requestsPerSec).toBe((a.timeline[7]?.requestsPerSec ?? 0) + (b.timeline[2]?.requestsPerSec ?? 0));
    expect(m.faults.map((f) => f.t)).toEqual([8, 13]);
    expect(m.seed).toBe('1,2');
    expect(m.mergedFrom[1]).toMatchObject({ file: 'b.json', offsetSec: 5, seed: 2 });
  });

  it('refuses reports of different scenarios unless forced', () => {
    const a = { report: makeReport({ name: 'one' }) };
    const b = { report: makeReport({ name: 'two' }) };
    expect(() => mergeReports([a, b])).toThrow(/different scenarios \("one", "two"\)/);
    expect(mergeReports([a, b], { force: true }).name).toBe('one+two');
  });

  it('refuses a single report', () => {
    expect(() => mergeReports([{ report: whole }])).toThrow(/at least two/);
  });
});
