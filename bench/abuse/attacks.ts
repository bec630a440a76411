// Abusive clients, each bounded in connections, bytes and time: slowloris, slow readers,
// resetters, pipelined floods, binary garbage, half-closed sockets. Loopback only. Each attack
// says when it is in place (`ready`), whether it is still biting (`inEffect`), and cleans up.
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { createRng, randomInt } from '../../src/util/rng.js';

export const LOOPBACK = '127.0.0.1';
/** How many connects an attack has in progress at once (the listen backlog is 511). */
const CONNECT_BATCH = 100;

export interface AttackReport {
  /** Connections the attack opened in all. */
  connections: number;
  bytesSent: number;
  bytesReceived: number;
  /** Connections the server closed (or cut) before the attack stopped. */
  closedByServer: number;
}

export interface Attack {
  readonly name: string;
  /** One line: what it does, with its numbers. */
  readonly description: string;
  /** Resolves once the attack is fully in place; rejects if it cannot be set up. */
  readonly ready: Promise<void>;
  /** Whether it is still biting (its sockets still open, its transfers still stalled, its loops still running). */
  inEffect(): boolean;
  /** Stops, destroys every socket it opened, and says what it did. */
  stop(): Promise<AttackReport>;
}

/** Resolves on 'drain' or 'close', whichever comes first, leaving no listener behind. */
function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Sockets an attack owns: counted, closed-by-server tracked, all destroyed at the end. */
class SocketSet {
  readonly open = new Set<Socket>();
  /** Closed by the attacker itself: not counted as closed by the server. */
  private readonly released = new WeakSet<Socket>();
  report: AttackReport = { connections: 0, bytesSent: 0, bytesReceived: 0, closedByServer: 0 };
  stopping = false;

  async connect(port: number, onSocket?: (socket: Socket) => void): Promise<Socket> {
    const socket = connect({ port, host: LOOPBACK, noDelay: true });
    socket.on('error', () => {});
    await once(socket, 'connect');
    this.report.connections++;
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      if (!this.stopping && !this.released.has(socket)) this.report.closedByServer++;
    });
    onSocket?.(socket);
    return socket;
  }

  /** Opens `n` connections, CONNECT_BATCH at a time. */
  async connectMany(port: number, n: number, onSocket: (socket: Socket, index: number) => void): Promise<void> {
    for (let start = 0; start < n && !this.stopping; start += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, n - start) }, (_, i) => this.connect(port, (s) => onSocket(s, start + i)));
      await Promise.all(batch);
    }
  }

  /** Destroys one socket on the attacker's initiative. */
  release(socket: Socket, how: 'destroy' | 'reset' = 'destroy'): void {
    this.released.add(socket);
    if (how === 'reset') socket.resetAndDestroy();
    else socket.destroy();
  }

  /** Shuts the sending side and waits (at most `ms`) for the server to close; then lets go. */
  async finish(socket: Socket, ms: number): Promise<void> {
    if (!socket.destroyed) {
      socket.end();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([once(socket, 'close').catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
      clearTimeout(timer);
    }
    this.release(socket);
  }

  write(socket: Socket, data: string | Buffer): boolean {
    this.report.bytesSent += data.length;
    return socket.write(data);
  }

  stop(): AttackReport {
    this.stopping = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    return { ...this.report };
  }
}

/**
 * Slowloris: many connections, each sending a request line one byte at a time and never
 * finishing it. The server must cut each one after its line timeout, and meanwhile answer others.
 */
export function slowloris(port: number, options: { connections: number; trickleEveryMs: number }): Attack {
  const sockets = new SocketSet();
  /** Stop trickling well before the line limit, so that it is the line timeout that acts, not ERR 413. */
  const maxTrickles = 900;
  let trickles = 0;
  let timer: NodeJS.Timeout | undefined;
  const ready = sockets
    .connectMany(port, options.connections, (s) => sockets.write(s, 'GET tin'))
    .then(() => {
      timer = setInterval(() => {
        if (++trickles > maxTrickles) return;
        for (const s of sockets.open) sockets.write(s, 'y');
      }, options.trickleEveryMs);
    });
  return {
    name: 'slowloris',
    description: `${options.connections} connections, each sending one byte of a request line every ${options.trickleEveryMs} ms and never ending it`,
    ready,
    inEffect: () => sockets.open.size >= options.connections,
    async stop() {
      clearInterval(timer);
      return sockets.stop();
    },
  };
}

/**
 * Slow readers: each asks for a large song and reads a little of it now and then (`readBytes`
 * every `readEveryMs`): the server must hold its writes (backpressure), not buffer the song per reader.
 */
export function slowReaders(port: number, options: { readers: number; song: string; songBytes: number; readBytes: number; readEveryMs: number }): Attack {
  const sockets = new SocketSet();
  let timer: NodeJS.Timeout | undefined;
  const ready = sockets
    .connectMany(port, options.readers, (s) => {
      s.pause();
      sockets.write(s, `GET ${options.song}\n`);
    })
    .then(() => {
      timer = setInterval(() => {
        for (const s of sockets.open) {
          // Paused mode: read() takes what is buffered, up to n bytes.
          const chunk = s.read(options.readBytes) as Buffer | null;
          if (chunk) sockets.report.bytesReceived += chunk.length;
        }
      }, options.readEveryMs);
    });
  return {
    name: 'slow readers',
    description: `${options.readers} readers of a ${(options.songBytes / 1024 / 1024).toFixed(0)} MiB song, each reading ${options.readBytes / 1024} KiB every ${options.readEveryMs} ms`,
    ready,
    // Each reader is far from the end of its song: its transfer is still in flight.
    inEffect: () => sockets.open.size === options.readers && sockets.report.bytesReceived < options.readers * options.songBytes,
    async stop() {
      clearInterval(timer);
      return sockets.stop();
    },
  };
}

/** Resetters: ask for a large song and cut the connection with a TCP reset at its first bytes, `total` times, `concurrent` at once. */
export function resetters(port: number, options: { total: number; concurrent: number; song: string }): Attack {
  const sockets = new SocketSet();
  let started = 0;
  let finished = 0;
  const one = async (): Promise<void> => {
    const socket = await sockets.connect(port);
    const firstBytes = once(socket, 'data');
    sockets.write(socket, `GET ${options.song}\n`);
    const [chunk] = (await firstBytes) as [Buffer];
    sockets.report.bytesReceived += chunk.length;
    sockets.release(socket, 'reset');
  };
  const lane = async (): Promise<void> => {
    while (started < options.total && !sockets.stopping) {
      started++;
      await one().catch(() => undefined);
      finished++;
    }
  };
  const ready = Promise.resolve();
  const done = Promise.all(Array.from({ length: options.concurrent }, lane));
  return {
    name: 'resetters',
    description: `${options.total} clients asking for a large song and resetting (RST) at its first bytes, ${options.concurrent} at once`,
    ready,
    inEffect: () => finished < options.total,
    async stop() {
      sockets.stopping = true;
      await done;
      return sockets.stop();
    },
  };
}

/**
 * A flood of pipelined requests: connections that write `CHECK` lines as fast as the socket
 * takes them. Half read the answers (the server works flat out for them), half never read (the
 * server must stop reading them rather than queue without bound). Bounded by `maxBytes` each.
 */
export function pipelineFlood(port: number, options: { connections: number; song: string; maxBytes: number }): Attack {
  const sockets = new SocketSet();
  const block = Buffer.from(`CHECK ${options.song}\n`.repeat(4096));
  const blocked = new Set<Socket>();
  let loops: Promise<void>[] = [];
  const flood = async (socket: Socket, reads: boolean): Promise<void> => {
    if (reads) socket.on('data', (chunk: Buffer) => (sockets.report.bytesReceived += chunk.length));
    else socket.pause();
    let sent = 0;
    while (sent < options.maxBytes && !sockets.stopping && !socket.destroyed) {
      sent += block.length;
      if (sockets.write(socket, block)) continue;
      blocked.add(socket);
      await drainOrClose(socket);
      blocked.delete(socket);
    }
  };
  const ready = sockets
    .connectMany(port, options.connections, (s, i) => {
      loops.push(flood(s, i % 2 === 0).catch(() => undefined));
    })
    .then(async () => {
      // In place once every non-reading connection has filled its buffers and waits.
      const deadline = Date.now() + 10_000;
      while ([...sockets.open].filter((s) => s.isPaused()).some((s) => !blocked.has(s)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    });
  return {
    name: 'pipelined flood',
    description: `${options.connections} connections writing CHECK lines as fast as accepted (half never read the answers), up to ${(options.maxBytes / 1024 / 1024).toFixed(0)} MiB each`,
    ready,
    inEffect: () => sockets.open.size === options.connections,
    async stop() {
      const report = sockets.stop();
      await Promise.all(loops);
      loops = [];
      return report;
    },
  };
}

/**
 * Binary garbage: random bytes in random-sized writes. Half the connections send newlines now
 * and then (a stream of bad lines: ERR 400 each), half never do (ERR 413, then the server
 * closes). A connection the server closes is replaced until each has sent `bytesEach`.
 */
export function garbage(port: number, options: { connections: number; bytesEach: number; seed: number }): Attack {
  const sockets = new SocketSet();
  let running = 0;
  const spray = async (lane: number): Promise<void> => {
    const rng = createRng(`${options.seed}/${lane}`);
    const withNewlines = lane % 2 === 0;
    let sent = 0;
    running++;
    try {
      while (sent < options.bytesEach && !sockets.stopping) {
        const socket = await sockets.connect(port);
        socket.on('data', (chunk: Buffer) => (sockets.report.bytesReceived += chunk.length));
        while (sent < options.bytesEach && !sockets.stopping && !socket.destroyed && socket.writable) {
          const chunk = randomBytes(rng, 1 + randomInt(rng, 8192), withNewlines);
          sent += chunk.length;
          if (!sockets.write(socket, chunk)) await drainOrClose(socket);
        }
        // Let the server answer what it got and close (it does after a half-close), within bounds.
        await sockets.finish(socket, 5_000);
      }
    } finally {
      running--;
    }
  };
  const done = Promise.all(Array.from({ length: options.connections }, (_, i) => spray(i).catch(() => undefined)));
  return {
    name: 'binary garbage',
    description: `${options.connections} connections sending ${(options.bytesEach / 1024 / 1024).toFixed(0)} MiB of random bytes each (half with newlines, half without), reconnecting when closed`,
    ready: Promise.resolve(),
    inEffect: () => running > 0,
    async stop() {
      sockets.stopping = true;
      await done;
      return sockets.stop();
    },
  };
}

function randomBytes(rng: ReturnType<typeof createRng>, n: number, withNewlines: boolean): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    const b = randomInt(rng, 256);
    // About one newline per 64 bytes when wanted; none at all otherwise.
    out[i] = withNewlines ? (randomInt(rng, 64) === 0 ? 0x0a : b) : b === 0x0a ? 0x0b : b;
  }
  return out;
}

/**
 * Half-closed sockets: each shuts its sending side (after a whole request, a partial one, or
 * nothing) and then neither reads nor closes. The server must answer what it got, close its
 * side, and let go of every one (the linger timer), not keep them forever.
 */
export function halfClosed(port: number, options: { connections: number }): Attack {
  const sockets = new SocketSet();
  const ready = sockets.connectMany(port, options.connections, (s, i) => {
    s.pause();
    const kind = i % 3;
    if (kind === 0) sockets.write(s, 'CHECK tiny\n');
    else if (kind === 1) sockets.write(s, 'CHEC');
    s.end();
  });
  return {
    name: 'half-closed',
    description: `${options.connections} connections that send a request (a whole one, a partial one, or none), shut their sending side, and never read or close`,
    ready,
    // The attacker never gives up its sockets; it is the server that must let go of them.
    inEffect: () => !sockets.stopping,
    async stop() {
      return sockets.stop();
    },
  };
}
