// One client connection: bounded line reading, a bounded queue of requests answered one at a
// time in order (pipelining), writes that wait for the socket (backpressure), and its timers.
import type { Socket } from 'node:net';
import { ERR, MAX_LINE_BYTES } from '../protocol/constants.js';
import { LineSplitter, type SplitEvent } from '../protocol/line-splitter.js';
import { parseRequest } from '../protocol/request.js';
import { encodeResponse } from '../protocol/response.js';
import type { Response } from '../protocol/types.js';
import { ConnectionGoneError, type BodyProgress, type Exchange, type Pending, type ServerContext } from './context.js';
import { responseDelay, type FaultableConnection } from './faults.js';
import { checkAnswerLine } from './handlers/check.js';
import { dispatch } from './handlers/index.js';
import { REJECT_LINGER_MS } from './limits.js';
import { kernelSendQueue } from './send-queue.js';

/** What a connection tells its server; the server turns these into events and counters. */
export interface ConnectionHooks {
  readonly context: ServerContext;
  isShuttingDown(): boolean;
  /** Present only while someone traces, so that untraced servers never decode lines for it. */
  onRequestLine?: ((connection: Connection, line: string) => void) | undefined;
  onResponseLine?: ((connection: Connection, line: string) => void) | undefined;
  /** Present only while someone watches transfers (the live view): body progress of GET/STREAM. */
  onBodyProgress?: ((connection: Connection, progress: BodyProgress) => void) | undefined;
  onInternalError(connection: Connection, error: unknown): void;
  onClosed(connection: Connection): void;
}

/** A queued request: a line, or the overflow of one (answered 413). The splitter's own events, kept as they come. */
type Job = SplitEvent;

/**
 * A pipelining connection gets this many answers in a row, then yields to the event loop. A
 * client that reads as fast as we answer never makes a write wait, so without this its whole
 * read chunk (thousands of requests) would be answered in one go while every other client
 * waits: a flood of pipelined CHECKs held others up for seconds. A client sending one request
 * at a time never gets this far.
 */
export const ANSWERS_BEFORE_YIELD = 32;

const LF = 0x0a;
const CR = 0x0d;
/** One prebuilt abort reason: abort() without one builds a DOMException with a stack each time. */
const CONNECTION_GONE = new Error('the connection is gone');

export const OVERFLOW_TRACE_LINE = `(request line longer than ${MAX_LINE_BYTES} bytes)`;

export class Connection implements FaultableConnection {
  /** The peer's address, asked of the kernel on first use (see rememberPeer). */
  private peer: { address: string; port: number } | undefined;
  private readonly splitter = new LineSplitter(MAX_LINE_BYTES);
  private readonly queue: Job[] = [];
  /** The unread rest of a chunk while the queue is full (the socket is paused meanwhile). */
  private held: Buffer | undefined;
  private busy = false;
  /** The peer has finished sending (half-close): answer what it sent, then close. */
  private inputEnded = false;
  /** A closing answer was written (BYE, 413, 503): requests after it are discarded. */
  private ending = false;
  private gone = false;
  /** Between a DATA line and the end of its request: what a reset fault cuts. */
  private transferring = false;
  private lineTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private drainWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** Bytes moved either way when the idle sweep last saw them change, and when it saw it. */
  private movedBytes = 0;
  private lastMovedAt: number;
  /** Bytes the peer had acknowledged when the kernel was last asked (only while a write waits on a slow reader). */
  private ackedBytes = -1;
  private askingKernel = false;
  /** Made on first use: most requests never wait on a signal, and connect-per-request load makes many connections. */
  private abortController: AbortController | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly hooks: ConnectionHooks,
    readonly id: number,
  ) {
    socket.setNoDelay(true);
    this.lastMovedAt = hooks.context.clock.now();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('drain', () => this.onDrain());
    // Resets and broken pipes are the peer's doing; 'close' follows and cleans up.
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
    if (hooks.context.faults.paused) socket.pause(); // accepted during a pause fault: not read until it ends
  }

  get remoteAddress(): string {
    return this.rememberPeer().address;
  }

  get remotePort(): number {
    return this.rememberPeer().port;
  }

  /**
   * Asks the kernel for the peer's address (getpeername) and keeps it. Only events and traces
   * name the peer, and most connections are never named: a connection-per-request load paid the
   * system call on every accept. Once the socket is closed the kernel no longer tells, so the
   * server calls this at accept when someone listens for closed connections.
   */
  rememberPeer(): { address: string; port: number } {
    this.peer ??= { address: this.socket.remoteAddress ?? 'unknown', port: this.socket.remotePort ?? 0 };
    return this.peer;
  }

  /** Idle: nothing being answered, nothing waiting. */
  get isIdle(): boolean {
    return !this.busy && this.queue.length === 0 && this.held === undefined;
  }

  /**
   * The idle limit, called by the server's sweep: a connection that has moved no byte either way
   * for the idle timeout goes (an idle client, or a reader that stopped reading mid-transfer: a
   * body write then stays unfinished, so no more is handed to the socket).
   */
  cutIfIdle(now: number): void {
    const moved = this.socket.bytesRead + bytesIntoKernel(this.socket);
    if (moved !== this.movedBytes) {
      this.movedBytes = moved;
      this.lastMovedAt = now;
    } else if (now - this.lastMovedAt >= this.hooks.context.limits.idleTimeoutMs) {
      this.cutUnlessPeerReads(now);
    }
  }

  /**
   * No progress that Node can see: but Node sees a write progress only when the kernel's send
   * buffer has drained by about a third (several MB on loopback), which a slow reader can take
   * minutes to do, and sees nothing of the last bytes of a body still in that buffer. Ask the
   * kernel: bytes still queued for the peer, and the peer's acknowledged count moved since the
   * last look, means the reader reads (not idle); else it stopped, or there is nothing to read,
   * and the connection goes. (A stalled reader thus goes after one to two idle timeouts; where
   * the kernel does not tell, after one, as before.)
   */
  private cutUnlessPeerReads(now: number): void {
    if (this.askingKernel) return;
    this.askingKernel = true;
    const { localAddress, localPort, remoteAddress, remotePort } = this.socket;
    if (!localAddress || !localPort || !remoteAddress || !remotePort) {
      this.socket.destroy();
      return;
    }
    kernelSendQueue(localAddress, localPort, remoteAddress, remotePort, now).then(
      (queue) => {
        this.askingKernel = false;
        if (this.gone) return;
        const acked = bytesIntoKernel(this.socket) - (queue ?? 0);
        if (queue !== undefined && queue > 0 && acked !== this.ackedBytes) {
          this.ackedBytes = acked;
          this.lastMovedAt = this.hooks.context.clock.now();
          return;
        }
        this.socket.destroy();
      },
      () => {
        this.askingKernel = false;
        this.socket.destroy();
      },
    );
  }

  /** Graceful shutdown: an idle connection closes now; a busy one finishes its current request, then answers 503. */
  shutdown(): void {
    if (this.isIdle) this.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  get isTransferring(): boolean {
    return this.transferring;
  }

  /** The reset fault: a TCP RST, as a crashed peer or a middlebox would send. */
  reset(): void {
    this.socket.resetAndDestroy();
  }

  /** The pause fault: stop reading; when it ends, read again unless the queue is full (then refill() resumes). */
  setReading(reading: boolean): void {
    if (this.gone) return;
    if (!reading) this.socket.pause();
    else if (!this.held) this.socket.resume();
  }

  private onData(chunk: Buffer): void {
    if (this.ending || this.splitter.hasOverflowed) return; // discarded: see end()
    if (this.held) {
      // Only bytes already read when the socket was paused can land here; hold them too.
      this.held = Buffer.concat([this.held, chunk]);
      return;
    }
    if (this.answeredAtOnce(chunk)) return;
    this.consume(chunk);
    this.pump();
  }

  /**
   * The commonest read of all: one whole CHECK line while nothing else is pending (a client with
   * one request in flight). Answered straight from the read chunk: no line copy, no queue, no
   * pump. Anything else (a partial or several lines, a trace, a fault…) takes the general path,
   * which answers the same bytes.
   */
  private answeredAtOnce(chunk: Buffer): boolean {
    const end = chunk.length - 1;
    if (end < 0 || chunk[end] !== LF || this.busy || this.queue.length > 0 || this.splitter.bufferedBytes > 0 || !this.answersPlainly()) return false;
    const lineEnd = end > 0 && chunk[end - 1] === CR ? end - 1 : end;
    if (chunk.indexOf(LF) !== end) return false; // more than one line
    const line = checkAnswerLine(this.hooks.context, chunk, 0, lineEnd);
    if (line === undefined) return false;
    this.hooks.context.counters.requests++;
    const pending = this.write(line);
    // The socket did not take it at once (a reader that does not read): later requests wait for 'drain' as the pump's would.
    if (pending !== undefined) this.waitForWrite(pending);
    return true;
  }

  private waitForWrite(pending: Promise<void>): void {
    this.busy = true;
    pending.then(
      () => this.answerQueued(0),
      (err: unknown) => this.pumpFailed(err),
    );
  }

  /**
   * Feeds the splitter one line at a time, so that it can stop between two lines when the queue
   * is full: then the rest is held and the socket paused, and a flood of pipelined requests
   * costs at most the queue plus one read chunk.
   */
  private consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && !this.splitter.hasOverflowed) {
      if (this.queue.length >= this.hooks.context.limits.maxQueuedRequests) {
        this.held = chunk.subarray(at);
        this.socket.pause();
        return;
      }
      const lf = chunk.indexOf(LF, at);
      const upTo = lf === -1 ? chunk.length : lf + 1;
      this.splitter.push(chunk, this.enqueue, at, upTo);
      at = upTo;
    }
    this.armLineTimer();
  }

  /** Bound once: the splitter calls it for every line. */
  private readonly enqueue = (event: SplitEvent): void => {
    this.disarmLineTimer();
    this.queue.push(event);
  };

  /** A request line that has begun must end within the line timeout (slowloris). */
  private armLineTimer(): void {
    if (this.splitter.bufferedBytes === 0 || this.lineTimer || this.inputEnded) return;
    this.lineTimer = setTimeout(() => this.socket.destroy(), this.hooks.context.limits.lineTimeoutMs);
  }

  private disarmLineTimer(): void {
    clearTimeout(this.lineTimer);
    this.lineTimer = undefined;
  }

  /**
   * Answers queued requests one at a time, in order; only one pump runs per connection. Answers
   * the socket takes at once (every CHECK, HELLO, error…) are given in this loop, synchronously:
   * such a request costs no promise and no microtask. Only an answer that has to wait (a body, a
   * full socket, a delay fault) hands the rest of the queue to an asynchronous continuation.
   */
  private pump(): void {
    if (this.busy) return;
    this.busy = true;
    this.answerQueued(0);
  }

  /** The pump's loop, from `answered` answers since it last yielded to the event loop. */
  private answerQueued(answered: number): void {
    // Pipelined requests read in one go are answered with one write: the socket gathers the
    // answers given in this loop and hands them over together (writev) when the loop ends.
    const batch = this.queue.length > 1 && !this.socket.writableCorked;
    if (batch) this.socket.cork();
    try {
      while (!this.gone && !this.ending) {
        if (answered === ANSWERS_BEFORE_YIELD) {
          setImmediate(this.resumePump);
          return; // the connection may close meanwhile: the loop's condition looks again
        }
        const job = this.queue.shift();
        if (!job) break;
        answered++;
        this.refill();
        const pending = this.answer(job);
        if (pending !== undefined) {
          const next = answered;
          pending.then(
            () => {
              this.transferring = false;
              this.answerQueued(next);
            },
            (err: unknown) => this.pumpFailed(err),
          );
          return;
        }
        this.transferring = false;
      }
    } catch (err) {
      this.pumpFailed(err);
      return;
    } finally {
      if (batch) this.socket.uncork();
    }
    this.busy = false;
    this.afterQueueEmptied();
  }

  private readonly resumePump = (): void => this.answerQueued(0);

  private pumpFailed(err: unknown): void {
    // A reply written outside a handler (ERR 400, 413, 503) whose peer left while it waited for
    // 'drain': nobody is left to answer. Anything else is a bug, reported; the server goes on.
    // (The pump runs detached: a rejection escaping it would be unhandled and end the process.)
    if (!(err instanceof ConnectionGoneError)) this.hooks.onInternalError(this, err);
    this.socket.destroy(); // a reply that failed leaves nothing sensible to send after it
    this.busy = false;
    this.afterQueueEmptied();
  }

  /** Room in the queue again: parse the held bytes and read from the socket again. */
  private refill(): void {
    if (!this.held || this.queue.length >= this.hooks.context.limits.maxQueuedRequests) return;
    const held = this.held;
    this.held = undefined;
    this.consume(held);
    if (!this.held && !this.gone && !this.hooks.context.faults.paused) this.socket.resume();
  }

  private afterQueueEmptied(): void {
    if (this.gone || this.ending || !this.isIdle) return;
    if (this.inputEnded || this.hooks.isShuttingDown()) this.end();
  }

  private answer(job: Job): Pending {
    const { counters } = this.hooks.context;
    counters.requests++;
    if (job.type === 'overflow') {
      this.hooks.onRequestLine?.(this, OVERFLOW_TRACE_LINE);
      return this.replyAndEnd({ kind: 'ERR', code: ERR.LINE_TOO_LONG, text: `request line longer than ${MAX_LINE_BYTES} bytes` });
    }
    if (this.answersPlainly()) {
      const line = checkAnswerLine(this.hooks.context, job.line, 0, job.line.length);
      if (line !== undefined) return this.write(line);
    }
    this.hooks.onRequestLine?.(this, job.line.toString('utf8'));
    if (this.hooks.isShuttingDown()) return this.replyAndEnd({ kind: 'ERR', code: ERR.UNAVAILABLE, text: 'server is shutting down' });
    const parsed = parseRequest(job.line);
    if (!parsed.ok) return this.reply({ kind: 'ERR', code: parsed.code, text: parsed.text });

    const exchange = new RequestExchange(this, this.hooks.context, this.hooks);
    let pending: Pending;
    try {
      pending = dispatch(exchange, parsed.request);
    } catch (err) {
      return this.handlerFailed(exchange, err);
    }
    if (pending === undefined) return this.afterAnswer(exchange);
    return pending.then(
      () => this.afterAnswer(exchange),
      (err: unknown) => this.handlerFailed(exchange, err),
    );
  }

  /** No trace, no delay fault, no shutdown: an answer is just its line written (the CHECK fast path may be taken). */
  private answersPlainly(): boolean {
    const { hooks } = this;
    return hooks.onRequestLine === undefined && hooks.onResponseLine === undefined && hooks.context.faults.delayMs === 0 && !hooks.isShuttingDown();
  }

  private afterAnswer(exchange: RequestExchange): undefined {
    if (exchange.closeRequested) this.end();
    return undefined;
  }

  private handlerFailed(exchange: RequestExchange, err: unknown): Pending {
    if (this.gone || err instanceof ConnectionGoneError) return undefined; // the client left mid-answer
    this.hooks.onInternalError(this, err);
    if (!exchange.replied) return this.reply({ kind: 'ERR', code: ERR.INTERNAL, text: 'internal server error' });
    // The response line is out and its body cut short: the framing is broken, so close.
    this.hooks.context.counters.errors++;
    this.socket.destroy();
    return undefined;
  }

  reply(response: Response): Pending {
    if (response.kind === 'ERR') this.hooks.context.counters.errors++;
    if (response.kind === 'DATA') this.transferring = true;
    const line = encodeResponse(response);
    this.hooks.onResponseLine?.(this, line.slice(0, -1));
    const { delayMs } = this.hooks.context.faults;
    if (delayMs > 0) return this.writeAfter(delayMs, line);
    return this.write(line);
  }

  /** The delay fault: the response line waits; replies stay in order because the pump awaits each one. */
  private async writeAfter(delayMs: number, line: string): Promise<void> {
    await responseDelay(delayMs);
    return this.write(line);
  }

  private replyAndEnd(response: Response): Pending {
    const pending = this.reply(response);
    if (pending !== undefined) return pending.then(() => this.end());
    this.end();
    return undefined;
  }

  /** Undefined if the socket took the bytes; else a promise of 'drain'. Rejects (or throws) if the peer is gone. */
  write(chunk: Buffer | string): Pending {
    if (this.gone || this.socket.destroyed) return Promise.reject(new ConnectionGoneError());
    if (this.socket.write(chunk)) return undefined;
    return new Promise((resolve, reject) => {
      this.drainWaiter = { resolve, reject };
    });
  }

  private onDrain(): void {
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.resolve();
  }

  /**
   * Closes after what has been written. Input is read and thrown away meanwhile: closing a socket
   * with unread bytes makes the kernel send a reset, which can destroy the answer before the
   * client reads it. A client that never closes its side is cut after the linger time.
   */
  end(): void {
    if (this.ending || this.gone) return;
    this.ending = true;
    this.queue.length = 0;
    this.held = undefined;
    this.disarmLineTimer();
    this.socket.resume();
    this.socket.end();
    this.lingerTimer = setTimeout(() => this.socket.destroy(), REJECT_LINGER_MS);
  }

  /** Aborted once the connection is gone (already aborted if it is gone when first asked for). */
  get signal(): AbortSignal {
    if (!this.abortController) {
      this.abortController = new AbortController();
      if (this.gone) this.abortController.abort(CONNECTION_GONE);
    }
    return this.abortController.signal;
  }

  private onEnd(): void {
    this.inputEnded = true;
    this.disarmLineTimer(); // a partial line without its `\n` is never answered
    if (this.isIdle) this.end();
  }

  private onClose(): void {
    this.gone = true;
    this.disarmLineTimer();
    clearTimeout(this.lingerTimer);
    this.abortController?.abort(CONNECTION_GONE);
    const waiter = this.drainWaiter;
    this.drainWaiter = undefined;
    waiter?.reject(new ConnectionGoneError());
    this.hooks.onClosed(this);
  }
}

/** What libuv exposes of a TCP handle: its write queue, live (bytes handed over and not yet taken by the kernel). */
interface HandleWithQueue {
  writeQueueSize?: number;
}

/**
 * Bytes the kernel has taken from this socket. `bytesWritten` counts a write when it is handed to
 * libuv, so during one large write to a slow reader it stands still although bytes keep moving:
 * counted that way, a reader taking a 1 MiB slice at 16 KB/s (over 60 s) was cut as idle. libuv's
 * write queue shrinks as the kernel takes the bytes, so the difference moves with the reader.
 */
function bytesIntoKernel(socket: Socket): number {
  // `_handle` is Node's internal TCP wrap; its writeQueueSize getter reads libuv's live count.
  const handle = (socket as unknown as { _handle?: HandleWithQueue | null })._handle;
  return socket.bytesWritten - (handle?.writeQueueSize ?? 0);
}

class RequestExchange implements Exchange {
  replied = false;
  closeRequested = false;
  readonly onBodyProgress: ((progress: BodyProgress) => void) | undefined;

  constructor(
    private readonly connection: Connection,
    readonly server: ServerContext,
    hooks: ConnectionHooks,
  ) {
    const watch = hooks.onBodyProgress;
    this.onBodyProgress = watch ? (progress) => watch(connection, progress) : undefined;
  }

  /** Aborts when the connection goes: what a paced or gated transfer waits on. */
  get signal(): AbortSignal {
    return this.connection.signal;
  }

  reply(response: Response): Pending {
    this.replied = true;
    return this.connection.reply(response);
  }

  write(chunk: Buffer): Pending {
    return this.connection.write(chunk);
  }

  closeAfterReply(): void {
    this.closeRequested = true;
  }
}
