// `jukebox client` (interactive: the seed's journey, one song after another) and
// `jukebox client get <song>` (one journey for scripts). A thin yargs layer over src/client/journey.
import { DEFAULT_CLIENT_NAME } from '../client/journey-session.js';
import type { Argv, CommandModule } from 'yargs';
import { DEFAULT_DOWNLOAD_DIR } from '../client/journey-file.js';
import { defaultCatalogPath } from '../util/paths.js';
import { describeBound, PLAYBACK_SPEED_BOUND } from './bounds.js';
import { runGet } from './client/get.js';
import { runInteractive } from './client/interactive.js';
import { ACTIONS, resolveClientOptions, type ClientArgs } from './client/options.js';

type SetExitCode = (code: number) => void;

interface GetArgs extends ClientArgs {
  song: string;
  out: string | undefined;
  json: boolean;
}

/** The options both forms share. */
function clientOptions<T>(yargs: Argv<T>): Argv<T & ClientArgs> {
  return yargs
    .option('catalog', {
      type: 'string',
      default: defaultCatalogPath,
      defaultDescription: 'the project catalog.json',
      describe: 'Catalog file: the songs, and the servers’ addresses',
    })
    .option('host', { type: 'string', describe: "Connect to every server on this host instead of the catalog's" })
    .option('prefer', {
      type: 'string',
      describe: 'Default server when several hold the song: a server id (s1, s2) or fastest | least-loaded | random (default: fastest CHECK)',
    })
    .option('action', { choices: ACTIONS, describe: 'Download or stream without asking' })
    .option('out-dir', { type: 'string', default: DEFAULT_DOWNLOAD_DIR, describe: 'Folder for downloads, saved as "<artist> - <title>.mp3"' })
    .option('playback-speed', {
      type: 'number',
      requiresArg: true,
      default: 1,
      describe: `Streams: how fast the simulated listener plays, as a multiple of the song’s bitrate, ${describeBound(PLAYBACK_SPEED_BOUND)}. Set it to the server’s --stream-speed to watch real-time playback in compressed time`,
    })
    .option('trace', {
      type: 'boolean',
      default: false,
      describe: 'Print every protocol line sent and received, labelled by server, with timings',
    })
    .option('name', {
      type: 'string',
      requiresArg: true,
      describe: `The name this client gives the servers in HELLO (their logs and live view show it), default ${DEFAULT_CLIENT_NAME}`,
    }) as unknown as Argv<T & ClientArgs>;
}

export function clientCommand(setExitCode: SetExitCode): CommandModule {
  return {
    command: 'client',
    describe: 'The interactive client: type a song, see both servers answer, download or stream it',
    builder: (yargs: Argv) =>
      clientOptions(yargs)
        .command(getCommand(setExitCode))
        .example('$0 client', 'Ask for songs one after another (start the servers first: jukebox serve)')
        .example('$0 client --trace --action stream', 'Stream, showing every protocol line')
        .example('$0 client get song3 --action stream --out - | mpg123 -', 'Play a stream through a real player while it arrives')
        .example('$0 client get song2 --prefer s2 --json', 'One download for a script: exit 0 done, 2 absent (or a bad option), 3 no server reachable, 1 error')
        .epilog(
          'Each song is asked of both servers at once (CHECK); when both hold it you choose, when neither does it is cancelled. ' +
            'Downloads are verified against the catalog’s sha256; a transfer cut off part-way resumes from where it stopped, on the other server when it has the song. ' +
            'See docs/client.md.',
        ),
    handler: async (args) => {
      setExitCode(await runInteractive(resolveClientOptions(args as unknown as ClientArgs)));
    },
  };
}

function getCommand(setExitCode: SetExitCode): CommandModule<ClientArgs, GetArgs> {
  return {
    command: 'get <song>',
    describe:
      'Download (or --action stream) one song without questions; exit 0 done, 2 no server holds it (or a bad option), 3 no server reachable, 130 interrupted, 1 error',
    builder: (yargs) =>
      yargs
        .positional('song', { type: 'string', demandOption: true, describe: 'a song id or title (case-insensitive)' })
        .option('out', {
          type: 'string',
          describe:
            'Save the song (download or stream) to this file (instead of --out-dir/<artist> - <title>.mp3); "-" writes its bytes to stdout as they arrive (messages go to stderr)',
        })
        .option('json', {
          type: 'boolean',
          default: false,
          describe: 'Print the outcome as JSON: song, answers with latencies, server chosen, bytes, verification, resumes, timings',
        }) as unknown as Argv<GetArgs>,
    handler: async (args) => {
      setExitCode(await runGet(resolveClientOptions(args), { song: args.song, out: args.out, json: args.json }));
    },
  };
}
