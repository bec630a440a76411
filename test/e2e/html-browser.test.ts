// The HTML pages as a person opens them: Debian's Chromium (headless) loads the file, offline.
// Every chart must draw its series, nothing may be fetched, and no error may reach the console.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { compareGroups, type CompareRun } from '../../src/report/compare.js';
import { compareCharts, renderCompareHtml } from '../../src/report/html-compare.js';
import { renderHtml, reportCharts } from '../../src/report/html.js';
import type { ChartSpec } from '../../src/report/html-charts.js';
import { packageRoot } from '../../src/util/paths.js';
import { chromiumAvailable, useChromium, warnIfNoChromium } from '../helpers/browser.js';
import { makeReport } from '../helpers/report-fixture.js';

const outDir = join(packageRoot, 'test-output');
/** Series lines are 2 px wide: a drawn series leaves at least this many pixels of its colour. */
const MIN_SERIES_PIXELS = 20;

warnIfNoChromium('the HTML browser tests');

interface ChartProbe {
  drawn: string | null;
  width: number;
  height: number;
  /** Pixels of each series colour, in the order asked. */
  counts: number[];
}

/** Runs in the page: the chart's canvas, its size, and how many pixels have each colour. */
const PROBE = String.raw`(function (args) {
  var el = document.getElementById(args.id);
  var canvas = el && el.querySelector('canvas');
  if (!canvas) return { drawn: el ? el.getAttribute('data-drawn') : null, width: 0, height: 0, counts: args.colors.map(function () { return 0; }) };
  var px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  var targets = args.colors.map(function (hex) { return [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)]; });
  var counts = targets.map(function () { return 0; });
  for (var i = 0; i < px.length; i += 4) {
    if (px[i + 3] < 250) continue;
    for (var t = 0; t < targets.length; t++) {
      var c = targets[t];
      if (Math.abs(px[i] - c[0]) < 24 && Math.abs(px[i + 1] - c[1]) < 24 && Math.abs(px[i + 2] - c[2]) < 24) counts[t]++;
    }
  }
  return { drawn: el.getAttribute('data-drawn'), width: canvas.width, height: canvas.height, counts: counts };
})`;

describe.skipIf(!chromiumAvailable)('HTML pages in a browser', () => {
  const newPage = useChromium(outDir);

  /** Opens a page from a file and collects what went wrong and what it asked the network for. */
  async function open(file: string): Promise<{ page: Page; consoleErrors: string[]; pageErrors: string[]; requests: string[] }> {
    const page = await newPage({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    await page.waitForFunction('document.documentElement.getAttribute("data-charts") !== null');
    return { page, consoleErrors, pageErrors, requests };
  }

  async function expectChartsDrawn(page: Page, charts: ChartSpec[]): Promise<void> {
    expect(await page.evaluate('document.documentElement.getAttribute("data-charts")')).toBe(String(charts.length));
    for (const chart of charts) {
      const probe = (await page.evaluate(`${PROBE}(${JSON.stringify({ id: chart.id, colors: chart.series.map((s) => s.color) })})`)) as ChartProbe;
      expect(probe.drawn, chart.id).toBe('chart');
      expect(probe.width, chart.id).toBeGreaterThan(200);
      expect(probe.height, chart.id).toBeGreaterThan(100);
      chart.series.forEach((s, i) => {
        const drawsSomething = s.values.some((v) => v !== null && v > 0);
        if (drawsSomething) expect(probe.counts[i], `${chart.id}: ${s.label}`).toBeGreaterThanOrEqual(MIN_SERIES_PIXELS);
      });
    }
  }

  it('draws the report page: every chart, the server shares, the tables, with no fetch and no error', async () => {
    const report = makeReport({ name: 'browser-check' });
    const file = join(outDir, 'report.html');
    writeFileSync(file, renderHtml(report));
    const { page, consoleErrors, pageErrors, requests } = await open(file);
    try {
      expect(pageErrors).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await expectChartsDrawn(page, reportCharts(report));
      const shareWidths = (await page.evaluate(
        'Array.from(document.querySelectorAll(".share-bar span")).map(function (s) { return s.getBoundingClientRect().width; })',
      )) as number[];
      expect(shareWidths.length).toBe(6); // requests, bytes, chosen × two servers
      for (const w of shareWidths) expect(w).toBeGreaterThan(10);
      const text = (await page.evaluate('document.body.innerText')) as string;
      for (const word of ['browser-check', 'FAILED', 'errors.rate', 'FAIL', 'refused', 'restart after 3s', 'fixture cpu', 'client.thinkTime.distribution'])
        expect(text).toContain(word);
      await page.screenshot({ path: join(outDir, 'report.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it('draws the comparison overlay page with every run on the same charts', async () => {
    const run = (label: string, scale: number, seed: number): CompareRun => ({
      label,
      report: makeReport({ name: 'overlay', latencyScale: scale, noiseSeed: seed, seed }),
    });
    const groups = [
      { label: 'baseline', runs: [run('a1', 1, 1), run('a2', 1, 2)] },
      { label: 'candidate', runs: [run('b1', 2, 3), run('b2', 2, 4)] },
    ];
    const comparison = compareGroups(groups);
    const file = join(outDir, 'compare.html');
    writeFileSync(file, renderCompareHtml(comparison, groups));
    const { page, consoleErrors, pageErrors, requests } = await open(file);
    try {
      expect(pageErrors).toEqual([]);
      expect(consoleErrors).toEqual([]);
      expect(requests).toEqual([pathToFileURL(file).href]);
      await expectChartsDrawn(page, compareCharts(groups));
      const text = (await page.evaluate('document.body.innerText')) as string;
      // Two runs a side: too few for the rank test to call even a doubled latency worse.
      expect(text).toContain("can't tell: need 4 runs per side");
      expect(text).not.toContain('WORSE');
      await page.screenshot({ path: join(outDir, 'compare.png'), fullPage: true });
    } finally {
      await page.close();
    }
  });
});
