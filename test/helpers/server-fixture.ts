// Servers on port 0 over a library fixture, a raw-socket jukebox/1 test client built on the
// codec's ResponseDecoder, and waiting helpers. Everything started here is cleaned up by stopAll().
import { afterEach } from 'vitest';
import { createLibraryFixture, type LibraryFixture, type LibraryFixtureOptions } from './library-fixture.js';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResponseDecoder, type DecoderEvent } from '../../src/protocol/response-decoder.js';
import type { ListEntry, Response } from '../../src/protocol/types.js';
import { startServer, type JukeboxServer, type ServerOptions } from '../../src/server/server.js';

export const LOOPBACK = '127.0.0.1';

const started = new Set<JukeboxServer>();
const clients = new Set<TestClient>();

export async function startTestServer(fixture: LibraryFixture, serverId: string, options: Partial<ServerOptions> = {}): Promise<JukeboxServer> {
  const server = await startServer({ serverId, catalog: fixture.loaded, files: fixture.files, host: LOOPBACK, port: 0, ...options });
  started.add(server);
  return server;
}

/** For afterEach: cuts every test client and stops every test server at once. */
export async function stopAll(): Promise<void> {
  for (const client of clients) client.destroy();
  clients.clear();
  const servers = [...started];
  started.clear();
  await Promise.all(servers.map((s) => s.close({ graceful: false })));
}

/** One complete answer: its line, and the body of a DATA or the entries of a LIST. */
export interface Reply {
  response: Response;
  body?: Buffer;
  list?: ListEntry[];
}

export class TestClient {
  private readonly decoder: ResponseDecoder;
  private readonly replies: Reply[] = [];
  private readonly waiters: Array<{ resolve: (r: Reply) => void; reject: (e: Error) => void }> = [];
  private current: { response: Response; chunks: Buffer[] } | undefined;
  private failure: Error | undefined;
  /** Body bytes received so far (counted as they arrive). */
  bodyBytes = 0;
  isClosed = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    this.decoder = new ResponseDecoder((event) => this.onDecoded(event));
    socket.on('data', (chunk: Buffer) => this.decoder.push(chunk));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        this.fail(new Error('connection closed'));
        resolve();
      });
    });
  }

  static connect(port: number, host = LOOPBACK): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.setNoDelay(true); // each write its own segment: trickle tests really trickle
        const client = new TestClient(socket);
        clients.add(client);
        resolve(client);
      });
    });
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** Sends one request line and waits for its answer. */
  request(line: string): Promise<Reply> {
    this.send(`${line}\n`);
    return this.next();
  }

  /** The next complete answer, in order. */
  next(): Promise<Reply> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  async nextN(n: number): Promise<Reply[]> {
    const out: Reply[] = [];
    for (let i = 0; i < n; i++) out.push(await this.next());
    return out;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onDecoded(event: DecoderEvent): void {
    switch (event.type) {
      case 'response':
        if (event.response.kind === 'DATA' || event.response.kind === 'LIST') this.current = { response: event.response, chunks: [] };
        else this.complete({ response: event.response });
        return;
      case 'body':
        this.bodyBytes += event.chunk.length;
        this.current?.chunks.push(Buffer.from(event.chunk));
        return;
      case 'bodyEnd':
        if (this.current) this.complete({ response: this.current.response, body: Buffer.concat(this.current.chunks) });
        this.current = undefined;
        return;
      case 'list':
        if (this.current) this.complete({ response: this.current.response, list: event.entries });
        this.current = undefined;
        return;
      case 'error':
        this.fail(new Error(`undecodable response: ${event.reason}`));
        return;
    }
  }

  private complete(reply: Reply): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(reply);
    else this.replies.push(reply);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters.splice(0)) waiter.reject(error);
  }
}

/** Polls `check` until it returns true (an event we cannot subscribe to, e.g. a counter), or fails after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves with the error of a connection attempt (e.g. ECONNREFUSED), or rejects if it connects. */
export function connectionError(port: number, host = LOOPBACK): Promise<NodeJS.ErrnoException> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    socket.once('error', (err) => resolve(err));
    socket.once('connect', () => {
      socket.destroy();
      reject(new Error(`connected to ${host}:${port}, expected a refusal`));
    });
  });
}

/** Shorthand for matching a reply's line in assertions. */
export function kindOf(reply: Reply): string {
  const r = reply.response;
  return r.kind === 'ERR' ? `ERR ${r.code}` : r.kind;
}

/**
 * For test files whose tests each want their own library: returns a maker, and after every test
 * stops the servers started meanwhile and removes the library made.
 */
export function libraryPerTest(): (options?: LibraryFixtureOptions) => LibraryFixture {
  let made: LibraryFixture | undefined;
  afterEach(async () => {
    await stopAll();
    made?.cleanup();
    made = undefined;
  });
  return (options) => {
    made = createLibraryFixture(options);
    return made;
  };
}
