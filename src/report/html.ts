// The HTML report: a pure (report, assets) => string. One self-contained page (charts drawn with
// the inlined uPlot, data embedded as JSON) that works offline and fetches nothing.
import { PHASES, type LatencySummary } from '../metrics/histogram.js';
import { formatBytes, formatDuration } from '../util/duration.js';
import { formatValue } from './format.js';
import { loadChartAssets, type ChartAssets } from './html-assets.js';
import {
  color,
  ERROR_COLOR,
  faultMarkers,
  histogramCount,
  MARKER_COLOR,
  percentileCurve,
  percentileGrid,
  type ChartSpec,
  type SeriesSpec,
} from './html-charts.js';
import { escapeHtml, flatten, htmlTable, keyValueTable, renderPage, type Cell } from './html-kit.js';
import { sequenceSection } from './html-sequence.js';
import { describeInterruption } from './interruption.js';
import type { Report } from './model.js';
import { metricValue } from './metrics.js';
import { thresholdActual, thresholdVerdict } from './thresholds.js';

/** The element ids of the report page's charts, in page order. */
export const REPORT_CHART_IDS = ['chart-throughput', 'chart-latency-time', 'chart-errors', 'chart-distribution'] as const;

/**
 * Renders the report page. `assets` are the chart library's files (loadChartAssets reads them
 * once from node_modules); pass them explicitly to keep the call free of file access.
 */
export function renderHtml(report: Report, assets: ChartAssets = loadChartAssets()): string {
  return renderPage({ title: `jukebox report: ${report.name}`, body: body(report), data: { markerColor: MARKER_COLOR, charts: reportCharts(report) } }, assets);
}

/** The charts of a report page, as data for the page script. */
export function reportCharts(report: Report): ChartSpec[] {
  const x = report.timeline.map((e) => e.t);
  const markers = [...faultMarkers(report.faults), ...stallMarkers(report.stalls ?? [])];
  // Reports written before in-flight counts and start lag were kept per second have none to draw.
  const hasInFlight = report.timeline.some((e) => e.inFlight !== undefined);
  const hasLag = report.schedule.model === 'open' && report.timeline.some((e) => e.lagMs !== undefined);
  const phases = PHASES.filter((p) => histogramCount(report.histograms[p]) > 0);
  const grid = percentileGrid(Math.max(0, ...phases.map((p) => report.latency[p].count)));
  return [
    {
      id: 'chart-throughput',
      kind: 'time',
      xLabel: 'seconds since start',
      leftLabel: 'requests per second',
      rightLabel: 'bytes per second',
      x,
      markers,
      yLog: false,
      series: [
        { label: 'requests/s', values: report.timeline.map((e) => e.requestsPerSec), unit: 'req/s', axis: 'left', color: color(0), style: 'line' },
        { label: 'bytes/s', values: report.timeline.map((e) => e.bytesPerSec), unit: 'B/s', axis: 'right', color: color(1), style: 'line' },
      ],
    },
    {
      id: 'chart-latency-time',
      kind: 'time',
      xLabel: 'seconds since start',
      leftLabel: 'latency',
      rightLabel: '',
      x,
      markers,
      yLog: false,
      series: (['p50', 'p90', 'p99'] as const)
        .map((p, i): SeriesSpec => ({
          label: `${p} of requests ending that second`,
          // Reports written before p50/p90 were kept per second have only p99.
          values: report.timeline.map((e) => (e.requestsPerSec > 0 ? (e[p] ?? null) : null)),
          unit: 'ms',
          axis: 'left' as const,
          color: color(2 + i),
          style: 'line' as const,
        }))
        .concat(
          // A stall has no percentile (nothing ended): the oldest outstanding request's age shows it growing.
          hasInFlight
            ? [
                {
                  label: 'oldest request outstanding',
                  values: report.timeline.map((e) => e.oldestAgeMs ?? null),
                  unit: 'ms' as const,
                  axis: 'left' as const,
                  color: ERROR_COLOR,
                  style: 'dashed' as const,
                },
              ]
            : [],
          hasLag
            ? [
                {
                  label: 'latest start behind schedule',
                  values: report.timeline.map((e) => e.lagMs ?? null),
                  unit: 'ms' as const,
                  axis: 'left' as const,
                  color: color(6),
                  style: 'dashed' as const,
                },
              ]
            : [],
        ),
    },
    {
      id: 'chart-errors',
      kind: 'time',
      xLabel: 'seconds since start',
      leftLabel: 'failed requests',
      rightLabel: 'clients in progress',
      x,
      markers,
      yLog: false,
      series: [
        { label: 'failed requests', values: report.timeline.map((e) => e.errors), unit: 'count', axis: 'left', color: ERROR_COLOR, style: 'bars' },
        { label: 'clients in progress', values: report.timeline.map((e) => e.active), unit: 'count', axis: 'right', color: color(4), style: 'line' },
        ...(hasInFlight
          ? [
              {
                label: 'requests in flight',
                values: report.timeline.map((e) => e.inFlight ?? null),
                unit: 'count' as const,
                axis: 'right' as const,
                color: color(5),
                style: 'dashed' as const,
              },
            ]
          : []),
      ],
    },
    {
      id: 'chart-distribution',
      kind: 'percentile',
      xLabel: 'percentile',
      leftLabel: 'latency',
      rightLabel: '',
      x: grid,
      markers: [],
      yLog: true,
      series: phases.map((p) => ({
        label: p,
        values: percentileCurve(report.histograms[p], grid),
        unit: 'ms',
        axis: 'left',
        color: color(PHASES.indexOf(p)),
        style: 'line',
      })),
    },
  ];
}

const num = (v: string | number): Cell => ({ text: v, className: 'num' });

function body(r: Report): string {
  return `<main>
${header(r)}
${r.interrupted ? `<p class="callout interrupted"><strong>${escapeHtml(describeInterruption(r))}.</strong> The numbers below cover what ran until then.</p>` : ''}
${r.schedule.behind ? `<p class="callout">The harness fell behind its schedule (clients started up to ${escapeHtml(formatDuration(r.schedule.lagMs.max))} late${behindWhen(r)}). Latencies count from the schedule, so the wait is in them.</p>` : ''}
${stallsCallout(r)}
${cards(r)}
<h2>Throughput</h2>
${windowNote(r)}
${panel('Requests and bytes per second', 'Song requests ending in each second (left axis) and body bytes received (right axis). Dashed lines mark the faults applied.', 'chart-throughput')}
<div class="grid2">
${panel('Latency over time', 'The 50th, 90th and 99th percentiles of the requests that ended in each second (from their intended start); a second in which none ended is a gap. Dashed: the age of the oldest request outstanding (and, open model, the latest start behind schedule). Stalls are marked.', 'chart-latency-time')}
${panel('Errors over time', 'Failed song requests per second (bars), the clients in progress (line) and the song requests in flight (dashed), with the faults applied.', 'chart-errors')}
</div>
<h2>Latency</h2>
${panel('Latency distribution per phase', "Each phase's latency at every percentile, from the HDR histograms in the report. Both axes are logarithmic: the tail is on the right.", 'chart-distribution', latencyTable(r))}
<h2>Servers</h2>
<div class="panel">${serverShares(r)}${serversTable(r)}</div>
${sequenceSection(r)}
<h2>Errors and faults</h2>
<div class="grid2">
<div class="panel"><h3>Errors by kind</h3>${errorsTable(r)}</div>
<div class="panel"><h3>Faults applied</h3>${faultsTable(r)}</div>
</div>
<h2>Thresholds</h2>
<div class="panel">${thresholdsTable(r)}</div>
<h2>The run</h2>
<div class="grid2">
<div class="panel"><h3>Totals</h3>${totalsTable(r)}</div>
<div class="panel"><h3>Environment</h3>${environmentTable(r)}</div>
</div>
<div class="panel"><h3>Scenario (as resolved)</h3>${keyValueTable(flatten(r.scenario))}</div>
<footer>${escapeHtml(r.schema)} · generated by jukebox ${escapeHtml(r.environment.jukebox)} · this page works offline: its data and charts are inside it.</footer>
</main>`;
}

function header(r: Report): string {
  const verdict =
    r.thresholds.length === 0
      ? '<span class="badge none">NO THRESHOLDS</span>'
      : r.passed
        ? '<span class="badge pass">PASSED</span>'
        : '<span class="badge fail">FAILED</span>';
  const status = r.interrupted ? `<span class="badge fail">INTERRUPTED</span>${verdict}` : verdict;
  const description = r.scenario.description ? `<p class="sub">${escapeHtml(r.scenario.description)}</p>` : '';
  return `<header><h1>${escapeHtml(r.name)}</h1>${status}<span class="sub">started ${escapeHtml(r.startedAt)} · took ${escapeHtml(formatDuration(r.durationMs))} · seed ${escapeHtml(String(r.seed))} · ${escapeHtml(describeLoad(r))}</span></header>${description}`;
}

function describeLoad(r: Report): string {
  const load = r.scenario.load;
  return load.model === 'closed'
    ? `closed model: ${load.clients} clients, ${load.concurrency} at once`
    : `open model: ${load.arrivalRate} clients/s for ${formatDuration(load.durationMs)}`;
}

function cards(r: Report): string {
  const errorsTotal = metricValue(r, 'errors.total') ?? 0;
  const items: [string, string][] = [
    ['song requests', String(r.totals.requests)],
    ['verified', String(r.totals.verified)],
    ['failed', String(r.totals.failed)],
    ['requests/s', formatValue('req/s', r.throughput.requestsPerSec)],
    ['throughput', formatValue('B/s', r.throughput.bytesPerSec)],
    ['request p50', r.latency.request.count ? formatDuration(r.latency.request.p50) : 'n/a'],
    ['request p99', r.latency.request.count ? formatDuration(r.latency.request.p99) : 'n/a'],
    ['errors', String(errorsTotal)],
  ];
  return `<section class="cards">${items.map(([k, v]) => `<div class="card"><div class="v">${escapeHtml(v)}</div><div class="k">${escapeHtml(k)}</div></div>`).join('')}</section>`;
}

function panel(title: string, caption: string, chartId: string, after = ''): string {
  return `<div class="panel"><h3>${escapeHtml(title)}</h3><p class="caption">${escapeHtml(caption)}</p><div class="chart" id="${chartId}"></div>${after}</div>`;
}

const ms = (count: number, v: number) => (count === 0 ? '-' : formatDuration(v));

/** One row of the latency table: the phase's count and its distribution, '-' where it saw nothing. */
function latencyRow(label: string, s: LatencySummary): Cell[] {
  return [label, num(s.count), ...[s.min, s.mean, s.p50, s.p90, s.p99, s.p999, s.max].map((v) => num(ms(s.count, v)))];
}

function latencyTable(r: Report): string {
  const head: Cell[] = ['phase', num('count'), num('min'), num('mean'), num('p50'), num('p90'), num('p99'), num('p99.9'), num('max')];
  const rows = PHASES.map((p): Cell[] => latencyRow(p, r.latency[p]));
  const corrected = r.latencyCorrected?.request;
  if (corrected && r.pace?.corrected) rows.push(latencyRow('request, corrected for coordinated omission', corrected));
  return htmlTable(head, rows);
}

function stallMarkers(stalls: NonNullable<Report['stalls']>): { x: number; label: string }[] {
  return stalls.map((s) => ({ x: s.t, label: `stall ${formatDuration(s.durationMs)}` }));
}

function behindWhen(r: Report): string {
  const seconds = r.schedule.behindSeconds ?? [];
  return seconds.length === 0 ? '' : `, by over 100 ms in second${seconds.length === 1 ? '' : 's'} ${seconds.join(', ')}`;
}

function stallsCallout(r: Report): string {
  const stalls = r.stalls ?? [];
  if (stalls.length === 0) return '';
  const items = stalls.map(
    (s) =>
      `<li>at ${s.t.toFixed(2)} s: ${escapeHtml(formatDuration(s.durationMs))} with ${s.inFlight} request${s.inFlight === 1 ? '' : 's'} in flight and nothing back${s.ongoing ? ' (still going at the end)' : ''}; the waiting clients would have sent ${s.missed} more</li>`,
  );
  const corrected = r.latencyCorrected?.request;
  const tail =
    corrected && r.pace?.corrected
      ? ` Corrected for the requests not sent meanwhile, the request p99 is ${escapeHtml(formatDuration(corrected.p99))} (measured: ${escapeHtml(formatDuration(r.latency.request.p99))}).`
      : '';
  return `<div class="callout"><strong>Stalls: requests outstanding and nothing coming back.</strong><ul>${items.join('')}</ul>${tail}</div>`;
}

function windowNote(r: Report): string {
  const w = r.window;
  if (!w || w.firstSendS === null || w.lastByteS === null) return '';
  const steady = w.steady
    ? ` Steady state (seconds ${w.steady.fromS}–${w.steady.toS}, without ramp-up and tail): ${escapeHtml(formatValue('req/s', w.steady.requestsPerSec))}, ${escapeHtml(formatValue('B/s', w.steady.bytesPerSec))}.`
    : ' No whole second without ramp-up or tail: too short for a steady rate.';
  return `<p class="caption">Rates are over the traffic window, ${escapeHtml(formatDuration(w.trafficMs))} from the first request sent (${w.firstSendS.toFixed(2)} s) to the last byte received (${w.lastByteS.toFixed(2)} s).${steady}</p>`;
}

/** Stacked bars: each server's share of requests, bytes and transfers chosen. */
function serverShares(r: Report): string {
  const ids = Object.keys(r.servers);
  const row = (label: string, value: (id: string) => number, show: (v: number) => string) => {
    const total = ids.reduce((a, id) => a + value(id), 0);
    const parts = ids
      .map((id, i) => {
        const v = value(id);
        if (total === 0 || v === 0) return '';
        const pct = (100 * v) / total;
        return `<span style="width:${pct.toFixed(2)}%;background:${color(i)}" title="${escapeHtml(`${id}: ${show(v)} (${pct.toFixed(1)}%)`)}">${escapeHtml(`${id} ${pct.toFixed(0)}%`)}</span>`;
      })
      .join('');
    return `<div class="share-row"><div>${escapeHtml(label)}</div><div class="share-bar" data-share="${escapeHtml(label)}">${parts}</div></div>`;
  };
  const keys = ids.map((id, i) => `<span><i style="background:${color(i)}"></i>${escapeHtml(id)}</span>`).join('');
  return `<h3>Each server's share</h3><p class="caption">Protocol requests clients sent each server, body bytes they got from it, and the times they chose it for a transfer.</p>
<div class="shares">${row('requests', (id) => r.servers[id]?.requests ?? 0, String)}${row('bytes', (id) => r.servers[id]?.bytes ?? 0, formatBytes)}${row('chosen', (id) => r.servers[id]?.chosen ?? 0, String)}</div><div class="keys">${keys}</div>`;
}

function serversTable(r: Report): string {
  const head: Cell[] = [
    'server',
    num('requests'),
    num('bytes'),
    num('chosen'),
    num("server's own: requests"),
    num('bytes sent'),
    num('connections'),
    num('errors'),
  ];
  const rows = Object.entries(r.servers).map(([id, s]): Cell[] => [
    id,
    num(s.requests),
    num(formatBytes(s.bytes)),
    num(s.chosen),
    num(s.stats?.requests ?? '-'),
    num(s.stats ? formatBytes(s.stats.bytesSent) : '-'),
    num(s.stats?.connectionsTotal ?? '-'),
    num(s.stats?.errors ?? '-'),
  ]);
  return `<h3 style="margin-top:16px">Per server</h3>${htmlTable(head, rows)}`;
}

function errorsTable(r: Report): string {
  const rows = Object.entries(r.errors).map(([kind, n]): Cell[] => [kind, num(n)]);
  const total = metricValue(r, 'errors.total') ?? 0;
  const rate = metricValue(r, 'errors.rate') ?? 0;
  return `${htmlTable(['kind', num('count')], rows)}<p class="caption" style="margin-top:8px">${escapeHtml(`${total} errors in all; ${r.totals.failed} of ${r.totals.requests} song requests failed (${(rate * 100).toFixed(2)}%); ${r.totals.failovers} failovers, ${r.totals.resumes} resumes.`)}</p>`;
}

function faultsTable(r: Report): string {
  if (r.faults.length === 0) return '<p class="empty">none</p>';
  return htmlTable(
    [num('at'), 'server', 'action', 'detail'],
    r.faults.map((f): Cell[] => [num(`${f.t}s`), f.server, f.action, f.detail]),
  );
}

function thresholdsTable(r: Report): string {
  if (r.thresholds.length === 0) return '<p class="empty">The scenario sets no thresholds.</p>';
  return htmlTable(
    ['metric', 'condition', num('actual'), 'result'],
    r.thresholds.map((t): Cell[] => [t.metric, t.condition, num(thresholdActual(t)), { text: thresholdVerdict(t), className: t.passed ? 'pass' : 'fail' }]),
  );
}

function totalsTable(r: Report): string {
  const t = r.totals;
  return keyValueTable([
    ['seed', String(r.seed)],
    ['started', r.startedAt],
    ['duration', formatDuration(r.durationMs)],
    ['clients', t.clients],
    ['song requests', t.requests],
    ['downloads / streams', `${t.downloads} / ${t.streams}`],
    ['cancelled (no server held the song)', t.cancelled],
    ['failed', t.failed],
    ['verified (sha256 matched)', t.verified],
    ['bytes received', formatBytes(t.bytes)],
    ['failovers / resumes', `${t.failovers} / ${t.resumes} (${formatBytes(t.resumedBytes)} resumed)`],
    ['integrity failures', t.integrityFailures],
    ['requests/s · bytes/s · sessions/s', `${r.throughput.requestsPerSec} · ${formatBytes(r.throughput.bytesPerSec)}/s · ${r.throughput.sessionsPerSec}`],
    [
      r.interrupted
        ? 'planned: clients, requests; downloads, streams, absent of the clients started'
        : 'planned: clients, requests, downloads, streams, absent',
      `${r.plan.clients}, ${r.plan.requests}, ${r.plan.downloads}, ${r.plan.streams}, ${r.plan.absent}`,
    ],
    [
      'schedule',
      `${r.schedule.model} model; start lag p50 ${formatDuration(r.schedule.lagMs.p50)}, p99 ${formatDuration(r.schedule.lagMs.p99)}, max ${formatDuration(r.schedule.lagMs.max)}`,
    ],
  ]);
}

function environmentTable(r: Report): string {
  const e = r.environment;
  return keyValueTable([
    ['node', e.node],
    ['platform', `${e.platform} ${e.arch}`],
    ['cpus', `${e.cpus} × ${e.cpuModel}`],
    ['memory', formatBytes(e.totalMemoryBytes)],
    ['jukebox', e.jukebox],
    ['git commit', e.gitCommit ?? 'unknown'],
    ...conditionsRows(e.conditions),
  ]);
}

/** What the machine was doing (conditions.ts): what compare looks at before it trusts a difference. */
function conditionsRows(c: Report['environment']['conditions']): [string, string][] {
  if (c === undefined) return [];
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' / ');
  return [
    ['load average (1/5/15 min)', `${load(c.loadAvgStart)} at the start, ${load(c.loadAvgEnd)} at the end`],
    ['CPU steal', c.stealPct === null ? 'not readable here' : `${c.stealPct}% of CPU time over the run`],
    ['calibration', `${c.calibrationMBps} MB/s of sha256 at the start (a fixed figure runs on one machine can compare)`],
  ];
}
