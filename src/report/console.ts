// The console summary: a pure (report) => string, drawn with cli-table3.
import Table from 'cli-table3';
import { PHASES } from '../metrics/histogram.js';
import { formatBytes, formatDuration } from '../util/duration.js';
import { describeInterruption } from './interruption.js';
import { escapeForTerminal as safe } from '../util/terminal-text.js';
import type { Report } from './model.js';

const compact = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [] as string[], border: [] as string[] } };

function table(head: string[]): Table.Table {
  return new Table({ head, ...compact });
}

const ms = (v: number) => (v === 0 ? '-' : formatDuration(v));
const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

export function renderConsole(report: Report): string {
  const out: string[] = [];
  // Names, seeds and ids come from the scenario or a report file read back: shown escaped.
  out.push(`jukebox run "${safe(String(report.name))}"  seed ${safe(String(report.seed))}  ${safe(String(report.startedAt))}  took ${formatDuration(report.durationMs)}${report.interrupted ? '  INTERRUPTED' : ''}`);
  if (report.interrupted) out.push(describeInterruption(report));
  out.push(totalsTable(report), latencyTable(report), serversTable(report));
  const errors = Object.entries(report.errors).filter(([, n]) => n > 0);
  out.push(errors.length === 0 ? 'errors: none' : `errors: ${errors.map(([k, n]) => `${safe(k)} ${n}`).join(', ')}`);
  if (report.totals.failovers + report.totals.resumes > 0) {
    out.push(`recovery: ${report.totals.failovers} failovers, ${report.totals.resumes} resumes (${formatBytes(report.totals.resumedBytes)} resumed)`);
  }
  if (report.schedule.model === 'open') {
    const lag = report.schedule.lagMs;
    out.push(`schedule: clients started late by p50 ${ms(lag.p50)}, p99 ${ms(lag.p99)}, max ${ms(lag.max)}${report.schedule.behind ? '  ← the harness fell behind its schedule; latencies count from the schedule' : ''}`);
  }
  const r = report.resources;
  if (r) out.push(`process: peak memory ${formatBytes(r.peakRssBytes)}, CPU ${formatDuration(r.cpuUserMs)} user + ${formatDuration(r.cpuSystemMs)} system`);
  if (report.thresholds.length > 0) out.push(thresholdsTable(report));
  return out.join('\n');
}

function totalsTable(r: Report): string {
  const t = table(['clients', 'requests', 'downloads', 'streams', 'cancelled', 'failed', 'verified', 'bytes', 'req/s', 'throughput']);
  const x = r.totals;
  t.push([x.clients, x.requests, x.downloads, x.streams, x.cancelled, x.failed, x.verified, formatBytes(x.bytes), r.throughput.requestsPerSec.toFixed(1), `${formatBytes(r.throughput.bytesPerSec)}/s`]);
  return t.toString();
}

function latencyTable(r: Report): string {
  const t = table(['latency', 'count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max']);
  for (const phase of PHASES) {
    const s = r.latency[phase];
    t.push([phase, s.count, ms(s.min), ms(s.mean), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.p999), ms(s.max)]);
  }
  return t.toString();
}

function serversTable(r: Report): string {
  const t = table(['server', 'requests', 'bytes', 'chosen', 'share', "server's own: requests", 'bytes sent']);
  const totalChosen = Object.values(r.servers).reduce((a, s) => a + s.chosen, 0);
  for (const [id, s] of Object.entries(r.servers)) {
    t.push([safe(id), s.requests, formatBytes(s.bytes), s.chosen, pct(s.chosen, totalChosen), s.stats?.requests ?? '-', s.stats ? formatBytes(s.stats.bytesSent) : '-']);
  }
  return t.toString();
}

function thresholdsTable(r: Report): string {
  const t = table(['threshold', 'condition', 'actual', 'result']);
  for (const th of r.thresholds) t.push([safe(th.metric), safe(th.condition), th.actual === null ? 'n/a' : String(th.actual), th.passed ? 'pass' : 'FAIL']);
  return t.toString();
}
