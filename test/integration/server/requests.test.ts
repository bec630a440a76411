// Every request of protocol.md and every error, over a real socket.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JukeboxServer } from '../../../src/server/server.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { eventually, kindOf, LOOPBACK, startTestServer, stopAll, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture;
let server: JukeboxServer;
let client: TestClient;

beforeAll(async () => {
  fixture = createLibraryFixture();
  server = await startTestServer(fixture, 's1');
});
afterAll(async () => {
  await stopAll();
  fixture.cleanup();
});
afterEach(() => client?.destroy());

async function fresh(): Promise<TestClient> {
  client = await TestClient.connect(server.port);
  return client;
}

describe('requests', () => {
  it('HELLO answers OK with protocol, server id, catalog version and song count', async () => {
    const c = await fresh();
    expect((await c.request('HELLO')).response).toEqual({
      kind: 'OK',
      protocol: 'jukebox/1',
      server: 's1',
      catalog: fixture.loaded.version,
      songs: 4,
      extra: {},
    });
    expect(kindOf(await c.request('HELLO student'))).toBe('OK');
  });

  it('CHECK of a held song answers EXIST with size, sha256 and active transfers', async () => {
    const c = await fresh();
    const reply = await c.request('CHECK medium');
    expect(reply.response).toEqual({ kind: 'EXIST', bytes: 300_000, sha256: fixture.sha256Of('medium'), active: 0, extra: {} });
  });

  it('CHECK of a song this server does not hold answers NOT_EXIST', async () => {
    const c = await fresh();
    expect((await c.request('CHECK other')).response).toEqual({ kind: 'NOT_EXIST' });
    expect((await c.request('CHECK nowhere')).response).toEqual({ kind: 'NOT_EXIST' });
    expect((await c.request('CHECK unknown-song')).response).toEqual({ kind: 'NOT_EXIST' });
  });

  it('GET sends DATA n and the whole file', async () => {
    const c = await fresh();
    const reply = await c.request('GET tiny');
    expect(reply.response).toEqual({ kind: 'DATA', length: 1024 });
    expect(reply.body?.equals(fixture.bytesOf('tiny'))).toBe(true);
  });

  it('GET of an empty song sends DATA 0', async () => {
    const c = await fresh();
    const reply = await c.request('GET empty');
    expect(reply.response).toEqual({ kind: 'DATA', length: 0 });
    expect(reply.body?.length).toBe(0);
  });

  it('GET and STREAM of a song not held answer NOT_EXIST with no body', async () => {
    const c = await fresh();
    expect(kindOf(await c.request('GET other'))).toBe('NOT_EXIST');
    expect(kindOf(await c.request('STREAM nowhere 10'))).toBe('NOT_EXIST');
    expect(kindOf(await c.request('HELLO'))).toBe('OK');
  });

  it('GET with offsets: 0, middle, at the end (DATA 0) and past the end (416)', async () => {
    const c = await fresh();
    const data = fixture.bytesOf('tiny');
    expect((await c.request('GET tiny 0')).body?.equals(data)).toBe(true);
    const middle = await c.request('GET tiny 1000');
    expect(middle.response).toEqual({ kind: 'DATA', length: 24 });
    expect(middle.body?.equals(data.subarray(1000))).toBe(true);
    expect((await c.request('GET tiny 1024')).response).toEqual({ kind: 'DATA', length: 0 });
    const past = await c.request('GET tiny 1025');
    expect(kindOf(past)).toBe('ERR 416');
    expect(kindOf(await c.request('GET empty 1'))).toBe('ERR 416');
    expect(kindOf(await c.request('HELLO'))).toBe('OK'); // 416 leaves the connection usable
  });

  it('STREAM sends DATA n and the file from the offset', async () => {
    const c = await fresh();
    const reply = await c.request('STREAM tiny 24');
    expect(reply.response).toEqual({ kind: 'DATA', length: 1000 });
    expect(reply.body?.equals(fixture.bytesOf('tiny').subarray(24))).toBe(true);
    expect(kindOf(await c.request('STREAM tiny 2000'))).toBe('ERR 416');
  });

  it('LIST answers LIST n and one line per held song', async () => {
    const c = await fresh();
    const reply = await c.request('LIST');
    expect(reply.response).toEqual({ kind: 'LIST', count: 4 });
    expect(reply.list).toEqual(
      ['empty', 'tiny', 'medium', 'large'].map((song) => ({ song, bytes: fixture.bytesOf(song).length, sha256: fixture.sha256Of(song) })),
    );
  });

  it('LIST of a server holding no song answers LIST 0', async () => {
    const empty = createLibraryFixture({ songs: [{ id: 'a', bytes: 10, servers: ['s2'] }] });
    try {
      const s1 = await startTestServer(empty, 's1');
      client = await TestClient.connect(s1.port);
      expect(await client.request('LIST')).toEqual({ response: { kind: 'LIST', count: 0 }, list: [] });
    } finally {
      empty.cleanup();
    }
  });

  it('STATS answers one line of JSON with every counter', async () => {
    const c = await fresh();
    const reply = await c.request('STATS');
    if (reply.response.kind !== 'STATS') throw new Error(`expected STATS, got ${kindOf(reply)}`);
    const stats = reply.response.stats;
    expect(Object.keys(stats).sort()).toEqual(
      [
        'acceptFailures',
        'activeTransfers',
        'bytesSent',
        'connections',
        'connectionsTotal',
        'errors',
        'maxConnections',
        'rejectedConnections',
        'requests',
        'server',
        'uptimeMs',
      ].sort(),
    );
    expect(stats.server).toBe('s1');
    expect(stats.connections).toBeGreaterThanOrEqual(1);
    expect(stats.requests).toBeGreaterThanOrEqual(1);
  });

  it('QUIT answers BYE and the server closes', async () => {
    const c = await fresh();
    expect(kindOf(await c.request('QUIT'))).toBe('BYE');
    await c.closed;
  });
});

describe('errors', () => {
  const badRequests: Array<[string, string]> = [
    ['unknown command', 'PLAY song'],
    ['lower-case verb', 'check tiny'],
    ['empty line', ''],
    ['too many arguments', 'CHECK tiny extra'],
    ['too few arguments', 'CHECK'],
    ['arguments to LIST', 'LIST all'],
    ['a path as song id', 'CHECK ../../etc/passwd'],
    ['a song id that is too long', `CHECK ${'a'.repeat(129)}`],
    ['a negative offset', 'GET tiny -1'],
    ['a non-numeric offset', 'GET tiny 1x'],
    ['a double space', 'GET  tiny'],
    ['a tab for a space', 'GET\ttiny'],
  ];

  it.each(badRequests)('%s is ERR 400 and the connection stays usable', async (_what, line) => {
    const c = await fresh();
    const reply = await c.request(line);
    expect(kindOf(reply)).toBe('ERR 400');
    expect(kindOf(await c.request('HELLO'))).toBe('OK');
  });

  it('a line that is not UTF-8 is ERR 400 and the connection stays usable', async () => {
    const c = await fresh();
    c.send(Buffer.from([0x47, 0x45, 0x54, 0x20, 0xff, 0xfe, 0x0a]));
    expect(kindOf(await c.next())).toBe('ERR 400');
    expect(kindOf(await c.request('HELLO'))).toBe('OK');
  });

  it('a lower-case verb gets a hint naming the upper-case one', async () => {
    const c = await fresh();
    const reply = await c.request('check tiny');
    expect(reply.response.kind === 'ERR' && reply.response.text).toContain('CHECK');
  });

  it('a line over 1024 bytes is ERR 413 and the server closes', async () => {
    const c = await fresh();
    const reply = await c.request(`CHECK ${'a'.repeat(2000)}`);
    expect(kindOf(reply)).toBe('ERR 413');
    await c.closed;
  });

  it('a line of exactly 1024 bytes is read (and answered 400 for its bad id)', async () => {
    const c = await fresh();
    expect(kindOf(await c.request(`CHECK ${'a'.repeat(1018)}`))).toBe('ERR 400');
    expect(kindOf(await c.request('HELLO'))).toBe('OK');
  });
});

describe('CHECK answered without tracing', () => {
  // An untraced server answers a plain CHECK on a fast path; a traced one parses every line.
  const lines = [
    'CHECK medium',
    'CHECK tiny\r',
    'CHECK other',
    `CHECK ${'a'.repeat(128)}`,
    `CHECK ${'a'.repeat(129)}`,
    'CHECK ../../etc/passwd',
    'CHECK tiny extra',
    'CHECK  tiny',
    'CHECK ',
    'CHECK',
    'CHECKtiny',
    'CHECK \u00e9t\u00e9',
    'HELLO',
  ];

  /** Sends every line in one write (pipelined) and reads until the last answer, HELLO's OK. */
  function exchange(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: LOOPBACK });
      let received = '';
      socket.on('error', reject);
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (/(^|\n)OK [^\n]*\n$/.test(received)) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.write(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'));
    });
  }

  /** Sends one line at a time, each once the answer to the one before is in: each read holds one whole line. */
  function oneByOne(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: LOOPBACK });
      socket.setNoDelay(true);
      let received = '';
      let sent = 0;
      const sendNext = () => socket.write(Buffer.from(`${lines[sent++]}\n`, 'utf8'));
      socket.on('error', reject);
      socket.on('connect', sendNext);
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.split('\n').length - 1 < sent) return;
        if (sent < lines.length) sendNext();
        else {
          socket.destroy();
          resolve(received);
        }
      });
    });
  }

  it('answers every line byte for byte as a traced server does, in order', async () => {
    const untraced = await exchange(server.port);
    // One line per read takes the shortest path of all; it answers the same bytes.
    expect(await oneByOne(server.port)).toBe(untraced);
    const seen: string[] = [];
    const traced = (event: { line: string }) => void seen.push(event.line);
    server.on('request', traced);
    let withTrace: string;
    try {
      withTrace = await exchange(server.port);
    } finally {
      server.off('request', traced);
    }
    expect(seen).toEqual(lines.map((l) => l.replace(/\r$/, '')));
    expect(untraced).toBe(withTrace);
    const answers = untraced.split('\n').slice(0, -1);
    expect(answers).toHaveLength(lines.length);
    expect(answers[0]).toBe(`EXIST 300000 ${fixture.sha256Of('medium')} active=0`);
    expect(answers[1]).toMatch(/^EXIST 1024 [0-9a-f]{64} active=0$/);
    expect(answers.slice(2, 4)).toEqual(['NOT_EXIST', 'NOT_EXIST']);
    expect(answers.slice(4, 12).every((a) => a.startsWith('ERR 400 '))).toBe(true);
    // With the listener gone, the server is untraced again: the fast path answers as before.
    expect(await exchange(server.port)).toBe(untraced);
  });
});

describe('connection events', () => {
  it('name the peer when it closes, also a connection opened before anyone listened', async () => {
    const c = await fresh();
    const localPort = c.socket.localPort;
    expect(kindOf(await c.request('HELLO'))).toBe('OK'); // the server has it
    const events: Array<{ remoteAddress: string; remotePort: number }> = [];
    const onClosed = (event: { remoteAddress: string; remotePort: number }) => void events.push(event);
    server.on('connectionClosed', onClosed);
    try {
      expect(kindOf(await c.request('QUIT'))).toBe('BYE');
      await c.closed;
      await eventually(() => events.some((e) => e.remotePort === localPort), 10_000, 'the closed event of the connection');
      // Every connection that closed meanwhile (this one, earlier tests' ones) is named.
      expect(events.every((e) => /127\.0\.0\.1$/.test(e.remoteAddress))).toBe(true);
    } finally {
      server.off('connectionClosed', onClosed);
    }
  });
});
