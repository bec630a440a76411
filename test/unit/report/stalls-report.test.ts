// Stalls, corrected latency, windows and lag over time as the report, the console and the HTML
// page show them, from a run recorded on an injected clock; and reports written before these
// fields existed still render.
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/harness/run-result.js';
import { MetricsAggregator } from '../../../src/metrics/aggregate.js';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import { buildReport } from '../../../src/report/build.js';
import { renderConsole } from '../../../src/report/console.js';
import { renderHtml, reportCharts } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/model.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';
import { makeReport } from '../../helpers/report-fixture.js';

const environment = { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test', totalMemoryBytes: 1, jukebox: '0.0.0' };

/**
 * A closed-model run of 8 s on a clock the test drives: one client, a request every 20 ms (10 ms
 * each, 10 ms think), except one sent at 3.0 s that hangs until 5.5 s. The run started at 0; the
 * first request went out at 0.2 s, the last byte came at 8.01 s, the run ended at 8.5 s.
 */
function stalledRun(): RunResult {
  const { scenario } = parseScenario(
    { name: 'stall', catalog: sampleCatalogFile(), load: { clients: 1 }, client: { requests: 100, thinkTime: { distribution: 'constant', mean: '10ms' } } },
    undefined,
  );
  const clock = { t: 0 };
  const recorder = new MetricsRecorder(0, () => clock.t, { thinkMeanMs: 10, correct: true });
  const metrics = new MetricsAggregator();
  const request = (from: number, to: number) => {
    clock.t = from;
    const token = recorder.requestStarted(from);
    for (let t = from + 250; t < to; t += 250) {
      clock.t = t;
      recorder.sample();
    }
    clock.t = to;
    recorder.bytesReceived('s1', 1000);
    recorder.requestEnded('verified', to - from, token);
  };
  for (let t = 200; t < 3000; t += 20) request(t, t + 10);
  request(3000, 5500);
  for (let t = 5600; t <= 8000; t += 20) request(t, t + 10);
  clock.t = 8500;
  metrics.add(recorder.drain(true));
  return {
    scenario,
    plan: { clients: 1, requests: 100, downloads: 100, streams: 0, absent: 0 },
    startedAtMs: 0,
    durationMs: 8500,
    metrics,
    serverStats: {},
    faults: [],
    resources: { peakRssBytes: 1, cpuUserMs: 1, cpuSystemMs: 1 },
  };
}

describe('a report with a stall', () => {
  const report = buildReport(stalledRun(), environment);

  it('says when the stall was, how long, and what the pace would have sent', () => {
    // At one request per 20 ms (10 think + 10 typical, as the histogram resolves it: a hair more), ~124 missed.
    expect(report.stalls).toEqual([{ t: 3, durationMs: 2500, inFlight: 1, missed: expect.any(Number) }]);
    expect(report.stalls?.[0]?.missed).toBeGreaterThanOrEqual(124);
    expect(report.stalls?.[0]?.missed).toBeLessThanOrEqual(125);
    expect(report.pace).toMatchObject({ thinkMs: 10, corrected: true });
    expect(renderConsole(report)).toMatch(
      /stall: at 3\.00 s, 2\.50 s with 1 request in flight and nothing back; the waiting clients would have sent 12\d more at their pace \(one per 20ms\)/,
    );
  });

  it('shows the corrected latency beside the measured one', () => {
    const measured = report.latency.request;
    const corrected = report.latencyCorrected?.request;
    expect(measured.p99).toBeLessThan(20);
    expect(corrected?.p99).toBeGreaterThan(2000);
    expect(corrected!.count).toBeGreaterThan(measured.count + 20);
    expect(renderConsole(report)).toMatch(/request, corrected\*/);
  });

  it('gives the stalled seconds no percentile, but the request in flight and its age', () => {
    const byT = new Map(report.timeline.map((e) => [e.t, e]));
    for (const t of [3, 4]) expect(byT.get(t)).toMatchObject({ requestsPerSec: 0, p50: null, p90: null, p99: null, inFlight: 1 });
    expect(byT.get(4)?.oldestAgeMs).toBeGreaterThanOrEqual(1750);
    expect(byT.get(2)).toMatchObject({ p99: expect.any(Number) });
    // The latency chart draws the gap (null) and the age line; the stall is marked.
    const chart = reportCharts(report).find((c) => c.id === 'chart-latency-time');
    expect(chart?.series.find((s) => s.label.startsWith('p99'))?.values[4]).toBeNull();
    expect(chart?.series.find((s) => s.label === 'oldest request outstanding')?.values[4]).toBeGreaterThan(1000);
    expect(chart?.markers).toContainEqual({ x: 3, label: 'stall 2.50s' });
    expect(renderHtml(report)).toContain('Stalls: requests outstanding and nothing coming back.');
  });

  it('computes rates over the traffic window, and a steady rate without its first and last seconds', () => {
    expect(report.window).toMatchObject({ firstSendS: 0.2, lastByteS: 8.01, trafficMs: 7810 });
    expect(report.throughput.requestsPerSec).toBeCloseTo(report.totals.requests / 7.81, 1);
    // Seconds 1 to 7 are whole and inside the traffic (one client ran throughout).
    expect(report.window?.steady).toMatchObject({ fromS: 1, toS: 8 });
    expect(renderConsole(report)).toMatch(/window: rates over the traffic, 7\.81s \(first request sent at 0\.20 s, last byte at 8\.01 s\); steady 1–8 s/);
  });
});

describe('the schedule falling behind', () => {
  it('names the seconds in which clients started late', () => {
    const { scenario } = parseScenario({ name: 'open', catalog: sampleCatalogFile(), load: { arrivalRate: 5, duration: '4s' } }, undefined);
    const clock = { t: 0 };
    const recorder = new MetricsRecorder(0, () => clock.t);
    for (const [t, lag] of [
      [100, 5],
      [1100, 250],
      [2100, 10],
      [3100, 400],
      [3300, 20],
    ] as const) {
      clock.t = t;
      recorder.recordScheduleLag(lag);
    }
    const metrics = new MetricsAggregator();
    metrics.add(recorder.drain(true));
    const report = buildReport(
      {
        scenario,
        plan: { clients: 5, requests: 5, downloads: 0, streams: 0, absent: 5 },
        startedAtMs: 0,
        durationMs: 4000,
        metrics,
        serverStats: {},
        faults: [],
        resources: { peakRssBytes: 1, cpuUserMs: 1, cpuSystemMs: 1 },
      },
      environment,
    );
    expect(report.schedule.behind).toBe(true);
    expect(report.schedule.behindSeconds).toEqual([1, 3]);
    expect(report.timeline.map((e) => e.lagMs)).toEqual([5, 250, 10, 400]);
    expect(renderConsole(report)).toContain('schedule: behind by over 100 ms in seconds 1, 3');
  });
});

describe('reports written before stalls, corrected latency and windows', () => {
  it('still render in the console and as a page', () => {
    const old = makeReport({ name: 'old' }) as Partial<Report> & Report;
    delete old.stalls;
    delete old.latencyCorrected;
    delete old.histogramsCorrected;
    delete old.pace;
    delete old.window;
    delete old.schedule.behindSeconds;
    old.timeline = old.timeline.map(({ inFlight: _i, oldestAgeMs: _o, lagMs: _l, ...e }) => ({ ...e, p50: e.p50 ?? 0, p90: e.p90 ?? 0, p99: e.p99 ?? 0 }));
    const text = renderConsole(old);
    expect(text).not.toMatch(/stall|window:|corrected/);
    const charts = reportCharts(old);
    expect(charts.find((c) => c.id === 'chart-errors')?.series.map((s) => s.label)).toEqual(['failed requests', 'clients in progress']);
    expect(renderHtml(old)).toContain('<h2>Throughput</h2>');
  });
});
