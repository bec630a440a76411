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
  it('shows a real 2× rise in latency as a change, but calls nothing better or worse: one run per side cannot judge noise', () => {
    const c = compareRuns([run('a', { seed: 1 }), run('b', { seed: 2, latencyScale: 2 })]);
    for (const key of ['latency.request.p50', 'latency.request.p99', 'latency.ttfb.p50', 'latency.transfer.p99']) {
      const d = metric(c, key).deltas[0];
      expect(d?.verdict, key).toBe('cant-tell');
      expect(d?.relative, key).toBeGreaterThan(0.8);
      expect(d?.relative, key).toBeLessThan(1.2);
      expect(d, key).toMatchObject({ significant: null, p: null, interval: null, n: [1, 1], needRuns: 4 });
    }
    expect(c.regressions).toEqual([]);
    expect(c.noiseJudged).toBe(false);
    expect(c.notes.join(' ')).toMatch(/One run per side: run-to-run noise cannot be judged, so no change is called better or worse/);
    const text = renderComparison(c);
    expect(text).toMatch(/request p99 .*\+\d.*%/);
    expect(text).not.toMatch(/WORSE|better \(/);
    expect(text).toMatch(/--fail-on-regression does not fail on "can't tell"/);
  });

  it('compares every run against the first, with the change of each', () => {
    const c = compareRuns([run('a', { seed: 1 }), run('b', { seed: 1, noiseSeed: 2 }), run('c', { seed: 1, latencyScale: 2 })]);
    const p50 = metric(c, 'latency.request.p50');
    expect(p50.deltas.map((d) => d.verdict)).toEqual(['cant-tell', 'cant-tell']);
    expect(Math.abs(p50.deltas[0]?.relative ?? 1)).toBeLessThan(0.1);
    expect(p50.deltas[1]?.relative).toBeGreaterThan(0.8);
  });

  it('refuses fewer than two reports', () => {
    expect(() => compareRuns([run('a', {})])).toThrow(/at least two/);
  });
});

describe('compare groups of repeated runs', () => {
  // A fixture report takes a while to build: each (label, run, options) is built once for the file.
  const built = new Map<string, CompareRun>();
  const group = (label: string, n: number, options: FixtureOptions): { label: string; runs: CompareRun[] } => ({
    label,
    runs: Array.from({ length: n }, (_, i) => {
      const key = `${label}${i + 1}:${JSON.stringify(options)}`;
      const made = built.get(key) ?? run(`${label}${i + 1}`, { ...options, noiseSeed: `${label}-${i}` });
      built.set(key, made);
      return made;
    }),
  });

  it('finds a 2× slowdown at 5 runs a side: exact p = 2/252, worse, a regression, with its interval', () => {
    const c = compareGroups([group('base', 5, {}), group('cand', 5, { latencyScale: 2 })]);
    const d = metric(c, 'latency.request.p50').deltas[0];
    expect(d).toMatchObject({ verdict: 'worse', significant: true, n: [5, 5] });
    expect(d?.p).toBeCloseTo(2 / 252, 12);
    expect(d?.interval?.low).toBeGreaterThan(0);
    expect(d?.interval?.confidence).toBeGreaterThanOrEqual(0.95);
    expect(d?.intervalRelative?.low).toBeGreaterThan(0.5);
    expect(c).toMatchObject({ noiseJudged: true, alpha: 0.05, schema: 'jukebox-comparison/2' });
    expect(c.regressions.map((r) => r.key)).toContain('latency.request.p50');
    expect(c.method).toMatch(/Mann–Whitney/);
    expect(renderComparison(c)).toMatch(/request p50 .*WORSE \(p=0\.008 n=5\+5\)/);
  });

  it('knows which way is worse: fewer requests per second is worse, lower latency is better', () => {
    const c = compareGroups([group('base', 5, { latencyScale: 2 }), group('cand', 5, { requestsPerSecond: 20 })]);
    // (base with latencyScale 2 against cand at the default scale: the candidate's latency halves.)
    expect(metric(c, 'throughput.requestsPerSec').deltas[0]?.verdict).toBe('worse');
    expect(metric(c, 'latency.request.p50').deltas[0]?.verdict).toBe('better');
  });

  it('shows groups of the same scenario as ~ with their p-value, and no regression', () => {
    const c = compareGroups([group('base', 5, {}), group('cand', 5, {})]);
    expect(c.regressions).toEqual([]);
    const d = metric(c, 'latency.request.p50').deltas[0];
    expect(d?.verdict).toBe('same');
    expect(d?.p).toBeGreaterThanOrEqual(0.05);
    expect(renderComparison(c)).toMatch(/request p50 .*~ \(p=\d\.\d{3} n=5\+5\)/);
  });

  it('calls a change beyond the threshold but within the run-to-run spread ~, not a regression', () => {
    const scaled = (label: string, scales: number[]) => ({
      label,
      runs: scales.map((s, i) => run(`${label}${i}`, { latencyScale: s, runNoise: 0, noiseSeed: 1 })),
    });
    const c = compareGroups([scaled('base', [0.8, 1.0, 1.3, 0.9, 1.1]), scaled('cand', [0.9, 1.25, 1.4, 1.2, 1.0])]);
    const d = metric(c, 'latency.request.p50').deltas[0];
    expect(d?.relative).toBeGreaterThan(0.1);
    expect(d).toMatchObject({ verdict: 'same', significant: false });
    expect(c.regressions.map((r) => r.key)).not.toContain('latency.request.p50');
  });

  it('with 2 or 3 runs a side says "can\'t tell: need 4 runs per side" even for a 2× slowdown, and fails no regression', () => {
    for (const n of [2, 3]) {
      const c = compareGroups([group('base', n, {}), group('cand', n, { latencyScale: 2 })]);
      const d = metric(c, 'latency.request.p50').deltas[0];
      expect(d, `${n}`).toMatchObject({ verdict: 'cant-tell', significant: null, needRuns: 4, n: [n, n] });
      expect(d?.p, `${n}`).toBeCloseTo(n === 2 ? 1 / 3 : 0.1, 12);
      expect(c.regressions).toEqual([]);
      expect(c.noiseJudged).toBe(false);
      const text = renderComparison(c);
      expect(text).toMatch(new RegExp(`request p50 .*can't tell: need 4 runs per side \\(n=${n}\\+${n}\\)`));
      expect(text).toMatch(/--fail-on-regression does not fail on "can't tell"/);
    }
  });

  it('a significant worsening within the threshold is worse but not a regression', () => {
    const groups = [group('base', 6, { runNoise: 0.001 }), group('cand', 6, { runNoise: 0.001, latencyScale: 1.05 })];
    const c = compareGroups(groups, { regressionPct: 10 });
    expect(metric(c, 'latency.request.p50').deltas[0]?.verdict).toBe('worse');
    expect(c.regressions.map((r) => r.key)).not.toContain('latency.request.p50');
    const strict = compareGroups(groups, { regressionPct: 2 });
    expect(strict.regressions.map((r) => r.key)).toContain('latency.request.p50');
  });

  it('is deterministic: the same reports give the same comparison', () => {
    const groups = [group('base', 4, {}), group('cand', 4, { latencyScale: 2 })];
    expect(compareGroups(groups)).toEqual(compareGroups(groups));
  });

  it('with one run on a side, cannot judge noise: no verdict, no interval', () => {
    const c = compareGroups([group('base', 1, {}), group('cand', 5, { latencyScale: 2 })]);
    expect(c.noiseJudged).toBe(false);
    expect(metric(c, 'latency.request.p50').deltas[0]).toMatchObject({ verdict: 'cant-tell', significant: null, interval: null, p: null });
  });
});
