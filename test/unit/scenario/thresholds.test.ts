// Thresholds when the scenario loads: the metric must exist and the condition's unit must fit it;
// every problem is named with its key, what was expected and what was got.
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile, ScenarioError } from '../../../src/scenario/load.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir();
afterAll(() => tmp.cleanup());

let n = 0;
function file(thresholds: string): string {
  return tmp.write(`t-${n++}.yaml`, `catalog: ${JSON.stringify(sampleCatalogFile())}\nname: t\nthresholds:\n${thresholds}`);
}

function problemsOf(thresholds: string): string[] {
  try {
    loadScenarioFile(file(thresholds));
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems;
    throw err;
  }
  throw new Error('expected the scenario to be refused');
}

describe('threshold metrics and units at load', () => {
  it('refuses an unknown metric with a did-you-mean, new metrics included', () => {
    expect(problemsOf('  stalls.cuont: "== 0"\n')[0]).toMatch(/thresholds\.stalls\.cuont: unknown metric; did you mean "stalls\.count"\?/);
    expect(problemsOf('  latencyCorected.request.p99: "< 1s"\n')[0]).toMatch(/did you mean "latencyCorrected\.request\.p99"\?/);
  });

  it('refuses a duration on a ratio: errors.rate: "< 5ms"', () => {
    const [problem, ...rest] = problemsOf('  errors.rate: "< 5ms"\n');
    expect(rest).toEqual([]);
    expect(problem).toMatch(/thresholds\.errors\.rate: expected a ratio \(errors\.rate is in ratio\) like "< 0\.01" or "< 1%", got a duration "< 5ms"/);
  });

  it('refuses a percentage on a duration, a duration on a count or a rate, and seconds on a rate', () => {
    const problems = problemsOf('  latency.check.p99: "< 5%"\n  totals.failed: "== 0ms"\n  throughput.requestsPerSec: "> 100s"\n  stalls.maxMs: "< 1%"\n');
    expect(problems).toHaveLength(4);
    expect(problems[0]).toMatch(/thresholds\.latency\.check\.p99: expected a duration .* got a percentage "< 5%"/);
    expect(problems[1]).toMatch(/thresholds\.totals\.failed: expected a count .* got a duration "== 0ms"/);
    expect(problems[2]).toMatch(/thresholds\.throughput\.requestsPerSec: expected a rate .* got a duration "> 100s"/);
    expect(problems[3]).toMatch(/thresholds\.stalls\.maxMs: expected a duration .* got a percentage/);
  });

  it('refuses a ratio over 1, a percentage without its %', () => {
    expect(problemsOf('  errors.rate: "< 5"\n')[0]).toMatch(
      /thresholds\.errors\.rate: expected a ratio from 0 to 1 like "< 0\.01", or a percentage like "< 1%", got "< 5"/,
    );
    expect(problemsOf('  errors.rate: "< 150%"\n')[0]).toMatch(/expected a ratio from 0 to 1/);
  });

  it('accepts every unit where it fits, with ifNoData in the long form', () => {
    const { scenario } = loadScenarioFile(
      file(
        [
          '  latency.check.p99: "< 50ms"',
          '  latency.request.p99: "<= 2s"',
          '  latency.ttfb.p50: "< 20"',
          '  errors.rate: "<= 1%"',
          '  latencyCorrected.request.p99: "< 0.5"',
          '  totals.failed: "== 0"',
          '  throughput.requestsPerSec: "> 100"',
          '  window.steady.bytesPerSec: ">= 1000"',
          '  stalls.count: "== 0"',
          '  latency.transfer.max: { condition: "< 10s", ifNoData: skip }',
          '  schedule.lagMs.max: { condition: "< 100ms", ifNoData: fail }',
          '',
        ].join('\n'),
      ),
    );
    expect(scenario.thresholds.map((t) => [t.metric, t.op, t.value, t.ifNoData])).toEqual([
      ['latency.check.p99', '<', 50, undefined],
      ['latency.request.p99', '<=', 2000, undefined],
      ['latency.ttfb.p50', '<', 20, undefined],
      ['errors.rate', '<=', 0.01, undefined],
      ['latencyCorrected.request.p99', '<', 0.5, undefined],
      ['totals.failed', '==', 0, undefined],
      ['throughput.requestsPerSec', '>', 100, undefined],
      ['window.steady.bytesPerSec', '>=', 1000, undefined],
      ['stalls.count', '==', 0, undefined],
      ['latency.transfer.max', '<', 10_000, 'skip'],
      ['schedule.lagMs.max', '<', 100, undefined],
    ]);
  });

  it('refuses a bad ifNoData, an unknown key in the long form and a long form without its condition', () => {
    expect(problemsOf('  latency.ttfb.p99: { condition: "< 50ms", ifNoData: ignore }\n')[0]).toMatch(
      /thresholds\.latency\.ttfb\.p99\.ifNoData: expected fail or skip, got "ignore"/,
    );
    expect(problemsOf('  latency.ttfb.p99: { condition: "< 50ms", ifNodata: skip }\n')[0]).toMatch(/thresholds\.latency\.ttfb\.p99\.ifNodata: unknown key/);
    expect(problemsOf('  latency.ttfb.p99: { ifNoData: skip }\n')[0]).toMatch(
      /thresholds\.latency\.ttfb\.p99: expected a condition like "< 50ms" or \{ condition/,
    );
  });
});
