import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { factsOf, generatedSongPath, resolveLibrary, updateGeneratedSongFacts, type LibrarySongEvent } from '../../../src/catalog/library.js';
import { fromParsedCatalog, loadCatalog } from '../../../src/catalog/load.js';
import { generateMp3, isMp3Bitrate } from '../../../src/catalog/mp3.js';
import type { CatalogSong } from '../../../src/catalog/types.js';
import { sha256File } from '../../../src/catalog/verify.js';
import { MP3_GENERATOR_VERSION } from '../../../src/catalog/version.js';
import { isJukeboxError } from '../../../src/errors.js';

const ZERO_SHA = '0'.repeat(64);

/** A generated song with the right bytes and sha256 for its fields, unless `extra` overrides them. */
function song(id: string, extra: Partial<CatalogSong> = {}): CatalogSong {
  const base = { id, title: `Title ${id}`, artist: 'Artist', durationSec: 6, bitrateKbps: 128, servers: ['s1'], ...extra };
  const facts = isMp3Bitrate(base.bitrateKbps) ? factsOf(generateMp3(base)) : { bytes: 1, sha256: ZERO_SHA };
  return { ...base, ...facts, ...extra };
}

let dir: string;
let cache: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jukebox-library-'));
  cache = join(dir, 'cache');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function catalogOf(songs: CatalogSong[]) {
  return fromParsedCatalog({ servers: [{ id: 's1', host: 'localhost', port: 5000 }], songs }, join(dir, 'catalog.json'));
}

describe('resolveLibrary', () => {
  it('generates missing songs into <cache>/mp3/<id>-<sha16>-g<generator version>.mp3 with the catalog sha256, then reuses them', async () => {
    const loaded = catalogOf([song('a'), song('b', { durationSec: 9, bitrateKbps: 320 })]);
    const events: LibrarySongEvent[] = [];
    const files = await resolveLibrary(loaded, { cacheDir: cache, onSong: (e) => events.push(e) });
    expect([...files.keys()]).toEqual(['a', 'b']);
    for (const s of loaded.catalog.songs) {
      const file = files.get(s.id) ?? '';
      expect(file).toBe(join(cache, 'mp3', `${s.id}-${s.sha256.slice(0, 16)}-g${MP3_GENERATOR_VERSION}.mp3`));
      expect(await sha256File(file)).toBe(s.sha256);
    }
    expect(events.map((e) => [e.songId, e.action, e.index, e.total])).toEqual([
      ['a', 'generated', 1, 2],
      ['b', 'generated', 2, 2],
    ]);

    const before = await stat(files.get('a') ?? '');
    events.length = 0;
    await resolveLibrary(loaded, { cacheDir: cache, onSong: (e) => events.push(e) });
    expect(events.map((e) => e.action)).toEqual(['reused', 'reused']);
    expect((await stat(files.get('a') ?? '')).mtimeMs).toBe(before.mtimeMs);
  });

  it('regenerates a cached file of the wrong size and leaves no temporary files', async () => {
    const s = song('a');
    const loaded = catalogOf([s]);
    const path = generatedSongPath(s, cache);
    await mkdir(join(cache, 'mp3'), { recursive: true });
    await writeFile(path, 'half a file');
    const files = await resolveLibrary(loaded, { cacheDir: cache });
    expect(await sha256File(files.get('a') ?? '')).toBe(s.sha256);
    expect(await readdir(join(cache, 'mp3'))).toEqual([`a-${s.sha256.slice(0, 16)}-g${MP3_GENERATOR_VERSION}.mp3`]);
  });

  it('resolves user files relative to the catalog folder', async () => {
    await mkdir(join(dir, 'mine'));
    const data = generateMp3({ id: 'u', title: 'Mine', artist: 'Me', durationSec: 3, bitrateKbps: 192 });
    await writeFile(join(dir, 'mine', 'u.mp3'), data);
    const loaded = catalogOf([song('u', { ...factsOf(data), file: 'mine/u.mp3' })]);
    const files = await resolveLibrary(loaded, { cacheDir: cache });
    expect(files.get('u')).toBe(join(dir, 'mine', 'u.mp3'));
  });

  it('names every missing user file and its song in one E_LIBRARY_MISSING error', async () => {
    const loaded = catalogOf([song('u1', { file: 'gone/one.mp3' }), song('g'), song('u2', { file: 'gone/two.mp3' })]);
    const err = await resolveLibrary(loaded, { cacheDir: cache }).catch((e: unknown) => e);
    expect(isJukeboxError(err, 'E_LIBRARY_MISSING')).toBe(true);
    const message = (err as Error).message;
    for (const part of ['u1', join(dir, 'gone', 'one.mp3'), 'u2', join(dir, 'gone', 'two.mp3')]) expect(message).toContain(part);

    const files = await resolveLibrary(loaded, { cacheDir: cache, requireUserFiles: false });
    expect(files.get('u2')).toBe(join(dir, 'gone', 'two.mp3'));
  });

  it('refuses a user file that is a FIFO at once (no read that waits for a writer), saying so', async () => {
    execFileSync('mkfifo', [join(dir, 'pipe.mp3')]);
    const loaded = catalogOf([song('p', { file: 'pipe.mp3' })]);
    const err = await resolveLibrary(loaded, { cacheDir: cache }).catch((e: unknown) => e);
    expect(isJukeboxError(err, 'E_LIBRARY_MISSING')).toBe(true);
    expect((err as Error).message).toContain(`song p: ${join(dir, 'pipe.mp3')} (catalog file "pipe.mp3"): not a regular file`);
  });

  it('resolves only the songs asked for, and refuses an unknown id', async () => {
    const loaded = catalogOf([song('a'), song('b'), song('c')]);
    const files = await resolveLibrary(loaded, { cacheDir: cache, songIds: ['c', 'a'] });
    expect([...files.keys()]).toEqual(['a', 'c']);
    await expect(resolveLibrary(loaded, { cacheDir: cache, songIds: ['zzz'] })).rejects.toSatisfy((e) => isJukeboxError(e, 'E_BAD_ARGUMENT'));
  });

  it('refuses, at load, a generated song whose bitrate no MP3 has, naming its key', () => {
    let err: unknown;
    try {
      catalogOf([song('a', { bitrateKbps: 100 })]);
    } catch (e) {
      err = e;
    }
    expect(isJukeboxError(err, 'E_CATALOG_INVALID')).toBe(true);
    expect((err as Error).message).toContain('songs.0.bitrateKbps: expected an MPEG-1 Layer III bitrate');
    expect((err as Error).message).toContain('got 100');
  });
});

describe('updateGeneratedSongFacts', () => {
  it("fills in generated songs' bytes and sha256, keeping other fields, user songs, key order and 2-space JSON", async () => {
    // The odd key order (album before durationSec, file last but one) is what must be kept.
    const file = join(dir, 'catalog.json');
    const raw = {
      servers: [{ id: 's1', host: 'localhost', port: 5000 }],
      songs: [
        { id: 'a', title: 'A', artist: 'X', album: 'kept', durationSec: 5, bitrateKbps: 160, bytes: 0, sha256: ZERO_SHA, servers: ['s1'] },
        { id: 'u', title: 'U', artist: 'Y', durationSec: 5, bitrateKbps: 128, bytes: 7, sha256: ZERO_SHA, file: 'u.mp3', servers: [] },
      ],
    };
    await writeFile(file, `${JSON.stringify(raw, null, 2)}\n`);
    const changes = await updateGeneratedSongFacts(file);
    const expected = factsOf(generateMp3(loadCatalog(file).catalog.songs[0] as CatalogSong));
    expect(changes).toEqual([{ songId: 'a', before: { bytes: 0, sha256: ZERO_SHA }, after: expected }]);
    const text = await readFile(file, 'utf8');
    const songA = { ...raw.songs[0], ...expected };
    expect(text).toBe(`${JSON.stringify({ ...raw, songs: [songA, raw.songs[1]] }, null, 2)}\n`);
    expect(Object.keys(JSON.parse(text).songs[0])).toEqual(Object.keys(raw.songs[0] ?? {}));
    expect(await updateGeneratedSongFacts(file)).toEqual([]);
  });
});
