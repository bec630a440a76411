// `simulate`: load tests. Runs a scenario (the default command) and works with its reports.
import { compareCommand } from './compare.js';
import { mergeCommand } from './merge.js';
import { runProgram } from './program.js';
import { reportsCommand } from './reports.js';
import { runCommand } from './simulate-run.js';

export function main(argv: string[]): Promise<number> {
  return runProgram(
    {
      name: 'simulate',
      usage: '$0 <scenario.yaml> [options]\n\nRuns a load-test scenario: starts its servers, runs its simulated clients, writes a report.',
      commands: [runCommand, compareCommand, mergeCommand, reportsCommand],
      defaultCommandTakesFile: true,
      epilogue:
        'Exit codes: 0 done, 1 a threshold failed or the run failed, 2 refused (a bad scenario, report file, option or value), 3 could not run (a port in use, a disk that cannot be written, a bug), 130 interrupted.',
    },
    argv,
  );
}
