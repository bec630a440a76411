// Framing over a real socket: pipelining, trickled bytes, CRLF, over-long lines, garbage.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JukeboxServer } from '../../../src/server/server.js';
import { createLibraryFixture, pseudoRandomBytes, type LibraryFixture } from '../../helpers/library-fixture.js';
import { kindOf, startTestServer, stopAll, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture;
let server: JukeboxServer;
const opened: TestClient[] = [];

beforeAll(async () => {
  fixture = createLibraryFixture();
  server = await startTestServer(fixture, 's1');
});
afterAll(async () => {
  await stopAll();
  fixture.cleanup();
});
afterEach(() => {
  for (const c of opened.splice(0)) c.destroy();
});

async function fresh(): Promise<TestClient> {
  const c = await TestClient.connect(server.port);
  opened.push(c);
  return c;
}

describe('framing', () => {
  it('answers 200 pipelined requests sent in one write, in request order', async () => {
    const c = await fresh();
    const lines: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < 200; i++) {
      switch (i % 5) {
        case 0:
          lines.push('CHECK tiny');
          expected.push('EXIST');
          break;
        case 1:
          lines.push(`GET tiny ${i}`);
          expected.push('DATA');
          break;
        case 2:
          lines.push('CHECK other');
          expected.push('NOT_EXIST');
          break;
        case 3:
          lines.push('bogus');
          expected.push('ERR 400');
          break;
        default:
          lines.push('LIST');
          expected.push('LIST');
      }
    }
    c.send(lines.map((l) => `${l}\n`).join(''));
    const replies = await c.nextN(200);
    expect(replies.map(kindOf)).toEqual(expected);
    // The GET offsets differ, so their bodies prove the order too.
    replies.forEach((reply, i) => {
      if (i % 5 === 1) expect(reply.body?.equals(fixture.bytesOf('tiny').subarray(i))).toBe(true);
    });
  });

  it('answers many more pipelined requests than its queue holds, in order, to a client that reads late', async () => {
    const c = await fresh();
    const count = 5000;
    c.socket.pause();
    // Written before reading anything: the answers back up, so the server must stop reading.
    await new Promise<void>((resolve) => c.socket.write('GET tiny\nSTATS\n'.repeat(count / 2), () => resolve()));
    c.socket.resume();
    const replies = await c.nextN(count);
    expect(replies.every((r, i) => kindOf(r) === (i % 2 === 0 ? 'DATA' : 'STATS'))).toBe(true);
    expect(replies.at(-2)?.body?.equals(fixture.bytesOf('tiny'))).toBe(true);
  });

  it('reads requests written one byte at a time, with LF and CRLF', async () => {
    const c = await fresh();
    const request = Buffer.from('CHECK tiny\nHELLO\r\n');
    for (const byte of request) {
      c.send(Buffer.from([byte]));
      // Let each byte go out on its own segment (noDelay) before the next.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect((await c.nextN(2)).map(kindOf)).toEqual(['EXIST', 'OK']);
  });

  it('accepts CRLF line ends', async () => {
    const c = await fresh();
    c.send('HELLO telnet\r\nGET tiny 1020\r\n');
    const [hello, get] = await c.nextN(2);
    expect(hello && kindOf(hello)).toBe('OK');
    expect(get?.body?.equals(fixture.bytesOf('tiny').subarray(1020))).toBe(true);
  });

  it('a 2000-byte line is ERR 413 after the answers before it, then the connection closes', async () => {
    const c = await fresh();
    c.send(`HELLO\n${'X'.repeat(2000)}\nHELLO\n`);
    const first = await c.next();
    expect(kindOf(first)).toBe('OK');
    expect(kindOf(await c.next())).toBe('ERR 413');
    await c.closed;
  });

  it('binary garbage gets only ERR 400s or a closing ERR 413, and other clients are still served', async () => {
    const garbage = pseudoRandomBytes('garbage', 64 * 1024);
    const c = await fresh();
    c.send(garbage);
    const kinds: string[] = [];
    for (;;) {
      const reply = await c.next().catch(() => undefined);
      if (!reply) break;
      kinds.push(kindOf(reply));
    }
    await c.closed;
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.slice(0, -1).every((k) => k === 'ERR 400')).toBe(true);
    expect(['ERR 400', 'ERR 413']).toContain(kinds.at(-1));
    const other = await fresh();
    expect(kindOf(await other.request('HELLO'))).toBe('OK');
  });

  it('answers every request sent before the client shut its side, then closes', async () => {
    const c = await fresh();
    c.socket.end('HELLO\nGET tiny\n');
    const [hello, get] = await c.nextN(2);
    expect(hello && kindOf(hello)).toBe('OK');
    expect(get?.body?.length).toBe(1024);
    await c.closed;
  });
});
