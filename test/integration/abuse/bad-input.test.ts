// Two ways a client once hurt the server, kept from coming back: bad lines from a client that
// never reads and then leaves (an unhandled rejection that ended the process), and a pipelined
// flood from clients that read every answer (one of them held every other client up).
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWERS_BEFORE_YIELD } from '../../../src/server/connection.js';
import type { JukeboxServer } from '../../../src/server/server.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { eventually, kindOf, LOOPBACK, startTestServer, stopAll, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;
const raw: Socket[] = [];

afterEach(async () => {
  for (const s of raw.splice(0)) s.destroy();
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

async function rawSocket(port: number): Promise<Socket> {
  const socket = connect({ port, host: LOOPBACK, noDelay: true });
  socket.on('error', () => {});
  await once(socket, 'connect');
  raw.push(socket);
  return socket;
}

/** Waits until the server's request count stops moving: it is blocked on a peer that does not read. */
async function untilStalled(server: JukeboxServer): Promise<number> {
  let last = -1;
  let still = 0;
  await eventually(
    () => {
      const now = server.stats().requests;
      still = now === last && now > 0 ? still + 1 : 0;
      last = now;
      return still >= 5;
    },
    20_000,
    'the server to wait on a client that does not read',
  );
  return last;
}

describe('bad input', () => {
  it('bad lines from a client that never reads, then leaves while the server waits to write, do not bring the server down', async () => {
    fixture = createLibraryFixture();
    const server = await startTestServer(fixture, 's1');
    const rude = await rawSocket(server.port);
    rude.pause();
    // Each `x` is an ERR 400 of about 40 bytes: far more answers than socket buffers hold.
    const lines = Buffer.from('x\n'.repeat(100_000));
    for (let i = 0; i < 5; i++) rude.write(lines);
    await untilStalled(server);
    rude.destroy();
    await eventually(() => server.stats().connections === 0, 10_000, 'the connection to close');
    const client = await TestClient.connect(server.port);
    expect(kindOf(await client.request('CHECK tiny'))).toBe('EXIST');
  });

  it('a pipelined flood from clients that read every answer does not hold another client up behind a whole read chunk', async () => {
    fixture = createLibraryFixture();
    const server = await startTestServer(fixture, 's1');
    const block = Buffer.from('CHECK tiny\n'.repeat(6000)); // one 64 KiB read holds about 6000 of these
    let flooding = true;
    const floods = await Promise.all([1, 2, 3, 4].map(() => rawSocket(server.port)));
    for (const s of floods) {
      s.on('data', () => {});
      void (async () => {
        // Bounded: stops with the test, or after 10,000 blocks.
        for (let i = 0; i < 10_000 && flooding && !s.destroyed; i++) if (!s.write(block)) await once(s, 'drain').catch(() => undefined);
      })();
    }
    await eventually(() => server.stats().requests > 50_000, 20_000, 'the flood to be under way');
    const client = await TestClient.connect(server.port);
    // Counted on the server itself: how many flood requests it answered while ours waited.
    const worst = { answeredMeanwhile: 0 };
    for (let i = 0; i < 10; i++) {
      const before = server.stats().requests;
      expect(kindOf(await client.request('CHECK tiny'))).toBe('EXIST');
      worst.answeredMeanwhile = Math.max(worst.answeredMeanwhile, server.stats().requests - before - 1);
    }
    flooding = false;
    // Each flood connection answers at most ANSWERS_BEFORE_YIELD in a row before the others get a
    // turn; answering a whole read chunk in one go (thousands) is what used to starve others.
    expect(worst.answeredMeanwhile).toBeLessThan(16 * ANSWERS_BEFORE_YIELD * floods.length);
  });
});
