// The shared shape of both programs (`jukebox`, `simulate`): yargs with strict parsing, help,
// and one exit code set by whichever command ran. Usage errors exit 2, failures 1.
import yargs, { type CommandModule } from 'yargs';
import { EXIT, printError, reportError } from './output.js';

export type SetExitCode = (code: number) => void;

export interface ProgramSpec {
  name: string;
  usage: string;
  /**
   * Each command reports its exit code through the setter it is given. `any`: every command has
   * its own argument type and yargs' CommandModule is invariant in it, so a list must erase it.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  commands: Array<(setExitCode: SetExitCode) => CommandModule<object, any>>;
  /** When set, running with no command is a usage error with this message. */
  demandCommand?: string;
  epilogue?: string;
}

export async function runProgram(spec: ProgramSpec, argv: string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const setExitCode: SetExitCode = (code) => {
    exitCode = code;
  };
  try {
    let program = yargs(argv).scriptName(spec.name).usage(spec.usage);
    for (const command of spec.commands) program = program.command(command(setExitCode));
    if (spec.demandCommand) program = program.demandCommand(1, spec.demandCommand).recommendCommands();
    if (spec.epilogue) program = program.epilogue(spec.epilogue);
    await program
      .strict()
      .help()
      .alias('h', 'help')
      .version(false)
      .wrap(Math.min(100, process.stdout.columns || 100))
      .fail((message, err) => {
        if (err) throw err;
        printError(message);
        printError(`Run '${spec.name} --help' for usage.`);
        exitCode = EXIT.USAGE;
      })
      .parseAsync();
  } catch (err) {
    reportError(err);
    return EXIT.FAILED;
  }
  return exitCode;
}
