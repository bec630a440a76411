// Reports on disk: where a run's JSON (and HTML) go, writing them whole, and reading them back.
import { dirname, relative, resolve } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';
import { renderRepeatHtml } from './html-repeat.js';
import type { Report } from './model.js';
import { summarizeRepeats, type RepeatSummary } from './repeat.js';

export const DEFAULT_REPORTS_DIR = 'reports';

/** `reports/<name>-<timestamp>.json`, the timestamp safe in file names. */
export function defaultReportPath(report: Report, dir = DEFAULT_REPORTS_DIR): string {
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  return resolve(dir, `${report.name}-${stamp}.json`);
}

/** The HTML page that goes with a JSON file: same name, `.html`. */
export function htmlPathFor(jsonPath: string): string {
  return jsonPath.replace(/\.json$/i, '') + '.html';
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Writes a JSON document and, when given, its HTML page beside it; returns the paths written.
 * Each file is written atomically, and the HTML goes first: the JSON is what every command reads
 * (and what names the page), so once a JSON exists its page does too. A kill between the two
 * leaves at worst a page without its JSON, which nothing lists and the next run overwrites.
 */
export function saveDocument(jsonPath: string, json: string, html?: string): { json: string; html?: string } {
  if (html === undefined) {
    writeFileAtomic(jsonPath, json);
    return { json: jsonPath };
  }
  const htmlPath = htmlPathFor(jsonPath);
  writeFileAtomic(htmlPath, html);
  writeFileAtomic(jsonPath, json);
  return { json: jsonPath, html: htmlPath };
}

/** Writes the JSON report (and the HTML beside it, when given); returns the paths written. */
export function saveReport(report: Report, jsonPath: string, html?: string): { json: string; html?: string } {
  return saveDocument(jsonPath, renderJson(report), html);
}

/**
 * Summarises the runs of `--repeat` and writes the summary with its page beside it (page first,
 * as for reports). The runs' reports are already written: the summary names them relative to its
 * own folder, so a folder moved whole still holds together.
 */
export function saveRepeatSummary(
  runs: { report: Report; json: string }[],
  summaryPath: string,
): { summary: RepeatSummary; written: { json: string; html?: string } } {
  const files = runs.map((r) => relative(dirname(resolve(summaryPath)), resolve(r.json)));
  const reports = runs.map((r) => r.report);
  const summary = summarizeRepeats(reports, { files });
  return { summary, written: saveDocument(summaryPath, `${JSON.stringify(summary, null, 2)}\n`, renderRepeatHtml(summary, reports)) };
}

export { readReport, readReportDocument, type ReportDocument } from './read.js';
