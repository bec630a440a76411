// Reading the report files a command is given: a file that cannot be read is a usage error (exit 2).
import { basename } from 'node:path';
import { isJukeboxError } from '../errors.js';
import { readReport } from '../report/files.js';
import type { Report } from '../report/model.js';
import { EXIT, reportError } from './output.js';

export interface ReadFile {
  file: string;
  /** The file name without its folder and .json, for tables. */
  label: string;
  report: Report;
}

/** Reads every file; on the first bad one prints why and returns the usage exit code instead. */
export function readReportFiles(files: string[]): ReadFile[] | number {
  const out: ReadFile[] = [];
  for (const file of files) {
    try {
      out.push({ file, label: basename(file).replace(/\.json$/i, ''), report: readReport(file) });
    } catch (err) {
      if (!isJukeboxError(err)) throw err;
      reportError(err);
      return EXIT.USAGE;
    }
  }
  return out;
}
