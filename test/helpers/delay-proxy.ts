// An independent witness for truth tests: a TCP proxy between the harness and one jukebox server
// that adds a known delay to everything the server sends, can hold all forwarding (a stall), and
// writes down what it saw. It imports nothing of the project (no codec, client or server): what
// it knows of jukebox/1 is its own few lines below (request lines end in "\n"; `DATA n` is
// followed by n body bytes; `LIST n` by n lines; every other answer is one line), so that a bug
// in the project's codec cannot hide in both the thing measured and the measurement.
//
// The delay is one-way: server → client chunks leave D ms after they arrived; client → server
// bytes go at once (so a request's round trip through the proxy is the server's time + D).
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * The proxy's clock: ms on the same origin as the harness's shared clock (performance.timeOrigin
 * + performance.now(), the same in every thread of a process), so that its timestamps and the
 * harness's schedule can be set side by side. Written out here rather than imported.
 */
export function proxyNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Timers fire a millisecond or so late (libuv counts whole ms). To add D to within a few tens of
 * microseconds, the proxy wakes this long before a chunk is due and then polls (setImmediate) until
 * it is: ~2 ms of polling per due chunk, cheap at test loads.
 */
const SPIN_MS = 2;

/** One request line the client sent, and when its answer (line and body) had wholly left for the client. */
export interface Exchange {
  connection: number;
  /** The request line, without its line end. */
  line: string;
  /** When the line's "\n" reached the proxy (proxyNow()). */
  arrivedAt: number;
  /** The answer's first line, once it left. */
  answer?: string;
  /** When the answer's last byte was written to the client (after the delay and any stall). */
  answeredAt?: number;
}

export interface DelayProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Added to every server → client chunk, ms (0: forwarded at once). */
  delayMs: number;
}

export interface DelayProxy {
  port: number;
  /** DATA body bytes forwarded to clients, counted from the stream. */
  readonly bodyBytes: number;
  /** Every request line seen, in arrival order, with its answer's times. */
  readonly exchanges: readonly Exchange[];
  /** How long each server → client chunk was held (ms): the delay as done, not as asked. */
  readonly holds: readonly number[];
  /** Holds all forwarding, both ways, from now for `ms`. */
  stall(ms: number): void;
  /** Holds all forwarding from `fromMs` to `toMs` (proxyNow() times). */
  stallBetween(fromMs: number, toMs: number): void;
  close(): Promise<void>;
}

interface Queued {
  due: number;
  arrived: number;
  /** null: the sending side ended. */
  data: Buffer | null;
}

/** One direction of one connection: what waits to be written, and to where. */
interface Pipe {
  queue: Queued[];
  delayMs: number;
  to: net.Socket;
  /** Called for every chunk as it is written. */
  onWrite: (chunk: Buffer, at: number) => void;
  timed: boolean;
}

/** Splits a byte stream into lines; calls back with each complete line and the time its end came. */
class Lines {
  private partial = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('latin1');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) this.onLine(p.endsWith('\r') ? p.slice(0, -1) : p);
  }
}

/** Follows the server's answers byte by byte: which answer ends where, and how many body bytes. */
class Answers {
  private line: number[] = [];
  private bodyLeft = 0;
  private linesLeft = 0;
  private head = '';
  constructor(
    private readonly onBody: (n: number) => void,
    private readonly onAnswer: (head: string, at: number) => void,
  ) {}

  push(chunk: Buffer, at: number): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - i);
        this.bodyLeft -= n;
        i += n;
        this.onBody(n);
        if (this.bodyLeft === 0) this.onAnswer(this.head, at);
        continue;
      }
      const nl = chunk.indexOf(10, i);
      if (nl < 0) {
        for (; i < chunk.length; i++) this.line.push(chunk[i]!);
        break;
      }
      for (; i < nl; i++) this.line.push(chunk[i]!);
      i = nl + 1;
      const text = Buffer.from(this.line).toString('latin1').replace(/\r$/, '');
      this.line = [];
      this.endLine(text, at);
    }
  }

  private endLine(text: string, at: number): void {
    if (this.linesLeft > 0) {
      if (--this.linesLeft === 0) this.onAnswer(this.head, at);
      return;
    }
    this.head = text;
    const data = /^DATA (\d+)/.exec(text);
    const list = /^LIST (\d+)/.exec(text);
    if (data && Number(data[1]) > 0) this.bodyLeft = Number(data[1]);
    else if (list && Number(list[1]) > 0) this.linesLeft = Number(list[1]);
    else this.onAnswer(text, at);
  }
}

export async function startDelayProxy(options: DelayProxyOptions): Promise<DelayProxy> {
  const sockets = new Set<net.Socket>();
  const pipes = new Set<Pipe>();
  const exchanges: Exchange[] = [];
  const holds: number[] = [];
  const stalls: { from: number; to: number }[] = [];
  let bodyBytes = 0;
  let connections = 0;
  let wake: { timer?: NodeJS.Timeout; immediate?: NodeJS.Immediate; at: number } | undefined;

  /** The end of the stall holding `at`, if one does. */
  const heldUntil = (at: number): number | undefined => {
    let until: number | undefined;
    for (const s of stalls) if (at >= s.from && at < s.to) until = Math.max(until ?? 0, s.to);
    return until;
  };

  const write = (pipe: Pipe, item: Queued, at: number) => {
    if (item.data === null) pipe.to.end();
    else if (!pipe.to.destroyed) {
      if (pipe.timed) holds.push(at - item.arrived);
      pipe.onWrite(item.data, at);
      pipe.to.write(item.data);
    }
  };

  /** Writes everything due and not held, then sets the next wake-up. */
  const pump = () => {
    wake = undefined;
    const now = proxyNow();
    const held = heldUntil(now);
    let next = Infinity;
    for (const pipe of pipes) {
      while (held === undefined && pipe.queue.length > 0 && pipe.queue[0]!.due <= now) write(pipe, pipe.queue.shift()!, now);
      if (pipe.queue.length > 0) next = Math.min(next, Math.max(pipe.queue[0]!.due, held ?? 0));
    }
    if (next < Infinity) schedule(next);
  };

  const schedule = (at: number) => {
    if (wake && wake.at <= at) return;
    if (wake) {
      if (wake.timer) clearTimeout(wake.timer);
      if (wake.immediate) clearImmediate(wake.immediate);
    }
    const wait = at - proxyNow();
    wake = wait > SPIN_MS ? { at, timer: setTimeout(pump, Math.floor(wait - SPIN_MS)) } : { at, immediate: setImmediate(pump) };
  };

  const enqueue = (pipe: Pipe, data: Buffer | null) => {
    const now = proxyNow();
    const item = { due: now + pipe.delayMs, arrived: now, data };
    // Nothing waiting, no delay, no stall: straight through (order is kept: the queue is empty).
    if (pipe.queue.length === 0 && pipe.delayMs === 0 && heldUntil(now) === undefined) return write(pipe, item, now);
    pipe.queue.push(item);
    schedule(Math.max(item.due, heldUntil(item.due) ?? 0));
  };

  const server = net.createServer((client) => {
    const id = connections++;
    const upstream = net.connect(options.targetPort, options.targetHost);
    sockets.add(client);
    sockets.add(upstream);
    // The k-th answer on a connection belongs to its k-th request line (jukebox/1 answers in order).
    const open: Exchange[] = [];
    const requestLines = new Lines((line) => {
      const e: Exchange = { connection: id, line, arrivedAt: proxyNow() };
      exchanges.push(e);
      open.push(e);
    });
    const answers = new Answers(
      (n) => (bodyBytes += n),
      (head, at) => {
        const e = open.shift();
        if (e) Object.assign(e, { answer: head, answeredAt: at });
      },
    );
    const up: Pipe = { queue: [], delayMs: 0, to: upstream, onWrite: () => undefined, timed: false };
    const down: Pipe = { queue: [], delayMs: options.delayMs, to: client, onWrite: (chunk, at) => answers.push(chunk, at), timed: true };
    pipes.add(up);
    pipes.add(down);
    client.on('data', (chunk: Buffer) => {
      requestLines.push(chunk);
      enqueue(up, chunk);
    });
    upstream.on('data', (chunk: Buffer) => enqueue(down, chunk));
    client.on('end', () => enqueue(up, null));
    upstream.on('end', () => enqueue(down, null));
    const teardown = () => {
      client.destroy();
      upstream.destroy();
      pipes.delete(up);
      pipes.delete(down);
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', teardown);
    upstream.on('error', teardown);
    client.on('close', () => {
      if (up.queue.length === 0) teardown();
    });
    upstream.on('close', () => {
      if (down.queue.length === 0) teardown();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  const stallBetween = (from: number, to: number) => {
    // Anything queued and due inside it waits for its end: pump sees the stall when it wakes.
    stalls.push({ from, to });
  };
  return {
    port,
    get bodyBytes() {
      return bodyBytes;
    },
    exchanges,
    holds,
    stall(ms) {
      const now = proxyNow();
      stallBetween(now, now + ms);
    },
    stallBetween,
    async close() {
      if (wake?.timer) clearTimeout(wake.timer);
      if (wake?.immediate) clearImmediate(wake.immediate);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
