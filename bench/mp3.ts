// Timing of the MP3 generator: the shipped catalog's songs, composed, encoded and tiled in memory
// (no disk), from a cold start as `jukebox catalog generate` does it. The issue asks for the
// default catalog's 16 songs in at most 20 s on the 2-core machine.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { loadCatalog } from '../src/catalog/load.js';
import { generateMp3 } from '../src/catalog/mp3.js';
import { forgetEncodedSongs } from '../src/catalog/music/tile.js';
import { defaultCatalogPath } from '../src/util/paths.js';

/** The budget for generating the default catalog. */
export const MP3_CATALOG_TARGET_MS = 20_000;

/** Generates every generated song of the default catalog in memory and returns how long it took. */
export async function benchMp3Generation(): Promise<{ songs: number; ms: number; bytes: number }> {
  const songs = loadCatalog(defaultCatalogPath).catalog.songs.filter((song) => song.file === undefined);
  // Encoded songs are remembered in memory: a second run in this process would time a lookup.
  forgetEncodedSongs();
  let bytes = 0;
  const start = performance.now();
  for (const song of songs) bytes += generateMp3(song).length;
  await Promise.resolve();
  return { songs: songs.length, ms: performance.now() - start, bytes };
}

// `node dist/bench/mp3.js` prints the figure; importing this module runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { songs, ms, bytes } = await benchMp3Generation();
  process.stdout.write(
    `generated the default catalog's ${songs} songs (${(bytes / 1e6).toFixed(0)} MB) in ${ms.toFixed(0)} ms (target <= ${MP3_CATALOG_TARGET_MS} ms)\n`,
  );
}
