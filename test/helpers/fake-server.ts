// Fake jukebox/1 peers for client tests: raw `net` servers that write exact bytes and can hang,
// cut a transfer after N bytes, trickle, reset, send garbage or refuse. They split request lines
// themselves (not with our codec), so a codec bug cannot hide in both ends at once.
import { createHash } from 'node:crypto';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

export const FAKE_HOST = '127.0.0.1';

const started = new Set<FakeServer>();

/** One accepted connection, as a fake's handler sees it. */
export interface FakePeer {
  readonly socket: Socket;
  /** 1 for the first connection the fake accepted, 2 for the next... */
  readonly connectionNumber: number;
  write(data: string | Buffer): void;
  /** Writes, then sends RST once the bytes have left for the kernel (the client sees ECONNRESET). */
  writeThenReset(data: string | Buffer): void;
  /** Writes, then closes gracefully (FIN): every byte arrives, then the end. */
  writeThenEnd(data: string | Buffer): void;
}

export type LineHandler = (line: string, peer: FakePeer) => void;

export interface FakeServerOptions {
  /** Called on accept, before any request (e.g. to write an unsolicited ERR 503). */
  onConnect?: (peer: FakePeer) => void;
}

export class FakeServer {
  /** Every request line received, in order, across connections. */
  readonly requests: string[] = [];
  readonly sockets = new Set<Socket>();
  accepted = 0;
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(onLine: LineHandler, options: FakeServerOptions = {}): Promise<FakeServer> {
    let fake: FakeServer | undefined;
    const server = createServer({ allowHalfOpen: true }, (socket) => (fake as FakeServer).accept(socket, onLine, options));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: FAKE_HOST, port: 0 }, () => resolve());
    });
    fake = new FakeServer(server, (server.address() as AddressInfo).port);
    started.add(fake);
    return fake;
  }

  get host(): string {
    return FAKE_HOST;
  }

  /** Stops listening and cuts every connection. */
  async close(): Promise<void> {
    started.delete(this);
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket, onLine: LineHandler, options: FakeServerOptions): void {
    this.sockets.add(socket);
    socket.setNoDelay(true); // each write its own segment, so trickles really trickle
    socket.on('error', () => {});
    socket.on('close', () => this.sockets.delete(socket));
    // A client's half-close: finish (the handlers write synchronously or on their own timers).
    socket.on('end', () => socket.end());
    const peer = makePeer(socket, ++this.accepted);
    options.onConnect?.(peer);
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      let lf: number;
      while ((lf = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, lf).replace(/\r$/, '');
        pending = pending.slice(lf + 1);
        this.requests.push(line);
        if (!socket.destroyed) onLine(line, peer);
      }
    });
  }
}

function makePeer(socket: Socket, connectionNumber: number): FakePeer {
  return {
    socket,
    connectionNumber,
    write(data) {
      if (!socket.destroyed) socket.write(data);
    },
    writeThenReset(data) {
      if (socket.destroyed) return;
      socket.write(data, () => socket.resetAndDestroy());
    },
    writeThenEnd(data) {
      if (socket.destroyed) return;
      socket.end(data);
    },
  };
}

/** For afterEach: closes every fake still running. */
export async function closeAllFakes(): Promise<void> {
  await Promise.all([...started].map((f) => f.close()));
}

/** A port where nothing listens: bound on port 0, then closed (connects get ECONNREFUSED). */
export async function refusingPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: FAKE_HOST, port: 0 }, () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic bytes for a fake song. */
export function songBytes(seed: number, length: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** How a fake jukebox misbehaves on GET/STREAM (the other verbs answer correctly). */
export interface TransferFault {
  /** Send DATA and only this many body bytes, then end gracefully ('end', default) or reset ('reset'). */
  cutAfterBytes?: number;
  cutMode?: 'end' | 'reset';
  /** Answer DATA but never a body byte, nor anything after it (a hung server). */
  hang?: boolean;
  /** Flip every byte of the body (right length, wrong content). */
  wrongBytes?: boolean;
  /** Announce this many bytes more than the file has left (a server whose file is not the catalog's). */
  lengthSkew?: number;
  /** Only connections numbered at most this have the fault (default: all): "cut once, then work". */
  faultyConnections?: number;
}

export interface FakeJukeboxOptions {
  serverId?: string;
  catalogVersion?: string;
  /** active= in EXIST answers. */
  active?: number;
  fault?: TransferFault;
  /** Extra key=value fields added to OK, EXIST and DATA lines (clients must ignore them). */
  extraFields?: string;
  /** Everything the connection sends goes out in pieces of `bytes`, one piece every `intervalMs`. */
  trickle?: { bytes: number; intervalMs: number };
}

type OutItem = Buffer | 'end' | 'reset' | 'hang';

/**
 * One connection's output, in order: answers to pipelined requests must not interleave with a
 * body still trickling out, and whatever follows a hang or a cut is never sent.
 */
class Outbox {
  private readonly items: OutItem[] = [];
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly peer: FakePeer,
    private readonly trickle: { bytes: number; intervalMs: number } | undefined,
    private readonly timers: Set<NodeJS.Timeout>,
  ) {}

  push(item: OutItem): void {
    if (this.stopped) return;
    this.items.push(item);
    if (this.trickle === undefined) this.flush();
    else this.startTrickle(this.trickle);
  }

  private flush(): void {
    while (!this.stopped && this.items.length > 0) this.send(this.items.shift() as OutItem);
  }

  private send(item: OutItem): void {
    if (item === 'hang') this.stop();
    else if (item === 'end') this.stopAfter(() => this.peer.writeThenEnd(''));
    else if (item === 'reset') this.stopAfter(() => this.peer.writeThenReset(''));
    else this.peer.write(item);
  }

  private startTrickle(trickle: { bytes: number; intervalMs: number }): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => {
      const head = this.items[0];
      if (head === undefined || this.peer.socket.destroyed) return this.stopTimer();
      if (!Buffer.isBuffer(head)) {
        this.items.shift();
        return this.send(head);
      }
      this.peer.write(head.subarray(0, trickle.bytes));
      if (head.length <= trickle.bytes) this.items.shift();
      else this.items[0] = head.subarray(trickle.bytes);
    }, trickle.intervalMs);
    this.timers.add(this.timer);
  }

  private stopTimer(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timers.delete(this.timer);
    this.timer = undefined;
  }

  private stopAfter(action: () => void): void {
    this.stop();
    action();
  }

  private stop(): void {
    this.stopped = true;
    this.items.length = 0;
    this.stopTimer();
  }
}

/** A small, correct jukebox/1 server over in-memory songs, with an optional transfer fault. */
export async function fakeJukebox(songs: ReadonlyMap<string, Buffer>, options: FakeJukeboxOptions = {}): Promise<FakeServer> {
  const extra = options.extraFields ? ` ${options.extraFields}` : '';
  const timers = new Set<NodeJS.Timeout>();
  const outboxes = new WeakMap<FakePeer, Outbox>();
  const outboxOf = (peer: FakePeer) => {
    let box = outboxes.get(peer);
    if (!box) outboxes.set(peer, (box = new Outbox(peer, options.trickle, timers)));
    return box;
  };
  const fake = await FakeServer.start((line, peer) => {
    const out = outboxOf(peer);
    const say = (text: string) => out.push(Buffer.from(text, 'latin1'));
    const [verb, song = '', offsetText = '0'] = line.split(' ');
    const data = songs.get(song);
    switch (verb) {
      case 'HELLO':
        return say(`OK jukebox/1 server=${options.serverId ?? 'fake'} catalog=${options.catalogVersion ?? '000000000000'} songs=${songs.size}${extra}\n`);
      case 'CHECK':
        if (!data) return say('NOT_EXIST\n');
        return say(`EXIST ${data.length} ${sha256Hex(data)} active=${options.active ?? 0}${extra}\n`);
      case 'GET':
      case 'STREAM': {
        if (!data) return say('NOT_EXIST\n');
        const offset = Number(offsetText);
        if (offset > data.length) return say(`ERR 416 offset ${offset} is beyond the end\n`);
        const fault = options.fault ?? {};
        const faulty = fault.faultyConnections === undefined || peer.connectionNumber <= fault.faultyConnections;
        return sendBody(out, data.subarray(offset), extra, faulty ? fault : {});
      }
      case 'LIST': {
        const entries = [...songs].map(([id, bytes]) => `${id} ${bytes.length} ${sha256Hex(bytes)}\n`);
        return say(`LIST ${entries.length}\n${entries.join('')}`);
      }
      case 'STATS':
        return say(
          `STATS ${JSON.stringify({ server: options.serverId ?? 'fake', uptimeMs: 1, connections: 1, connectionsTotal: 1, requests: 1, bytesSent: 0, activeTransfers: 0, errors: 0, rejectedConnections: 0 })}\n`,
        );
      case 'QUIT':
        say('BYE\n');
        return out.push('end');
      default:
        return say('ERR 400 unknown command\n');
    }
  });
  // Trickle timers die with the fake.
  const close = fake.close.bind(fake);
  fake.close = async () => {
    for (const t of timers) clearInterval(t);
    timers.clear();
    await close();
  };
  return fake;
}

function sendBody(out: Outbox, body: Buffer, extra: string, fault: TransferFault): void {
  const announced = body.length + (fault.lengthSkew ?? 0);
  out.push(Buffer.from(`DATA ${announced}${extra}\n`));
  if (fault.hang) return out.push('hang');
  const content = fault.wrongBytes ? Buffer.from(body.map((b) => b ^ 0xff)) : body;
  if (fault.cutAfterBytes !== undefined) {
    out.push(content.subarray(0, fault.cutAfterBytes));
    return out.push(fault.cutMode === 'reset' ? 'reset' : 'end');
  }
  out.push(content);
}
