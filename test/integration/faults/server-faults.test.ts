// Each fault through the worker-thread form (what the harness drives): what a client sees of it,
// and that the server carries on once it ends.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { JukeboxConnection } from '../../../src/client/connection.js';
import { isJukeboxError } from '../../../src/errors.js';
import { THROTTLE_SLICE_MS } from '../../../src/server/faults.js';
import { startServerThread, type ServerThread } from '../../../src/server/thread-host.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { connectionError, eventually, kindOf, LOOPBACK, TestClient } from '../../helpers/server-fixture.js';

/** Large enough that loopback buffers (a few MB) cannot absorb it: a paused reader keeps its transfer in flight. */
const HUGE_BYTES = 24 * 1024 * 1024;

let fixture: LibraryFixture | undefined;
let thread: ServerThread | undefined;
const clients: TestClient[] = [];
const connections: JukeboxConnection[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  for (const c of connections.splice(0)) c.destroy();
  await thread?.stop({ graceful: false }).catch(() => {});
  thread = undefined;
  fixture?.cleanup();
  fixture = undefined;
});

async function start(songs?: Parameters<typeof createLibraryFixture>[0]): Promise<ServerThread> {
  fixture = createLibraryFixture(songs);
  thread = await startServerThread({ serverId: 's1', catalogPath: fixture.catalogPath, files: fixture.files, host: LOOPBACK, port: 0 });
  return thread;
}

async function client(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  return c;
}

async function connection(port: number, requestTimeoutMs = 30_000): Promise<JukeboxConnection> {
  const c = await JukeboxConnection.connect({ host: LOOPBACK, port, requestTimeoutMs });
  connections.push(c);
  return c;
}

/** The error a socket ends with (ECONNRESET for a TCP reset), or undefined if it just closed. */
function socketError(c: TestClient): Promise<NodeJS.ErrnoException | undefined> {
  return new Promise((resolve) => {
    c.socket.once('error', resolve);
    c.socket.once('close', () => resolve(undefined));
  });
}

/** A connect completes in the kernel before the server thread accepts it: wait until it has. */
async function accepted(server: ServerThread, n: number): Promise<void> {
  await eventually(async () => (await server.stats()).connections === n, 10_000, `${n} accepted connections`);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('faults through the server thread', () => {
  it('crash closes the listener and every connection at once; restart listens on the same port, counters kept', async () => {
    const server = await start();
    const idle = await client(server.port);
    expect(kindOf(await idle.request('HELLO'))).toBe('OK');
    const closed = socketError(idle);

    const crash = await server.fault({ action: 'crash' });
    expect(crash).toEqual({ affected: 1, listening: false, port: server.port });
    await closed;
    expect((await connectionError(server.port)).code).toBe('ECONNREFUSED');

    const restart = await server.fault({ action: 'restart' });
    expect(restart).toEqual({ affected: 0, listening: true, port: server.port });
    const after = await client(server.port);
    expect(kindOf(await after.request('CHECK tiny'))).toBe('EXIST');
    expect((await server.stats()).requests).toBe(2);
  });

  it('reset cuts every transfer in flight with a TCP reset and leaves idle connections alone', async () => {
    const server = await start();
    // A throttle keeps the transfer in flight while the reader reads all it gets.
    await server.fault({ action: 'throttle', bytesPerSec: 256 * 1024 });
    const reader = await client(server.port);
    reader.send('GET large\n');
    const idle = await client(server.port);
    expect(kindOf(await idle.request('HELLO'))).toBe('OK');
    await eventually(() => reader.bodyBytes > 0, 10_000, 'the transfer to be in flight');
    const cut = socketError(reader);

    expect(await server.fault({ action: 'reset' })).toMatchObject({ affected: 1, listening: true });
    expect((await cut)?.code).toBe('ECONNRESET');
    expect(reader.bodyBytes).toBeLessThan(4 * 1024 * 1024);
    await server.fault({ action: 'throttle', bytesPerSec: 0 });
    expect(kindOf(await idle.request('CHECK tiny'))).toBe('EXIST');
    await eventually(async () => (await server.stats()).activeTransfers === 0, 10_000, 'the cut transfer to end');
  });

  it('delay holds every response line for the latency, until it is switched off', async () => {
    const server = await start();
    const latencyMs = 150;
    const c = await connection(server.port);
    await server.fault({ action: 'delay', latencyMs });
    const check = await c.check('tiny');
    const get = await c.get('tiny');
    // A lower bound only: the server waited at least the latency before each answer.
    expect(check.ttfbMs).toBeGreaterThanOrEqual(latencyMs - 2);
    expect(get.ttfbMs).toBeGreaterThanOrEqual(latencyMs - 2);
    await server.fault({ action: 'delay', latencyMs: 0 });
    expect((await c.check('tiny')).kind).toBe('exist');
  });

  it('throttle caps body writes at its rate, and a transfer held by it goes on at once when it ends', async () => {
    const server = await start();
    const bytesPerSec = 64 * 1024;
    const slice = Math.floor((bytesPerSec * THROTTLE_SLICE_MS) / 1000);
    await server.fault({ action: 'throttle', bytesPerSec });
    const c = await connection(server.port);
    const chunks: Buffer[] = [];
    let received = 0;
    const sentAt = performance.now();
    const download = c.get('medium', {
      onData: (chunk) => {
        chunks.push(Buffer.from(chunk));
        received += chunk.length;
      },
    });
    await eventually(() => received >= 4 * slice, 10_000, 'a few throttled slices');
    const elapsedMs = performance.now() - sentAt;
    // Never faster than the cap (the first slice goes at once); 300 KB would take about 4.6 s.
    expect(received).toBeLessThan(300_000);
    expect(elapsedMs).toBeGreaterThanOrEqual(((received - slice) / bytesPerSec) * 1000 - 5);

    await server.fault({ action: 'throttle', bytesPerSec: 0 });
    expect((await download).kind).toBe('data');
    expect(sha256(Buffer.concat(chunks))).toBe(fixture?.sha256Of('medium'));
  });

  it('refuse closes the listener for new connections while open ones are answered; accepting again when it ends', async () => {
    const server = await start();
    const open = await client(server.port);
    await accepted(server, 1);
    expect(await server.fault({ action: 'refuse', on: true })).toMatchObject({ listening: false });
    expect((await connectionError(server.port)).code).toBe('ECONNREFUSED');
    expect(kindOf(await open.request('CHECK tiny'))).toBe('EXIST');
    expect(await server.fault({ action: 'refuse', on: false })).toMatchObject({ listening: true });
    const fresh = await client(server.port);
    expect(kindOf(await fresh.request('HELLO'))).toBe('OK');
  });

  it('a restart during a refusal keeps the listener closed until the refusal ends', async () => {
    const server = await start();
    await server.fault({ action: 'crash' });
    await server.fault({ action: 'refuse', on: true });
    expect(await server.fault({ action: 'restart' })).toMatchObject({ listening: false });
    expect((await connectionError(server.port)).code).toBe('ECONNREFUSED');
    expect(await server.fault({ action: 'refuse', on: false })).toMatchObject({ listening: true });
    expect(kindOf(await (await client(server.port)).request('HELLO'))).toBe('OK');
  });

  it('pause stops reading: a request times out on the client, and one already sent is answered when it ends', async () => {
    const server = await start();
    const patient = await client(server.port);
    const hurried = await connection(server.port, 300);
    await accepted(server, 2);
    expect(await server.fault({ action: 'pause', on: true })).toMatchObject({ affected: 2 });

    const timedOut = await hurried.check('tiny').catch((e: unknown) => e);
    expect(isJukeboxError(timedOut, 'E_TIMEOUT')).toBe(true);
    // Accepted during the pause: connected, but not read either.
    const late = await connection(server.port, 300);
    expect(isJukeboxError(await late.check('tiny').catch((e: unknown) => e), 'E_TIMEOUT')).toBe(true);

    const answer = patient.request('CHECK tiny');
    await server.fault({ action: 'pause', on: false });
    expect(kindOf(await answer)).toBe('EXIST');
  });

  it('pause holds a transfer in flight (its client times out) and stopping the server is not held up by it', async () => {
    const server = await start({ songs: [{ id: 'huge', bytes: HUGE_BYTES, servers: ['s1'] }] });
    const c = await connection(server.port, 400);
    // Throttle first so that the transfer is surely still in flight when the pause begins.
    await server.fault({ action: 'throttle', bytesPerSec: 256 * 1024 });
    let received = 0;
    const download = c.get('huge', { onData: (chunk) => (received += chunk.length) });
    await eventually(() => received > 0, 10_000, 'the first body bytes');
    await server.fault({ action: 'pause', on: true });
    await server.fault({ action: 'throttle', bytesPerSec: 0 });
    expect(isJukeboxError(await download.catch((e: unknown) => e), 'E_TIMEOUT')).toBe(true);
    expect(received).toBeLessThan(HUGE_BYTES);
    await server.stop({ graceful: true });
    thread = undefined;
  });
});
