// Property tests of the server's connection as a whole, over a real socket: requests, bad lines,
// over-long lines and binary garbage, sent in pieces split at arbitrary points, get exactly the
// same bytes back as when sent in one write, and never make the server fail.
import { once } from 'node:events';
import { connect } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../src/protocol/constants.js';
import type { JukeboxServer } from '../../src/server/server.js';
import { createLibraryFixture, type LibraryFixture } from '../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../helpers/server-fixture.js';

let fixture: LibraryFixture;
let server: JukeboxServer;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  fixture = createLibraryFixture();
  server = await startTestServer(fixture, 's1');
  server.on('internalError', (e) => internalErrors.push(e.error));
});

afterAll(async () => {
  await stopAll();
  fixture.cleanup();
});

/** Sends the pieces one by one (a loop turn between them, so the server reads them apart), half-closes, and returns every byte received until the server closes. */
async function exchange(pieces: Buffer[]): Promise<Buffer> {
  const socket = connect({ port: server.port, host: LOOPBACK, noDelay: true });
  socket.on('error', () => {}); // after QUIT or ERR 413 the server may be gone while we still write
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  for (const piece of pieces) {
    if (socket.destroyed) break;
    socket.write(piece);
    await nextTurn();
  }
  socket.end();
  await closed;
  return Buffer.concat(received);
}

/** Splits `bytes` at the cut points (any order, duplicates allowed). */
function splitAt(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    if (p > start) pieces.push(bytes.subarray(start, p));
    start = p;
  }
  return pieces;
}

// Lines whose answers depend only on the line (STATS, whose counters move, is left out).
const requestLine = fc.constantFrom(
  'HELLO prop',
  'CHECK tiny',
  'CHECK nowhere',
  'CHECK other',
  'GET tiny',
  'GET tiny 1000',
  'GET medium 299990',
  'STREAM empty',
  'GET tiny 5000',
  'LIST',
  'check tiny',
  '',
  'CHECK ../../etc/passwd',
  'GET tiny -1',
  'NOPE',
  'QUIT',
);
const segment = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(requestLine, fc.boolean()).map(([line, crlf]) => Buffer.from(`${line}${crlf ? '\r\n' : '\n'}`)) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 120 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_LINE_BYTES - 2, max: MAX_LINE_BYTES + 40 }).map((n) => Buffer.from(`${'A'.repeat(n)}\n`)) },
);
const input = fc.array(segment, { minLength: 1, maxLength: 12 }).map((parts) => Buffer.concat(parts));
const cuts = fc.array(fc.nat(), { maxLength: 16 });

describe('server connection, any input split at any points, over a real socket', () => {
  it('answers exactly as when the input arrives in one piece, and never fails', async () => {
    await fc.assert(
      fc.asyncProperty(input, cuts, async (bytes, cutPoints) => {
        const whole = await exchange([bytes]);
        const split = await exchange(splitAt(bytes, cutPoints));
        expect(split.toString('latin1')).toBe(whole.toString('latin1'));
        expect(internalErrors).toEqual([]);
      }),
      { numRuns: 150 },
    );
    // And it still serves.
    const hello = await exchange([Buffer.from('HELLO after\n')]);
    expect(hello.toString()).toMatch(/^OK jukebox\/1 server=s1 /);
  });
});
