// `jukebox`: the servers, the interactive client, and catalog tools. A thin yargs layer.
import yargs from 'yargs';
import { catalogCommand } from './catalog.js';
import { clientCommand } from './client.js';
import { EXIT, printError } from './output.js';
import { serveCommand } from './serve.js';

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.OK;
  const setExitCode = (code: number) => {
    exitCode = code;
  };
  try {
    await yargs(argv)
      .scriptName('jukebox')
      .usage('$0 <command> [options]\n\nTwo music servers and a client speaking jukebox/1 over TCP.')
      .command(serveCommand(setExitCode))
      .command(clientCommand(setExitCode))
      .command(catalogCommand(setExitCode))
      .demandCommand(1, 'Choose a command: serve, client or catalog.')
      .strict()
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .version(false)
      .wrap(Math.min(100, process.stdout.columns || 100))
      .fail((message, err, y) => {
        if (err) throw err;
        printError(y.help() && message);
        printError("Run 'jukebox --help' for usage.");
        exitCode = EXIT.USAGE;
      })
      .parseAsync();
  } catch (err) {
    const { reportError } = await import('./output.js');
    reportError(err);
    return EXIT.FAILED;
  }
  return exitCode;
}
