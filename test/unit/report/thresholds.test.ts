// Thresholds from the scenario's text to the verdict: every operator against every unit, at a
// value below, at and above the bound, so that a swapped operator or a unit scaled wrong fails.
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/harness/run-result.js';
import { MetricsAggregator } from '../../../src/metrics/aggregate.js';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import { buildReport } from '../../../src/report/build.js';
import { renderConsole } from '../../../src/report/console.js';
import { renderHtml } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/model.js';
import { readReport } from '../../../src/report/read.js';
import { evaluateThresholds } from '../../../src/report/thresholds.js';
import { parseScenario } from '../../../src/scenario/load.js';
import type { Threshold } from '../../../src/scenario/types.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';
import { fixtureEnvironment, makeReport } from '../../helpers/report-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir();
afterAll(() => tmp.cleanup());

type Op = Threshold['op'];

/** What each operator says of an actual value below, equal to and above its bound: a distinct row each, so any swap shows. */
const EXPECTED: Record<Op, [below: boolean, equal: boolean, above: boolean]> = {
  '<': [true, false, false],
  '<=': [true, true, false],
  '>': [false, false, true],
  '>=': [false, true, true],
  '==': [false, true, false],
};

interface UnitCase {
  what: string;
  metric: string;
  /** The condition's number as written, with its unit. */
  written: string;
  /** Actual values in the metric's unit: below, at and above the bound. */
  values: [number, number, number];
  /** Puts `v` into a report where the metric reads it. */
  set(r: Report, v: number): void;
}

function setLatency(phase: 'check' | 'ttfb' | 'request', stat: 'p50' | 'p99') {
  return (r: Report, v: number) => {
    r.latency[phase] = { ...r.latency[phase], count: Math.max(1, r.latency[phase].count), [stat]: v };
  };
}

const UNITS: UnitCase[] = [
  { what: 'a duration in ms', metric: 'latency.check.p99', written: '50ms', values: [49.5, 50, 50.5], set: setLatency('check', 'p99') },
  { what: 'a duration in s (× 1000)', metric: 'latency.request.p99', written: '2s', values: [1999, 2000, 2001], set: setLatency('request', 'p99') },
  { what: 'a duration as a bare number of ms', metric: 'latency.ttfb.p50', written: '20', values: [19, 20, 21], set: setLatency('ttfb', 'p50') },
  {
    what: 'a rate in requests/s',
    metric: 'throughput.requestsPerSec',
    written: '100',
    values: [99.9, 100, 100.1],
    set: (r, v) => {
      r.throughput.requestsPerSec = v;
    },
  },
  {
    what: 'a rate in bytes/s',
    metric: 'throughput.bytesPerSec',
    written: '1000000',
    values: [999_999, 1_000_000, 1_000_001],
    set: (r, v) => {
      r.throughput.bytesPerSec = v;
    },
  },
  {
    what: 'a rate in sessions/s',
    metric: 'throughput.sessionsPerSec',
    written: '3.5',
    values: [3, 3.5, 4],
    set: (r, v) => {
      r.throughput.sessionsPerSec = v;
    },
  },
  // errors.rate is failed ÷ requests: 1, 2 and 3 failed of 8 are 0.125, 0.25 and 0.375.
  { what: 'a ratio as a bare number', metric: 'errors.rate', written: '0.25', values: [0.125, 0.25, 0.375], set: setErrorRate },
  { what: 'a ratio as a percentage (÷ 100)', metric: 'errors.rate', written: '25%', values: [0.125, 0.25, 0.375], set: setErrorRate },
  {
    what: 'a count',
    metric: 'totals.failed',
    written: '3',
    values: [2, 3, 4],
    set: (r, v) => {
      r.totals.failed = v;
    },
  },
  {
    what: 'a count of stalls',
    metric: 'stalls.count',
    written: '1',
    values: [0, 1, 2],
    set: (r, v) => {
      r.stalls = Array.from({ length: v }, (_, i) => ({ t: i, durationMs: 1500, inFlight: 1, missed: 3 }));
    },
  },
];

function setErrorRate(r: Report, v: number): void {
  r.totals.requests = 8;
  r.totals.failed = v * 8;
}

/** The threshold as the scenario loader resolves it from YAML-like input. */
function thresholdOf(metric: string, condition: string): Threshold {
  const { scenario } = parseScenario({ name: 't', catalog: sampleCatalogFile(), thresholds: { [metric]: condition } }, undefined);
  const t = scenario.thresholds[0];
  if (!t) throw new Error('expected a threshold');
  return t;
}

const base = makeReport({ seconds: 3 });

describe('thresholds: every operator, every unit', () => {
  for (const unit of UNITS) {
    for (const op of Object.keys(EXPECTED) as Op[]) {
      it(`${unit.metric} ${op} ${unit.written} (${unit.what})`, () => {
        const threshold = thresholdOf(unit.metric, `${op} ${unit.written}`);
        const verdicts = unit.values.map((v) => {
          const report = structuredClone(base);
          unit.set(report, v);
          const [result] = evaluateThresholds(report, [threshold]);
          expect(result?.actual).toBe(v);
          expect(result?.noData).toBeUndefined();
          return result?.passed;
        });
        expect(verdicts).toEqual(EXPECTED[op]);
      });
    }
  }
});

describe('thresholds with no data', () => {
  // A run in which every song was absent: no transfer, so no ttfb; requests, so an error rate.
  const report = structuredClone(base);
  report.latency.ttfb = { ...report.latency.ttfb, count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };

  it('fail with actual null and noData, where a 0 would have passed "< 50ms"', () => {
    const [result] = evaluateThresholds(report, [thresholdOf('latency.ttfb.p99', '< 50ms')]);
    expect(result).toEqual({ metric: 'latency.ttfb.p99', condition: '< 50ms', actual: null, passed: false, noData: true });
  });

  it('are skipped, passing, when the threshold says ifNoData: skip; fail with ifNoData: fail', () => {
    const load = (ifNoData: string) =>
      parseScenario({ name: 't', catalog: sampleCatalogFile(), thresholds: { 'latency.ttfb.p99': { condition: '< 50ms', ifNoData } } }, undefined).scenario
        .thresholds;
    expect(evaluateThresholds(report, load('skip'))).toEqual([
      { metric: 'latency.ttfb.p99', condition: '< 50ms', actual: null, passed: true, noData: true, skipped: true },
    ]);
    expect(evaluateThresholds(report, load('fail'))).toEqual([{ metric: 'latency.ttfb.p99', condition: '< 50ms', actual: null, passed: false, noData: true }]);
  });

  it('skip applies only when there is no data: with data the condition decides', () => {
    const withData = structuredClone(base);
    setLatency('ttfb', 'p99')(withData, 80);
    const [result] = evaluateThresholds(withData, [{ ...thresholdOf('latency.ttfb.p99', '< 50ms'), ifNoData: 'skip' }]);
    expect(result).toEqual({ metric: 'latency.ttfb.p99', condition: '< 50ms', actual: 80, passed: false });
  });

  it("an error rate over no requests, the closed model's schedule lag and a report without stalls have no data", () => {
    const none = structuredClone(base);
    none.totals.requests = 0;
    none.totals.failed = 0;
    none.schedule = { ...none.schedule, model: 'closed' };
    delete none.stalls;
    const results = evaluateThresholds(none, [
      thresholdOf('errors.rate', '== 0'),
      thresholdOf('schedule.lagMs.max', '< 100ms'),
      thresholdOf('stalls.count', '== 0'),
    ]);
    expect(results.map((r) => [r.actual, r.passed, r.noData])).toEqual([
      [null, false, true],
      [null, false, true],
      [null, false, true],
    ]);
  });
});

describe('a threshold with no data, as the user sees it', () => {
  // A real run through the recorder and buildReport: every song was absent, so nothing was transferred.
  function runWithoutTransfers(thresholds: Record<string, unknown>): Report {
    const { scenario } = parseScenario({ name: 'absent', catalog: sampleCatalogFile(), thresholds }, undefined);
    let now = 0;
    const recorder = new MetricsRecorder(0, () => now);
    recorder.clientStarted();
    recorder.protocolRequest('s1');
    recorder.recordPhase('check', 2);
    recorder.requestEnded('cancelled', 3);
    recorder.clientFinished();
    now = 1000;
    const metrics = new MetricsAggregator();
    metrics.add(recorder.drain(true));
    const run: RunResult = {
      scenario,
      plan: { clients: 1, requests: 1, downloads: 0, streams: 0, absent: 1 },
      startedAtMs: 0,
      durationMs: 1000,
      metrics,
      serverStats: {},
      faults: [],
      resources: { peakRssBytes: 1, cpuUserMs: 1, cpuSystemMs: 1 },
    };
    return buildReport(run, fixtureEnvironment);
  }

  const failing = runWithoutTransfers({ 'latency.ttfb.p99': '< 50ms', 'latency.check.p99': '< 1s' });
  const skipping = runWithoutTransfers({ 'latency.ttfb.p99': { condition: '< 50ms', ifNoData: 'skip' } });

  it('fails the run; a phase that did run is judged as before', () => {
    expect(failing.latency.ttfb.count).toBe(0);
    expect(failing.thresholds).toEqual([
      { metric: 'latency.ttfb.p99', condition: '< 50ms', actual: null, passed: false, noData: true },
      { metric: 'latency.check.p99', condition: '< 1s', actual: expect.any(Number), passed: true },
    ]);
    expect(failing.passed).toBe(false);
    expect(skipping.passed).toBe(true);
  });

  it('says "no data" in the console and on the HTML page', () => {
    expect(renderConsole(failing)).toMatch(/latency\.ttfb\.p99 +│? *< 50ms *│? *no data *│? *FAIL \(no data\)/);
    expect(renderConsole(skipping)).toMatch(/no data *│? *skipped \(no data\)/);
    const html = renderHtml(failing, { script: '', css: '' });
    expect(html).toContain('FAIL (no data)');
    expect(renderHtml(skipping, { script: '', css: '' })).toContain('skipped (no data)');
  });

  it("shows actual values in the metric's unit", () => {
    const text = renderConsole(failing);
    expect(text).toMatch(/latency\.check\.p99 .*< 1s .*\d(\.\d+)?ms .*pass/);
  });

  it('keeps noData and skipped in the JSON, which reads back with the fields older readers know', () => {
    const file = tmp.write('no-data.json', JSON.stringify(skipping));
    const back = readReport(file);
    expect(back.thresholds).toEqual([{ metric: 'latency.ttfb.p99', condition: '< 50ms', actual: null, passed: true, noData: true, skipped: true }]);
    expect(back.scenario.thresholds).toEqual([{ metric: 'latency.ttfb.p99', condition: '< 50ms', op: '<', value: 50, ifNoData: 'skip' }]);
  });
});
