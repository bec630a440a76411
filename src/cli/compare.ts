// `simulate compare`: key metrics of runs side by side, and whether a change is beyond the noise (exact rank test).
import { join, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { isJukeboxError, JukeboxError } from '../errors.js';
import { DEFAULT_GRACE_MS, MAX_GRACE_MS } from '../harness/coordinator.js';
import { runRounds } from '../harness/rounds.js';
import { CONDITIONS_NOTE } from '../report/conditions.js';
import { DEFAULT_REPORTS_DIR } from '../report/files.js';
import { loadScenarioFile, type LoadedScenario } from '../scenario/load.js';
import { formatDuration, parseDuration } from '../util/duration.js';
import {
  compareGroups,
  compareRuns,
  DEFAULT_REGRESSION_PCT,
  MIN_RUNS_FOR_NOISE,
  type CompareGroup,
  type CompareRun,
  type Comparison,
} from '../report/compare.js';
import { renderComparison } from '../report/compare-console.js';
import { renderCompareHtml } from '../report/html-compare.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { describeBound, REGRESSION_PCT_BOUND, ROUNDS_BOUND } from './bounds.js';
import { EXIT, print, printError, reportError } from './output.js';
import { readRunFiles } from './report-files.js';
import { EXIT_INTERRUPTED, listenForInterrupt } from './run-interrupt.js';

interface CompareArgs {
  reports: string[] | undefined;
  baseline: string[] | undefined;
  candidate: string[] | undefined;
  threshold: number;
  'fail-on-regression': number | undefined;
  html: string | undefined;
  json: boolean;
  run: string[] | undefined;
  rounds: number;
  out: string | undefined;
  grace: string | undefined;
}

/** `--run` without `--rounds`: 4 rounds give 4 runs per side, the fewest with which the rank test can call a difference. */
export const DEFAULT_ROUNDS = 4;

export function compareCommand(setExitCode: (code: number) => void): CommandModule<object, CompareArgs> {
  return {
    command: 'compare [reports..]',
    describe: 'compare reports: key metrics side by side against the first (or a baseline group)',
    builder: (y: Argv<object>) =>
      y
        .positional('reports', {
          type: 'string',
          array: true,
          describe: 'report files (JSON) or --repeat summaries (each a group of runs); the first is the baseline',
        })
        .option('baseline', { type: 'string', array: true, describe: 'repeated runs of the baseline (report files and/or --repeat summaries)' })
        .option('candidate', { type: 'string', array: true, describe: 'repeated runs of the candidate (report files and/or --repeat summaries)' })
        .option('threshold', {
          type: 'number',
          requiresArg: true,
          default: DEFAULT_REGRESSION_PCT,
          describe: `list significant worsenings beyond this many percent as regressions, ${describeBound(REGRESSION_PCT_BOUND)}`,
        })
        .option('fail-on-regression', {
          type: 'number',
          requiresArg: true,
          describe: `exit 1 when a metric is significantly worse (rank test, p < 0.05) by more than this many percent, ${describeBound(REGRESSION_PCT_BOUND)}; "can't tell" (one run, or fewer than 4 runs per side) never fails; also sets --threshold`,
        })
        .option('html', { type: 'string', describe: "write a page with the runs' timelines and latency distributions drawn over each other" })
        .option('json', { type: 'boolean', default: false, describe: 'print the comparison as JSON' })
        .option('run', {
          type: 'string',
          array: true,
          describe: 'run two scenarios alternately (A B B A …) and compare them: --run A.yaml B.yaml; A is the baseline',
        })
        .option('rounds', {
          type: 'number',
          requiresArg: true,
          default: DEFAULT_ROUNDS,
          describe: `with --run: rounds of one run of each scenario, ${describeBound(ROUNDS_BOUND)}`,
        })
        .option('out', { type: 'string', describe: 'with --run: the folder for the reports (default reports/compare-<time>/)' })
        .option('grace', {
          type: 'string',
          describe: `with --run: after Ctrl-C, how long requests in flight may take to finish, like 5s (default ${formatDuration(DEFAULT_GRACE_MS)})`,
        })
        .example('$0 compare reports/a.json reports/b.json', 'two runs, side by side: the change only (one run per side cannot judge noise)')
        .example(
          '$0 compare --baseline a1.json a2.json a3.json a4.json a5.json --candidate b1.json b2.json b3.json b4.json b5.json',
          "repeated runs: medians, the change, its interval and the verdict (~ when not significant; can't tell below 4 runs per side)",
        )
        .example(
          '$0 compare --run a.yaml b.yaml --rounds 5',
          'run a and b alternately, 5 runs each, then compare the groups; the reports go to reports/compare-<time>/',
        )
        .example('$0 compare reports/a-repeat.json reports/b-repeat.json', 'two --repeat summaries: each is a group of runs')
        .example(
          '$0 compare --baseline a*.json --candidate b*.json --fail-on-regression 10',
          'exit 1 when something is significantly more than 10% worse',
        ) as unknown as Argv<CompareArgs>, // yargs' builder types lose the option names through .example
    handler: async (args) => {
      setExitCode(args.run !== undefined ? await runAndCompare(args) : runCompare(args));
    },
  };
}

function runCompare(args: CompareArgs): number {
  if (args.out !== undefined || args.grace !== undefined) return usage('--out, --grace: expected only with --run A.yaml B.yaml');
  const grouped = args.baseline !== undefined || args.candidate !== undefined;
  const positional = args.reports ?? [];
  if (grouped && positional.length > 0) return usage('expected either report files, or --baseline and --candidate, got both');
  if (grouped && (!args.baseline?.length || !args.candidate?.length)) return usage('--baseline, --candidate: expected at least one report file each');
  if (!grouped && positional.length < 2)
    return usage(`[reports..]: expected at least two report files (the first is the baseline), or --baseline … --candidate …, got ${positional.length}`);
  const failOn = args['fail-on-regression'];
  // Both percentages were bounded before this ran (bounds.ts, checked by program.ts).
  const regressionPct = failOn ?? args.threshold;

  let groups: CompareGroup[];
  let comparison: Comparison;
  if (grouped) {
    // Each side is its files' runs put together: a report is one run, a --repeat summary all of its runs.
    const baseline = readRunFiles((args.baseline ?? []).map(String));
    if (typeof baseline === 'number') return baseline;
    const candidate = readRunFiles((args.candidate ?? []).map(String));
    if (typeof candidate === 'number') return candidate;
    groups = [
      { label: 'baseline', runs: baseline.flatMap((f) => f.runs) },
      { label: 'candidate', runs: candidate.flatMap((f) => f.runs) },
    ];
    comparison = compareGroups(groups, { regressionPct });
  } else {
    const files = readRunFiles(positional.map(String));
    if (typeof files === 'number') return files;
    const labelled = files.map((f, i) => ({ ...f, runs: f.runs.map((r) => (f.kind === 'report' ? { ...r, label: `#${i + 1}` } : r)) }));
    groups = labelled.map((f, i) => ({ label: f.kind === 'report' ? `#${i + 1}` : `#${i + 1} ${f.label}`, runs: f.runs }));
    // Single reports are compared run against run; a --repeat summary among them makes each file a group of runs.
    comparison = files.every((f) => f.kind === 'report')
      ? compareRuns(
          groups.flatMap((g) => g.runs),
          { regressionPct },
        )
      : compareGroups(groups, { regressionPct });
  }

  return present(comparison, groups, args);
}

/** Prints the comparison (and its page), warns about conditions, and decides the exit code. */
function present(comparison: Comparison, groups: CompareGroup[], args: CompareArgs): number {
  const failOn = args['fail-on-regression'];
  if (args.json) print(JSON.stringify(comparison, null, 2));
  else print(renderComparison(comparison));
  // The console shows notes among the table; a difference in the machine's conditions also goes to stderr, where a script's log keeps it.
  for (const note of comparison.notes.filter((n) => n.startsWith(CONDITIONS_NOTE))) printError(`warning: ${note}`);
  if (args.html !== undefined) {
    const file = resolve(args.html);
    writeFileAtomic(file, renderCompareHtml(comparison, groups));
    printError(`overlay: ${file}`);
  }
  if (failOn !== undefined && comparison.regressions.length > 0) {
    printError(`compare: ${comparison.regressions.length} metric${comparison.regressions.length === 1 ? '' : 's'} significantly worse by more than ${failOn}%`);
    return EXIT.FAILED;
  }
  const unsure = comparison.metrics.filter((m) => m.deltas.some((d) => d.verdict === 'cant-tell')).length;
  if (failOn !== undefined && unsure > 0)
    printError(
      `compare: can't tell on ${unsure} metric${unsure === 1 ? '' : 's'} (too few runs per side to judge noise): not failed; hint: give at least ${MIN_RUNS_FOR_NOISE} runs per side`,
    );
  return EXIT.OK;
}

/** A usage error found after parsing (which arguments go together): printed like the parser's own, exit 2. */
function usage(message: string): number {
  reportError(new JukeboxError('E_BAD_ARGUMENT', message, { hint: "'simulate compare --help' explains every argument" }));
  return EXIT.USAGE;
}

/** `--run A.yaml B.yaml --rounds N`: both scenarios load first, then run alternately; the groups are compared as `--baseline … --candidate …`. */
async function runAndCompare(args: CompareArgs): Promise<number> {
  const files = args.run ?? [];
  if (files.length !== 2) return usage(`--run: expected two scenario files (A.yaml B.yaml), got ${files.length}`);
  if ((args.reports ?? []).length > 0 || args.baseline !== undefined || args.candidate !== undefined)
    return usage('expected either --run A.yaml B.yaml, or report files, got both');
  const graceMs = args.grace === undefined ? DEFAULT_GRACE_MS : args.grace.trim() === '0' ? 0 : parseDuration(args.grace);
  if (graceMs === undefined || graceMs > MAX_GRACE_MS)
    return usage(`--grace: expected a duration from 0 to ${formatDuration(MAX_GRACE_MS)}, like 5s, got ${JSON.stringify(args.grace)}`);
  // Both scenarios are checked before anything runs: a typo in B must not cost A's first run.
  const loaded: LoadedScenario[] = [];
  for (const file of files) {
    try {
      loaded.push(loadScenarioFile(String(file)));
    } catch (err) {
      if (isJukeboxError(err) && (err.code === 'E_SCENARIO_INVALID' || err.code === 'E_SCENARIO_NOT_FOUND')) {
        reportError(err);
        return EXIT.USAGE;
      }
      throw err;
    }
  }
  const [a, b] = loaded as [LoadedScenario, LoadedScenario];
  const outDir = resolve(args.out ?? join(DEFAULT_REPORTS_DIR, `compare-${new Date().toISOString().replace(/[:.]/g, '-')}`));
  const interrupt = listenForInterrupt(graceMs, {
    say: (line) => printError(line),
    // The one hard exit: a second Ctrl-C asks to stop at once, even with worker threads still busy.
    // eslint-disable-next-line no-restricted-properties
    exitNow: (code) => process.exit(code),
  });
  let result;
  try {
    printError(
      `compare: ${args.rounds} round${args.rounds === 1 ? '' : 's'} of A (${a.scenario.name}) and B (${b.scenario.name}), alternately; reports in ${outDir}`,
    );
    result = await runRounds(a, b, {
      rounds: args.rounds,
      outDir,
      signal: interrupt.signal,
      graceMs,
      onRunStart: (r) => printError(`run ${r.index} of ${r.total}: ${r.side} (${r.name})`),
      onRunDone: (r) =>
        printError(
          `run ${r.index}: ${r.side} ${r.report.interrupted ? 'INTERRUPTED, ' : ''}${r.report.totals.verified} verified, ${r.report.totals.failed} failed, ${r.report.throughput.requestsPerSec} req/s; report: ${r.file}`,
        ),
    });
  } finally {
    interrupt.dispose();
  }
  if (result.interrupted) {
    printError(
      `interrupted: ${result.runs.length} run${result.runs.length === 1 ? '' : 's'} written to ${outDir}; no comparison (an interrupted run is not comparable)`,
    );
    return EXIT_INTERRUPTED;
  }
  const side = (s: 'A' | 'B'): CompareRun[] =>
    result.runs.filter((r) => r.side === s).map((r) => ({ label: `${s}${r.index}`, file: r.file, report: r.report }));
  const groups: CompareGroup[] = [
    { label: `A ${a.scenario.name}`, runs: side('A') },
    { label: `B ${b.scenario.name}`, runs: side('B') },
  ];
  const comparison = compareGroups(groups, { regressionPct: args['fail-on-regression'] ?? args.threshold });
  const code = present(comparison, groups, args);
  writeFileAtomic(join(outDir, 'comparison.json'), `${JSON.stringify(comparison, null, 2)}\n`);
  printError(`comparison: ${join(outDir, 'comparison.json')}`);
  return code;
}
