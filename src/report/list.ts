// Past runs in a reports folder: one line each, newest first. Every file simulate writes is listed
// (a run's report, a merged report, a --repeat summary); a file that cannot be read is one line
// saying why, never the end of the listing; temporary files of a write in progress (or of a
// killed one) are passed over.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isJukeboxError } from '../errors.js';
import { isTempFileName } from '../util/atomic-file.js';
import { readReportDocument } from './read.js';
import type { RepeatSummary } from './repeat.js';
import type { Report } from './model.js';

/** An unreadable file's reason is cut to this many characters, so that it fits a table row. */
const MAX_ERROR_CHARS = 160;

export interface ListedRun {
  /** `run`: one run's report; `merged`: a report merged from parts; `repeat`: a --repeat summary of `runs` runs. */
  kind: 'run' | 'merged' | 'repeat';
  name: string;
  /** For a repeat summary: its runs' seeds, comma-separated when they differ. */
  seed: string | number;
  /** How many runs (1 but for a repeat summary). */
  runs: number;
  /** For a repeat summary: the runs' lengths added up, null when it does not keep them. */
  durationMs: number | null;
  /** For a repeat summary: the median over its runs. */
  requestsPerSec: number | null;
  /** p99 of request latency in ms (a repeat summary: the median of the runs' p99s); null when no request ended. */
  requestP99: number | null;
  /** null when the scenario had no thresholds. */
  passed: boolean | null;
  /** For a repeat summary: how many runs passed. */
  runsPassed: number;
}

export interface ReportListing {
  file: string;
  /** When it ran (startedAt; a repeat summary's first run), or for an unreadable file when the file was last written. */
  date: string;
  /** Absent when the file could not be read as a report. */
  report?: ListedRun;
  /** Why the file could not be read: one line. */
  error?: string;
}

/** Every `*.json` in `dir`, newest first. A folder that does not exist has no reports. */
export function listReports(dir: string): ReportListing[] {
  const root = resolve(dir);
  if (!existsSync(root)) return [];
  const files = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isFile() && !isTempFileName(d.name) && d.name.toLowerCase().endsWith('.json'))
    .map((d) => join(root, d.name));
  return files.map(describe).sort((a, b) => b.date.localeCompare(a.date) || a.file.localeCompare(b.file));
}

function describe(file: string): ReportListing {
  try {
    const doc = readReportDocument(file);
    const listed = doc.kind === 'report' ? fromReport(doc.report) : fromRepeat(doc.summary);
    const startedAt = Date.parse(doc.kind === 'report' ? doc.report.startedAt : (doc.summary.startedAt[0] ?? ''));
    return { file, date: Number.isNaN(startedAt) ? modified(file) : new Date(startedAt).toISOString(), report: listed };
  } catch (err) {
    // Whatever went wrong with one file, the others are still listed.
    const message = isJukeboxError(err) ? err.message : `not a complete report (${err instanceof Error ? err.message : String(err)})`;
    return { file, date: modified(file), error: oneLine(message.split(file).join(basename(file))) };
  }
}

function fromReport(r: Report): ListedRun {
  return {
    kind: 'mergedFrom' in r ? 'merged' : 'run',
    name: r.name,
    seed: r.seed,
    runs: 1,
    durationMs: r.durationMs,
    requestsPerSec: r.throughput.requestsPerSec,
    requestP99: r.latency.request.count > 0 ? r.latency.request.p99 : null,
    passed: r.thresholds.length === 0 ? null : r.passed,
    runsPassed: r.passed ? 1 : 0,
  };
}

function fromRepeat(s: RepeatSummary): ListedRun {
  const median = (key: string) => s.metrics.find((m) => m.key === key)?.spread?.median ?? null;
  const seeds = [...new Set(s.seeds)];
  const durations = s.reports?.map((r) => r.durationMs);
  return {
    kind: 'repeat',
    name: s.name,
    seed: seeds.length === 1 ? (seeds[0] as string | number) : seeds.join(','),
    runs: s.runs,
    durationMs: durations ? durations.reduce((a, b) => a + b, 0) : null,
    requestsPerSec: median('throughput.requestsPerSec'),
    requestP99: median('latency.request.p99'),
    passed: s.thresholds === 0 ? null : s.passed === s.runs,
    runsPassed: s.passed,
  };
}

/** The first line of a message, cut to fit a row. */
function oneLine(message: string): string {
  const first = message.split('\n')[0] ?? '';
  const more = message.includes('\n') ? ' (and more)' : '';
  return first.length > MAX_ERROR_CHARS ? `${first.slice(0, MAX_ERROR_CHARS)}…${more}` : `${first}${more}`;
}

function modified(file: string): string {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return new Date(0).toISOString();
  }
}
