// Reading the report files a command is given: a file that cannot be read is a usage error (exit 2).
import { basename, dirname, resolve } from 'node:path';
import { isJukeboxError } from '../errors.js';
import { runsOfRepeat, type CompareRun } from '../report/compare.js';
import { readReport, readReportDocument } from '../report/files.js';
import type { Report } from '../report/model.js';
import { EXIT, reportError } from './output.js';

export interface ReadFile {
  file: string;
  /** The file name without its folder and .json, for tables. */
  label: string;
  report: Report;
}

/** Runs each file stands for: a report one run, a --repeat summary its runs (by their key metrics). */
export interface ReadRuns {
  file: string;
  label: string;
  kind: 'report' | 'repeat';
  runs: CompareRun[];
}

const labelOf = (file: string) => basename(file).replace(/\.json$/i, '');

/** Reads every file as one run's report (merge); on the first bad one prints why and returns the usage exit code instead. */
export function readReportFiles(files: string[]): ReadFile[] | number {
  return readEach(files, (file) => ({ file, label: labelOf(file), report: readReport(file) }));
}

/** Reads every file as a report or a repeat summary (compare); on the first bad one prints why and returns the usage exit code. */
export function readRunFiles(files: string[]): ReadRuns[] | number {
  return readEach(files, (file): ReadRuns => {
    const doc = readReportDocument(file);
    const label = labelOf(file);
    if (doc.kind === 'report') return { file, label, kind: 'report', runs: [{ label, file, report: doc.report }] };
    // A summary names its run reports relative to its own folder.
    const runs = runsOfRepeat(doc.summary, (f) => resolve(dirname(file), f)).map((r) => ({ ...r, label: `${label} ${r.label}` }));
    return { file, label, kind: 'repeat', runs };
  });
}

function readEach<T>(files: string[], read: (file: string) => T): T[] | number {
  const out: T[] = [];
  for (const file of files) {
    try {
      out.push(read(file));
    } catch (err) {
      if (!isJukeboxError(err)) throw err;
      reportError(err);
      return EXIT.USAGE;
    }
  }
  return out;
}
