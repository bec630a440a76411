import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../../src/harness/run-result.js';
import { MetricsAggregator } from '../../../src/metrics/aggregate.js';
import { MetricsRecorder } from '../../../src/metrics/recorder.js';
import { buildReport } from '../../../src/report/build.js';
import { renderConsole } from '../../../src/report/console.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';

const environment = { node: 'v20', platform: 'linux', arch: 'x64', cpus: 2, cpuModel: 'test', totalMemoryBytes: 1, jukebox: '0.0.0' };

function runWith(record: (r: MetricsRecorder) => void, thresholds: Record<string, string> = {}): RunResult {
  const { scenario } = parseScenario({ name: 'r', catalog: sampleCatalogFile(), thresholds }, undefined);
  let now = 0;
  const recorder = new MetricsRecorder(0, () => now);
  record(recorder);
  now = 2000;
  const metrics = new MetricsAggregator();
  metrics.add(recorder.drain(true));
  return {
    scenario,
    plan: { clients: 1, requests: 3, downloads: 2, streams: 0, absent: 1 },
    startedAtMs: 0,
    durationMs: 2000,
    metrics,
    serverStats: {},
    faults: [],
    resources: { peakRssBytes: 100 * 1024 * 1024, cpuUserMs: 1000, cpuSystemMs: 200 },
  };
}

describe('report', () => {
  const run = runWith(
    (r) => {
      r.protocolRequest('s1');
      r.actionStarted('download', 's1');
      r.bytesReceived('s1', 4000);
      r.recordPhase('check', 2);
      r.requestEnded('verified', 40);
      r.requestEnded('cancelled', 3);
      r.error('timeout');
      r.requestEnded('failed', 5000);
    },
    { 'latency.request.p50': '< 100ms', 'errors.rate': '< 1%' },
  );
  const report = buildReport(run, environment);

  it('carries the contract fields', () => {
    expect(report.schema).toBe('jukebox-report/1');
    expect(Object.keys(report)).toEqual(
      expect.arrayContaining([
        'schema',
        'name',
        'seed',
        'startedAt',
        'durationMs',
        'scenario',
        'environment',
        'totals',
        'throughput',
        'latency',
        'servers',
        'errors',
        'timeline',
        'histograms',
        'thresholds',
      ]),
    );
    expect(Object.keys(report.latency)).toEqual(['connect', 'check', 'ttfb', 'transfer', 'request']);
    expect(report.latency.request).toEqual(expect.objectContaining({ count: 3, min: expect.any(Number), p999: expect.any(Number) }));
  });

  it('computes totals, throughput, per-server shares and errors by kind', () => {
    expect(report.totals).toMatchObject({ requests: 3, verified: 1, cancelled: 1, failed: 1, downloads: 1, bytes: 4000 });
    expect(report.throughput.requestsPerSec).toBe(1.5);
    expect(report.throughput.bytesPerSec).toBe(2000);
    expect(report.servers.s1).toMatchObject({ requests: 1, bytes: 4000, chosen: 1 });
    expect(report.servers.s2).toMatchObject({ requests: 0, bytes: 0, chosen: 0 });
    expect(report.errors).toMatchObject({ timeout: 1, refused: 0, reset: 0, integrity: 0, protocol: 0 });
  });

  it('evaluates thresholds', () => {
    expect(report.thresholds).toEqual([
      { metric: 'latency.request.p50', condition: '< 100ms', actual: expect.any(Number), passed: true },
      { metric: 'errors.rate', condition: '< 1%', actual: 1 / 3, passed: false },
    ]);
    expect(report.passed).toBe(false);
  });

  it('renders a console table with every phase and the thresholds', () => {
    const text = renderConsole(report);
    for (const word of ['connect', 'check', 'ttfb', 'transfer', 'request', 's1', 's2', 'timeout 1', 'FAIL', 'pass', 'peak memory 100.0 MiB'])
      expect(text).toContain(word);
  });
});
