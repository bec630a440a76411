import { describe, expect, it } from 'vitest';
import { renderRepeatSummary } from '../../../src/report/compare-console.js';
import { summarizeRepeats } from '../../../src/report/repeat.js';
import { makeReport } from '../../helpers/report-fixture.js';

describe('summarizeRepeats', () => {
  const reports = [1, 2, 3, 4, 5].map((i) => makeReport({ seed: 7, noiseSeed: i, runNoise: 0.1 }));
  const summary = summarizeRepeats(reports);

  it('gives each key metric its median, spread and a bootstrap interval of the median', () => {
    expect(summary).toMatchObject({ runs: 5, name: 'fixture', seeds: [7, 7, 7, 7, 7], passed: 0 });
    const p99 = summary.metrics.find((m) => m.key === 'latency.request.p99');
    expect(p99?.values).toEqual(reports.map((r) => r.latency.request.p99));
    const s = p99?.spread;
    expect(s?.min).toBeLessThanOrEqual(s?.median ?? NaN);
    expect(s?.max).toBeGreaterThanOrEqual(s?.median ?? NaN);
    expect(p99?.interval?.low).toBeLessThanOrEqual(s?.median ?? NaN);
    expect(p99?.interval?.high).toBeGreaterThanOrEqual(s?.median ?? NaN);
    expect(summary.method).toMatch(/bootstrap/);
  });

  it('is deterministic and renders as a table with one column per run', () => {
    expect(summarizeRepeats(reports)).toEqual(summary);
    const text = renderRepeatSummary(summary);
    expect(text).toContain('run 5');
    expect(text).toContain('request p99');
  });

  it('has no interval for a single run', () => {
    const one = summarizeRepeats(reports.slice(0, 1));
    expect(one.metrics.every((m) => m.interval === null)).toBe(true);
  });
});
