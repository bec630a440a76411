// `jukebox serve`: load the catalog, prepare the song files, run every catalog server in this
// process until SIGINT/SIGTERM, and print listening, connection and (with --trace) protocol lines.
import type { Argv, CommandModule } from 'yargs';
import { resolveLibrary } from '../catalog/library.js';
import { loadCatalog } from '../catalog/load.js';
import { JukeboxError } from '../errors.js';
import { servedSongIds, startCatalogServers } from '../server/catalog-servers.js';
import type { ConnectionEvent, JukeboxServer, RejectionEvent, TraceEvent } from '../server/server.js';
import { defaultCatalogPath } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { EXIT, print, printError } from './output.js';

interface ServeArgs {
  catalog: string;
  trace: boolean;
  'stream-speed': number;
  host: string | undefined;
  server: string[] | undefined;
  'max-connections': number | undefined;
}

export function serveCommand(setExitCode: (code: number) => void): CommandModule<object, ServeArgs> {
  return {
    command: 'serve',
    describe: 'Run the music servers of the catalog (one per server entry) until Ctrl-C',
    builder: (yargs: Argv<object>) =>
      yargs
        .option('catalog', { type: 'string', default: defaultCatalogPath, defaultDescription: 'the project catalog.json', describe: 'Catalog file: servers, ports and songs' })
        .option('trace', { type: 'boolean', default: false, describe: 'Print every request and response line, labelled by server and client' })
        .option('stream-speed', { type: 'number', default: 1, describe: 'STREAM pace as a multiple of each song’s bitrate (1 = real time)' })
        .option('host', { type: 'string', describe: "Listen on this host instead of each server's catalog host" })
        .option('server', { type: 'string', array: true, describe: 'Run only this catalog server (repeatable), e.g. one server per process' })
        .option('max-connections', { type: 'number', describe: 'Open connections per server before new ones get ERR 503 (default 1024)' })
        .example('$0 serve', 'Serve the project catalog on its ports (5000 and 5001)')
        .example('$0 serve --trace --stream-speed 10', 'Log every protocol line; stream ten times faster than real time')
        .epilog(
          'Each server holds the catalog songs that name it. Missing generated song files are created on first use.\n' +
            'Try it: nc localhost 5000, then type HELLO, LIST, CHECK <song>, GET <song>, QUIT.\n' +
            'Ctrl-C stops gracefully (transfers in flight finish); press it twice to stop at once.',
        ) as unknown as Argv<ServeArgs>, // yargs' builder types lose the option names through .example/.epilog
    handler: async (args) => {
      await serve(args);
      setExitCode(EXIT.OK);
    },
  };
}

async function serve(args: ServeArgs): Promise<void> {
  const streamSpeed = args['stream-speed'];
  if (!Number.isFinite(streamSpeed) || streamSpeed <= 0) {
    throw new JukeboxError('E_BAD_ARGUMENT', `--stream-speed must be a number > 0, got ${String(streamSpeed)}`, { hint: '1 streams in real time, 10 ten times faster' });
  }
  const catalog = loadCatalog(args.catalog);
  const known = catalog.catalog.servers.map((s) => s.id);
  const unknown = (args.server ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0) throw new JukeboxError('E_BAD_ARGUMENT', `--server ${unknown.join(', ')}: not in the catalog`, { hint: `the catalog's servers are ${known.join(', ')}` });
  const files = await resolveLibrary(catalog, {
    songIds: servedSongIds(catalog),
    onSong: (e) => {
      if (e.action === 'generated') printError(`generated song file ${e.index}/${e.total}: ${e.songId} → ${e.file}`);
    },
  });
  const servers = await startCatalogServers({
    catalog,
    files,
    streamSpeed,
    ...(args.host === undefined ? {} : { host: args.host }),
    ...(args.server === undefined ? {} : { serverIds: args.server }),
    ...(args['max-connections'] === undefined ? {} : { limits: { maxConnections: args['max-connections'] } }),
  });
  servers.forEach((server) => {
    // Numbered by place in the catalog (Server 1 = its first server), as the seed printed them.
    print(`Server ${known.indexOf(server.serverId) + 1} listening on ${server.host}:${server.port}`);
    for (const warning of server.startWarnings) printError(`${server.serverId}: ${warning.message}`);
    watch(server, args.trace);
  });
  const signal = await nextSignal();
  print(`${signal}: shutting down (transfers in flight finish; ${signal === 'SIGINT' ? 'Ctrl-C' : 'a second signal'} again stops at once)`);
  const force = () => servers.forEach((server) => void server.close({ graceful: false }));
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  try {
    await Promise.all(servers.map((server) => server.close()));
  } finally {
    process.off('SIGINT', force);
    process.off('SIGTERM', force);
  }
  print('Servers stopped.');
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

function watch(server: JukeboxServer, trace: boolean): void {
  const id = server.serverId;
  const peer = (e: { remoteAddress: string; remotePort: number }) => `${e.remoteAddress}:${e.remotePort}`;
  server.on('connection', (e: ConnectionEvent) => print(`${id}: connection from ${peer(e)} (${e.open} open)`));
  server.on('connectionClosed', (e: ConnectionEvent) => print(`${id}: ${peer(e)} closed (${e.open} open)`));
  server.on('rejected', (e: RejectionEvent) => print(`${id}: refused ${peer(e)} (${e.reason === 'limit' ? 'connection limit' : 'shutting down'})`));
  server.on('warning', (w) => printError(`${id}: ${w.message}`));
  server.on('internalError', (e) => printError(`${id}: unexpected error: ${e.error instanceof Error ? (e.error.stack ?? e.error.message) : String(e.error)}`));
  if (!trace) return;
  server.on('request', (e: TraceEvent) => print(`${id} ${peer(e)} < ${printable(e.line)}`));
  server.on('response', (e: TraceEvent) => print(`${id} ${peer(e)} > ${printable(e.line)}`));
}

/** Control characters a client sent (a HELLO name, a song id) are shown escaped, never sent to the terminal. */
function printable(line: string): string {
  return escapeForTerminal(line);
}
