import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assignServers, buildCatalogFromFolder, localServers, slugifySongId, uniqueSongId } from '../../../src/catalog/folder.js';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { fromParsedCatalog } from '../../../src/catalog/load.js';
import { generateMp3, type Mp3Song } from '../../../src/catalog/mp3.js';
import { sha256File, verifyLibrary } from '../../../src/catalog/verify.js';
import { isJukeboxError } from '../../../src/errors.js';
import { SONG_ID_PATTERN } from '../../../src/protocol/constants.js';

const servers = localServers(2);

let dir: string;
let music: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jukebox-folder-'));
  music = join(dir, 'music');
  await mkdir(join(music, 'Live', 'Encore'), { recursive: true });
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeSong(relativePath: string, song: Mp3Song): Promise<Buffer> {
  const data = generateMp3(song);
  await writeFile(join(music, relativePath), data);
  return data;
}

async function writeThreeSongs(): Promise<void> {
  await writeSong('Harbor Lights.mp3', {
    id: 'a',
    title: 'Harbor Lights',
    artist: 'The Paper Lanterns',
    durationSec: 12,
    bitrateKbps: 128,
    album: 'Low Tide',
    year: 2019,
  });
  await writeSong(join('Live', 'Café Noir!.MP3'), { id: 'b', title: 'Café Noir', artist: 'Odile Vance', durationSec: 7, bitrateKbps: 192 });
  // Same file name in another folder: the id must be de-duplicated.
  await writeSong(join('Live', 'Encore', 'Harbor Lights.mp3'), {
    id: 'c',
    title: 'Harbor Lights (live)',
    artist: 'The Paper Lanterns',
    durationSec: 5,
    bitrateKbps: 320,
  });
}

describe('buildCatalogFromFolder', () => {
  it('catalogs every MP3 under the folder with its tags, duration, bitrate, size, sha256 and relative file', async () => {
    await writeThreeSongs();
    const catalogFile = join(dir, 'catalog.json');
    const { catalog, skipped } = await buildCatalogFromFolder(music, { servers, assign: 'all', catalogFile });
    expect(skipped).toEqual([]);
    expect(catalog.servers).toEqual(servers);
    // Sorted path order: "Harbor Lights.mp3" < "Live/…" (upper case sorts before lower case in code units).
    expect(catalog.songs.map((s) => s.file)).toEqual(['music/Harbor Lights.mp3', 'music/Live/Café Noir!.MP3', 'music/Live/Encore/Harbor Lights.mp3']);
    expect(catalog.songs.map((s) => s.id)).toEqual(['harbor-lights', 'cafe-noir', 'harbor-lights-2']);
    const [first, second, third] = catalog.songs;
    expect(first).toMatchObject({
      title: 'Harbor Lights',
      artist: 'The Paper Lanterns',
      album: 'Low Tide',
      year: 2019,
      durationSec: 12,
      bitrateKbps: 128,
      servers: ['s1', 's2'],
    });
    expect(second).toMatchObject({ title: 'Café Noir', artist: 'Odile Vance', durationSec: 7, bitrateKbps: 192 });
    expect(third).toMatchObject({ title: 'Harbor Lights (live)', durationSec: 5, bitrateKbps: 320 });
    for (const song of catalog.songs) {
      expect(song.id).toMatch(SONG_ID_PATTERN);
      const file = join(dir, song.file ?? '');
      expect(song.sha256).toBe(await sha256File(file));
      expect(song.bytes).toBe((await readFile(file)).length);
    }
  });

  it('falls back to the file name and "Unknown Artist" when the tag has no title or artist', async () => {
    // An MP3 whose ID3 tag is removed: generate one, then cut the tag off.
    const data = generateMp3({ id: 'x', title: 'gone', artist: 'gone', durationSec: 4, bitrateKbps: 128 });
    const tagLength = 10 + (((data[6] ?? 0) << 21) | ((data[7] ?? 0) << 14) | ((data[8] ?? 0) << 7) | (data[9] ?? 0));
    await writeFile(join(music, 'No Tags Here.mp3'), data.subarray(tagLength));
    const { catalog } = await buildCatalogFromFolder(music, { servers, assign: 'all', catalogFile: join(music, 'catalog.json') });
    expect(catalog.songs).toHaveLength(1);
    expect(catalog.songs[0]).toMatchObject({ id: 'no-tags-here', title: 'No Tags Here', artist: 'Unknown Artist', durationSec: 4, file: 'No Tags Here.mp3' });
  });

  it('skips .mp3 files that are not MP3s and names them with the reason; ignores other files', async () => {
    await writeThreeSongs();
    await writeFile(join(music, 'notes.txt'), 'not music');
    await writeFile(join(music, 'broken.mp3'), 'this is plain text, not an MPEG stream\n'.repeat(20));
    const { catalog, skipped } = await buildCatalogFromFolder(music, { servers, assign: 'all', catalogFile: join(dir, 'catalog.json') });
    expect(catalog.songs).toHaveLength(3);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.file).toBe(join(music, 'broken.mp3'));
    expect(skipped[0]?.reason).not.toBe('');
  });

  it('fails with E_MP3_INVALID when no .mp3 can be read, and E_BAD_ARGUMENT when there is none', async () => {
    await writeFile(join(music, 'broken.mp3'), 'nothing to hear');
    await expect(buildCatalogFromFolder(music, { servers, assign: 'all', catalogFile: join(dir, 'c.json') })).rejects.toSatisfy((err) =>
      isJukeboxError(err, 'E_MP3_INVALID'),
    );
    await rm(join(music, 'broken.mp3'));
    await expect(buildCatalogFromFolder(music, { servers, assign: 'all', catalogFile: join(dir, 'c.json') })).rejects.toSatisfy((err) =>
      isJukeboxError(err, 'E_BAD_ARGUMENT'),
    );
    await expect(buildCatalogFromFolder(join(dir, 'nope'), { servers, assign: 'all', catalogFile: join(dir, 'c.json') })).rejects.toSatisfy((err) =>
      isJukeboxError(err, 'E_BAD_ARGUMENT'),
    );
  });

  it('gives a library that verifies, and verify names the song whose file lost or changed a byte', async () => {
    await writeThreeSongs();
    const catalogFile = join(dir, 'catalog.json');
    const { catalog } = await buildCatalogFromFolder(music, { servers, assign: 'split', catalogFile });
    await writeFile(catalogFile, JSON.stringify(catalog, null, 2));
    const loaded = fromParsedCatalog(JSON.parse(await readFile(catalogFile, 'utf8')), catalogFile);
    const files = await resolveLibrary(loaded, { cacheDir: join(dir, 'cache') });
    expect(await verifyLibrary(loaded, files)).toEqual([]);

    const changed = files.get('cafe-noir') ?? '';
    const bytes = await readFile(changed);
    bytes[1000] = (bytes[1000] ?? 0) ^ 0x01;
    await writeFile(changed, bytes);
    const truncated = files.get('harbor-lights-2') ?? '';
    await truncate(truncated, 100);

    const mismatches = await verifyLibrary(loaded, files);
    expect(mismatches.map((m) => [m.songId, m.file, m.problem])).toEqual([
      ['cafe-noir', changed, 'sha256'],
      ['harbor-lights-2', truncated, 'size'],
    ]);
    const song = catalog.songs.find((s) => s.id === 'cafe-noir');
    expect(mismatches[0]?.expected).toEqual({ bytes: song?.bytes, sha256: song?.sha256 });
    expect(mismatches[0]?.found?.sha256).toBe(await sha256File(changed));
  });
});

describe('song ids from file names', () => {
  it.each([
    ['Harbor Lights', 'harbor-lights'],
    ['Café Noir!', 'cafe-noir'],
    ['01 - Intro (Remastered 2011)', '01-intro-remastered-2011'],
    ['__hidden.track_', 'hidden.track'],
    ['日本語', 'song'],
    ['x'.repeat(300), 'x'.repeat(120)],
  ])('%s → %s', (name, id) => {
    expect(slugifySongId(name)).toBe(id);
    expect(slugifySongId(name)).toMatch(SONG_ID_PATTERN);
  });

  it('de-duplicates with -2, -3', () => {
    const taken = new Set<string>();
    expect(['a', 'a', 'a', 'a-2'].map((base) => uniqueSongId(base, taken))).toEqual(['a', 'a-2', 'a-3', 'a-2-2']);
  });
});

describe('assignServers', () => {
  const ids = (assign: Parameters<typeof assignServers>[3]) => [0, 1, 2, 3, 4].map((i) => assignServers(i, [`song${i}`, `f${i}.mp3`], servers, assign));

  it('all: every server', () => {
    expect(ids('all')).toEqual(Array(5).fill(['s1', 's2']));
  });

  it('alternate: one server each in turn', () => {
    expect(ids('alternate')).toEqual([['s1'], ['s2'], ['s1'], ['s2'], ['s1']]);
  });

  it('split: some songs on one server, some on both', () => {
    expect(ids('split')).toEqual([['s1'], ['s1', 's2'], ['s2'], ['s1', 's2'], ['s1']]);
  });

  it('a record by song id or file; unnamed songs on no server', () => {
    expect(ids({ song0: ['s2'], 'f1.mp3': ['s1'] })).toEqual([['s2'], ['s1'], [], [], []]);
  });
});
