// Limits and failures: connection limit, idle and line timeouts, unexpected errors (500).
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventually, kindOf, libraryPerTest, startTestServer, TestClient } from '../../helpers/server-fixture.js';

const library = libraryPerTest();

describe('limits', () => {
  it('a connection over the limit is answered ERR 503 and closed; the others keep working', async () => {
    const server = await startTestServer(library(), 's1', { limits: { maxConnections: 2 } });
    const a = await TestClient.connect(server.port);
    const b = await TestClient.connect(server.port);
    expect(kindOf(await a.request('HELLO'))).toBe('OK');
    const c = await TestClient.connect(server.port);
    const reply = await c.next();
    expect(kindOf(reply)).toBe('ERR 503');
    await c.closed;
    expect(kindOf(await b.request('HELLO'))).toBe('OK');
    expect(server.stats()).toMatchObject({ connections: 2, rejectedConnections: 1 });
    // A freed slot is usable again.
    a.destroy();
    await a.closed;
    await expect.poll(() => server.stats().connections).toBe(1);
    const d = await TestClient.connect(server.port);
    expect(kindOf(await d.request('HELLO'))).toBe('OK');
  });

  it('closes a connection that stays idle past the idle timeout', async () => {
    const server = await startTestServer(library(), 's1', { limits: { idleTimeoutMs: 150 } });
    const client = await TestClient.connect(server.port);
    expect(kindOf(await client.request('HELLO'))).toBe('OK');
    await client.closed;
    await expect.poll(() => server.stats().connections).toBe(0);
  });

  it('cuts a reader that stops reading mid-transfer once no byte has moved for the idle timeout, and spares one that reads', async () => {
    // Well beyond what loopback buffers absorb (about 4 MB per paused reader): the transfer stalls.
    const hugeBytes = 24 * 1024 * 1024;
    const lib = library({ songs: [{ id: 'huge', bytes: hugeBytes, servers: ['s1'] }] });
    // 1 s: a busy machine may hold this thread (server and readers alike) for a few hundred ms.
    const server = await startTestServer(lib, 's1', { limits: { idleTimeoutMs: 1000 } });
    const opened: number[] = [];
    const closed: number[] = [];
    server.on('connection', (event) => opened.push(event.connectionId));
    server.on('connectionClosed', (event) => closed.push(event.connectionId));
    const stalled = await TestClient.connect(server.port);
    stalled.socket.pause();
    stalled.send('GET huge\n');
    await eventually(() => opened.length === 1, 20_000, 'the stalled reader to be accepted');
    const stalledId = opened[0];
    const reading = await TestClient.connect(server.port);
    expect((await reading.request('GET huge')).body?.length).toBe(hugeBytes);
    await eventually(() => closed.includes(stalledId as number), 20_000, 'the stalled reader to be cut');
    expect(server.stats().bytesSent).toBeLessThan(2 * hugeBytes);
  });

  it('closes a connection whose request line does not complete within the line timeout (slowloris)', async () => {
    const server = await startTestServer(library(), 's1', { limits: { lineTimeoutMs: 150 } });
    const slow = await TestClient.connect(server.port);
    const patient = await TestClient.connect(server.port);
    slow.send('HELLO stu');
    await slow.closed;
    expect(kindOf(await patient.request('HELLO'))).toBe('OK'); // a client that sends whole lines is not affected
    expect(patient.isClosed).toBe(false);
  });

  it('an unexpected failure answers ERR 500, is reported, and the server keeps serving', async () => {
    const lib = library();
    const server = await startTestServer(lib, 's1', { limits: { memoryBudgetBytes: 0 } });
    const reported: unknown[] = [];
    server.on('internalError', (event) => reported.push(event.error));
    rmSync(lib.files.get('tiny') as string); // the file vanishes under the running server
    const client = await TestClient.connect(server.port);
    expect(kindOf(await client.request('GET tiny'))).toBe('ERR 500');
    expect(reported).toHaveLength(1);
    expect(kindOf(await client.request('GET medium 299990'))).toBe('DATA');
    expect(server.stats().errors).toBe(1);
  });

  it('counts requests, bytes, connections and errors in STATS', async () => {
    const server = await startTestServer(library(), 's1');
    const client = await TestClient.connect(server.port);
    await client.request('GET tiny');
    await client.request('GET tiny 1000');
    await client.request('nonsense');
    const reply = await client.request('STATS');
    expect(reply.response).toMatchObject({
      kind: 'STATS',
      stats: {
        server: 's1',
        connections: 1,
        connectionsTotal: 1,
        requests: 4,
        bytesSent: 1024 + 24,
        activeTransfers: 0,
        errors: 1,
        rejectedConnections: 0,
        acceptFailures: 0,
        maxConnections: 1024,
      },
    });
  });
});
