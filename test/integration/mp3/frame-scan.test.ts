// The frame scanner against files from a real encoder, checked with ffprobe: where the audio
// starts (after a big cover), where it ends (before ID3v1), the information frame (Info, Xing,
// none), the duration within one frame, the same audio time when fed in small pieces; and
// `catalog build` on a truncated VBR file and a renamed WAV.
import { readFileSync, statSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogFromFolder, localServers } from '../../../src/catalog/folder.js';
import { FrameScanner } from '../../../src/mp3/frames.js';
import { sniffFormat } from '../../../src/mp3/format.js';
import { indexMp3, missingFrames, type Mp3Index } from '../../../src/mp3/index.js';
import { id3v2TagBytes } from '../../../src/mp3/tags.js';
import { ffprobe, installHint, missingTools, mp3Fixtures, type Mp3Fixtures } from './fixtures.js';

const TOOLS = ['ffmpeg', 'ffprobe', 'sox'];
const missing = missingTools(TOOLS);
if (missing.length > 0) console.warn(installHint(missing));

let fx: Mp3Fixtures;
beforeAll(() => {
  if (missing.length === 0) fx = mp3Fixtures();
}, 120_000);

function index(file: string): Mp3Index {
  const found = indexMp3(readFileSync(file));
  if (!found) throw new Error(`no frames found in ${file}`);
  return found;
}

describe.skipIf(missing.length > 0)('the MP3 frame scan on real encoder output', () => {
  it('a song with a ~440 KB cover: audio starts right after the ID3v2 tag, Info frame skipped, duration as ffprobe within one frame', () => {
    const data = readFileSync(fx.cover);
    const tag = id3v2TagBytes(data, 0) ?? 0;
    expect(tag).toBeGreaterThan(400_000);
    const ix = index(fx.cover);
    expect(ix.audioStart).toBe(tag);
    expect(ix.vbrHeader).toBe('info');
    expect(ix.offsets[0]).toBeGreaterThan(ix.audioStart); // the Info frame is not audio
    expect(ix.offsets.length).toBe(ix.promisedFrames);
    const probe = ffprobe(fx.cover);
    expect(ix.offsets.length).toBe(probe.packets);
    expect(Math.abs(ix.durationSec - probe.durationSec)).toBeLessThanOrEqual(ix.frameSec);
    expect(ix.averageBitrateKbps).toBeCloseTo(128, 0);
  });

  it('a VBR song without a Xing header: no information frame, every frame counted, its true average bitrate', () => {
    const ix = index(fx.vbrNoXing);
    expect(ix.vbrHeader).toBe('none');
    const probe = ffprobe(fx.vbrNoXing);
    // ffprobe's container duration is a guess from the first frame here; its packet count is exact.
    expect(ix.offsets.length).toBe(probe.packets);
    expect(Math.abs(ix.durationSec - (probe.packets * 1152) / probe.sampleRate)).toBeLessThanOrEqual(ix.frameSec);
    const bytes = statSync(fx.vbrNoXing).size;
    expect(ix.averageBitrateKbps).toBeCloseTo((bytes * 8) / ix.durationSec / 1000, -1);
    // Not the first frame's bitrate: the frames really vary.
    const first = readFileSync(fx.vbrNoXing).subarray(ix.offsets[0] as number);
    expect(new Set([...ix.offsets.slice(0, 200)].map((o, i, all) => (all[i + 1] ?? o) - o)).size).toBeGreaterThan(2);
    expect(first.length).toBeGreaterThan(0);
  });

  it('a VBR song with a Xing header and an ID3v1 tag: Xing frame skipped and kept to its promise, audio ends before the tag', () => {
    const data = readFileSync(fx.vbrXing);
    const ix = index(fx.vbrXing);
    expect(ix.vbrHeader).toBe('xing');
    expect(ix.promisedFrames).toBe(ix.offsets.length);
    expect(data.subarray(data.length - 128, data.length - 125).toString('latin1')).toBe('TAG');
    expect(ix.audioEnd).toBe(data.length - 128);
    expect(missingFrames(ix)).toBe(0);
    const probe = ffprobe(fx.vbrXing);
    expect(Math.abs(ix.durationSec - probe.durationSec)).toBeLessThanOrEqual(ix.frameSec);
  });

  it('fed in small odd pieces, as a client receives it, the scan finds the same audio time as on the whole file', () => {
    for (const file of [fx.cover, fx.vbrNoXing, fx.vbrXing]) {
      const data = readFileSync(file);
      const scanner = new FrameScanner();
      for (let at = 0, n = 1; at < data.length; at += n, n = (n * 7 + 3) % 5000) scanner.push(data.subarray(at, at + n));
      scanner.end();
      expect(scanner.audioSec).toBeCloseTo(index(file).durationSec, 9);
    }
  });

  it('a truncated VBR file: its Xing header promises far more than it holds', () => {
    const ix = index(fx.truncated);
    expect(missingFrames(ix)).toBeGreaterThan(100);
  });

  it('a renamed WAV holds no MPEG frames and is named by its signature', () => {
    const data = readFileSync(fx.renamedWav);
    expect(indexMp3(data)).toBeUndefined();
    expect(sniffFormat(data)).toBe('WAV/RIFF');
  });

  it('catalog build keeps the good songs with their frame-counted duration and bitrate, and refuses the truncated file and the WAV, saying why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'jukebox-mp3-build-'));
    try {
      for (const file of [fx.vbrNoXing, fx.truncated, fx.renamedWav]) await copyFile(file, join(dir, file.split('/').pop() as string));
      const { catalog, skipped } = await buildCatalogFromFolder(dir, { servers: localServers(1), assign: 'all', catalogFile: join(dir, 'catalog.json') });
      expect(catalog.songs.map((s) => s.id)).toEqual(['vbr-no-xing']);
      const vbr = index(fx.vbrNoXing);
      expect(catalog.songs[0]).toMatchObject({ durationSec: Math.round(vbr.durationSec), bitrateKbps: Math.round(vbr.averageBitrateKbps) });
      const reasons = Object.fromEntries(skipped.map((s) => [s.file.split('/').pop(), s.reason]));
      expect(reasons['truncated-vbr.mp3']).toMatch(/^truncated: its Xing header promises \d+ frames \(12\.\d s\) but it holds \d+ \(\d+\.\d s\)/);
      expect(reasons['renamed-wav.mp3']).toBe('not an MP3 file (found WAV/RIFF)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
