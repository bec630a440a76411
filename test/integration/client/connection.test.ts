// JukeboxConnection against fake peers on real sockets: answers matched in order, typed errors
// for every way a server can fail, progress timeouts, timings and trace.
import { afterEach, describe, expect, it } from 'vitest';
import { JukeboxConnection, type ClientTraceEvent } from '../../../src/client/connection.js';
import { JukeboxServerError } from '../../../src/client/errors.js';
import { isJukeboxError, type ErrorCode } from '../../../src/errors.js';
import { closeAllFakes, FAKE_HOST, FakeServer, fakeJukebox, refusingPort, sha256Hex, songBytes } from '../../helpers/fake-server.js';

const SONGS = new Map([
  ['alpha', songBytes(1, 5_000)],
  ['beta', songBytes(2, 70_000)],
  ['empty', Buffer.alloc(0)],
]);

const opened = new Set<JukeboxConnection>();

async function connect(port: number, options: { requestTimeoutMs?: number; trace?: (e: ClientTraceEvent) => void } = {}): Promise<JukeboxConnection> {
  const connection = await JukeboxConnection.connect({ host: FAKE_HOST, port, ...options });
  opened.add(connection);
  return connection;
}

afterEach(async () => {
  for (const c of opened) c.destroy();
  opened.clear();
  await closeAllFakes();
});

/** Resolves with the error code a promise rejects with (fails the test if it resolves). */
async function codeOf(promise: Promise<unknown>): Promise<ErrorCode> {
  try {
    await promise;
  } catch (err) {
    if (isJukeboxError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

function collector(): { onData: (chunk: Buffer) => void; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return { onData: (chunk) => chunks.push(Buffer.from(chunk)), bytes: () => Buffer.concat(chunks) };
}

describe('JukeboxConnection: answers', () => {
  it('decodes HELLO, CHECK, GET, LIST, STATS and QUIT answers', async () => {
    const fake = await fakeJukebox(SONGS, { serverId: 's9', catalogVersion: 'abcdef012345', active: 3 });
    const c = await connect(fake.port);
    expect(await c.hello('tester')).toMatchObject({ protocol: 'jukebox/1', server: 's9', catalog: 'abcdef012345', songs: 3 });
    expect(await c.check('alpha')).toMatchObject({ kind: 'exist', bytes: 5_000, sha256: sha256Hex(SONGS.get('alpha') as Buffer), active: 3 });
    expect(await c.check('nope')).toMatchObject({ kind: 'not_exist' });
    const body = collector();
    expect(await c.get('beta', { onData: body.onData })).toMatchObject({ kind: 'data', offset: 0, length: 70_000, bytesReceived: 70_000 });
    expect(body.bytes().equals(SONGS.get('beta') as Buffer)).toBe(true);
    expect(await c.get('nope')).toMatchObject({ kind: 'not_exist' });
    expect((await c.list()).entries.map((e) => [e.song, e.bytes])).toEqual([
      ['alpha', 5_000],
      ['beta', 70_000],
      ['empty', 0],
    ]);
    expect((await c.stats()).stats.server).toBe('s9');
    await c.quit();
    await c.whenClosed();
    expect(fake.requests).toEqual(['HELLO tester', 'CHECK alpha', 'CHECK nope', 'GET beta', 'GET nope', 'LIST', 'STATS', 'QUIT']);
  });

  it('GET and STREAM from an offset deliver the rest of the song; an empty song is DATA 0', async () => {
    const fake = await fakeJukebox(SONGS);
    const c = await connect(fake.port);
    const rest = collector();
    expect(await c.stream('beta', { offset: 60_000, onData: rest.onData })).toMatchObject({
      kind: 'data',
      offset: 60_000,
      length: 10_000,
      bytesReceived: 10_000,
    });
    expect(rest.bytes().equals((SONGS.get('beta') as Buffer).subarray(60_000))).toBe(true);
    expect(await c.get('empty')).toMatchObject({ kind: 'data', length: 0, bytesReceived: 0 });
    expect(fake.requests).toEqual(['STREAM beta 60000', 'GET empty']);
  });

  it('pipelined requests sent at once are answered in order, even when the answers arrive a few bytes at a time', async () => {
    // Every answer is written 7 bytes at a time, so lines and bodies straddle chunk boundaries.
    const fake = await fakeJukebox(SONGS, { trickle: { bytes: 7, intervalMs: 1 } });
    const c = await connect(fake.port);
    const alpha = collector();
    const answers = Promise.all([c.check('alpha'), c.get('alpha', { onData: alpha.onData }), c.check('nope'), c.get('empty'), c.list(), c.check('beta')]);
    expect(c.inFlight).toBe(6);
    const [a, b, n, e, l, beta] = await answers;
    expect(a.kind).toBe('exist');
    expect(b).toMatchObject({ kind: 'data', length: 5_000 });
    expect(alpha.bytes().equals(SONGS.get('alpha') as Buffer)).toBe(true);
    expect(n.kind).toBe('not_exist');
    expect(e).toMatchObject({ kind: 'data', length: 0 });
    expect(l.entries).toHaveLength(3);
    expect(beta).toMatchObject({ kind: 'exist', bytes: 70_000 });
    expect(c.inFlight).toBe(0);
  });

  it('ignores key=value fields it does not know on OK, EXIST and DATA lines', async () => {
    const fake = await fakeJukebox(SONGS, { extraFields: 'region=eu future=1' });
    const c = await connect(fake.port);
    expect((await c.hello()).extra).toEqual({ region: 'eu', future: '1' });
    expect(await c.check('alpha')).toMatchObject({ kind: 'exist', bytes: 5_000, extra: { region: 'eu', future: '1' } });
    expect(await c.get('alpha')).toMatchObject({ kind: 'data', length: 5_000, bytesReceived: 5_000 });
  });

  it('reports connect time, time to first byte and total time on the injected clock', async () => {
    let now = 0;
    const clock = { now: () => (now += 5), wallNow: () => 1_000 };
    const fake = await fakeJukebox(SONGS);
    const c = await JukeboxConnection.connect({ host: FAKE_HOST, port: fake.port, clock });
    opened.add(c);
    expect(c.connectMs).toBe(5);
    const result = await c.get('beta');
    // Three readings: sent, response line, complete.
    expect([result.ttfbMs, result.totalMs]).toEqual([5, 10]);
  });

  it('gives the trace observer every line sent and received, with timestamps', async () => {
    const fake = await fakeJukebox(SONGS);
    const events: ClientTraceEvent[] = [];
    const c = await connect(fake.port, { trace: (e) => events.push(e) });
    await c.check('alpha');
    await c.get('alpha');
    await c.list();
    expect(events.map((e) => `${e.direction} ${e.line.split(' ').slice(0, 2).join(' ')}`)).toEqual([
      'sent CHECK alpha',
      'received EXIST 5000',
      'sent GET alpha',
      'received DATA 5000',
      'sent LIST',
      'received LIST 3',
      'received alpha 5000',
      'received beta 70000',
      'received empty 0',
    ]);
    for (const e of events) expect(e).toMatchObject({ host: FAKE_HOST, port: fake.port, atMs: expect.any(Number), wallMs: expect.any(Number) });
  });

  it('close() lets the answers in flight arrive, then closes; later requests fail E_CLOSED', async () => {
    const fake = await fakeJukebox(SONGS);
    const c = await connect(fake.port);
    expect(c.state).toBe('open');
    const answers = Promise.all([c.check('alpha'), c.get('beta')]);
    const closed = c.close();
    expect(c.state).toBe('ending');
    expect(await codeOf(c.check('alpha'))).toBe('E_CLOSED');
    const [check, get] = await answers;
    expect(check.kind).toBe('exist');
    expect(get).toMatchObject({ kind: 'data', bytesReceived: 70_000 });
    await closed;
    expect(c.isOpen).toBe(false);
    expect(c.state).toBe('closed');
  });

  it('QUIT gets BYE and then the connection refuses new requests with E_CLOSED', async () => {
    const fake = await fakeJukebox(SONGS);
    const c = await connect(fake.port);
    await c.quit();
    expect(await codeOf(c.hello())).toBe('E_CLOSED');
    await c.whenClosed();
  });

  it('refuses a bad song id, offset or client name before sending anything', async () => {
    const fake = await fakeJukebox(SONGS);
    const c = await connect(fake.port);
    expect(await codeOf(c.check('../etc/passwd'))).toBe('E_BAD_ARGUMENT');
    expect(await codeOf(c.get('alpha\nQUIT'))).toBe('E_BAD_ARGUMENT');
    expect(await codeOf(c.get('alpha', { offset: -1 }))).toBe('E_BAD_ARGUMENT');
    expect(await codeOf(c.hello('two words'))).toBe('E_BAD_ARGUMENT');
    expect(await c.check('alpha')).toMatchObject({ kind: 'exist' });
    expect(fake.requests).toEqual(['CHECK alpha']);
  });
});

describe('JukeboxConnection: failures', () => {
  it('an ERR answer fails that request with E_SERVER_ERROR and its status, and the connection stays usable', async () => {
    const fake = await FakeServer.start((line, peer) => peer.write(line === 'CHECK bad' ? 'ERR 400 bad song id\n' : 'NOT_EXIST\n'));
    const c = await connect(fake.port);
    const failed = c.check('bad');
    const next = c.check('good');
    const error = await failed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JukeboxServerError);
    expect(error).toMatchObject({ code: 'E_SERVER_ERROR', status: 400, serverText: 'bad song id' });
    expect((await next).kind).toBe('not_exist');
    expect(c.isOpen).toBe(true);
  });

  it('ERR 503 written at accept fails the first request with status 503', async () => {
    const fake = await FakeServer.start(() => {}, { onConnect: (peer) => peer.writeThenEnd('ERR 503 server is at its connection limit (1)\n') });
    const c = await connect(fake.port);
    const error = await c.hello().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_SERVER_ERROR', status: 503 });
    expect(c.isOpen).toBe(false);
  });

  it('after ERR 503 mid-pipeline, the requests behind it fail with the same status', async () => {
    const fake = await FakeServer.start((line, peer) =>
      line.startsWith('CHECK a') ? peer.write('NOT_EXIST\n') : peer.writeThenEnd('ERR 503 server is shutting down\n'),
    );
    const c = await connect(fake.port);
    const results = await Promise.allSettled([c.check('a'), c.check('b'), c.check('c')]);
    expect(results[0]).toMatchObject({ status: 'fulfilled' });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: { code: 'E_SERVER_ERROR', status: 503 } });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: { code: 'E_SERVER_ERROR', status: 503 } });
  });

  it('garbage instead of an answer fails every request in flight with E_PROTOCOL and closes the connection', async () => {
    const fake = await FakeServer.start((_line, peer) => peer.write('HTTP/1.1 200 OK\r\n\r\n'));
    const c = await connect(fake.port);
    const codes = await Promise.all([codeOf(c.check('a')), codeOf(c.check('b'))]);
    expect(codes).toEqual(['E_PROTOCOL', 'E_PROTOCOL']);
    await c.whenClosed();
    expect(await codeOf(c.check('c'))).toBe('E_CLOSED');
  });

  it('an answer of the wrong kind (DATA to CHECK) is E_PROTOCOL', async () => {
    const fake = await FakeServer.start((_line, peer) => peer.write('DATA 3\nabc'));
    const c = await connect(fake.port);
    expect(await codeOf(c.check('a'))).toBe('E_PROTOCOL');
  });

  it('a response line with no request waiting is E_PROTOCOL', async () => {
    const fake = await FakeServer.start((_line, peer) => peer.write('NOT_EXIST\nNOT_EXIST\n'));
    const c = await connect(fake.port);
    // The first answer is matched; the second has no request, which breaks the connection.
    await c.check('a');
    await c.whenClosed();
    expect(await codeOf(c.check('b'))).toBe('E_CLOSED');
  });

  it.each(['end', 'reset'] as const)(
    'a server that cuts the body part-way (%s) fails the GET with E_RESET after handing on the bytes that came',
    async (cutMode) => {
      const fake = await fakeJukebox(SONGS, { fault: { cutAfterBytes: 1_000, cutMode } });
      const c = await connect(fake.port);
      const body = collector();
      expect(await codeOf(c.get('beta', { onData: body.onData }))).toBe('E_RESET');
      const got = body.bytes();
      expect(got.length).toBeLessThanOrEqual(1_000);
      if (cutMode === 'end') expect(got.length).toBe(1_000);
      expect(got.equals((SONGS.get('beta') as Buffer).subarray(0, got.length))).toBe(true);
      expect(c.isOpen).toBe(false);
    },
  );

  it('a server that closes without answering fails the request with E_RESET', async () => {
    const fake = await FakeServer.start((_line, peer) => peer.socket.end());
    const c = await connect(fake.port);
    expect(await codeOf(c.check('alpha'))).toBe('E_RESET');
  });

  it('a hung server fails the request with E_TIMEOUT and the connection is destroyed', async () => {
    const fake = await fakeJukebox(SONGS, { fault: { hang: true } });
    const c = await connect(fake.port, { requestTimeoutMs: 200 });
    const hung = c.get('beta');
    const behind = c.check('alpha');
    expect(await codeOf(hung)).toBe('E_TIMEOUT');
    expect(await codeOf(behind)).toBe('E_TIMEOUT');
    await c.whenClosed();
    expect(await codeOf(c.check('alpha'))).toBe('E_CLOSED');
  });

  it('a slow trickle that keeps bytes moving is not a timeout, even when it takes longer than the timeout in total', async () => {
    // 2 500 bytes, 100 per 50 ms: over 1.25 s in total, against a 1 s wait for progress (a
    // 50 ms gap leaves a busy machine plenty of slack).
    const songs = new Map([['slow', songBytes(3, 2_500)]]);
    const fake = await fakeJukebox(songs, { trickle: { bytes: 100, intervalMs: 50 } });
    const c = await connect(fake.port, { requestTimeoutMs: 1_000 });
    const result = await c.get('slow');
    expect(result).toMatchObject({ kind: 'data', bytesReceived: 2_500 });
    expect(result.totalMs).toBeGreaterThan(1_000);
  });

  it('a DATA length other than the expected one fails E_INTEGRITY before any byte is handed on', async () => {
    const fake = await fakeJukebox(SONGS, { fault: { lengthSkew: 10 } });
    const c = await connect(fake.port);
    const body = collector();
    expect(await codeOf(c.get('alpha', { onData: body.onData, expectBytes: 5_000 }))).toBe('E_INTEGRITY');
    expect(body.bytes().length).toBe(0);
  });

  it('destroy() fails the requests in flight with E_CLOSED', async () => {
    const fake = await fakeJukebox(SONGS, { fault: { hang: true } });
    const c = await connect(fake.port);
    const pending = c.get('beta');
    c.destroy();
    expect(await codeOf(pending)).toBe('E_CLOSED');
  });

  it('connecting where nothing listens fails E_REFUSED', async () => {
    const port = await refusingPort();
    expect(await codeOf(JukeboxConnection.connect({ host: FAKE_HOST, port }))).toBe('E_REFUSED');
  });

  it('bad connect options fail E_BAD_ARGUMENT', async () => {
    expect(await codeOf(JukeboxConnection.connect({ host: FAKE_HOST, port: 70_000 }))).toBe('E_BAD_ARGUMENT');
    expect(await codeOf(JukeboxConnection.connect({ host: FAKE_HOST, port: 1, requestTimeoutMs: 0 }))).toBe('E_BAD_ARGUMENT');
  });
});
