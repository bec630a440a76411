// `simulate reports`: the past runs in the reports folder, newest first.
import { basename } from 'node:path';
import Table from 'cli-table3';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_REPORTS_DIR } from '../report/files.js';
import { listReports, type ListedRun, type ReportListing } from '../report/list.js';
import { formatDuration } from '../util/duration.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { EXIT, print } from './output.js';

interface ReportsArgs {
  dir: string;
  json: boolean;
}

export function reportsCommand(setExitCode: (code: number) => void): CommandModule<object, ReportsArgs> {
  return {
    command: 'reports',
    describe: 'list past runs (the reports folder), newest first',
    builder: (y: Argv<object>) =>
      y
        .option('dir', { type: 'string', default: DEFAULT_REPORTS_DIR, describe: 'the folder of reports' })
        .option('json', { type: 'boolean', default: false, describe: 'print the listing as JSON' }) as unknown as Argv<ReportsArgs>,
    handler: (args) => {
      const listing = listReports(args.dir);
      if (args.json) print(JSON.stringify(listing, null, 2));
      else {
        print(listing.length === 0 ? `no reports in ${escapeForTerminal(args.dir)} (run: simulate scenarios/100-clients.yaml)` : renderListing(listing));
        for (const line of unreadableLines(listing)) print(line);
      }
      setExitCode(EXIT.OK);
    },
  };
}

const compact = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [] as string[], border: [] as string[] } };

function renderListing(listing: ReportListing[]): string {
  const t = new Table({ head: ['date', 'kind', 'name', 'seed', 'took', 'req/s', 'request p99', 'result', 'file'], ...compact });
  for (const l of listing) {
    // Names, seeds and reasons come from files: shown with control characters escaped.
    const file = escapeForTerminal(basename(l.file));
    const r = l.report;
    if (!r) {
      // Every row has every cell: cli-table3 draws spanned cells wider than their columns as a broken table.
      t.push([l.date, 'unreadable', '-', '-', '-', '-', '-', '-', file]);
      continue;
    }
    const kind = r.kind === 'repeat' ? `repeat (${r.runs} run${r.runs === 1 ? '' : 's'})` : r.kind;
    const p99 = r.requestP99 === null ? '-' : formatDuration(r.requestP99);
    t.push([
      l.date,
      kind,
      escapeForTerminal(r.name),
      escapeForTerminal(String(r.seed)),
      r.durationMs === null ? '-' : formatDuration(r.durationMs),
      r.requestsPerSec === null ? '-' : r.requestsPerSec.toFixed(1),
      p99,
      resultText(r),
      file,
    ]);
  }
  return t.toString();
}

/** Why each unreadable file could not be read, one line each, under the table. */
function unreadableLines(listing: ReportListing[]): string[] {
  return listing.filter((l) => !l.report).map((l) => `unreadable: ${escapeForTerminal(l.error ?? `${basename(l.file)}: unknown`)}`);
}

function resultText(r: ListedRun): string {
  if (r.passed === null) return '-';
  if (r.kind === 'repeat') return r.passed ? `pass (${r.runs}/${r.runs})` : `FAIL (${r.runsPassed}/${r.runs} passed)`;
  return r.passed ? 'pass' : 'FAIL';
}
