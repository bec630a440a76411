// The console summary: a pure (report) => string, drawn with cli-table3.
import Table from 'cli-table3';
import { PHASES } from '../metrics/histogram.js';
import { formatBytes, formatDuration } from '../util/duration.js';
import { describeInterruption } from './interruption.js';
import { escapeForTerminal as safe } from '../util/terminal-text.js';
import type { Report } from './model.js';
import { thresholdActual, thresholdVerdict } from './thresholds.js';

const compact = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [] as string[], border: [] as string[] } };

function table(head: string[]): Table.Table {
  return new Table({ head, ...compact });
}

const ms = (v: number) => (v === 0 ? '-' : formatDuration(v));
const pct = (part: number, whole: number) => (whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`);

export function renderConsole(report: Report): string {
  const out: string[] = [];
  // Names, seeds and ids come from the scenario or a report file read back: shown escaped.
  out.push(
    `jukebox run "${safe(String(report.name))}"  seed ${safe(String(report.seed))}  ${safe(String(report.startedAt))}  took ${formatDuration(report.durationMs)}${report.interrupted ? '  INTERRUPTED' : ''}`,
  );
  if (report.interrupted) out.push(describeInterruption(report));
  out.push(totalsTable(report));
  const window = describeWindow(report);
  if (window) out.push(window);
  out.push(latencyTable(report), serversTable(report));
  out.push(...describeStalls(report));
  const errors = Object.entries(report.errors).filter(([, n]) => n > 0);
  out.push(errors.length === 0 ? 'errors: none' : `errors: ${errors.map(([k, n]) => `${safe(k)} ${n}`).join(', ')}`);
  if (report.totals.failovers + report.totals.resumes > 0) {
    out.push(`recovery: ${report.totals.failovers} failovers, ${report.totals.resumes} resumes (${formatBytes(report.totals.resumedBytes)} resumed)`);
  }
  if (report.schedule.model === 'open') {
    const lag = report.schedule.lagMs;
    out.push(
      `schedule: clients started late by p50 ${ms(lag.p50)}, p99 ${ms(lag.p99)}, max ${ms(lag.max)}${report.schedule.behind ? '  ← the harness fell behind its schedule; latencies count from the schedule' : ''}`,
    );
    const seconds = report.schedule.behindSeconds ?? [];
    if (seconds.length > 0) out.push(`schedule: behind by over 100 ms in second${seconds.length === 1 ? '' : 's'} ${listSeconds(seconds)}`);
  }
  const r = report.resources;
  if (r) out.push(`process: peak memory ${formatBytes(r.peakRssBytes)}, CPU ${formatDuration(r.cpuUserMs)} user + ${formatDuration(r.cpuSystemMs)} system`);
  if (report.thresholds.length > 0) out.push(thresholdsTable(report));
  return out.join('\n');
}

function totalsTable(r: Report): string {
  const t = table(['clients', 'requests', 'downloads', 'streams', 'cancelled', 'failed', 'verified', 'bytes', 'req/s', 'throughput']);
  const x = r.totals;
  t.push([
    x.clients,
    x.requests,
    x.downloads,
    x.streams,
    x.cancelled,
    x.failed,
    x.verified,
    formatBytes(x.bytes),
    r.throughput.requestsPerSec.toFixed(1),
    `${formatBytes(r.throughput.bytesPerSec)}/s`,
  ]);
  return t.toString();
}

function latencyTable(r: Report): string {
  const t = table(['latency', 'count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max']);
  for (const phase of PHASES) {
    const s = r.latency[phase];
    t.push([phase, s.count, ms(s.min), ms(s.mean), ms(s.p50), ms(s.p90), ms(s.p99), ms(s.p999), ms(s.max)]);
  }
  // Closed model: the same requests corrected for coordinated omission (the open model's are the measured ones).
  const c = r.latencyCorrected?.request;
  if (c && r.pace?.corrected) t.push(['request, corrected*', c.count, ms(c.min), ms(c.mean), ms(c.p50), ms(c.p90), ms(c.p99), ms(c.p999), ms(c.max)]);
  const note =
    c && r.pace?.corrected
      ? `\n* corrected for coordinated omission: with the requests the clients would have sent at their pace (${formatDuration(r.pace.intervalMs)} = think ${r.pace.thinkMs === 0 ? '0' : formatDuration(r.pace.thinkMs)} + typical ${formatDuration(r.pace.serviceMs)}) while one was stuck`
      : '';
  return t.toString() + note;
}

/** The traffic window the rates are over, and the steady part without ramp-up and tail. */
function describeWindow(r: Report): string | undefined {
  const w = r.window;
  if (!w || w.firstSendS === null || w.lastByteS === null) return undefined;
  const steady = w.steady
    ? `; steady ${w.steady.fromS}–${w.steady.toS} s: ${w.steady.requestsPerSec.toFixed(1)} req/s, ${formatBytes(w.steady.bytesPerSec)}/s`
    : '; no steady second (too short to tell)';
  return `window: rates over the traffic, ${formatDuration(w.trafficMs)} (first request sent at ${w.firstSendS.toFixed(2)} s, last byte at ${w.lastByteS.toFixed(2)} s)${steady}`;
}

/** One line per stall: when, how long, how many waited, what the pace would have sent. */
function describeStalls(r: Report): string[] {
  return (r.stalls ?? []).map((s) => {
    const pace = r.pace ? ` at their pace (one per ${formatDuration(r.pace.intervalMs)})` : '';
    const ongoing = s.ongoing ? ' (still going at the end: at least that long)' : '';
    return `stall: at ${s.t.toFixed(2)} s, ${(s.durationMs / 1000).toFixed(2)} s with ${s.inFlight} request${s.inFlight === 1 ? '' : 's'} in flight and nothing back${ongoing}; the waiting clients would have sent ${s.missed} more${pace}`;
  });
}

/** 0, 3, 4, 5, 9 → "0, 3–5, 9". */
function listSeconds(seconds: number[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < seconds.length;) {
    let j = i;
    while (j + 1 < seconds.length && seconds[j + 1] === (seconds[j] ?? 0) + 1) j++;
    ranges.push(i === j ? `${seconds[i]}` : `${seconds[i]}–${seconds[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

function serversTable(r: Report): string {
  const t = table(['server', 'requests', 'bytes', 'chosen', 'share', "server's own: requests", 'bytes sent']);
  const totalChosen = Object.values(r.servers).reduce((a, s) => a + s.chosen, 0);
  for (const [id, s] of Object.entries(r.servers)) {
    t.push([
      safe(id),
      s.requests,
      formatBytes(s.bytes),
      s.chosen,
      pct(s.chosen, totalChosen),
      s.stats?.requests ?? '-',
      s.stats ? formatBytes(s.stats.bytesSent) : '-',
    ]);
  }
  return t.toString();
}

function thresholdsTable(r: Report): string {
  const t = table(['threshold', 'condition', 'actual', 'result']);
  for (const th of r.thresholds) t.push([safe(th.metric), safe(th.condition), thresholdActual(th), thresholdVerdict(th)]);
  return t.toString();
}
