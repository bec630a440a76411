// The song store: files checked at open, memory up to the budget, the rest read from disk.
import { afterEach, describe, expect, it } from 'vitest';
import { openSongStore } from '../../../src/server/song-store.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';

let fixture: LibraryFixture | undefined;
afterEach(() => fixture?.cleanup());

describe('song store', () => {
  it("holds exactly the server's songs, in catalog order", async () => {
    fixture = createLibraryFixture();
    const store = await openSongStore({ catalog: fixture.loaded, serverId: 's2', files: fixture.files, memoryBudgetBytes: 1 << 30 });
    expect(store.songs().map((s) => s.song.id)).toEqual(['empty', 'medium', 'other']);
    expect(store.get('tiny')).toBeUndefined();
    expect(store.listBody.toString().split('\n')).toHaveLength(4);
  });

  it('keeps songs in memory up to the budget and reads the rest from disk, with the same bytes', async () => {
    fixture = createLibraryFixture();
    const store = await openSongStore({ catalog: fixture.loaded, serverId: 's1', files: fixture.files, memoryBudgetBytes: 400_000 });
    const kinds = Object.fromEntries(store.songs().map((s) => [s.song.id, s.source.kind]));
    expect(kinds).toEqual({ empty: 'memory', tiny: 'memory', medium: 'memory', large: 'file' });
    expect(store.memoryBytes).toBe(301_024);
    for (const stored of store.songs()) {
      const reader = await store.openReader(stored);
      const middle = Math.floor(stored.song.bytes / 2);
      const part = await reader.read(middle, Math.min(1000, stored.song.bytes - middle));
      await reader.close();
      expect(part.equals(fixture.bytesOf(stored.song.id).subarray(middle, middle + part.length))).toBe(true);
    }
  });

  it('a song without a file is E_LIBRARY_MISSING naming it', async () => {
    fixture = createLibraryFixture();
    const files = new Map(fixture.files);
    files.delete('tiny');
    await expect(openSongStore({ catalog: fixture.loaded, serverId: 's1', files, memoryBudgetBytes: 0 })).rejects.toMatchObject({
      code: 'E_LIBRARY_MISSING',
      message: expect.stringContaining('tiny'),
    });
  });
});
