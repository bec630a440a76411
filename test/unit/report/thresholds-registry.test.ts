// The metrics registry is the one list: thresholds accept exactly its keys, compare reads its
// marked metrics, the docs table is made from it, and every metric reads a value from a real report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KEY_METRICS } from '../../../src/report/key-metrics.js';
import { LATENCY_STATS, METRIC_KEYS, METRICS, metricValue, renderMetricsTable } from '../../../src/report/metrics.js';
import { THRESHOLD_METRICS } from '../../../src/scenario/resolve.js';
import { packageRoot } from '../../../src/util/paths.js';
import { makeReport } from '../../helpers/report-fixture.js';

describe('the metrics registry', () => {
  it('has each key once, with a label, a description and a unit', () => {
    expect(new Set(METRIC_KEYS).size).toBe(METRIC_KEYS.length);
    for (const m of METRICS) {
      expect(m.label, m.key).not.toBe('');
      expect(m.description.length, m.key).toBeGreaterThan(10);
    }
  });

  it('is what thresholds accept', () => {
    expect(THRESHOLD_METRICS).toEqual(METRIC_KEYS);
  });

  it('gives compare its metrics, in their order, with their units and directions: the stall-aware ones too', () => {
    expect(KEY_METRICS.map((m) => `${m.key} ${m.unit} ${m.better}`)).toEqual([
      'throughput.requestsPerSec req/s higher',
      'throughput.bytesPerSec B/s higher',
      'window.steady.requestsPerSec req/s higher',
      ...['connect', 'check', 'ttfb', 'transfer', 'request'].flatMap((p) => [`latency.${p}.p50 ms lower`, `latency.${p}.p99 ms lower`]),
      'latencyCorrected.request.p99 ms lower',
      'errors.total count lower',
      'errors.rate ratio lower',
      'totals.verified count higher',
      'totals.failed count lower',
      'stalls.maxMs ms lower',
    ]);
  });

  it('reads every metric from a real report: data where the run had it, null where it had none', () => {
    const report = makeReport({ seconds: 6 });
    // The fixture is a closed-model run (no schedule to lag behind) whose recorder sends no request start (no traffic window).
    const noData = METRICS.filter((m) => m.value(report) === null).map((m) => m.key);
    expect(noData).toEqual(['window.steady.requestsPerSec', 'window.steady.bytesPerSec', 'schedule.lagMs.p50', 'schedule.lagMs.p99', 'schedule.lagMs.max']);
    const steady = {
      ...report,
      window: { firstSendS: 0.1, lastByteS: 5.9, trafficMs: 5800, steady: { fromS: 1, toS: 5, requestsPerSec: 40, bytesPerSec: 4000 } },
    };
    expect([metricValue(steady, 'window.steady.requestsPerSec'), metricValue(steady, 'window.steady.bytesPerSec')]).toEqual([40, 4000]);
    expect(metricValue(report, 'errors.rate')).toBe(report.totals.failed / report.totals.requests);
    expect(metricValue(report, 'latency.request.p99')).toBe(report.latency.request.p99);
    expect(metricValue(report, 'no.such.metric')).toBeNull();
  });

  it('is the table of docs/scenarios.md, key for key', () => {
    const doc = readFileSync(join(packageRoot, 'docs', 'scenarios.md'), 'utf8');
    // If this fails, paste renderMetricsTable()'s output into the doc's "Threshold metrics" section.
    expect(doc).toContain(renderMetricsTable());
    const section = doc.slice(doc.indexOf('### Threshold metrics'));
    const listed = [...section.matchAll(/^\| `([^`]+)` \|/gm)].flatMap((m) => {
      const key = m[1] ?? '';
      return key.endsWith('.<stat>') ? LATENCY_STATS.map((s) => key.replace('<stat>', s)) : [key];
    });
    expect([...listed].sort()).toEqual([...METRIC_KEYS].sort());
  });
});
