// `jukebox`: the servers, the interactive client, and catalog tools. A thin yargs layer.
import { catalogCommand } from './catalog.js';
import { clientCommand } from './client.js';
import { runProgram } from './program.js';
import { serveCommand } from './serve.js';

export function main(argv: string[]): Promise<number> {
  return runProgram(
    {
      name: 'jukebox',
      usage: '$0 <command> [options]\n\nTwo music servers and a client speaking jukebox/1 over TCP.',
      commands: [serveCommand, clientCommand, catalogCommand],
      demandCommand: 'Choose a command: serve, client or catalog.',
      epilogue:
        'Exit codes: 0 done, 1 the work failed, 2 refused (a bad catalog, option or value; client get: no server holds the song), 3 could not run (a port in use, servers unreachable, a disk that cannot be written, a bug), 130 interrupted.',
    },
    argv,
  );
}
