import { describe, expect, it } from 'vitest';
import { compareGroups, runsOfRepeat } from '../../../src/report/compare.js';
import { renderRepeatSummary } from '../../../src/report/compare-console.js';
import { repeatSummarySchema, summarizeRepeats } from '../../../src/report/repeat.js';
import { makeReport } from '../../helpers/report-fixture.js';

describe('summarizeRepeats', () => {
  const reports = [1, 2, 3, 4, 5].map((i) => makeReport({ seed: 7, noiseSeed: i, runNoise: 0.1 }));
  const summary = summarizeRepeats(reports);

  it('gives each key metric its median, spread and an order-statistic interval of the median with its confidence', () => {
    expect(summary).toMatchObject({ runs: 5, name: 'fixture', seeds: [7, 7, 7, 7, 7], passed: 0 });
    const p99 = summary.metrics.find((m) => m.key === 'latency.request.p99');
    expect(p99?.values).toEqual(reports.map((r) => r.latency.request.p99));
    const s = p99?.spread;
    expect(s?.min).toBeLessThanOrEqual(s?.median ?? NaN);
    expect(s?.max).toBeGreaterThanOrEqual(s?.median ?? NaN);
    expect(p99?.interval?.low).toBeLessThanOrEqual(s?.median ?? NaN);
    expect(p99?.interval?.high).toBeGreaterThanOrEqual(s?.median ?? NaN);
    expect(p99?.interval).toMatchObject({ low: s?.min, high: s?.max, confidence: 1 - 2 / 32 });
    expect(summary.method).toMatch(/order statistics/);
  });

  it('is deterministic and renders as a table with one column per run', () => {
    expect(summarizeRepeats(reports)).toEqual(summary);
    const text = renderRepeatSummary(summary);
    expect(text).toContain('run 5');
    expect(text).toContain('request p99');
    expect(text).toMatch(/at 93\.7%/);
  });

  it('still reads a summary written before intervals kept their confidence (a bootstrap interval)', () => {
    const old = JSON.parse(JSON.stringify(summary)) as { metrics: { interval: Record<string, number> | null }[] };
    for (const m of old.metrics) if (m.interval) delete m.interval.confidence;
    const read = repeatSummarySchema.parse(old);
    expect(read.metrics.find((m) => m.key === 'latency.request.p99')?.interval?.confidence).toBeUndefined();
    expect(renderRepeatSummary(read)).not.toMatch(/ at \d/);
  });

  it('has no interval for a single run', () => {
    const one = summarizeRepeats(reports.slice(0, 1));
    expect(one.metrics.every((m) => m.interval === null)).toBe(true);
  });
});

describe('a repeat summary as a group of runs', () => {
  const base = [1, 2, 3, 4].map((i) => makeReport({ name: 'g', seed: 7, noiseSeed: `a${i}` }));
  const slow = [1, 2, 3, 4].map((i) => makeReport({ name: 'g', seed: 7, noiseSeed: `b${i}`, latencyScale: 2 }));
  const files = (prefix: string) => [1, 2, 3, 4].map((i) => `${prefix}-run${i}.json`);

  it('compares exactly as the run reports it summarises do', () => {
    const fromSummaries = compareGroups([
      { label: 'baseline', runs: runsOfRepeat(summarizeRepeats(base, { files: files('a') })) },
      { label: 'candidate', runs: runsOfRepeat(summarizeRepeats(slow, { files: files('b') })) },
    ]);
    const fromReports = compareGroups([
      { label: 'baseline', runs: base.map((report, i) => ({ label: `run ${i + 1}`, report })) },
      { label: 'candidate', runs: slow.map((report, i) => ({ label: `run ${i + 1}`, report })) },
    ]);
    expect(fromSummaries.metrics).toEqual(fromReports.metrics);
    expect(fromSummaries.regressions.map((r) => r.key)).toContain('latency.request.p99');
    expect(fromSummaries.noiseJudged).toBe(true);
  });

  it('names each run by its report file, resolved by the caller, with its seed, start and length', () => {
    const runs = runsOfRepeat(summarizeRepeats(base, { files: files('a') }), (f) => `/somewhere/${f}`);
    expect(runs.map((r) => r.file)).toEqual(['/somewhere/a-run1.json', '/somewhere/a-run2.json', '/somewhere/a-run3.json', '/somewhere/a-run4.json']);
    const first = runs[0];
    expect(first && 'summarized' in first ? first.summarized : null).toMatchObject({
      name: 'g',
      seed: 7,
      startedAt: base[0]?.startedAt,
      durationMs: base[0]?.durationMs,
    });
  });
});
