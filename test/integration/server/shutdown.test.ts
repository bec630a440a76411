// Graceful shutdown: in-flight transfers finish, new connections are refused, idle ones close.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { connectionError, kindOf, startTestServer, stopAll, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;

afterEach(async () => {
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

describe('graceful shutdown', () => {
  it('lets a transfer in flight finish, refuses new connections, answers later requests 503 and closes idle ones', async () => {
    fixture = createLibraryFixture();
    // STREAM at 20× real time: 300 KB of 128 kbit/s audio takes about a second, so it is surely in flight.
    const server = await startTestServer(fixture, 's1', { streamSpeed: 20 });
    const streaming = await TestClient.connect(server.port);
    const idle = await TestClient.connect(server.port);
    expect(kindOf(await idle.request('HELLO'))).toBe('OK');
    streaming.send('STREAM medium\nHELLO\n');
    let stopped = false;
    const body = streaming.next();
    await expect.poll(() => streaming.bodyBytes).toBeGreaterThan(0);

    expect(server.stats().activeTransfers).toBe(1); // closing while the stream is in flight
    const closing = server.close().then(() => {
      stopped = true;
    });
    await idle.closed;
    const refused = await connectionError(server.port);
    expect(refused.code).toBe('ECONNREFUSED');

    const reply = await body;
    expect(
      createHash('sha256')
        .update(reply.body ?? Buffer.alloc(0))
        .digest('hex'),
    ).toBe(fixture.sha256Of('medium'));
    expect(kindOf(await streaming.next())).toBe('ERR 503');
    await streaming.closed;
    await closing;
    expect(stopped).toBe(true);
  });

  it('cuts transfers still running when the grace timeout ends', async () => {
    fixture = createLibraryFixture();
    const server = await startTestServer(fixture, 's1', { streamSpeed: 1, limits: { graceTimeoutMs: 100 } });
    const client = await TestClient.connect(server.port);
    client.send('STREAM large\n');
    await expect.poll(() => client.bodyBytes).toBeGreaterThan(0);
    await server.close();
    await client.closed;
    expect(client.bodyBytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('a forced close cuts every connection at once', async () => {
    fixture = createLibraryFixture();
    const server = await startTestServer(fixture, 's1', { streamSpeed: 1 });
    const client = await TestClient.connect(server.port);
    client.send('STREAM large\n');
    await expect.poll(() => client.bodyBytes).toBeGreaterThan(0);
    await server.close({ graceful: false });
    await client.closed;
  });
});
