// One jukebox/1 connection as a promise API: requests pipelined over one socket, answers matched
// to them in order by a FIFO fed from one ResponseDecoder, with a progress timeout, typed errors
// and the timings a load tester needs. This file is the state machine; opening (connect-options.ts),
// the queue (fifo.ts) and the results by verb (results.ts) are modules of their own.
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { JukeboxError } from '../errors.js';
import { CLOSING_ERR_CODES, isSongId, type Verb } from '../protocol/constants.js';
import { ResponseDecoder, type DecoderEvent } from '../protocol/response-decoder.js';
import { encodeRequest } from '../protocol/request.js';
import { encodeListEntry, encodeResponse } from '../protocol/response.js';
import type { ListEntry, Request, Response } from '../protocol/types.js';
import type { Clock } from '../util/clock.js';
import {
  badClientName,
  badSong,
  openSocket,
  resolveConnectOptions,
  type ClientTraceObserver,
  type ConnectOptions,
  type ResolvedOptions,
} from './connect-options.js';
import { JukeboxServerError } from './errors.js';
import { Fifo } from './fifo.js';
import { CLIENT_NAME_PATTERN, CLOSE_GRACE_MS, requireInteger } from './limits.js';
import {
  EXPECTED,
  Pending,
  type CheckResult,
  type DataResult,
  type HelloResult,
  type ListResult,
  type QuitResult,
  type ResultOf,
  type StatsResult,
  type TransferRequestOptions,
} from './results.js';

export type { ClientTraceEvent, ClientTraceObserver, ConnectOptions } from './connect-options.js';
export type { CheckResult, DataResult, HelloResult, ListResult, QuitResult, RequestTiming, ResultOf, StatsResult, TransferRequestOptions } from './results.js';

/**
 * Where the connection is in its life. `open`: takes requests. `ending`: close() or QUIT was
 * sent (or BYE came): what is in flight is still answered, nothing new is taken. `closed`: the
 * socket is gone (queue empty, `finalError` says why). Moves only forward: open → ending → closed,
 * or open → closed. A connection can also be broken while its socket is still closing
 * (`finalError` set: an ERR 503, a protocol error): then it takes nothing either.
 */
export type ConnectionState = 'open' | 'ending' | 'closed';

/** Socket errors that mean the peer went away mid-conversation. */
const RESET_ERRNOS: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

const NO_DATA: undefined = undefined;

function noop(): void {}

/** A broken invariant of the state machine: a bug here, never the server's doing. */
function invariant(condition: boolean, what: string): asserts condition {
  if (!condition) throw new JukeboxError('E_INTERNAL', `jukebox connection invariant broken: ${what}`);
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
  /**
   * One timer per connection for the progress timeout, moved lazily: progress (a byte, a first
   * request outstanding, a resume) only notes the time, and the timer, when it fires early, waits
   * out the rest. No timer per request or chunk, and no timer list moved per chunk either.
   */
  private progressTimer: NodeJS.Timeout | undefined;
  /** performance.now() (real time: the timer's own clock, not the injected one) of the last progress. */
  private lastProgressAt = 0;
  private readonly closedPromise: Promise<void>;
  private resolveClosed: () => void = noop;
  private currentState: ConnectionState = 'open';
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
    return openSocket(resolved, (socket, startedAt) => new JukeboxConnection(socket, resolved, startedAt));
  }

  /** True until the connection is closed, destroyed, or broken by an error. */
  get isOpen(): boolean {
    return this.currentState === 'open' && this.finalError === undefined;
  }

  /** See ConnectionState. */
  get state(): ConnectionState {
    return this.currentState;
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
    return this.send(clientName === undefined ? { verb: 'HELLO' } : { verb: 'HELLO', clientName }, '', 0, NO_DATA, -1);
  }

  check(song: string): Promise<CheckResult> {
    if (!isSongId(song)) return Promise.reject(badSong(song));
    return this.send({ verb: 'CHECK', song }, song, 0, NO_DATA, -1);
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
    return this.send({ verb: 'LIST' }, '', 0, NO_DATA, -1);
  }

  stats(): Promise<StatsResult> {
    return this.send({ verb: 'STATS' }, '', 0, NO_DATA, -1);
  }

  /** Sends QUIT; resolves on BYE (the server then closes). Later requests fail E_CLOSED. */
  quit(): Promise<QuitResult> {
    const answered = this.send({ verb: 'QUIT' }, '', 0, NO_DATA, -1);
    if (this.finalError === undefined) this.enter('ending');
    return answered;
  }

  /**
   * Graceful: requests already sent are still answered (the server answers what it received
   * after our half-close), new ones fail E_CLOSED; then the socket closes. Resolves when closed.
   */
  close(): Promise<void> {
    if (this.currentState === 'open') {
      this.enter('ending');
      this.socket.end();
      if (this.queue.length === 0) this.startCloseGrace();
    }
    return this.closedPromise;
  }

  /** Cuts the connection now; requests in flight fail E_CLOSED. */
  destroy(): void {
    if (this.currentState === 'closed') return;
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
    this.progress();
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
    return this.send({ verb, song, offset }, song, offset, options.onData, expectBytes);
  }

  private send<V extends Verb>(
    request: Request & { verb: V },
    song: string,
    offset: number,
    onData: ((chunk: Buffer) => void) | undefined,
    expectBytes: number,
  ): Promise<ResultOf[V]> {
    const unusable = this.unusableError();
    if (unusable) return Promise.reject(unusable);
    const line = encodeRequest(request);
    const sentAt = this.clock.now();
    let pending: Pending<V> | undefined;
    const promise = new Promise<ResultOf[V]>((resolve, reject) => {
      pending = new Pending(request.verb, { resolve, reject }, song, sentAt, offset, onData, expectBytes);
    });
    invariant(pending !== undefined, 'a Promise runs its executor at once');
    // The wait for progress starts with the first request outstanding; later ones queue behind it.
    if (this.queue.length === 0) this.progress();
    this.queue.push(pending);
    if (this.trace) this.emitTrace('sent', line.slice(0, -1), sentAt);
    this.socket.write(line);
    return promise;
  }

  private unusableError(): JukeboxError | undefined {
    if (this.finalError instanceof JukeboxServerError) return this.finalError;
    if (this.finalError) return new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is no longer usable: ${this.finalError.message}`);
    if (this.currentState !== 'open') return new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is closed`);
    return undefined;
  }

  // Event handlers are arrow-function fields: bound once per connection, never per request or chunk.

  private readonly onSocketData = (chunk: Buffer): void => {
    this.progress();
    this.decoder.push(chunk);
  };

  private readonly onDecoded = (event: DecoderEvent): void => {
    if (this.finalError !== undefined) return; // failed mid-chunk: the rest of the chunk means nothing
    switch (event.type) {
      case 'body': {
        // The head is the DATA request: the decoder emits body events only after its DATA line.
        const head = this.queue.peek();
        invariant(head !== undefined, 'a body chunk arrived with no request waiting');
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
      return this.fail(new JukeboxError('E_PROTOCOL', `${this.host}:${this.port} answered ${head.describe()} with ${response.kind}`));
    }
    if (response.kind === 'DATA') {
      if (head.expectBytes !== -1 && response.length !== head.expectBytes) {
        // The body is left unread, so the stream position is lost: the connection goes.
        return this.fail(
          new JukeboxError(
            'E_INTEGRITY',
            `${head.describe()}: ${this.host}:${this.port} announced ${response.length} bytes, the catalog says ${head.expectBytes}`,
          ),
        );
      }
      return; // completed by bodyEnd
    }
    if (response.kind === 'LIST') return; // completed by the list event
    this.completeHead(undefined, now);
  }

  private onErr(head: Pending, status: number, text: string): void {
    const error = new JukeboxServerError(status, text, head.describe());
    this.queue.shift();
    head.fail(error);
    if (CLOSING_ERR_CODES.has(status)) {
      // The server closes after 413/503: whatever was pipelined behind gets the same answer.
      this.finalError = error;
      for (const rest of this.queue.drain()) rest.fail(error);
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

  /** `now`: the caller's clock reading when it has one (a one-line answer: its response line is its end). */
  private completeHead(entries?: ListEntry[], now: number = this.clock.now()): void {
    const head = this.queue.shift();
    const response = head?.response;
    if (head === undefined || response === undefined) return;
    if (response.kind === 'BYE') {
      this.enter('ending');
      this.finalError = new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} has quit`);
    }
    head.complete(response, entries, now);
    this.afterDequeue();
  }

  private afterDequeue(): void {
    if (this.currentState === 'ending' && this.queue.length === 0) this.startCloseGrace();
  }

  /** Once nothing is outstanding after close() or QUIT, the server has this long to close. */
  private startCloseGrace(): void {
    if (this.graceTimer !== undefined) return;
    this.graceTimer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.graceTimer.unref();
  }

  /** Something moved: the wait for progress starts again from now. */
  private progress(): void {
    this.lastProgressAt = performance.now();
    if (this.progressTimer === undefined) this.armProgressTimer(this.requestTimeoutMs);
  }

  private armProgressTimer(ms: number): void {
    this.progressTimer = setTimeout(this.onProgressTimeout, ms);
    this.progressTimer.unref();
  }

  private readonly onProgressTimeout = (): void => {
    this.progressTimer = undefined;
    const head = this.queue.peek();
    // Nothing to wait for (the next request or resume arms it again).
    if (head === undefined || this.consumerPaused || this.currentState === 'closed') return;
    // Progress since the timer was set: wait out the rest of the window from the last progress.
    const rest = this.lastProgressAt + this.requestTimeoutMs - performance.now();
    if (rest > 0) return this.armProgressTimer(Math.ceil(rest));
    this.fail(
      new JukeboxError('E_TIMEOUT', `${head.describe()}: no byte from ${this.host}:${this.port} for ${this.requestTimeoutMs} ms`, {
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
    const what = head ? `${head.describe()}: ` : '';
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
    this.enter('closed');
    this.finalError ??= new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is closed`);
    invariant(this.queue.length === 0, 'requests still queued on a closed connection');
    clearTimeout(this.progressTimer);
    if (this.graceTimer !== undefined) clearTimeout(this.graceTimer);
    this.resolveClosed();
  };

  /** Requests still waiting when the server closes: cut off (E_RESET), or sent after QUIT (E_CLOSED). */
  private closedEarlyError(what: string): JukeboxError {
    const head = this.queue.peek();
    if (this.finalError !== undefined || head === undefined)
      return this.finalError ?? new JukeboxError('E_CLOSED', `connection to ${this.host}:${this.port} is closed`);
    return new JukeboxError('E_RESET', `${head.describe()}: ${this.host}:${this.port} ${what} before the answer was complete`, {
      hint: 'the server stopped or restarted; resume on the other server',
    });
  }

  /** The connection is unusable: every request in flight fails with `error`, and the socket goes. */
  private fail(error: JukeboxError): void {
    if (this.finalError === undefined || this.finalError.code === 'E_CLOSED') this.finalError = error;
    for (const pending of this.queue.drain()) pending.fail(error);
    this.socket.destroy();
  }

  /** The one way the state changes: forward only (see ConnectionState). */
  private enter(next: ConnectionState): void {
    const from = this.currentState;
    if (from === next) return;
    invariant(from === 'open' || next === 'closed', `from ${from} to ${next}`);
    this.currentState = next;
  }

  private emitTrace(direction: 'sent' | 'received', line: string, atMs: number): void {
    this.trace?.({ direction, line, atMs, wallMs: this.clock.wallNow(), host: this.host, port: this.port });
  }
}
