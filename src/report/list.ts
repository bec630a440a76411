// Past runs in a reports folder: one line each, newest first; a file that cannot be read is
// listed as such rather than stopping the listing.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isJukeboxError } from '../errors.js';
import { readReport } from './files.js';

export interface ReportListing {
  file: string;
  /** When it ran (startedAt), or for an unreadable file when the file was last written. */
  date: string;
  /** Absent when the file could not be read as a report. */
  report?: {
    name: string;
    seed: string | number;
    durationMs: number;
    requestsPerSec: number;
    /** p99 of request latency in ms; null when no request ended. */
    requestP99: number | null;
    /** null when the scenario had no thresholds. */
    passed: boolean | null;
  };
  /** Why the file could not be read. */
  error?: string;
}

/** Every `*.json` in `dir`, newest first. A folder that does not exist has no reports. */
export function listReports(dir: string): ReportListing[] {
  const root = resolve(dir);
  if (!existsSync(root)) return [];
  const files = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.toLowerCase().endsWith('.json'))
    .map((d) => join(root, d.name));
  return files.map(describe).sort((a, b) => b.date.localeCompare(a.date) || a.file.localeCompare(b.file));
}

function describe(file: string): ReportListing {
  try {
    const r = readReport(file);
    const startedAt = Date.parse(r.startedAt);
    return {
      file,
      date: Number.isNaN(startedAt) ? modified(file) : new Date(startedAt).toISOString(),
      report: {
        name: String(r.name),
        seed: r.seed,
        durationMs: r.durationMs,
        requestsPerSec: r.throughput.requestsPerSec,
        requestP99: r.latency.request.count > 0 ? r.latency.request.p99 : null,
        passed: r.thresholds.length === 0 ? null : r.passed,
      },
    };
  } catch (err) {
    // readReport says why for a file it cannot parse; a report missing fields ends up here too.
    const message = isJukeboxError(err) ? err.message.split(file).join(basename(file)) : `not a complete report (${err instanceof Error ? err.message : String(err)})`;
    return { file, date: modified(file), error: message };
  }
}

function modified(file: string): string {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return new Date(0).toISOString();
  }
}
