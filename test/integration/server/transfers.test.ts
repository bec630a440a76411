// Transfers over real sockets: integrity, resets, slow readers, pacing, many connections.
import { createHash } from 'node:crypto';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { songsOfServer } from '../../../src/catalog/load.js';
import { streamSchedule } from '../../../src/server/pacer.js';
import { eventually, kindOf, libraryPerTest, startTestServer, TestClient } from '../../helpers/server-fixture.js';

const library = libraryPerTest();

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('transfers', () => {
  it.each([
    ['in memory', undefined],
    ['read from disk', 0],
  ])('every song of every server that holds it downloads with the catalog sha256 (%s)', async (_how, memoryBudgetBytes) => {
    const lib = library();
    const limits = memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes };
    for (const serverId of ['s1', 's2']) {
      const server = await startTestServer(lib, serverId, { limits });
      const client = await TestClient.connect(server.port);
      for (const song of songsOfServer(lib.loaded.catalog, serverId)) {
        const reply = await client.request(`GET ${song.id}`);
        expect(reply.response).toEqual({ kind: 'DATA', length: song.bytes });
        expect(sha256(reply.body ?? Buffer.alloc(0))).toBe(song.sha256);
      }
      // Resume from the middle and stitch: the same bytes.
      const first = (await client.request('GET medium 0')).body ?? Buffer.alloc(0);
      const rest = (await client.request('GET medium 123456')).body ?? Buffer.alloc(0);
      expect(sha256(Buffer.concat([first.subarray(0, 123456), rest]))).toBe(lib.sha256Of('medium'));
    }
  });

  it('a client that resets mid-transfer leaves the server healthy with no active transfer', async () => {
    const lib = library();
    const server = await startTestServer(lib, 's1', { limits: { memoryBudgetBytes: 0 } });
    const client = await TestClient.connect(server.port);
    client.send('GET large\n');
    await eventually(() => client.bodyBytes > 0, 10_000, 'the first body bytes');
    client.socket.resetAndDestroy();
    await eventually(() => server.stats().activeTransfers === 0 && server.stats().connections === 0, 10_000, 'the transfer to end');
    const other = await TestClient.connect(server.port);
    const reply = await other.request('GET large');
    expect(sha256(reply.body ?? Buffer.alloc(0))).toBe(lib.sha256Of('large'));
    expect(server.stats().activeTransfers).toBe(0);
  });

  it('20 stalled readers of a large song do not delay a CHECK, nor make the server buffer the song per reader', async () => {
    // Loopback buffers absorb about 4 MB per paused reader (kernel send and receive buffers), so
    // a 4 MB song can slip through entirely; a song well beyond that keeps every transfer stalled.
    const hugeBytes = 24 * 1024 * 1024;
    const lib = library({
      songs: [
        { id: 'huge', bytes: hugeBytes, servers: ['s1'] },
        { id: 'tiny', bytes: 1024, servers: ['s1'] },
      ],
    });
    // From disk, so that each reader's bytes would be its own if the server did not wait for 'drain'.
    const server = await startTestServer(lib, 's1', { limits: { memoryBudgetBytes: 0 } });
    const gc = exposeGc();
    gc();
    const before = process.memoryUsage();
    const stalled: TestClient[] = [];
    for (let i = 0; i < 20; i++) {
      const reader = await TestClient.connect(server.port);
      reader.socket.pause();
      reader.send('GET huge\n');
      stalled.push(reader);
    }
    await eventually(() => server.stats().activeTransfers === 20, 20_000, '20 transfers in flight');
    const checker = await TestClient.connect(server.port);
    const reply = await checker.request('CHECK tiny');
    expect(reply.response).toMatchObject({ kind: 'EXIST', active: 20 });
    gc();
    const after = process.memoryUsage();
    const grown = after.arrayBuffers + after.heapUsed - (before.arrayBuffers + before.heapUsed);
    // Buffering the song per reader would be 20 × 24 MiB = 480 MiB.
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    // And they all get their songs once they read.
    for (const reader of stalled) reader.socket.resume();
    for (const reader of stalled) expect(sha256((await reader.next()).body ?? Buffer.alloc(0))).toBe(lib.sha256Of('huge'));
  });

  it('STREAM is paced: it takes at least the song time divided by the stream speed', async () => {
    const lib = library();
    const streamSpeed = 40;
    const server = await startTestServer(lib, 's1', { streamSpeed });
    const client = await TestClient.connect(server.port);
    const started = performance.now();
    const reply = await client.request('STREAM medium 100000');
    const elapsed = performance.now() - started;
    expect(reply.body?.equals(lib.bytesOf('medium').subarray(100000))).toBe(true);
    const schedule = streamSchedule(128, streamSpeed);
    const lowerBound = (200_000 - schedule.chunkBytes) / schedule.bytesPerMs;
    expect(elapsed).toBeGreaterThanOrEqual(lowerBound * 0.95);
  });

  it('keeps 1000 idle connections open while serving another client', async () => {
    const lib = library();
    const server = await startTestServer(lib, 's1', { limits: { maxConnections: 1100 } });
    const idle: TestClient[] = [];
    for (let i = 0; i < 1000; i++) idle.push(await TestClient.connect(server.port));
    await eventually(() => server.stats().connections === 1000, 10_000, '1000 connections');
    const active = await TestClient.connect(server.port);
    expect(kindOf(await active.request('HELLO'))).toBe('OK');
    expect(sha256((await active.request('GET large')).body ?? Buffer.alloc(0))).toBe(lib.sha256Of('large'));
    expect(idle.every((c) => !c.isClosed)).toBe(true);
    expect(server.stats().connections).toBe(1001);
    // And the idle ones still answer.
    expect(kindOf(await (idle[999] as TestClient).request('CHECK tiny'))).toBe('EXIST');
  });
});

/** V8's gc(), without starting node with --expose-gc, so that memory can be measured robustly. */
function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
