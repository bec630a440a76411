// The generated songs as a listener gets them: Debian's real decoders (mpg123, FFmpeg) play every
// song of the shipped catalog without an error or a warning, hear music (not silence) for the
// catalog's duration, and hear no click where the generator tiled copies of frames together.
//
// Every song is decoded fully, by both decoders, two at a time (the machine has two cores): a
// 4-minute mono song decodes in well under a second, so the whole catalog costs seconds, and a
// fault in the middle of one song (a bad seam) is not missed by decoding only its start.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { frameCountFor, generateMp3 } from '../../../src/catalog/mp3.js';
import { songTiling } from '../../../src/catalog/music/tile.js';
import type { CatalogSong } from '../../../src/catalog/types.js';
import { defaultCatalogPath, packageRoot } from '../../../src/util/paths.js';

const run = promisify(execFile);
const DECODERS = ['mpg123', 'ffmpeg', 'ffprobe'] as const;
const missing = DECODERS.filter((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined);
if (missing.length > 0) console.warn(`skipping the decoder tests of generated songs: ${missing.join(', ')} missing (apt-get install -y mpg123 ffmpeg)`);

const SAMPLE_RATE = 44100;
const SAMPLES_PER_FRAME = 1152;
/** mpg123 drops the decoder's own delay (529 samples) from the start: decoded sample 0 is file sample 529. */
const MPG123_SKIPPED_SAMPLES = 529;
/** The bounds: the duration within 0.05 s, a level above -40 dBFS. */
const DURATION_TOLERANCE_SEC = 0.05;
const MIN_RMS_DBFS = -40;
/** Decoders run this many at a time: one per core. */
const PARALLEL_DECODES = 2;
/** A seam's audio may differ from a straight encoding's by the quantization noise of a different encoder run: -50 dBFS. */
const SEAM_TOLERANCE = Math.round(32768 * 0.00316);
/** Samples either side of a seam that are compared: two frames, past the MDCT overlap (576) and the encoder delay (1105); the fade starts later. */
const SEAM_WINDOW = 2 * SAMPLES_PER_FRAME;
/** Generating the catalog (in a fresh clone) and decoding it twice on a busy 2-core machine. */
const SLOW_TEST_MS = 600_000;

interface Decoded {
  song: CatalogSong;
  file: string;
  /** mpg123's mono 16-bit output. */
  pcm: Int16Array;
  mpg123Stderr: string;
  ffmpegStderr: string;
  ffprobeDurationSec: number;
}

async function decode(song: CatalogSong, file: string): Promise<Decoded> {
  const mpg123 = await run('mpg123', ['-q', '-s', file], { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 });
  const ffmpeg = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-f', 'null', '-']);
  const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  const raw = mpg123.stdout;
  return {
    song,
    file,
    pcm: new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length - (raw.length % 2))),
    mpg123Stderr: mpg123.stderr.toString(),
    ffmpegStderr: ffmpeg.stderr,
    ffprobeDurationSec: Number(probe.stdout.trim()),
  };
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The level (RMS, in dB below full scale) and the largest absolute sample. */
function levels(pcm: Int16Array): { rmsDbfs: number; peak: number } {
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < pcm.length; i++) {
    const v = pcm[i] ?? 0;
    sum += v * v;
    if (v > peak) peak = v;
    else if (-v > peak) peak = -v;
  }
  return { rmsDbfs: 20 * Math.log10(Math.sqrt(sum / Math.max(1, pcm.length)) / 32768), peak };
}

/** The largest step between neighbouring samples in [from, to). */
function maxJump(pcm: Int16Array, from: number, to: number): number {
  let max = 0;
  for (let i = Math.max(1, from); i < Math.min(to, pcm.length); i++) max = Math.max(max, Math.abs((pcm[i] ?? 0) - (pcm[i - 1] ?? 0)));
  return max;
}

/** The largest difference between the audio at [from, to) and the audio `shift` samples earlier. */
function maxDifference(pcm: Int16Array, from: number, to: number, shift: number): number {
  let max = 0;
  for (let i = from; i < to; i++) max = Math.max(max, Math.abs((pcm[i] ?? 0) - (pcm[i - shift] ?? 0)));
  return max;
}

describe.skipIf(missing.length > 0)('the generated songs of the shipped catalog, through real decoders', () => {
  const loaded = loadCatalog(defaultCatalogPath);
  const songs = loaded.catalog.songs.filter((song) => song.file === undefined);
  let decoded: Decoded[] = [];

  beforeAll(async () => {
    const files = await resolveLibrary(loaded);
    decoded = await inPool(songs, PARALLEL_DECODES, (song) => decode(song, files.get(song.id) ?? ''));
  }, SLOW_TEST_MS);

  it('decode with no error or warning from mpg123 or FFmpeg', () => {
    expect(decoded).toHaveLength(songs.length);
    for (const d of decoded) {
      expect(d.mpg123Stderr, `mpg123 on ${d.song.id}`).toBe('');
      expect(d.ffmpegStderr, `ffmpeg on ${d.song.id}`).toBe('');
    }
  });

  it('last their catalog duration within 0.05 s, as ffprobe reports it and as mpg123 decodes it', () => {
    for (const d of decoded) {
      expect(Math.abs(d.ffprobeDurationSec - d.song.durationSec), `ffprobe on ${d.song.id}: ${d.ffprobeDurationSec} s`).toBeLessThanOrEqual(
        DURATION_TOLERANCE_SEC,
      );
      const decodedSec = d.pcm.length / SAMPLE_RATE;
      expect(Math.abs(decodedSec - d.song.durationSec), `mpg123 on ${d.song.id}: ${decodedSec} s`).toBeLessThanOrEqual(DURATION_TOLERANCE_SEC);
    }
  });

  it('are not silent: RMS above -40 dBFS, and no sample at full scale (no clipping)', () => {
    for (const d of decoded) {
      const { rmsDbfs, peak } = levels(d.pcm);
      expect(rmsDbfs, d.song.id).toBeGreaterThan(MIN_RMS_DBFS);
      expect(peak, d.song.id).toBeLessThan(32767);
    }
  });

  it('are different music from song to song', () => {
    const fingerprints = new Set(
      decoded.map((d) =>
        createHash('sha256')
          .update(d.pcm.subarray(SAMPLE_RATE * 20, SAMPLE_RATE * 30))
          .digest('hex'),
      ),
    );
    expect(fingerprints.size).toBe(decoded.length);
  });

  it('have no click at a seam: the audio there is the audio one loop earlier, and steps no more than elsewhere', () => {
    let seamsChecked = 0;
    for (const d of decoded) {
      const tiling = songTiling(d.song.id, frameCountFor(d.song.durationSec) - 1);
      expect(tiling.kind, d.song.id).toBe('tiled');
      if (tiling.kind !== 'tiled') continue;
      const period = tiling.phraseFrames * SAMPLES_PER_FRAME;
      const at = (frame: number) => frame * SAMPLES_PER_FRAME - MPG123_SKIPPED_SAMPLES;
      const seams: number[] = [];
      for (let frame = tiling.loopStart + tiling.phraseFrames; frame < tiling.tailStart; frame += tiling.phraseFrames) seams.push(at(frame));
      seams.push(at(tiling.tailStart));
      // The biggest step anywhere away from the seams (drum hits are the steepest sounds).
      let elsewhere = 0;
      for (let from = at(tiling.loopStart) + SEAM_WINDOW; from + period <= at(tiling.loopStart) + 2 * period - SEAM_WINDOW; from += SEAM_WINDOW) {
        elsewhere = Math.max(elsewhere, maxJump(d.pcm, from, from + SEAM_WINDOW));
      }
      for (const seam of seams) {
        // One loop earlier the same audio was encoded straight through (the first copy follows the
        // intro, which the encoder played into it): a seam that clicks differs there.
        expect(maxDifference(d.pcm, seam - SEAM_WINDOW, seam + SEAM_WINDOW, period), `${d.song.id}: seam at sample ${seam}`).toBeLessThanOrEqual(
          SEAM_TOLERANCE,
        );
        expect(maxJump(d.pcm, seam - SEAM_WINDOW, seam + SEAM_WINDOW), `${d.song.id}: step at seam ${seam}`).toBeLessThanOrEqual(elsewhere);
        seamsChecked++;
      }
    }
    expect(seamsChecked).toBeGreaterThan(songs.length * 10);
  });
});

describe('generating a song', () => {
  it('gives byte-identical files in another process (and in this one)', () => {
    // Long enough for the tiling (a phrase repeated, then the encoded tail); every shipped song is
    // also held to its committed sha256 below and in catalog-verify, which is the cross-machine check.
    const song = { id: 'song7', title: 'Twice', artist: 'Same', durationSec: 24, bitrateKbps: 192 };
    const here = createHash('sha256').update(generateMp3(song)).digest('hex');
    const script = `import { generateMp3 } from './dist/src/catalog/mp3.js'; import { createHash } from 'node:crypto';
      process.stdout.write(createHash('sha256').update(generateMp3(${JSON.stringify(song)})).digest('hex'));`;
    const other = () => execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: packageRoot, encoding: 'utf8' });
    expect(other()).toBe(here);
  }, 120_000);

  it(
    'writes the same bytes into the cache as the catalog records',
    async () => {
      const loaded = loadCatalog(defaultCatalogPath);
      const files = await resolveLibrary(loaded, { songIds: ['song1'] });
      const song = loaded.catalog.songs.find((s) => s.id === 'song1');
      const bytes = await readFile(files.get('song1') ?? '');
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(song?.sha256);
    },
    SLOW_TEST_MS,
  );
});
