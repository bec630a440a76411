// The client's journey against real servers in-process: ask both, cancel or choose, download or
// stream verified, resume on the other server, and warn about a catalog of another version.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromParsedCatalog } from '../../../src/catalog/load.js';
import { runJourney, type JourneyEvent, type JourneyHooks, type JourneyRequest } from '../../../src/client/journey.js';
import { downloadFileName } from '../../../src/client/journey-file.js';
import { ClientSession, type JourneyServer, type SessionEvent } from '../../../src/client/journey-session.js';
import type { JukeboxServer } from '../../../src/server/server.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../../helpers/server-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

let fixture: LibraryFixture | undefined;
const sessions: ClientSession[] = [];
const tmps: Array<{ cleanup(): void }> = [];

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((s) => s.close()));
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
  for (const t of tmps.splice(0)) t.cleanup();
});

interface World {
  lib: LibraryFixture;
  s1: JukeboxServer;
  s2: JukeboxServer;
  session: ClientSession;
  sessionEvents: SessionEvent[];
  outDir: string;
}

async function world(options: { streamSpeed?: number; clientCatalogNote?: string } = {}): Promise<World> {
  const lib = createLibraryFixture();
  fixture = lib;
  const serverOptions = options.streamSpeed === undefined ? {} : { streamSpeed: options.streamSpeed };
  const s1 = await startTestServer(lib, 's1', serverOptions);
  const s2 = await startTestServer(lib, 's2', serverOptions);
  const servers: JourneyServer[] = [
    { id: 's1', host: LOOPBACK, port: s1.port, number: 1 },
    { id: 's2', host: LOOPBACK, port: s2.port, number: 2 },
  ];
  // A different catalog file (one more song, held by no server) has a different version.
  const extraSong = {
    id: 'note',
    title: options.clientCatalogNote ?? '',
    artist: 'nobody',
    durationSec: 1,
    bitrateKbps: 128,
    bytes: 0,
    sha256: '0'.repeat(64),
    servers: [],
  };
  const catalog =
    options.clientCatalogNote === undefined
      ? lib.loaded
      : fromParsedCatalog({ ...lib.loaded.catalog, songs: [...lib.loaded.catalog.songs, extraSong] }, join(lib.dir, 'other.json'));
  const sessionEvents: SessionEvent[] = [];
  const session = new ClientSession({ catalog, servers, onEvent: (e) => sessionEvents.push(e) });
  sessions.push(session);
  const tmp = makeTmpDir('jukebox-journey-');
  tmps.push(tmp);
  return { lib, s1, s2, session, sessionEvents, outDir: join(tmp.dir, 'downloads') };
}

async function journey(w: World, request: Omit<JourneyRequest, 'outDir'> & { outDir?: string }, hooks: Omit<JourneyHooks, 'onEvent'> = {}) {
  const events: JourneyEvent[] = [];
  const outcome = await runJourney(w.session, { outDir: w.outDir, ...request }, { ...hooks, onEvent: (e) => events.push(e) });
  return { outcome, events, types: events.map((e) => e.type) };
}

describe('runJourney', () => {
  it('cancels a song no server holds as absent, with both NOT_EXIST answers and their latencies', async () => {
    const w = await world();
    const { outcome, events } = await journey(w, { query: 'nowhere' });
    expect(outcome).toMatchObject({ status: 'cancelled', reason: 'absent', songId: 'nowhere' });
    const answers = events.find((e) => e.type === 'answers');
    if (answers?.type !== 'answers') throw new Error('no answers event');
    expect(answers.answers.map((a) => [a.server.id, a.answer.outcome])).toEqual([
      ['s1', 'not_exist'],
      ['s2', 'not_exist'],
    ]);
    for (const a of answers.answers) expect(a.answer.latencyMs).toBeGreaterThan(0);
  });

  it('downloads a song only one server holds from that server, verified, to downloads/<artist> - <title>.mp3', async () => {
    const w = await world();
    const { outcome, types } = await journey(w, { query: 'TITLE OF TINY', action: 'download' });
    expect(outcome).toMatchObject({ status: 'verified', choice: { serverId: 's1', reason: 'only-holder' }, sha256: w.lib.sha256Of('tiny') });
    expect(types.filter((t) => t !== 'progress')).toEqual(['song', 'asking', 'answers', 'choice', 'action', 'transfer-started', 'verified', 'saved']);
    const file = join(w.outDir, 'Fixture Artist - Title of tiny.mp3');
    expect(outcome.status === 'verified' && outcome.file).toBe(file);
    expect(readFileSync(file).equals(w.lib.bytesOf('tiny'))).toBe(true);
    expect(readdirSync(w.outDir)).toEqual(['Fixture Artist - Title of tiny.mp3']); // no .part left
  });

  it('offers both holders with the faster one as default, and downloads from the one the user picks', async () => {
    const w = await world();
    let offered: { holders: string[]; defaultServerId: string; defaultReason: string } | undefined;
    const { outcome } = await journey(
      w,
      { query: 'medium', action: 'download' },
      {
        chooseServer: async (offer) => {
          offered = { holders: offer.holders.map((h) => h.server.id), defaultServerId: offer.defaultServerId, defaultReason: offer.defaultReason };
          return 's2';
        },
      },
    );
    expect(offered).toMatchObject({ holders: ['s1', 's2'], defaultReason: 'fastest' });
    expect(outcome).toMatchObject({ status: 'verified', choice: { serverId: 's2', reason: 'user', order: ['s2', 's1'] }, transfer: { servedBy: ['s2'] } });
    expect(w.s2.stats().bytesSent).toBeGreaterThanOrEqual(300_000);
    expect(w.s1.stats().bytesSent).toBeLessThan(300_000);
  });

  it('makes the --prefer server the default of the offer', async () => {
    const w = await world();
    let defaultServerId = '';
    await journey(
      w,
      { query: 'medium', action: 'download', prefer: 's2' },
      {
        chooseServer: async (offer) => {
          defaultServerId = offer.defaultServerId;
          return offer.defaultServerId;
        },
      },
    );
    expect(defaultServerId).toBe('s2');
  });

  it('asks for the action when none is fixed', async () => {
    const w = await world();
    let asked = '';
    const { outcome } = await journey(w, { query: 'other' }, { chooseAction: async (song) => ((asked = song.id), 'download') });
    expect(asked).toBe('other');
    expect(outcome).toMatchObject({ status: 'verified', action: 'download', choice: { serverId: 's2' } });
  });

  it('streams with simulated playback: started, then a summary; at twice the arrival rate it stalls', async () => {
    const w = await world({ streamSpeed: 20 });
    const { outcome, events } = await journey(w, { query: 'medium', action: 'stream', playbackSpeed: 40 });
    expect(outcome.status).toBe('verified');
    if (outcome.status !== 'verified' || !outcome.playback) throw new Error('expected a verified stream with playback figures');
    const changes = events.flatMap((e) => (e.type === 'playback-change' ? [e.change.type] : []));
    expect(changes[0]).toBe('playback-started');
    expect(changes).toContain('stall-started');
    expect(outcome.playback.stalls).toBeGreaterThanOrEqual(1);
    expect(outcome.playback.stallMs).toBeGreaterThan(0);
    expect(outcome.playback.startupDelayMs).toBeGreaterThan(0);
    expect(outcome.file).toBeUndefined();
  });

  it('resumes on the other server when the first one stops part-way, and tells where', async () => {
    // 300 KB at 128 kbit/s × 10 takes about 2 s: plenty of time to stop s1 after its first bytes.
    const w = await world({ streamSpeed: 10 });
    const events: JourneyEvent[] = [];
    let stopping: Promise<void> | undefined;
    const outcome = await runJourney(
      w.session,
      { query: 'medium', action: 'stream', prefer: 's1' },
      {
        chooseServer: async () => 's1',
        onEvent: (e) => {
          events.push(e);
          if (e.type === 'progress' && e.serverId === 's1' && stopping === undefined) stopping = w.s1.close({ graceful: false });
        },
      },
    );
    await stopping;
    expect(outcome).toMatchObject({ status: 'verified', transfer: { servedBy: ['s1', 's2'], failovers: 1 } });
    const resuming = events.find((e) => e.type === 'resuming');
    expect(resuming).toMatchObject({ type: 'resuming', fromServerId: 's1', toServerId: 's2' });
    if (resuming?.type === 'resuming') expect(resuming.atBytes).toBeGreaterThan(0);
  });

  it('carries on with the other server when one is down', async () => {
    const w = await world();
    await w.s2.close({ graceful: false });
    const { outcome } = await journey(w, { query: 'medium', action: 'download' });
    expect(outcome).toMatchObject({ status: 'verified', choice: { serverId: 's1', reason: 'only-holder' } });
    if (outcome.status !== 'verified') throw new Error('expected verified');
    expect(outcome.answers.map((a) => a.answer.outcome)).toEqual(['exist', 'unavailable']);
  });

  it('says unavailable, not absent, when the server that might hold the song is down', async () => {
    const w = await world();
    await w.s2.close({ graceful: false });
    const { outcome } = await journey(w, { query: 'other' });
    expect(outcome).toMatchObject({ status: 'cancelled', reason: 'unavailable', unavailable: ['s2'] });
  });

  it('cancels as unreachable when every server is down, promptly', async () => {
    const w = await world();
    await Promise.all([w.s1.close({ graceful: false }), w.s2.close({ graceful: false })]);
    const { outcome } = await journey(w, { query: 'medium' });
    expect(outcome).toMatchObject({ status: 'cancelled', reason: 'unreachable', unavailable: ['s1', 's2'] });
    const statuses = await w.session.probe();
    expect(statuses.map((s) => s.status)).toEqual(['down', 'down']);
  });

  it('warns once per server when a server serves another catalog version, naming both versions', async () => {
    const w = await world({ clientCatalogNote: 'edited' });
    const statuses = await w.session.probe();
    expect(statuses.map((s) => s.status)).toEqual(['up', 'up']);
    await journey(w, { query: 'tiny', action: 'download' });
    expect(w.sessionEvents).toEqual([
      { type: 'catalog-mismatch', serverId: 's1', serverVersion: w.lib.loaded.version, clientVersion: w.session.catalog.version },
      { type: 'catalog-mismatch', serverId: 's2', serverVersion: w.lib.loaded.version, clientVersion: w.session.catalog.version },
    ]);
    expect(w.session.catalog.version).not.toBe(w.lib.loaded.version);
  });

  it('asks the servers about a valid id the catalog does not list, and suggests close names', async () => {
    const w = await world();
    const { outcome, events } = await journey(w, { query: 'tinyy' });
    expect(events[0]).toMatchObject({ type: 'not-in-catalog', songId: 'tinyy' });
    expect(outcome).toMatchObject({ status: 'cancelled', reason: 'absent' });
    if (outcome.status === 'cancelled') expect(outcome.suggestions.map((s) => s.id)).toContain('tiny');
  });

  it('answers a name that is neither a title nor an id with suggestions, asking no server', async () => {
    const w = await world();
    const { outcome, events } = await journey(w, { query: 'Title of mediun' });
    expect(outcome.status).toBe('unknown-song');
    if (outcome.status === 'unknown-song') expect(outcome.suggestions[0]?.id).toBe('medium');
    expect(events).toEqual([]);
    expect(w.s1.stats().requests).toBe(0);
  });

  it('rejects bad input before anything is asked', async () => {
    const w = await world();
    expect((await journey(w, { query: '   ' })).outcome).toMatchObject({ status: 'bad-query', problem: { kind: 'empty' } });
    expect((await journey(w, { query: 'x'.repeat(10_240) })).outcome).toMatchObject({ status: 'bad-query', problem: { kind: 'too-long' } });
    expect((await journey(w, { query: 'a\x1b[2Jb' })).outcome).toMatchObject({ status: 'bad-query', problem: { kind: 'control-characters' } });
  });

  it('an abort cancels the journey: a stream in progress is cut, and a download leaves no file', async () => {
    const w = await world({ streamSpeed: 2 });
    const abort = new AbortController();
    const { outcome } = await journey(
      w,
      { query: 'medium', action: 'stream', signal: abort.signal },
      { chooseServer: async (offer) => (setImmediate(() => abort.abort()), offer.defaultServerId) },
    );
    expect(outcome).toMatchObject({ status: 'cancelled', reason: 'interrupted' });
    const aborted = new AbortController();
    aborted.abort();
    const download = await journey(w, { query: 'tiny', action: 'download', signal: aborted.signal });
    expect(download.outcome).toMatchObject({ status: 'cancelled', reason: 'interrupted' });
    expect(existsSync(w.outDir) ? readdirSync(w.outDir) : []).toEqual([]);
  });
});

describe('downloadFileName', () => {
  const name = (artist: string, title: string) => downloadFileName({ id: 'song9', artist, title });

  it('is "<artist> - <title>.mp3"', () => {
    expect(name('Mara Quell', 'Static on the Wire')).toBe('Mara Quell - Static on the Wire.mp3');
  });

  it('replaces path separators, reserved characters and control characters', () => {
    expect(name('AC/DC', 'What? <Now>: "x" | y\\z*\x07')).toBe('AC_DC - What_ _Now__ _x_ _ y_z__.mp3');
  });

  it('keeps Unicode, and cuts a long name to a valid UTF-8 name of at most 200 bytes plus the extension', () => {
    expect(name('Sigur Rós', 'Hoppípolla')).toBe('Sigur Rós - Hoppípolla.mp3');
    const long = name('歌'.repeat(100), '歌'.repeat(100));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(204);
    expect(long.endsWith('.mp3')).toBe(true);
    expect(long).not.toContain('\uFFFD');
  });

  it('never yields a hidden file or an empty name', () => {
    expect(name('..', '..')).toBe('song9.mp3');
    expect(name('.hidden', 'x')).toBe('hidden - x.mp3');
    expect(downloadFileName({ id: 'song9', artist: '/', title: '/' })).toBe('song9.mp3');
  });
});
