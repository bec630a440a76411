// `simulate merge`: one report from the reports of a run split across machines.
import type { Argv, CommandModule } from 'yargs';
import { isJukeboxError, JukeboxError } from '../errors.js';
import { renderConsole } from '../report/console.js';
import { saveReport } from '../report/files.js';
import { renderHtml } from '../report/html.js';
import { mergeReports, type MergedReport } from '../report/merge.js';
import { EXIT, print, printError, reportError } from './output.js';
import { readReportFiles } from './report-files.js';

interface MergeArgs {
  reports: string[];
  out: string;
  force: boolean;
  quiet: boolean;
}

export function mergeCommand(setExitCode: (code: number) => void): CommandModule<object, MergeArgs> {
  return {
    command: 'merge <reports..>',
    describe: 'merge the reports of one scenario run in parts (the shards of a run, or parts on several machines) into one',
    builder: (y: Argv<object>) =>
      y
        .positional('reports', { type: 'string', array: true, demandOption: true, describe: 'report files (JSON) of the parts' })
        .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'the merged report (JSON; the HTML is written beside it)' })
        .option('force', { type: 'boolean', default: false, describe: 'merge reports of different scenario names' })
        .option('quiet', { type: 'boolean', default: false, describe: 'no table' })
        .example('$0 merge host1.json host2.json -o merged.json', 'histograms added, totals summed, timelines lined up by start time')
        .example(
          '$0 merge shard-*.json -o merged.json',
          'the shards of one run (--shard I/N): refused unless every shard 1..N is there once, of one plan, run at one time',
        ) as unknown as Argv<MergeArgs>, // yargs' builder types lose the option names through .example
    handler: (args) => {
      setExitCode(runMerge(args));
    },
  };
}

function runMerge(args: MergeArgs): number {
  if (args.reports.length < 2) {
    reportError(
      new JukeboxError('E_BAD_ARGUMENT', `<reports..>: expected the report files of at least two parts, got ${args.reports.length}`, {
        hint: "'simulate merge --help' explains every argument",
      }),
    );
    return EXIT.USAGE;
  }
  const inputs = readReportFiles(args.reports.map(String));
  if (typeof inputs === 'number') return inputs;
  let merged: MergedReport;
  try {
    merged = mergeReports(inputs, { force: args.force });
  } catch (err) {
    if (isJukeboxError(err, 'E_BAD_ARGUMENT')) {
      reportError(err);
      return EXIT.USAGE;
    }
    throw err;
  }
  const written = saveReport(merged, args.out, renderHtml(merged));
  if (!args.quiet) print(renderConsole(merged));
  printError(`merged ${inputs.length} reports: ${written.json}${written.html ? ` and ${written.html}` : ''}`);
  return merged.passed ? EXIT.OK : EXIT.FAILED;
}
