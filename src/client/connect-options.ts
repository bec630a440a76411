// Opening a jukebox/1 connection: the options a caller gives, checked and defaulted once, and the
// TCP connect with its timeout and typed errors. What happens on the socket afterwards is connection.ts's.
import { connect as netConnect, type Socket } from 'node:net';
import { JukeboxError } from '../errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { CLIENT_NAME_PATTERN, MAX_CLIENT_NAME_CHARS, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, requireInteger } from './limits.js';

/** One line on the wire, for `--trace`. Built only while an observer is set. */
export interface ClientTraceEvent {
  direction: 'sent' | 'received';
  /** The line without its `\n` (received lines are re-encoded from the decoded response). */
  line: string;
  /** Monotonic time of the injected clock (ms). */
  atMs: number;
  /** Wall-clock time (ms since the epoch). */
  wallMs: number;
  host: string;
  port: number;
}

export type ClientTraceObserver = (event: ClientTraceEvent) => void;

export interface ConnectOptions {
  host: string;
  port: number;
  /** Default DEFAULT_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** Longest wait for the next byte while a request is outstanding; default DEFAULT_REQUEST_TIMEOUT_MS. */
  requestTimeoutMs?: number;
  /** The name hello() sends when called without one. */
  clientName?: string;
  /** Default systemClock. Timings use its monotonic now(). */
  clock?: Clock;
  /** Every request line sent and response line received; off (and free) when absent. */
  trace?: ClientTraceObserver;
  /**
   * Read into one buffer shared by every such connection of this thread, instead of a new
   * 64 KiB buffer per read: far fewer allocations and read(2)s for bulk transfers. Body chunks
   * handed to onData are then valid only during the call: for consumers that use each chunk at
   * once (hash it, count it), never for a sink that keeps it (a file stream). Default false.
   */
  sharedReadBuffer?: boolean;
}

/** ConnectOptions checked, with every default filled in. */
export interface ResolvedOptions {
  host: string;
  port: number;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  clientName: string | undefined;
  clock: Clock;
  trace: ClientTraceObserver | undefined;
  sharedReadBuffer: boolean;
}

/**
 * Big enough for what loopback delivers in one read(2) during a bulk transfer. One per thread:
 * reads complete one socket at a time, each handed on (and used up) before the next.
 */
export const SHARED_READ_BUFFER_BYTES = 1024 * 1024;
let sharedReadBufferOfThread: Buffer | undefined;

/** Node's `onread`: each read lands in the thread's shared buffer and is emitted as 'data', valid during the event only. */
function sharedReads(socket: () => Socket): { buffer: () => Buffer; callback: (n: number, buffer: Buffer) => boolean } {
  return {
    buffer: () => (sharedReadBufferOfThread ??= Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES)),
    callback: (n, buffer) => socket().emit('data', buffer.subarray(0, n)),
  };
}

export function resolveConnectOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options.host !== 'string' || options.host.length === 0)
    throw new JukeboxError('E_BAD_ARGUMENT', `host must be a non-empty string, got ${JSON.stringify(options.host)}`);
  requireInteger('port', options.port, 0, 65_535);
  const connectTimeoutMs = requireInteger('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1);
  const requestTimeoutMs = requireInteger('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 1);
  if (options.clientName !== undefined && !CLIENT_NAME_PATTERN.test(options.clientName)) throw badClientName(options.clientName);
  return {
    host: options.host,
    port: options.port,
    connectTimeoutMs,
    requestTimeoutMs,
    clientName: options.clientName,
    clock: options.clock ?? systemClock,
    trace: options.trace,
    sharedReadBuffer: options.sharedReadBuffer ?? false,
  };
}

export function badClientName(name: string): JukeboxError {
  return new JukeboxError(
    'E_BAD_ARGUMENT',
    `client name must be 1 to ${MAX_CLIENT_NAME_CHARS} printable characters without spaces, got ${JSON.stringify(name)}`,
  );
}

export function badSong(song: string): JukeboxError {
  return new JukeboxError('E_BAD_ARGUMENT', `bad song id ${JSON.stringify(song)}: expected letters, digits, '.', '_' or '-', at most 128`, {
    hint: 'song ids are the catalog keys, e.g. song2',
  });
}

/**
 * Connects a socket (Nagle off) and hands it, with when the connect started, to `make` in the
 * connect event itself (no turn in between without listeners); fails E_REFUSED (nobody
 * listening, unreachable) or E_TIMEOUT.
 */
export function openSocket<T>(resolved: ResolvedOptions, make: (socket: Socket, startedAt: number) => T): Promise<T> {
  return new Promise((resolve, reject) => {
    const startedAt = resolved.clock.now();
    const where = `${resolved.host}:${resolved.port}`;
    const socket: Socket = netConnect({
      host: resolved.host,
      port: resolved.port,
      noDelay: true,
      ...(resolved.sharedReadBuffer ? { onread: sharedReads(() => socket) } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new JukeboxError('E_TIMEOUT', `connecting to ${where} took longer than ${resolved.connectTimeoutMs} ms`, {
          hint: 'is the server overloaded or the address wrong?',
        }),
      );
    }, resolved.connectTimeoutMs);
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new JukeboxError('E_REFUSED', `cannot connect to ${where}: ${err.code ?? err.message}`, {
          hint: err.code === 'ECONNREFUSED' ? `no server is listening on ${where}; start it with 'jukebox serve'` : 'check the host and port in the catalog',
          cause: err,
        }),
      );
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(make(socket, startedAt));
    });
  });
}
