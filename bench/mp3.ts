// Timing of the MP3 generator: 100 four-minute songs (the issue asks for under 5 s in total).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { generateMp3 } from '../src/catalog/mp3.js';

const SONGS = 100;
const DURATION_SEC = 240;
/** The bitrates of the shipped catalog, in turn. */
const BITRATES_KBPS = [128, 160, 192, 224, 256, 320] as const;

/** How many songs the figure is about. */
export const MP3_BENCH_SONGS = SONGS;

/** Generates the i-th song of the set in memory (no disk) and returns its size in bytes. */
export function generateBenchSong(i: number): number {
  const bitrateKbps = BITRATES_KBPS[i % BITRATES_KBPS.length] ?? 128;
  return generateMp3({ id: `bench${i}`, title: `Bench ${i}`, artist: 'Bench', durationSec: DURATION_SEC, bitrateKbps }).length;
}

/** Generates SONGS four-minute songs in memory (no disk) and returns how long it took. */
export async function benchMp3Generation(): Promise<{ songs: number; ms: number; bytes: number }> {
  let bytes = 0;
  const start = performance.now();
  for (let i = 0; i < SONGS; i++) bytes += generateBenchSong(i);
  return { songs: SONGS, ms: performance.now() - start, bytes };
}

// `node dist/bench/mp3.js` prints the figure; importing this module runs nothing.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { songs, ms, bytes } = await benchMp3Generation();
  process.stdout.write(`generated ${songs} four-minute songs (${(bytes / 1e6).toFixed(0)} MB) in ${ms.toFixed(0)} ms\n`);
}
