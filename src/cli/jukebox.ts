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
    },
    argv,
  );
}
