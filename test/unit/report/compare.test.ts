import { describe, expect, it } from 'vitest';
import { compareGroups, compareRuns, type CompareRun } from '../../../src/report/compare.js';
import { renderComparison } from '../../../src/report/compare-console.js';
import { makeReport, type FixtureOptions } from '../../helpers/report-fixture.js';

const run = (label: string, options: FixtureOptions): CompareRun => ({ label, report: makeReport(options) });
const metric = (c: ReturnType<typeof compareRuns>, key: string) => {
  const m = c.metrics.find((x) => x.key === key);
  if (!m) throw new Error(`no metric ${key}`);
  return m;
};

describe('compare single runs', () => {
  it('flags a real 2× rise in latency as a regression, by the threshold alone', () => {
    const c = compareRuns([run('a', { seed: 1 }), run('b', { seed: 2, latencyScale: 2 })]);
    for (const key of ['latency.request.p50', 'latency.request.p99', 'latency.ttfb.p50', 'latency.transfer.p99']) {
      const d = metric(c, key).deltas[0];
      expect(d?.verdict, key).toBe('worse');
      expect(d?.relative, key).toBeGreaterThan(0.8);
      expect(d?.relative, key).toBeLessThan(1.2);
      expect(d?.significant, key).toBeNull();
    }
    expect(c.regressions.map((r) => r.key)).toContain('latency.request.p99');
    expect(c.noiseJudged).toBe(false);
    expect(c.notes.join(' ')).toMatch(/noise cannot be judged/);
    expect(renderComparison(c)).toMatch(/WORSE/);
  });

  it('does not flag two runs of one scenario that differ only by run-to-run noise', () => {
    const c = compareRuns([run('a', { seed: 1 }), run('b', { seed: 1, noiseSeed: 'another run' })]);
    expect(c.regressions).toEqual([]);
    for (const m of c.metrics) expect(m.deltas[0]?.verdict, m.key).toBe('same');
  });

  it('knows which way is worse: fewer requests per second and more errors are regressions, lower latency is not', () => {
    const c = compareRuns([run('a', { seed: 1, fault: null, latencyScale: 2 }), run('b', { seed: 1, requestsPerSecond: 20 })]);
    expect(metric(c, 'throughput.requestsPerSec').deltas[0]?.verdict).toBe('worse');
    expect(metric(c, 'errors.total').deltas[0]).toMatchObject({ verdict: 'worse', relative: null });
    expect(metric(c, 'latency.request.p50').deltas[0]?.verdict).toBe('better');
  });

  it('compares every run against the first', () => {
    const c = compareRuns([run('a', { seed: 1 }), run('b', { seed: 1, noiseSeed: 2 }), run('c', { seed: 1, latencyScale: 2 })]);
    const p50 = metric(c, 'latency.request.p50');
    expect(p50.deltas.map((d) => d.verdict)).toEqual(['same', 'worse']);
    expect(c.regressions.every((r) => r.group === 'c')).toBe(true);
  });

  it('refuses fewer than two reports', () => {
    expect(() => compareRuns([run('a', {})])).toThrow(/at least two/);
  });
});

describe('compare groups of repeated runs', () => {
  const group = (label: string, n: number, options: FixtureOptions): { label: string; runs: CompareRun[] } => ({
    label,
    runs: Array.from({ length: n }, (_, i) => run(`${label}${i + 1}`, { ...options, noiseSeed: `${label}-${i}` })),
  });

  it('finds a 2× slowdown beyond the noise: the bootstrap interval leaves out 0', () => {
    const c = compareGroups([group('base', 3, {}), group('cand', 3, { latencyScale: 2 })]);
    const d = metric(c, 'latency.request.p50').deltas[0];
    expect(d).toMatchObject({ verdict: 'worse', significant: true });
    expect(d?.interval?.low).toBeGreaterThan(0);
    expect(c.noiseJudged).toBe(true);
    expect(c.method).toMatch(/bootstrap/);
  });

  it('does not flag groups of the same scenario', () => {
    const c = compareGroups([group('base', 3, {}), group('cand', 3, {})]);
    expect(c.regressions).toEqual([]);
  });

  it('calls a change beyond the threshold but within the run-to-run spread noise, not a regression', () => {
    const scaled = (label: string, scales: number[]) => ({
      label,
      runs: scales.map((s, i) => run(`${label}${i}`, { latencyScale: s, runNoise: 0, noiseSeed: 1 })),
    });
    const c = compareGroups([scaled('base', [0.8, 1.0, 1.3]), scaled('cand', [0.9, 1.25, 1.4])]);
    const d = metric(c, 'latency.request.p50').deltas[0];
    expect(d?.relative).toBeGreaterThan(0.15);
    expect(d).toMatchObject({ verdict: 'noise', significant: false });
    expect(c.regressions.map((r) => r.key)).not.toContain('latency.request.p50');
  });

  it('is deterministic: the same reports give the same intervals', () => {
    const groups = [group('base', 3, {}), group('cand', 3, { latencyScale: 1.5 })];
    expect(compareGroups(groups)).toEqual(compareGroups(groups));
  });

  it('with one run on a side, says noise cannot be judged and falls back to the threshold', () => {
    const c = compareGroups([group('base', 1, {}), group('cand', 3, { latencyScale: 2 })]);
    expect(c.noiseJudged).toBe(false);
    expect(metric(c, 'latency.request.p50').deltas[0]).toMatchObject({ verdict: 'worse', significant: null, interval: null });
  });
});
