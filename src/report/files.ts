// Reports on disk: where a run's JSON (and HTML) go, and reading them back.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { JukeboxError } from '../errors.js';
import { REPORT_SCHEMA, type Report } from './model.js';

export const DEFAULT_REPORTS_DIR = 'reports';

/** `reports/<name>-<timestamp>.json`, the timestamp safe in file names. */
export function defaultReportPath(report: Report, dir = DEFAULT_REPORTS_DIR): string {
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  return resolve(dir, `${report.name}-${stamp}.json`);
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes any JSON document (a repeat summary, a comparison), making its folder. */
export function writeJsonFile(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
}

/** Writes the JSON report (and the HTML beside it, when given); returns the paths written. */
export function saveReport(report: Report, jsonPath: string, html?: string): { json: string; html?: string } {
  mkdirSync(dirname(jsonPath), { recursive: true });
  writeFileSync(jsonPath, renderJson(report));
  if (html === undefined) return { json: jsonPath };
  const htmlPath = jsonPath.replace(/\.json$/i, '') + '.html';
  writeFileSync(htmlPath, html);
  return { json: jsonPath, html: htmlPath };
}

export function readReport(file: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new JukeboxError('E_BAD_ARGUMENT', `cannot read report ${file}: ${(cause as Error).message}`, { cause });
  }
  if (typeof data !== 'object' || data === null || (data as { schema?: unknown }).schema !== REPORT_SCHEMA) {
    throw new JukeboxError('E_BAD_ARGUMENT', `${file} is not a ${REPORT_SCHEMA} report`, { hint: 'give a JSON report written by simulate' });
  }
  return data as Report;
}

