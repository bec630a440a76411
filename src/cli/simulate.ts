// `simulate`: load tests. Runs a scenario (the default command) and works with its reports.
import yargs from 'yargs';
import { EXIT, printError, reportError } from './output.js';
import { runCommand } from './simulate-run.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  try {
    await yargs(argv)
      .scriptName('simulate')
      .usage('$0 <scenario.yaml> [options]\n\nRuns a load-test scenario: starts its servers, runs its simulated clients, writes a report.')
      .command(runCommand(setExitCode))
      .strict()
      .help()
      .alias('h', 'help')
      .version(false)
      .wrap(Math.min(100, process.stdout.columns || 100))
      .epilogue('Exit codes: 0 done, 1 a threshold failed or the run failed, 2 a bad scenario or arguments.')
      .fail((message, err) => {
        if (err) throw err;
        printError(message);
        printError("Run 'simulate --help' for usage.");
        exitCode = EXIT.USAGE;
      })
      .parseAsync();
  } catch (err) {
    reportError(err);
    return EXIT.FAILED;
  }
  return exitCode;
}
