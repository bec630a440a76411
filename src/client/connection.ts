// One jukebox/1 connection as a promise API: requests pipelined over one socket, answers matched
// to them in order by a FIFO fed from one ResponseDecoder, with a progress timeout, typed errors
// and the timings a load tester needs.
import { connect as netConnect, type Socket } from 'node:net';
import { JukeboxError } from '../errors.js';
import { CLOSING_ERR_CODES, isSongId, type Verb } from '../protocol/constants.js';
import { ResponseDecoder, type DecoderEvent } from '../protocol/response-decoder.js';
import { encodeRequest } from '../protocol/request.js';
import { encodeListEntry, encodeResponse } from '../protocol/response.js';
import type { ExtraFields, ListEntry, Request, Response, ServerStats } from '../protocol/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { JukeboxServerError } from './errors.js';
import {
  CLIENT_NAME_PATTERN,
  CLOSE_GRACE_MS,
  MAX_CLIENT_NAME_CHARS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  requireInteger,
} from './limits.js';

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

/** When a request was written and how long its answer took (ms, on the connection's clock). */
export interface RequestTiming {
  /** clock.now() when the request line was written. */
  sentAt: number;
  /** Until the answer's response line arrived (for a pipelined request this includes waiting behind earlier answers). */
  ttfbMs: number;
  /** Until the answer was complete, body or LIST entries included. */
  totalMs: number;
}

export interface HelloResult extends RequestTiming {
  protocol: string;
  server: string;
  catalog: string;
  songs: number;
  /** key=value fields this client does not know. */
  extra: ExtraFields;
}

export type CheckResult = RequestTiming & ({ kind: 'exist'; bytes: number; sha256: string; active?: number; extra: ExtraFields } | { kind: 'not_exist' });

export type DataResult = RequestTiming &
  (
    | {
        kind: 'data';
        /** The offset that was asked for. */
        offset: number;
        /** The byte count announced by `DATA n`. */
        length: number;
        /** Body bytes handed to onData (equal to length on success). */
        bytesReceived: number;
      }
    | { kind: 'not_exist' }
  );

export interface ListResult extends RequestTiming {
  entries: ListEntry[];
}

export interface StatsResult extends RequestTiming {
  stats: ServerStats;
}

export type QuitResult = RequestTiming;

export interface TransferRequestOptions {
  /** Resume from this byte (default 0). */
  offset?: number;
  /**
   * Receives each body chunk as it arrives. The connection keeps no copy: a chunk the caller
   * wants after the call returns it must keep (the Buffer is not reused by Node).
   */
  onData?: (chunk: Buffer) => void;
  /** If set and `DATA n` announces another n, the request fails E_INTEGRITY before any body byte is handed on. */
  expectBytes?: number;
}

type AnyResult = HelloResult | CheckResult | DataResult | ListResult | StatsResult | QuitResult;

/** The response kinds each verb may be answered with (ERR is allowed for every verb). */
const EXPECTED: Readonly<Record<Verb, ReadonlySet<Response['kind']>>> = {
  HELLO: new Set(['OK']),
  CHECK: new Set(['EXIST', 'NOT_EXIST']),
  GET: new Set(['DATA', 'NOT_EXIST']),
  STREAM: new Set(['DATA', 'NOT_EXIST']),
  LIST: new Set(['LIST']),
  STATS: new Set(['STATS']),
  QUIT: new Set(['BYE']),
};

/** Socket errors that mean the peer went away mid-conversation. */
const RESET_ERRNOS: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

const NO_DATA: undefined = undefined;

/** One request waiting for its answer; a class so that every request has the same shape. */
class Pending {
  resolve: (value: AnyResult) => void = noop;
  reject: (error: Error) => void = noop;
  /** clock.now() of the response line; -1 until it arrives. */
  respondedAt = -1;
  response: Response | undefined = undefined;
  received = 0;

  constructor(
    readonly verb: Verb,
    /** The song of CHECK/GET/STREAM, else ''. */
    readonly song: string,
    readonly sentAt: number,
    readonly offset: number,
    readonly onData: ((chunk: Buffer) => void) | undefined,
    readonly expectBytes: number,
  ) {}
}

function noop(): void {}

/** The request as a person would read it, for error messages (built only when one is needed). */
function describe(pending: Pending): string {
  if (pending.song === '') return pending.verb;
  return pending.offset > 0 ? `${pending.verb} ${pending.song} ${pending.offset}` : `${pending.verb} ${pending.song}`;
}

/** A FIFO without Array#shift's copying: a head index, reset whenever it empties. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T | undefined {
    const item = this.items[this.head];
    if (item === undefined) return undefined;
    this.items[this.head++] = undefined as T; // drop the reference for the GC
    if (this.head === this.items.length) {
      this.items.length = 0;
      this.head = 0;
    }
    return item;
  }

  drain(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

interface ResolvedOptions {
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

function resolveConnectOptions(options: ConnectOptions): ResolvedOptions {
  if (typeof options.host !== 'string' || options.host.length === 0)
    throw new JukeboxError('E_BAD_ARGUMENT', `host must be a non-empty string, got ${JSON.stringify(options.host)}`);
  requireInteger('port', options.port, 0, 65_535);
  const connectTimeoutMs = requireInteger('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, 1);
  const requestTimeoutMs = requireInteger('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 1);
  if (options.clientName !== undefined) requireClientName(options.clientName);
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

function requireClientName(name: string): void {
  if (!CLIENT_NAME_PATTERN.test(name)) throw badClientName(name);
}

function badClientName(name: string): JukeboxError {
  return new JukeboxError(
    'E_BAD_ARGUMENT',
    `client name must be 1 to ${MAX_CLIENT_NAME_CHARS} printable characters without spaces, got ${JSON.stringify(name)}`,
  );
}

function badSong(song: string): JukeboxError {
  return new JukeboxError('E_BAD_ARGUMENT', `bad song id ${JSON.stringify(song)}: expected letters, digits, '.', '_' or '-', at most 128`, {
    hint: 'song ids are the catalog keys, e.g. song2',
  });
}

export class JukeboxConnection {
  /** clock.now() when the TCP connection was established. */
  readonly connectedAt: number;
  /** How long the TCP connect took (ms). */
  readonly connectMs: number;
  readonly host: string;
  readonly port: number;

  private readonly queue = new Fifo<Pending>();
  private readonly decoder: ResponseDecoder;
  private readonly clock: Clock;
  private readonly trace: ClientTraceObserver | undefined;
  private readonly clientName: string | undefined;
  private readonly requestTimeoutMs: number;
  /** One timer per connection, refreshed as bytes arrive: no timer per request or per chunk. */
  private readonly progressTimer: NodeJS.Timeout;
  private readonly closedPromise: Promise<void>;
  private resolveClosed: () => void = noop;
  private open = true;
  private ending = false;
  private consumerPaused = false;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Why the connection can take no more requests (set once it stops being usable). */
  private finalError: JukeboxError | undefined;

  private constructor(
    private readonly socket: Socket,
    options: ResolvedOptions,
    startedAt: number,
  ) {
    this.clock = options.clock;
    this.trace = options.trace;
    this.clientName = options.clientName;
    this.requestTimeoutMs = options.requestTimeoutMs;
    this.host = options.host;
    this.port = options.port;
    this.connectedAt = this.clock.now();
    this.connectMs = this.connectedAt - startedAt;
    this.decoder = new ResponseDecoder(this.onDecoded);
    this.progressTimer = setTimeout(this.onProgressTimeout, this.requestTimeoutMs);
    this.progressTimer.unref();
    this.closedPromise = new Promise((resolve) => (this.resolveClosed = resolve));
    socket.on('data', this.onSocketData);
    socket.on('end', this.onSocketEnd);
    socket.on('error', this.onSocketError);
    socket.on('close', this.onSocketClose);
  }

  /** Opens one TCP connection. Fails E_REFUSED (nobody listening, unreachable) or E_TIMEOUT. */
  static connect(options: ConnectOptions): Promise<JukeboxConnection> {
    let resolved: ResolvedOptions;
    try {
      resolved = resolveConnectOptions(options);
    } catch (err) {
      return Promise.reject(err);
    }
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
        resolve(new JukeboxConnection(socket, resolved, startedAt));
      });
    });
  }

  /** True until the connection is closed, destroyed, or broken by an error. */
  get isOpen(): boolean {
    return this.open && this.finalError === undefined && !this.ending;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.queue.length;
  }

  /** Resolves once the socket is closed, however that happened. */
  whenClosed(): Promise<void> {
    return this.closedPromise;
  }

  hello(clientName: string | undefined = this.clientName): Promise<HelloResult> {
    if (clientName !== undefined && !CLIENT_NAME_PATTERN.test(clientName)) return Promise.reject(badClientName(clientName));
    const request: Request = clientName === undefined ? { verb: 'HELLO' } : { verb: 'HELLO', clientName };
    return this.send(request, '', 0, NO_DATA, -1) as Promise<HelloResult>;
  }

  check(song: string): Promise<CheckResult> {
    if (!isSongId(song)) return Promise.reject(badSong(song));
    return this.send({ verb: 'CHECK', song }, song, 0, NO_DATA, -1) as Promise<CheckResult>;
  }

  /** GET: the song from `offset` to its end, as fast as the server sends it. */
  get(song: string, options: TransferRequestOptions = {}): Promise<DataResult> {
    return this.transfer('GET', song, options);
  }

  /** STREAM: like GET, paced by the server at the song's bitrate. */
  stream(song: string, options: TransferRequestOptions = {}): Promise<DataResult> {
    return this.transfer('STREAM', song, options);
  }

  list(): Promise<ListResult> {
    return this.send({ verb: 'LIST' }, '', 0, NO_DATA, -1) as Promise<ListResult>;
  }

  stats(): Promise<StatsResult> {
    return this.send({ verb: 'STATS' }, '', 0, NO_DATA, -1) as Promise<StatsResult>;
  }

  /** Sends QUIT; resolves on BYE (the server then closes). Later requests fail E_CLOSED. */
  quit(): Promise<QuitResult> {
    const answered = this.send({ verb: 'QUIT' }, '', 0, NO_DATA, -1) as Promise<QuitResult>;
    if (this.finalError === undefined) this.ending = true;
    return answered;
  }

  /**
   * Graceful: requests already sent are still answered (the server answers what it received
   * after our half-close), new ones fail E_CLOSED; then the socket closes. Resolves when closed.
   */
  close(): Promise<void> {
    if (this.open && !this.ending) {
      this.ending = true;
      this.socket.end();
      if (this.queue.length === 0) this.startCloseGrace();
    }
    return this.closedPromise;
  }

  /** Cuts the connection now; requests in flight fail E_CLOSED. */
  destroy(): void {
    if (!this.open) return;
    this.fail(new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} was destroyed by the client`));
  }

  /** Backpressure for a slow consumer: stop reading (the progress timeout is suspended meanwhile). */
  pauseReading(): void {
    this.consumerPaused = true;
    this.socket.pause();
  }

  resumeReading(): void {
    if (!this.consumerPaused) return;
    this.consumerPaused = false;
    this.progressTimer.refresh();
    this.socket.resume();
  }

  private transfer(verb: 'GET' | 'STREAM', song: string, options: TransferRequestOptions): Promise<DataResult> {
    if (!isSongId(song)) return Promise.reject(badSong(song));
    const offset = options.offset ?? 0;
    const expectBytes = options.expectBytes ?? -1;
    try {
      requireInteger('offset', offset, 0);
      if (expectBytes !== -1) requireInteger('expectBytes', expectBytes, 0);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.send({ verb, song, offset }, song, offset, options.onData, expectBytes) as Promise<DataResult>;
  }

  private send(request: Request, song: string, offset: number, onData: ((chunk: Buffer) => void) | undefined, expectBytes: number): Promise<AnyResult> {
    const unusable = this.unusableError();
    if (unusable) return Promise.reject(unusable);
    const line = encodeRequest(request);
    const sentAt = this.clock.now();
    const pending = new Pending(request.verb, song, sentAt, offset, onData, expectBytes);
    const promise = new Promise<AnyResult>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    // The wait for progress starts with the first request outstanding; later ones queue behind it.
    if (this.queue.length === 0) this.progressTimer.refresh();
    this.queue.push(pending);
    if (this.trace) this.emitTrace('sent', line.slice(0, -1), sentAt);
    this.socket.write(line);
    return promise;
  }

  private unusableError(): JukeboxError | undefined {
    if (this.finalError instanceof JukeboxServerError) return this.finalError;
    if (this.finalError) return new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is no longer usable: ${this.finalError.message}`);
    if (!this.open || this.ending) return new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is closed`);
    return undefined;
  }

  // Event handlers are arrow-function fields: bound once per connection, never per request or chunk.

  private readonly onSocketData = (chunk: Buffer): void => {
    this.progressTimer.refresh();
    this.decoder.push(chunk);
  };

  private readonly onDecoded = (event: DecoderEvent): void => {
    if (this.finalError !== undefined) return; // failed mid-chunk: the rest of the chunk means nothing
    switch (event.type) {
      case 'body': {
        // The head is the DATA request: the decoder emits body events only after its DATA line.
        const head = this.queue.peek() as Pending;
        head.received += event.chunk.length;
        if (head.onData !== undefined) head.onData(event.chunk);
        return;
      }
      case 'response':
        return this.onResponse(event.response);
      case 'bodyEnd':
        return this.completeHead();
      case 'list':
        return this.onList(event.entries);
      case 'error':
        return this.fail(new JukeboxError('E_PROTOCOL', `${this.host}:${this.port} sent something jukebox/1 does not allow: ${event.reason}`));
    }
  };

  private onResponse(response: Response): void {
    const now = this.clock.now();
    if (this.trace) this.emitTrace('received', encodeResponse(response).slice(0, -1), now);
    const head = this.queue.peek();
    if (head === undefined) return this.onUnsolicited(response);
    head.respondedAt = now;
    head.response = response;
    if (response.kind === 'ERR') return this.onErr(head, response.code, response.text);
    if (!EXPECTED[head.verb].has(response.kind)) {
      return this.fail(new JukeboxError('E_PROTOCOL', `${this.host}:${this.port} answered ${describe(head)} with ${response.kind}`));
    }
    if (response.kind === 'DATA') {
      if (head.expectBytes !== -1 && response.length !== head.expectBytes) {
        // The body is left unread, so the stream position is lost: the connection goes.
        return this.fail(
          new JukeboxError(
            'E_INTEGRITY',
            `${describe(head)}: ${this.host}:${this.port} announced ${response.length} bytes, the catalog says ${head.expectBytes}`,
          ),
        );
      }
      return; // completed by bodyEnd
    }
    if (response.kind === 'LIST') return; // completed by the list event
    this.completeHead();
  }

  private onErr(head: Pending, status: number, text: string): void {
    const error = new JukeboxServerError(status, text, describe(head));
    this.queue.shift();
    head.reject(error);
    if (CLOSING_ERR_CODES.has(status)) {
      // The server closes after 413/503: whatever was pipelined behind gets the same answer.
      this.finalError = error;
      for (const rest of this.queue.drain()) rest.reject(error);
      this.socket.end();
    } else {
      this.afterDequeue();
    }
  }

  /** A response with no request waiting: a 503 written at accept is a refusal, anything else is a protocol breach. */
  private onUnsolicited(response: Response): void {
    if (response.kind === 'ERR' && CLOSING_ERR_CODES.has(response.code)) {
      this.finalError = new JukeboxServerError(response.code, response.text, `connection to ${this.host}:${this.port}`);
      this.socket.end();
      return;
    }
    this.fail(new JukeboxError('E_PROTOCOL', `${this.host}:${this.port} sent ${response.kind} when no request was waiting`));
  }

  private onList(entries: ListEntry[]): void {
    if (this.trace) {
      const at = this.clock.now();
      for (const entry of entries) this.emitTrace('received', encodeListEntry(entry).slice(0, -1), at);
    }
    this.completeHead(entries);
  }

  private completeHead(entries?: ListEntry[]): void {
    const head = this.queue.shift();
    const response = head?.response;
    if (head === undefined || response === undefined) return;
    const now = this.clock.now();
    const sentAt = head.sentAt;
    const ttfbMs = head.respondedAt - sentAt;
    const totalMs = now - sentAt;
    if (response.kind === 'BYE') {
      this.ending = true;
      this.finalError = new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} has quit`);
    }
    head.resolve(buildResult(head, response, entries, ttfbMs, totalMs));
    this.afterDequeue();
  }

  private afterDequeue(): void {
    if (this.ending && this.queue.length === 0 && this.open) this.startCloseGrace();
  }

  /** Once nothing is outstanding after close() or QUIT, the server has this long to close. */
  private startCloseGrace(): void {
    if (this.graceTimer !== undefined) return;
    this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  private readonly onProgressTimeout = (): void => {
    if (this.queue.length === 0 || this.consumerPaused || !this.open) return;
    const head = this.queue.peek() as Pending;
    this.fail(
      new JukeboxError('E_TIMEOUT', `${describe(head)}: no byte from ${this.host}:${this.port} for ${this.requestTimeoutMs} ms`, {
        hint: 'the server hung or the network stalled; the connection was closed because its stream position is lost',
      }),
    );
  };

  private readonly onSocketEnd = (): void => {
    if (this.queue.length === 0) return;
    this.fail(this.closedEarlyError('closed the connection'));
  };

  private readonly onSocketError = (err: NodeJS.ErrnoException): void => {
    // Once connected, every socket error means the conversation is cut: E_RESET, the errno kept as the cause.
    const head = this.queue.peek();
    const what = head ? `${describe(head)}: ` : '';
    const how = err.code !== undefined && RESET_ERRNOS.has(err.code) ? `was cut (${err.code})` : `failed: ${err.code ?? err.message}`;
    this.fail(
      new JukeboxError('E_RESET', `${what}connection to ${this.host}:${this.port} ${how}`, {
        cause: err,
        hint: 'the server stopped or the network failed; resume on the other server',
      }),
    );
  };

  private readonly onSocketClose = (): void => {
    if (this.queue.length > 0) this.fail(this.closedEarlyError('closed the connection'));
    this.open = false;
    this.finalError ??= new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is closed`);
    clearTimeout(this.progressTimer);
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.resolveClosed();
  };

  /** Requests still waiting when the server closes: cut off (E_RESET), or sent after QUIT (E_CLOSED). */
  private closedEarlyError(what: string): JukeboxError {
    if (this.finalError !== undefined) return this.finalError;
    const head = this.queue.peek() as Pending;
    return new JukeboxError('E_RESET', `${describe(head)}: ${this.host}:${this.port} ${what} before the answer was complete`, {
      hint: 'the server stopped or restarted; resume on the other server',
    });
  }

  /** The connection is unusable: every request in flight fails with `error`, and the socket goes. */
  private fail(error: JukeboxError): void {
    if (this.finalError === undefined || this.finalError.code === 'E_CLOSED') this.finalError = error;
    for (const pending of this.queue.drain()) pending.reject(error);
    this.socket.destroy();
  }

  private emitTrace(direction: 'sent' | 'received', line: string, atMs: number): void {
    this.trace?.({ direction, line, atMs, wallMs: this.clock.wallNow(), host: this.host, port: this.port });
  }
}

function buildResult(head: Pending, response: Response, entries: ListEntry[] | undefined, ttfbMs: number, totalMs: number): AnyResult {
  const sentAt = head.sentAt;
  switch (response.kind) {
    case 'OK':
      return {
        protocol: response.protocol,
        server: response.server,
        catalog: response.catalog,
        songs: response.songs,
        extra: response.extra,
        sentAt,
        ttfbMs,
        totalMs,
      };
    case 'EXIST':
      return response.active === undefined
        ? { kind: 'exist', bytes: response.bytes, sha256: response.sha256, extra: response.extra, sentAt, ttfbMs, totalMs }
        : { kind: 'exist', bytes: response.bytes, sha256: response.sha256, active: response.active, extra: response.extra, sentAt, ttfbMs, totalMs };
    case 'NOT_EXIST':
      return { kind: 'not_exist', sentAt, ttfbMs, totalMs };
    case 'DATA':
      return { kind: 'data', offset: head.offset, length: response.length, bytesReceived: head.received, sentAt, ttfbMs, totalMs };
    case 'LIST':
      return { entries: entries ?? [], sentAt, ttfbMs, totalMs };
    case 'STATS':
      return { stats: response.stats, sentAt, ttfbMs, totalMs };
    case 'BYE':
      return { sentAt, ttfbMs, totalMs };
    case 'ERR':
      // onResponse handles ERR before completing; reaching here is a bug.
      throw new JukeboxError('E_INTERNAL', 'an ERR answer reached buildResult');
  }
}
