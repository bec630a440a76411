// The comparison page (`simulate compare --html`): the comparison table, and the runs' timelines
// and latency distributions drawn over each other. Pure given the chart assets.
import { PHASES } from '../metrics/histogram.js';
import type { CompareGroup, Comparison, MetricComparison, MetricDelta } from './compare.js';
import { formatChange, formatRelative, formatValue } from './format.js';
import { intervalText, verdictText } from './compare-console.js';
import { loadChartAssets, type ChartAssets } from './html-assets.js';
import { color, histogramCount, MARKER_COLOR, percentileCurve, percentileGrid, type ChartSpec, type SeriesSpec } from './html-charts.js';
import { escapeHtml, htmlTable, renderPage, type Cell } from './html-kit.js';
import type { Report, TimelineEntry } from './model.js';

interface LabelledRun {
  label: string;
  color: string;
  report: Report;
}

/**
 * Every run that has its report, labelled; a group's runs share its colour so that groups read as
 * bands. Runs known only through a repeat summary have no timeline or histogram to draw.
 */
function labelledRuns(groups: CompareGroup[]): LabelledRun[] {
  const single = groups.every((g) => g.runs.length === 1);
  return groups.flatMap((g, gi) =>
    g.runs.flatMap((r) => ('report' in r ? [{ label: single ? g.label : `${g.label} · ${r.label}`, color: color(gi), report: r.report }] : [])),
  );
}

export function compareCharts(groups: CompareGroup[]): ChartSpec[] {
  const runs = labelledRuns(groups);
  const length = Math.max(0, ...runs.map((r) => r.report.timeline.length));
  const x = Array.from({ length }, (_, t) => t);
  const timeSeries = (unit: SeriesSpec['unit'], pick: (e: TimelineEntry) => number | null): SeriesSpec[] =>
    runs.map((r) => ({
      label: r.label,
      unit,
      axis: 'left',
      color: r.color,
      style: 'line',
      values: x.map((t) => {
        const e = r.report.timeline[t];
        return e ? pick(e) : null;
      }),
    }));
  const time = (id: string, leftLabel: string, series: SeriesSpec[]): ChartSpec => ({
    id,
    kind: 'time',
    xLabel: "seconds since each run's start",
    leftLabel,
    rightLabel: '',
    x,
    series,
    markers: [],
    yLog: false,
  });
  const charts: ChartSpec[] = [
    time(
      'cmp-requests',
      'requests per second',
      timeSeries('req/s', (e) => e.requestsPerSec),
    ),
    time(
      'cmp-bytes',
      'bytes per second',
      timeSeries('B/s', (e) => e.bytesPerSec),
    ),
    time(
      'cmp-p99',
      'p99 latency',
      timeSeries('ms', (e) => (e.requestsPerSec > 0 ? e.p99 : null)),
    ),
  ];
  for (const phase of distributionPhases(runs)) {
    const grid = percentileGrid(Math.max(0, ...runs.map((r) => r.report.latency[phase].count)));
    charts.push({
      id: `cmp-dist-${phase}`,
      kind: 'percentile',
      xLabel: 'percentile',
      leftLabel: `${phase} latency`,
      rightLabel: '',
      x: grid,
      markers: [],
      yLog: true,
      series: runs.map((r) => ({
        label: r.label,
        unit: 'ms',
        axis: 'left',
        color: r.color,
        style: 'line',
        values: percentileCurve(r.report.histograms[phase], grid),
      })),
    });
  }
  return charts;
}

function distributionPhases(runs: LabelledRun[]): (typeof PHASES)[number][] {
  return PHASES.filter((p) => runs.some((r) => histogramCount(r.report.histograms[p]) > 0));
}

export function renderCompareHtml(comparison: Comparison, groups: CompareGroup[], assets: ChartAssets = loadChartAssets()): string {
  const charts = compareCharts(groups);
  const names = [...new Set(comparison.groups.flatMap((g) => g.runs.map((r) => r.name)))].join(', ');
  const summarized = groups.some((g) => g.runs.some((r) => !('report' in r)));
  return renderPage(
    { title: `jukebox comparison: ${names}`, body: body(comparison, charts, names, summarized), data: { markerColor: MARKER_COLOR, charts } },
    assets,
  );
}

function body(c: Comparison, charts: ChartSpec[], names: string, summarized: boolean): string {
  const panel = (spec: ChartSpec, title: string, caption: string) =>
    `<div class="panel"><h3>${escapeHtml(title)}</h3><p class="caption">${escapeHtml(caption)}</p><div class="chart" id="${escapeHtml(spec.id)}"></div></div>`;
  const byId = (id: string) => charts.find((s) => s.id === id);
  const timeline = [
    ['cmp-requests', 'Requests per second', 'Song requests ending in each second, every run from its own start.'],
    ['cmp-bytes', 'Bytes per second', 'Body bytes received in each second.'],
    ['cmp-p99', 'p99 latency over time', 'The 99th percentile of the requests that ended in each second.'],
  ] as const;
  const status =
    c.regressions.length === 0
      ? '<span class="badge pass">NO REGRESSION</span>'
      : `<span class="badge fail">${c.regressions.length} REGRESSION${c.regressions.length === 1 ? '' : 'S'}</span>`;
  return `<main>
<header><h1>${escapeHtml(names)}</h1>${status}<span class="sub">${escapeHtml(c.mode === 'runs' ? `${c.groups.length} runs, each against the first` : `${c.groups.length} groups of repeated runs`)} · threshold ±${escapeHtml(String(c.regressionPct))}%</span></header>
${c.notes.map((n) => `<p class="callout">${escapeHtml(n)}</p>`).join('\n')}
${summarized ? `<p class="callout">${escapeHtml(SUMMARIZED_NOTE)}</p>` : ''}
<h2>Key metrics</h2>
<div class="panel">${comparisonTable(c)}<p class="caption" style="margin-top:8px">${escapeHtml(`Method: ${c.method}.`)}</p></div>
<h2>Runs</h2>
<div class="panel">${runsTable(c)}</div>
<h2>Timelines</h2>
<div class="grid2">
${timeline
  .map(([id, title, caption]) => {
    const spec = byId(id);
    return spec ? panel(spec, title, caption) : '';
  })
  .join('\n')}
</div>
<h2>Latency distributions</h2>
<div class="grid2">
${charts
  .filter((s) => s.kind === 'percentile')
  .map((s) => panel(s, `${s.id.replace('cmp-dist-', '')} latency`, "Latency at every percentile, from each run's HDR histogram; both axes logarithmic."))
  .join('\n')}
</div>
<footer>${escapeHtml(c.schema)} · generated by jukebox · this page works offline: its data and charts are inside it.</footer>
</main>`;
}

const SUMMARIZED_NOTE =
  "Some runs come from --repeat summaries, which keep each run's key metrics but not its timeline or histograms: the charts draw only the runs given as reports (compare the run reports themselves to draw them all).";

const num = (v: string | number): Cell => ({ text: v, className: 'num' });

function changeCells(m: MetricComparison, d: MetricDelta): Cell[] {
  return [num(formatChange(m.unit, d.absolute)), num(formatRelative(d.relative, d.absolute))];
}

/** The same words as the console: `~ (p=… n=…)`, `WORSE (p=… n=…)`, "can't tell: need N runs per side". */
function verdictCell(d: MetricDelta): Cell {
  return { text: verdictText(d), className: d.verdict };
}

function comparisonTable(c: Comparison): string {
  if (c.mode === 'runs') {
    const head: Cell[] = ['metric', num(`${c.groups[0]?.label ?? ''} (baseline)`)];
    for (const g of c.groups.slice(1)) head.push(num(g.label), num('Δ'), num('Δ %'));
    const rows = c.metrics.map((m): Cell[] => [
      m.label,
      num(formatValue(m.unit, m.groups[0]?.spread?.median ?? null)),
      // One run per side: the change only, never better or worse (the notes say why).
      ...m.deltas.flatMap((d, i) => [num(formatValue(m.unit, m.groups[i + 1]?.spread?.median ?? null)), ...changeCells(m, d)]),
    ]);
    return htmlTable(head, rows);
  }
  const spreadText = (m: MetricComparison, i: number) => {
    const s = m.groups[i]?.spread;
    return s ? `${formatValue(m.unit, s.median)} (${formatValue(m.unit, s.min)}–${formatValue(m.unit, s.max)})` : 'n/a';
  };
  const head: Cell[] = ['metric', num(`${c.groups[0]?.label ?? ''}: median (min–max)`)];
  for (const g of c.groups.slice(1))
    head.push(num(`${g.label}: median (min–max)`), num('Δ median'), num('Δ %'), num('Hodges–Lehmann interval of Δ'), 'verdict');
  const rows = c.metrics.map((m): Cell[] => [
    m.label,
    num(spreadText(m, 0)),
    ...m.deltas.flatMap((d, i) => [num(spreadText(m, i + 1)), ...changeCells(m, d), num(intervalText(m.unit, d)), verdictCell(d)]),
  ]);
  return htmlTable(head, rows);
}

function runsTable(c: Comparison): string {
  const rows = c.groups.flatMap((g) =>
    g.runs.map((r): Cell[] => [
      g.label,
      r.label,
      r.name,
      String(r.seed),
      r.startedAt,
      num(r.durationMs === null ? '?' : `${(r.durationMs / 1000).toFixed(1)}s`),
      r.file ?? '',
    ]),
  );
  return htmlTable(['group', 'run', 'scenario', 'seed', 'started', num('duration'), 'file'], rows);
}
