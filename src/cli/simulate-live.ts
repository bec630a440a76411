// `--live [PORT]`, `--live-host`, `--live-clients` and `--trace` for `simulate` and `jukebox serve`:
// the options, their checks, and starting the live view's HTTP server around a bus.
import type { Argv } from 'yargs';
import { JukeboxError } from '../errors.js';
import type { LiveBus } from '../live/bus.js';
import { LIVE_DEFAULT_CLIENTS, LIVE_MAX_CLIENTS } from '../live/events.js';
import { startLiveServer, type LiveServer } from '../live/http-server.js';
import { TraceWriter, type TraceStamp } from '../live/trace.js';

export interface LiveArgs {
  /** '' when given without a port. */
  live: string | undefined;
  'live-host': string | undefined;
  'live-clients': number | undefined;
}

/** The live view's options (`--trace` is each command's own: its help differs). */
export function withLiveOptions<T>(yargs: Argv<T>, sampled: boolean): Argv<T & LiveArgs> {
  const y = yargs
    .option('live', {
      type: 'string',
      describe: 'Serve the live view (a page and its /events stream) on 127.0.0.1:PORT; 0 or no PORT picks a free port, printed as "live: <url>"',
    })
    .option('live-host', {
      type: 'string',
      requiresArg: true,
      describe: 'Listen for the live view on this address instead of 127.0.0.1 (e.g. 0.0.0.0 for a classroom)',
    });
  if (!sampled) return y as Argv<T & LiveArgs>;
  return y.option('live-clients', {
    type: 'number',
    requiresArg: true,
    describe: `Send the per-message events (and trace lines) of the first N clients only (default ${LIVE_DEFAULT_CLIENTS}); every client counts in the totals`,
  }) as Argv<T & LiveArgs>;
}

/** The port `--live` asks for, undefined without `--live`; a usage error for anything but a port. */
export function livePort(args: LiveArgs): number | undefined {
  if (args.live === undefined) {
    if (args['live-host'] !== undefined) throw new JukeboxError('E_BAD_ARGUMENT', '--live-host: given without --live', { hint: 'add --live (or --live PORT)' });
    return undefined;
  }
  const text = String(args.live).trim();
  if (text === '') return 0;
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65_535))
    throw new JukeboxError('E_BAD_ARGUMENT', `--live: expected a port from 0 to 65535 (0: any free port), got ${JSON.stringify(text)}`, {
      hint: 'write the port right after --live, or nothing (then a free port is picked); put the scenario file before --live',
    });
  return port;
}

/** `--live-clients`, checked by bounds.ts; a usage error when neither --live nor --trace would use it. */
export function sampledClients(args: LiveArgs, trace: boolean): number {
  const n = args['live-clients'];
  if (n === undefined) return LIVE_DEFAULT_CLIENTS;
  if (args.live === undefined && !trace)
    throw new JukeboxError('E_BAD_ARGUMENT', '--live-clients: given without --live or --trace', { hint: 'add --live or --trace' });
  return Math.min(n, LIVE_MAX_CLIENTS);
}

/** Starts the HTTP server for `bus` when `--live` asked for it; the caller prints `live: <url>`. */
export async function startLive(args: LiveArgs, bus: LiveBus): Promise<LiveServer | undefined> {
  const port = livePort(args);
  if (port === undefined) return undefined;
  return startLiveServer({ bus, port, ...(args['live-host'] === undefined ? {} : { host: args['live-host'] }) });
}

/** Prints the bus's events as trace lines from now on. */
export function traceTo(bus: LiveBus, print: (line: string) => void, stamp: TraceStamp): void {
  bus.subscribe(new TraceWriter(print, stamp));
}
