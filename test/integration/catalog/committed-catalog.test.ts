// The shipped catalog.json: its shape as the project's issue asks, and its sha256s are the hashes
// of the files the generator makes (uses the default cache, like the servers do).
import { describe, expect, it } from 'vitest';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { sha256File, verifyLibrary } from '../../../src/catalog/verify.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';

const SERVER_BITRATES = [128, 160, 192, 224, 256, 320];

describe('the committed catalog.json', () => {
  const loaded = loadCatalog(defaultCatalogPath);
  const { servers, songs } = loaded.catalog;
  const byId = new Map(songs.map((s) => [s.id, s]));

  it('lists servers s1 (localhost:5000) and s2 (localhost:5001)', () => {
    expect(servers).toEqual([
      { id: 's1', host: 'localhost', port: 5000 },
      { id: 's2', host: 'localhost', port: 5001 },
    ]);
  });

  it('has song1 on s1 only, song2 on both, song3 on s2 only, a song on no server, and songs on each', () => {
    expect(songs.length).toBeGreaterThanOrEqual(12);
    expect(byId.get('song1')?.servers).toEqual(['s1']);
    expect(byId.get('song2')?.servers).toEqual(['s1', 's2']);
    expect(byId.get('song3')?.servers).toEqual(['s2']);
    expect(songs.some((s) => s.servers.length === 0)).toBe(true);
    expect(songs.filter((s) => s.servers.includes('s1')).length).toBeGreaterThan(3);
    expect(songs.filter((s) => s.servers.includes('s2')).length).toBeGreaterThan(3);
  });

  it('has generated songs of 2 to 6 minutes at MPEG-1 Layer III bitrates of 128 to 320 kbps', () => {
    for (const song of songs) {
      expect(song.file, song.id).toBeUndefined();
      expect(song.durationSec, song.id).toBeGreaterThanOrEqual(120);
      expect(song.durationSec, song.id).toBeLessThanOrEqual(360);
      expect(SERVER_BITRATES, song.id).toContain(song.bitrateKbps);
    }
  });

  it('records for every song the sha256 and size of its generated file', async () => {
    const files = await resolveLibrary(loaded);
    expect(files.size).toBe(songs.length);
    for (const song of songs) {
      expect(await sha256File(files.get(song.id) ?? ''), song.id).toBe(song.sha256);
    }
    expect(await verifyLibrary(loaded, files)).toEqual([]);
  });
});
