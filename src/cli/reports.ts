// `simulate reports`: the past runs in the reports folder, newest first.
import { basename } from 'node:path';
import Table from 'cli-table3';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_REPORTS_DIR } from '../report/files.js';
import { listReports, type ReportListing } from '../report/list.js';
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
      else print(listing.length === 0 ? `no reports in ${escapeForTerminal(args.dir)} (run: simulate scenarios/100-clients.yaml)` : renderListing(listing));
      setExitCode(EXIT.OK);
    },
  };
}

const compact = { chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' }, style: { head: [] as string[], border: [] as string[] } };

function renderListing(listing: ReportListing[]): string {
  const t = new Table({ head: ['date', 'name', 'seed', 'took', 'req/s', 'request p99', 'result', 'file'], ...compact });
  for (const l of listing) {
    const r = l.report;
    if (!r) {
      t.push([l.date, { colSpan: 6, content: `unreadable: ${escapeForTerminal(l.error ?? 'unknown')}` }, escapeForTerminal(basename(l.file))]);
      continue;
    }
    const result = r.passed === null ? '-' : r.passed ? 'pass' : 'FAIL';
    // Names and seeds come from the files: escaped, so a crafted report cannot drive the terminal.
    t.push([l.date, escapeForTerminal(r.name), escapeForTerminal(String(r.seed)), formatDuration(r.durationMs), r.requestsPerSec.toFixed(1), r.requestP99 === null ? '-' : formatDuration(r.requestP99), result, escapeForTerminal(basename(l.file))]);
  }
  return t.toString();
}
