import { describe, expect, it } from 'vitest';
import { createHistogram, encodeHistogram, recordMs, summarize } from '../../../src/metrics/histogram.js';
import { compareRuns } from '../../../src/report/compare.js';
import { renderCompareHtml } from '../../../src/report/html-compare.js';
import { renderRepeatHtml } from '../../../src/report/html-repeat.js';
import { summarizeRepeats } from '../../../src/report/repeat.js';
import { loadChartAssets } from '../../../src/report/html-assets.js';
import { percentileCurve, percentileGrid } from '../../../src/report/html-charts.js';
import { DATA_ELEMENT_ID, embedJson, escapeHtml, flatten } from '../../../src/report/html-kit.js';
import { renderHtml, reportCharts, REPORT_CHART_IDS } from '../../../src/report/html.js';
import { makeReport } from '../../helpers/report-fixture.js';

/** The JSON inside <script type="application/json" id="jukebox-data">. */
function embeddedData(html: string): unknown {
  const m = new RegExp(`<script type="application/json" id="${DATA_ELEMENT_ID}">([^<]*)</script>`).exec(html);
  if (!m?.[1]) throw new Error('no embedded data');
  return JSON.parse(m[1]);
}

/** Every URL the page could ask the network for: src/href attributes, CSS url() and @import. */
function fetchableReferences(html: string): string[] {
  const refs = [...html.matchAll(/\s(?:src|href|srcset|action|poster)\s*=\s*["']?([^"'\s>]+)/gi)].map((m) => m[1] ?? '');
  refs.push(...[...html.matchAll(/url\(\s*["']?([^"')]+)/gi)].map((m) => m[1] ?? ''));
  refs.push(...[...html.matchAll(/@import\s+["']?([^"';]+)/gi)].map((m) => m[1] ?? ''));
  return refs.filter((r) => !r.startsWith('data:') && !r.startsWith('#'));
}

describe('renderHtml', () => {
  const report = makeReport({ name: 'html-check' });
  const html = renderHtml(report);

  it('is one self-contained page: no script, style sheet, font or image comes from elsewhere', () => {
    expect(fetchableReferences(html)).toEqual([]);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    // The only http(s) URLs are the chart library's licence banner, which nothing fetches.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(urls.every((u) => u.startsWith('https://github.com/leeoniya/uPlot'))).toBe(true);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain(loadChartAssets().script.slice(0, 200));
  });

  it('embeds the chart data, with the latency distributions decoded from the histograms', () => {
    expect(embeddedData(html)).toEqual({ markerColor: expect.any(String), charts: reportCharts(report) });
    const charts = reportCharts(report);
    expect(charts.map((c) => c.id)).toEqual([...REPORT_CHART_IDS]);
    for (const id of REPORT_CHART_IDS) expect(html).toContain(`id="${id}"`);
    const throughput = charts[0];
    expect(throughput?.x).toEqual(report.timeline.map((e) => e.t));
    expect(throughput?.series[0]?.values).toEqual(report.timeline.map((e) => e.requestsPerSec));
    expect(throughput?.markers).toEqual([{ x: 8, label: 's1 crash' }]);
    const distribution = charts[3];
    expect(distribution?.series.map((s) => s.label)).toEqual(['connect', 'check', 'ttfb', 'transfer', 'request']);
  });

  it('shows the tables: totals, seed, environment, thresholds, the resolved scenario', () => {
    for (const text of [
      'html-check',
      'FAILED',
      'errors.rate',
      'FAIL',
      'pass',
      'fixture cpu',
      'load.concurrency',
      'client.thinkTime.meanMs',
      '692',
      'restart after 3s',
    ])
      expect(html).toContain(text);
  });

  it("shows what the machine was doing (compare's conditions) in the environment table", () => {
    const report = makeReport({ name: 'conditions' });
    report.environment.conditions = { loadAvgStart: [1.5, 1, 0.5], loadAvgEnd: [3.25, 2, 1], stealPct: 4.5, calibrationMBps: 812.3 };
    const page = renderHtml(report);
    for (const text of ['1.50 / 1.00 / 0.50 at the start, 3.25 / 2.00 / 1.00 at the end', '4.5% of CPU time over the run', '812.3 MB/s of sha256'])
      expect(page).toContain(text);
    report.environment.conditions = { ...report.environment.conditions, stealPct: null };
    expect(renderHtml(report)).toContain('not readable here');
  });

  it('escapes names so that nothing in a report can break out of its element', () => {
    const evil = makeReport({ name: 'n' });
    evil.name = '</script><script>alert(1)</script>';
    evil.scenario.description = '<img src=x onerror=alert(2)>';
    evil.faults = [{ t: 1, server: '</script>', action: 'crash', detail: '&amp; <b>' }];
    const page = renderHtml(evil);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toContain('<img src=x');
    expect(page.match(/<\/script>/g)).toHaveLength(3); // the data, uPlot, the page script
    expect(page).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const data = embeddedData(page) as { charts: { markers: { label: string }[] }[] };
    expect(data.charts[0]?.markers[0]?.label).toBe('</script> crash');
  });

  it('is pure given the assets, and renders a run in which nothing happened', () => {
    const assets = { script: '/* chart library */', css: '/* css */' };
    expect(renderHtml(report, assets)).toBe(renderHtml(report, assets));
    const idle = makeReport({ name: 'idle', seconds: 0, fault: null });
    const page = renderHtml(idle, assets);
    expect(page).toContain('idle');
    expect(reportCharts(idle).every((c) => c.series.every((s) => s.values.length === 0))).toBe(true);
  });
});

describe('html building blocks', () => {
  it('escapes text and embeds JSON that cannot close its script element', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = embedJson({ s: '</script><!-- & \u2028' });
    expect(json).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- & \u2028' });
  });

  it('flattens the resolved scenario into dotted keys, arrays of flat objects one line each', () => {
    expect(flatten({ load: { clients: 3 }, servers: [{ id: 's1', port: 0 }], ids: undefined, tags: ['a', 'b'], none: [] })).toEqual([
      ['load.clients', '3'],
      ['servers[0]', 'id s1, port 0'],
      ['ids', '—'],
      ['tags', 'a, b'],
      ['none', '(none)'],
    ]);
  });

  it('decodes a histogram into percentile points that agree with its summary', () => {
    const h = createHistogram();
    for (let i = 1; i <= 1000; i++) recordMs(h, i / 10);
    const grid = percentileGrid(h.totalCount);
    expect(grid[0]).toBe(1);
    expect(grid.at(-1)).toBeLessThanOrEqual(1000);
    const curve = percentileCurve(encodeHistogram(h), grid);
    const s = summarize(h);
    expect(curve[grid.indexOf(2)]).toBe(s.p50);
    expect(curve[grid.indexOf(128)]).toBeGreaterThan(s.p99);
    expect(percentileCurve(encodeHistogram(h), [...grid, 5000]).at(-1)).toBeNull();
  });
});

describe('renderCompareHtml', () => {
  it('draws every run on the same charts and fetches nothing', () => {
    const runs = [
      { label: '#1', report: makeReport({ seed: 1 }) },
      { label: '#2', report: makeReport({ seed: 1, latencyScale: 2 }) },
    ];
    const c = compareRuns(runs);
    const page = renderCompareHtml(
      c,
      runs.map((r) => ({ label: r.label, runs: [r] })),
    );
    expect(fetchableReferences(page)).toEqual([]);
    const data = embeddedData(page) as { charts: { id: string; series: { label: string }[] }[] };
    expect(data.charts.map((ch) => ch.id)).toEqual([
      'cmp-requests',
      'cmp-bytes',
      'cmp-p99',
      'cmp-dist-connect',
      'cmp-dist-check',
      'cmp-dist-ttfb',
      'cmp-dist-transfer',
      'cmp-dist-request',
    ]);
    for (const chart of data.charts) expect(chart.series.map((s) => s.label)).toEqual(['#1', '#2']);
    // One run per side: the change is shown, never a better/worse verdict.
    expect(page).toContain('One run per side: run-to-run noise cannot be judged');
    expect(page).not.toContain('WORSE');
  });
});

describe('renderRepeatHtml', () => {
  const reports = [1, 2].map((i) => makeReport({ name: 'rep', noiseSeed: i }));

  it("draws each run in its own colour, links only to the runs' pages beside it, and fetches nothing", () => {
    const page = renderRepeatHtml(summarizeRepeats(reports, { files: ['rep-run1.json', 'rep-run2.json'] }), reports);
    expect(fetchableReferences(page)).toEqual(['./rep-run1.html', './rep-run2.html']);
    const data = embeddedData(page) as { charts: { series: { label: string; color: string }[] }[] };
    const series = data.charts[0]?.series ?? [];
    expect(series.map((s) => s.label)).toEqual(['run 1', 'run 2']);
    expect(new Set(series.map((s) => s.color)).size).toBe(2);
  });

  it('keeps a hostile run file a relative link and its name text', () => {
    const page = renderRepeatHtml(summarizeRepeats(reports, { files: ['javascript:alert(1)//.json', '"><script>x</script>.json'] }));
    expect(page).not.toContain('<script>x</script>');
    expect(page).not.toMatch(/href="javascript:/);
    expect(fetchableReferences(page).every((r) => r.startsWith('./'))).toBe(true);
    expect(page).toContain('The run reports were not at hand');
  });
});
