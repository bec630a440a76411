// The library every system benchmark serves: one generated ~4 MB song (`big`) and one small song
// (`song1`, for CHECK) in a temporary folder with its catalog.json, world-readable so that nginx's
// workers can serve the very same file.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog } from '../src/catalog/load.js';
import { factsOf, resolveLibrary } from '../src/catalog/library.js';
import { generateMp3, type Mp3Song } from '../src/catalog/mp3.js';
import type { Catalog, CatalogSong, LoadedCatalog } from '../src/catalog/types.js';

export const SERVER_ID = 's1';
/** The bulk song: 262 s at 128 kbps is 4,192,170 bytes, the "4 MB song" of the issues. */
export const BIG_SONG: Mp3Song = { id: 'big', title: 'Bench Big', artist: 'Bench', durationSec: 262, bitrateKbps: 128 };
/** The song CHECK asks about. */
export const SMALL_SONG: Mp3Song = { id: 'song1', title: 'Bench Small', artist: 'Bench', durationSec: 10, bitrateKbps: 128 };

export interface BenchLibrary {
  /** Folder with catalog.json and the MP3 files (nginx's root too). */
  dir: string;
  catalogPath: string;
  loaded: LoadedCatalog;
  /** song id → absolute file, as resolveLibrary gives it. */
  files: Map<string, string>;
  bigFile: string;
  bigBytes: number;
  bigSha256: string;
}

export async function createBenchLibrary(parent: string): Promise<BenchLibrary> {
  const dir = join(parent, 'library');
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const songs = [BIG_SONG, SMALL_SONG].map((song) => writeSong(dir, song));
  const catalog: Catalog = { servers: [{ id: SERVER_ID, host: '127.0.0.1', port: 0 }], songs };
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(catalogPath, `${JSON.stringify(catalog, null, 2)}\n`);
  const loaded = loadCatalog(catalogPath);
  // Every song has a `file`, so nothing is generated into the cache: this only resolves paths.
  const files = await resolveLibrary(loaded);
  const bigFile = files.get(BIG_SONG.id);
  if (!bigFile) throw new Error('the bench library has no big song');
  const big = songs[0];
  if (!big) throw new Error('the bench library has no big song');
  return { dir, catalogPath, loaded, files, bigFile, bigBytes: big.bytes, bigSha256: big.sha256 };
}

function writeSong(dir: string, song: Mp3Song): CatalogSong {
  const data = generateMp3(song);
  const file = `${song.id}.mp3`;
  writeFileSync(join(dir, file), data, { mode: 0o644 });
  return {
    id: song.id,
    title: song.title,
    artist: song.artist,
    durationSec: song.durationSec,
    bitrateKbps: song.bitrateKbps,
    ...factsOf(data),
    servers: [SERVER_ID],
    file,
  };
}
