// The client library against the real jukebox/1 server: ask both servers, choose, download and
// stream real songs verified by sha256, and resume on the other server when one stops mid-transfer.
import { afterEach, describe, expect, it } from 'vitest';
import { askServers } from '../../../src/client/ask-servers.js';
import { chooseServer } from '../../../src/client/choice.js';
import { JukeboxConnection } from '../../../src/client/connection.js';
import { ConnectionCache, type ServerEndpoint } from '../../../src/client/pool.js';
import { transferSong, type TransferSink } from '../../../src/client/transfer.js';
import type { CatalogSong } from '../../../src/catalog/types.js';
import { JukeboxError } from '../../../src/errors.js';
import type { JukeboxServer } from '../../../src/server/server.js';
import { createRng } from '../../../src/util/rng.js';
import { createLibraryFixture, type FixtureSongSpec, type LibraryFixture } from '../../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;
const caches: ConnectionCache[] = [];

afterEach(async () => {
  for (const cache of caches.splice(0)) cache.destroyAll();
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

async function twoServers(
  options: { songs?: FixtureSongSpec[]; streamSpeed?: number } = {},
): Promise<{ lib: LibraryFixture; s1: JukeboxServer; s2: JukeboxServer; cache: ConnectionCache; endpoints: ServerEndpoint[] }> {
  const lib = createLibraryFixture(options.songs ? { songs: options.songs } : {});
  fixture = lib;
  const serverOptions = options.streamSpeed === undefined ? {} : { streamSpeed: options.streamSpeed };
  const s1 = await startTestServer(lib, 's1', serverOptions);
  const s2 = await startTestServer(lib, 's2', serverOptions);
  const endpoints = [
    { id: 's1', host: LOOPBACK, port: s1.port },
    { id: 's2', host: LOOPBACK, port: s2.port },
  ];
  // Every new connection says HELLO and checks that the server serves this catalog.
  const cache = new ConnectionCache(endpoints, {
    clientName: 'client-test',
    onConnected: async (connection) => {
      const hello = await connection.hello();
      if (hello.catalog !== lib.loaded.version) throw new JukeboxError('E_PROTOCOL', `catalog ${hello.catalog} is not ours`);
    },
  });
  caches.push(cache);
  return { lib, s1, s2, cache, endpoints };
}

function songOf(lib: LibraryFixture, id: string): CatalogSong {
  const song = lib.loaded.catalog.songs.find((s) => s.id === id);
  if (!song) throw new Error(`no song ${id}`);
  return song;
}

/** A sink that keeps every byte, to compare with the file. */
function memorySink(): TransferSink & { bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return { write: (chunk: Buffer) => void chunks.push(chunk), bytes: () => Buffer.concat(chunks) };
}

describe('client against the real server', () => {
  it('asks both servers, chooses, and downloads every held song verified; a song no server holds is cancelled as absent', async () => {
    const { lib, cache, endpoints } = await twoServers();
    for (const song of lib.loaded.catalog.songs) {
      const answers = await askServers(song.id, endpoints, { connect: (s) => cache.get(s.id) });
      const choice = chooseServer(answers, 'fastest', createRng(1));
      if (song.servers.length === 0) {
        expect(choice).toEqual({ decision: 'cancel', reason: 'absent', unavailable: [] });
        continue;
      }
      if (choice.decision !== 'serve') throw new Error(`expected a server for ${song.id}`);
      expect(new Set(choice.order)).toEqual(new Set(song.servers));
      const sink = memorySink();
      const outcome = await transferSong({ song, verb: 'GET', sources: choice.order.map((id) => cache.source(id)), sink });
      expect(outcome).toMatchObject({ status: 'verified', sha256: song.sha256, bytes: song.bytes, resumes: 0 });
      expect(sink.bytes().equals(lib.bytesOf(song.id))).toBe(true);
    }
    // One kept connection per server served all of it.
    await cache.closeAll();
  });

  it('pipelines HELLO, CHECKs, a GET, LIST and STATS on one connection, answered in order', async () => {
    const { lib, s1 } = await twoServers();
    const c = await JukeboxConnection.connect({ host: LOOPBACK, port: s1.port });
    let got = 0;
    const [hello, tiny, other, get, list, stats] = await Promise.all([
      c.hello('pipeliner'),
      c.check('tiny'),
      c.check('other'),
      c.get('medium', { onData: (chunk) => (got += chunk.length) }),
      c.list(),
      c.stats(),
    ]);
    expect(hello).toMatchObject({ server: 's1', catalog: lib.loaded.version, songs: 4 });
    expect(tiny).toMatchObject({ kind: 'exist', bytes: 1024, sha256: lib.sha256Of('tiny'), active: expect.any(Number) });
    expect(other.kind).toBe('not_exist');
    expect(get).toMatchObject({ kind: 'data', length: 300_000, bytesReceived: 300_000 });
    expect(got).toBe(300_000);
    expect(list.entries.map((e) => e.song).sort()).toEqual(['empty', 'large', 'medium', 'tiny']);
    expect(stats.stats.server).toBe('s1');
    await c.quit();
    await c.whenClosed();
  });

  it('an offset past the end is ERR 416 with its status, and the connection stays usable', async () => {
    const { s1 } = await twoServers();
    const c = await JukeboxConnection.connect({ host: LOOPBACK, port: s1.port });
    await expect(c.get('tiny', { offset: 5000 })).rejects.toMatchObject({ code: 'E_SERVER_ERROR', status: 416 });
    expect((await c.check('tiny')).kind).toBe('exist');
    c.destroy();
  });

  it('a server at its connection limit answers 503, which the client reports as E_SERVER_ERROR status 503', async () => {
    const lib = createLibraryFixture();
    fixture = lib;
    const s1 = await startTestServer(lib, 's1', { limits: { maxConnections: 1 } });
    const first = await JukeboxConnection.connect({ host: LOOPBACK, port: s1.port });
    await first.hello();
    const second = await JukeboxConnection.connect({ host: LOOPBACK, port: s1.port });
    await expect(second.hello()).rejects.toMatchObject({ code: 'E_SERVER_ERROR', status: 503 });
    first.destroy();
    second.destroy();
  });

  it('STREAM delivers the song verified', async () => {
    const { lib, cache } = await twoServers({ streamSpeed: 50 });
    const song = songOf(lib, 'medium');
    const sink = memorySink();
    const outcome = await transferSong({ song, verb: 'STREAM', sources: [cache.source('s2')], sink });
    expect(outcome).toMatchObject({ status: 'verified', servedBy: ['s2'] });
    expect(sink.bytes().equals(lib.bytesOf('medium'))).toBe(true);
  });

  it('a STREAM whose server stops mid-transfer resumes on the other server from the byte it reached', async () => {
    // 300 KB at 128 kbit/s × 8: about 2.3 s per server, so s1 is stopped long before the end.
    const { lib, s1, s2, cache } = await twoServers({ streamSpeed: 8 });
    const song = songOf(lib, 'medium');
    const s2Requests: string[] = [];
    s2.on('request', (e) => s2Requests.push(e.line));
    let stopping: Promise<void> | undefined;
    const sink = memorySink();
    const outcome = await transferSong({
      song,
      verb: 'STREAM',
      sources: [cache.source('s1'), cache.source('s2')],
      sink,
      onProgress: (_received, _total, serverId) => {
        if (serverId === 's1') stopping ??= s1.close({ graceful: false });
      },
    });
    await stopping;
    expect(outcome).toMatchObject({ status: 'verified', sha256: song.sha256, resumes: 1, failovers: 1, servedBy: ['s1', 's2'] });
    const reached = outcome.segments[0]?.bytes ?? 0;
    expect(reached).toBeGreaterThan(0);
    expect(reached).toBeLessThan(song.bytes);
    expect(outcome.resumedBytes).toBe(song.bytes - reached);
    expect(s2Requests.filter((line) => line.startsWith('STREAM'))).toEqual([`STREAM medium ${reached}`]);
    expect(sink.bytes().equals(lib.bytesOf('medium'))).toBe(true);
  });

  it('a GET whose server stops mid-transfer (while the sink holds the client back) resumes on the other server, each byte written once', async () => {
    // Far larger than the loopback socket buffers, so that the server is still sending when stopped.
    const { lib, s1, cache } = await twoServers({ songs: [{ id: 'huge', bytes: 24 * 1024 * 1024, servers: ['s1', 's2'] }] });
    const song = songOf(lib, 'huge');
    const chunks: Buffer[] = [];
    let stopped = false;
    const sink: TransferSink = {
      write(chunk) {
        chunks.push(chunk);
        // The first write asks for a pause; the drain comes only once s1 is stopped.
        return stopped;
      },
      once(_event, listener) {
        if (stopped) setImmediate(listener);
        else
          void s1.close({ graceful: false }).then(() => {
            stopped = true;
            listener();
          });
      },
    };
    const outcome = await transferSong({ song, verb: 'GET', sources: [cache.source('s1'), cache.source('s2')], sink });
    expect(outcome).toMatchObject({ status: 'verified', resumes: 1, failovers: 1, servedBy: ['s1', 's2'] });
    expect(outcome.segments[0]?.error).toBe('E_RESET');
    expect(Buffer.concat(chunks).equals(lib.bytesOf('huge'))).toBe(true);
  });

  it('connections sharing one read buffer download different songs at once, every one verified', async () => {
    const { lib, endpoints } = await twoServers({
      songs: [
        { id: 'big-a', bytes: 3_000_000, servers: ['s1'] },
        { id: 'big-b', bytes: 2_500_000, servers: ['s2'] },
        { id: 'big-c', bytes: 2_000_000, servers: ['s1', 's2'] },
      ],
    });
    // Reads of six sockets land in one buffer: each must be used up before the next read.
    const shared = [0, 1, 2].map(() => new ConnectionCache(endpoints, { sharedReadBuffer: true }));
    caches.push(...shared);
    const downloads = shared.flatMap((cache) =>
      (['big-a', 'big-b', 'big-c'] as const).map((id) => {
        const song = { id, bytes: lib.bytesOf(id).length, sha256: lib.sha256Of(id) };
        const holder = id === 'big-b' ? 's2' : 's1';
        return transferSong({ song, verb: 'GET', sources: [cache.source(holder)] });
      }),
    );
    const outcomes = await Promise.all(downloads);
    expect(outcomes.map((o) => o.status)).toEqual(Array(9).fill('verified'));
  });
});
