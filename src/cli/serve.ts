// `jukebox serve`: load the catalog, prepare the song files, run every catalog server in this
// process until SIGINT/SIGTERM, and print listening, connection and (with --trace) protocol lines.
import type { Argv, CommandModule } from 'yargs';
import { resolveLibrary } from '../catalog/library.js';
import { loadCatalog } from '../catalog/load.js';
import { JukeboxError } from '../errors.js';
import { DEFAULT_GRACE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from '../server/limits.js';
import { servedSongIds, startCatalogServers } from '../server/catalog-servers.js';
import type { ConnectionEvent, JukeboxServer, RejectionEvent } from '../server/server.js';
import { defaultCatalogPath } from '../util/paths.js';
import { describeBound, MAX_CONNECTIONS_BOUND, STREAM_SPEED_BOUND } from './bounds.js';
import { EXIT, internalErrorLine, print, printError } from './output.js';
import { songsOfServer } from '../catalog/load.js';
import { watchServers } from '../live/serve-live.js';
import { wallStamp } from '../live/trace.js';
import { livePort, startLive, traceTo, withLiveOptions, type LiveArgs } from './simulate-live.js';

interface ServeArgs extends LiveArgs {
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
      withLiveOptions(yargs, false)
        .option('catalog', {
          type: 'string',
          default: defaultCatalogPath,
          defaultDescription: 'the project catalog.json',
          describe: 'Catalog file: servers, ports and songs',
        })
        .option('trace', {
          type: 'boolean',
          default: false,
          describe:
            'Print every request and response line with the time, the server and the client (its HELLO name, else address:port), and a line per transfer with bytes, duration and rate',
        })
        .option('stream-speed', {
          type: 'number',
          requiresArg: true,
          default: 1,
          describe: `STREAM pace as a multiple of each song’s bitrate (1 = real time), ${describeBound(STREAM_SPEED_BOUND)}`,
        })
        .option('host', { type: 'string', describe: "Listen on this host instead of each server's catalog host" })
        .option('server', { type: 'string', array: true, describe: 'Run only this catalog server (repeatable), e.g. one server per process' })
        .option('max-connections', {
          type: 'number',
          requiresArg: true,
          describe: `Open connections per server before new ones get ERR 503 (default ${DEFAULT_MAX_CONNECTIONS}), ${describeBound(MAX_CONNECTIONS_BOUND)}`,
        })
        .example('$0 serve', 'Serve the project catalog on its ports (5000 and 5001)')
        .example('$0 serve --trace --stream-speed 10', 'Log every protocol line; stream ten times faster than real time')
        .example('$0 serve --live 8080 --live-host 0.0.0.0', 'Show a classroom who talks to which server: open the printed live: URL')
        .epilog(
          'Each server holds the catalog songs that name it. Missing generated song files are created on first use.\n' +
            'Try it: nc localhost 5000, then type HELLO, LIST, CHECK <song>, GET <song>, QUIT.\n' +
            `Ctrl-C (or SIGTERM) stops gracefully: transfers in flight get up to ${DEFAULT_GRACE_TIMEOUT_MS / 1000} s to finish; press it again to stop at once. Exit 130 after a stop, 2 a bad catalog or option, 3 a port in use.`,
        ) as unknown as Argv<ServeArgs>, // yargs' builder types lose the option names through .example/.epilog
    handler: async (args) => {
      await serve(args);
      // The servers only ever stop on a signal: the contract's "interrupted by the user".
      setExitCode(EXIT.INTERRUPTED);
    },
  };
}

async function serve(args: ServeArgs): Promise<void> {
  // --stream-speed and --max-connections were bounded before this ran (bounds.ts, checked by program.ts).
  const streamSpeed = args['stream-speed'];
  livePort(args); // a bad --live is refused before anything starts
  const catalog = loadCatalog(args.catalog);
  const known = catalog.catalog.servers.map((s) => s.id);
  const unknown = (args.server ?? []).filter((id) => !known.includes(id));
  if (unknown.length > 0)
    throw new JukeboxError('E_BAD_ARGUMENT', `--server ${unknown.join(', ')}: not in the catalog`, { hint: `the catalog's servers are ${known.join(', ')}` });
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
    watch(server);
  });
  // The live view and the trace read the same events: built only when one of them is on.
  const watched = args.live !== undefined || args.trace ? watchServers(servers, (id) => songsOfServer(catalog.catalog, id).map((s) => s.id)) : undefined;
  let liveServer;
  try {
    liveServer = watched ? await startLive(args, watched.bus) : undefined;
  } catch (err) {
    watched?.stop();
    await Promise.all(servers.map((server) => server.close({ graceful: false })));
    throw err;
  }
  if (liveServer) print(`live: ${liveServer.url}`);
  if (watched && args.trace) traceTo(watched.bus, print, wallStamp(Date.now() - watched.bus.t()));
  // One handler for the whole stop, so that no second signal ever meets Node's default action
  // (which would kill the process mid-drain): the first drains, any later one cuts.
  const stop = listenForStop(() => {
    print('stopping at once: transfers in flight are cut');
    servers.forEach((server) => void server.close({ graceful: false }));
  });
  try {
    const signal = await stop.first;
    // Said at once, before the drain starts: the user must know why nothing seems to happen yet and how to stop harder.
    print(stoppingMessage(signal, servers));
    await Promise.all(servers.map((server) => server.close()));
  } finally {
    stop.dispose();
    watched?.stop();
    await liveServer?.close();
  }
  print('Servers stopped.');
}

/** "stopping: letting 3 transfers finish (up to 10 s); press Ctrl-C again to stop at once". */
export function stoppingMessage(signal: NodeJS.Signals, servers: readonly JukeboxServer[]): string {
  const transfers = servers.reduce((sum, server) => sum + server.stats().activeTransfers, 0);
  const graceSec = Math.max(...servers.map((server) => server.limits.graceTimeoutMs), 0) / 1000;
  const again = signal === 'SIGINT' ? 'press Ctrl-C again' : `send ${signal} again`;
  const what = transfers === 0 ? 'no transfer in flight' : `letting ${transfers} transfer${transfers === 1 ? '' : 's'} finish (up to ${graceSec} s)`;
  return `stopping: ${what}; ${again} to stop at once`;
}

/** SIGINT/SIGTERM until disposed: `first` resolves on the first, `again` runs on each later one. */
function listenForStop(again: () => void): { first: Promise<NodeJS.Signals>; dispose(): void } {
  let onFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => (onFirst = resolve));
  let seen = false;
  const on = (signal: NodeJS.Signals) => {
    if (seen) again();
    else onFirst(signal);
    seen = true;
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    first,
    dispose() {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

function watch(server: JukeboxServer): void {
  const id = server.serverId;
  const peer = (e: { remoteAddress: string; remotePort: number }) => `${e.remoteAddress}:${e.remotePort}`;
  server.on('connection', (e: ConnectionEvent) => print(`${id}: connection from ${peer(e)} (${e.open} open)`));
  server.on('connectionClosed', (e: ConnectionEvent) => print(`${id}: ${peer(e)} closed (${e.open} open)`));
  server.on('rejected', (e: RejectionEvent) => print(`${id}: refused ${peer(e)} (${e.reason === 'limit' ? 'connection limit' : 'shutting down'})`));
  server.on('warning', (w) => printError(`${id}: ${w.message}`));
  // A bug in one connection: one line naming it and the file with its trace; the server goes on.
  server.on('internalError', (e) => printError(`${id}: ${internalErrorLine(e.error)}`));
}
