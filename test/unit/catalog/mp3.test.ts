import { parseBuffer } from 'music-metadata';
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { generateMp3, MAX_IN_MEMORY_MP3_BYTES, MP3_CHUNK_BYTES, mp3Chunks, mp3Layout, type Mp3Song } from '../../../src/catalog/mp3.js';
import { MAX_DURATION_SEC } from '../../../src/catalog/schema.js';
import { isJukeboxError } from '../../../src/errors.js';

const songs: Mp3Song[] = [
  { id: 'song2', title: 'Static on the Wire', artist: 'Mara Quell', durationSec: 240, bitrateKbps: 128 },
  { id: 'b', title: 'Copper Sky', artist: 'Northbound Drift', durationSec: 187, bitrateKbps: 192, album: 'Mileposts', year: 2021 },
  { id: 'c', title: 'Kilometre Zero', artist: 'Brass Meridian', durationSec: 133, bitrateKbps: 256 },
  { id: 'd', title: 'Slow Orbit', artist: 'Tessellate', durationSec: 345, bitrateKbps: 320 },
  { id: 'e', title: 'Short', artist: 'Tiny', durationSec: 3, bitrateKbps: 160 },
];

/** The ID3v2 tag's total length from its header (10 + syncsafe size). */
function tagLength(buf: Buffer): number {
  expect(buf.subarray(0, 3).toString('latin1')).toBe('ID3');
  return 10 + (((buf[6] ?? 0) << 21) | ((buf[7] ?? 0) << 14) | ((buf[8] ?? 0) << 7) | (buf[9] ?? 0));
}

/** Walks the MPEG frames after the tag, checking every header, and returns their lengths. */
function walkFrames(buf: Buffer, kbps: number): number[] {
  const lengths: number[] = [];
  const base = Math.floor((144000 * kbps) / 44100);
  let offset = tagLength(buf);
  while (offset < buf.length) {
    const byte2 = buf[offset + 2] ?? 0;
    // 0xFF 0xFB: sync, MPEG-1, Layer III, no CRC; sample rate bits 00: 44100 Hz.
    if (buf[offset] !== 0xff || buf[offset + 1] !== 0xfb || ((byte2 >> 2) & 0b11) !== 0) {
      throw new Error(`no valid frame header at byte ${offset} (frame ${lengths.length})`);
    }
    const length = base + ((byte2 >> 1) & 1);
    lengths.push(length);
    offset += length;
  }
  expect(offset).toBe(buf.length); // the last frame ends exactly at the end of the file
  return lengths;
}

describe('generateMp3', () => {
  it.each(songs)('is read back by music-metadata: tags, bitrate and duration of $title ($bitrateKbps kbps, $durationSec s)', async (song) => {
    const buf = generateMp3(song);
    const { common, format } = await parseBuffer(buf, { mimeType: 'audio/mpeg', size: buf.length });
    expect(common.title).toBe(song.title);
    expect(common.artist).toBe(song.artist);
    expect(common.album).toBe(song.album);
    expect(common.year).toBe(song.year);
    expect(format.codec).toBe('MPEG 1 Layer 3');
    expect(format.codecProfile).toBe('CBR'); // from the Xing "Info" header
    expect(format.sampleRate).toBe(44100);
    expect(format.bitrate).toBe(song.bitrateKbps * 1000);
    expect(Math.abs((format.duration ?? 0) - song.durationSec)).toBeLessThan(1);
    expect(format.duration).toBeCloseTo(mp3Layout(song).playedDurationSec, 6);
  });

  it('makes the same bytes every time, and different bytes for different songs', () => {
    const [first] = songs;
    if (!first) throw new Error('no song');
    const a = generateMp3(first);
    const b = generateMp3({ ...first });
    expect(a.equals(b)).toBe(true);
    const other = generateMp3({ ...first, id: 'another-id' });
    expect(other.length).toBe(a.length);
    expect(other.equals(a)).toBe(false);
  });

  it.each(songs)('is within half a frame of durationSec * kbps / 8 plus the tag and the Info frame ($bitrateKbps kbps, $durationSec s)', (song) => {
    const buf = generateMp3(song);
    const frameBytes = (144000 * song.bitrateKbps) / 44100;
    const expected = (song.durationSec * song.bitrateKbps * 1000) / 8 + tagLength(buf) + frameBytes;
    // Half a frame of rounding to whole frames, and at most two bytes of padding.
    expect(Math.abs(buf.length - expected)).toBeLessThanOrEqual(frameBytes / 2 + 2);
    expect(buf.length).toBe(mp3Layout(song).totalBytes);
  });

  it('lays out an Info frame and round(duration * 44100 / 1152) CBR frames whose padding keeps the bitrate exact', () => {
    for (const song of songs) {
      const buf = generateMp3(song);
      const lengths = walkFrames(buf, song.bitrateKbps);
      expect(lengths.length).toBe(1 + Math.round((song.durationSec * 44100) / 1152));
      const total = lengths.reduce((a, b) => a + b, 0);
      const exact = (lengths.length * 144000 * song.bitrateKbps) / 44100;
      // The Info frame is never padded and LAME pads from the second frame on: within two bytes.
      expect(Math.abs(total - exact)).toBeLessThanOrEqual(2);
    }
  });

  it('has the size mp3Layout predicts for short songs (encoded whole) and long ones (tiled), at every bitrate', () => {
    for (const [durationSec, bitrateKbps] of [
      [0.01, 64],
      [1, 80],
      [9, 112],
      [17, 160],
      [31, 224],
      [75, 320],
    ] as const) {
      const song: Mp3Song = { id: `layout-${durationSec}`, title: 'Layout', artist: 'A', durationSec, bitrateKbps };
      const layout = mp3Layout(song);
      expect(generateMp3(song).length, `${durationSec} s at ${bitrateKbps} kbps`).toBe(layout.totalBytes);
      expect(Math.abs(layout.playedDurationSec - durationSec)).toBeLessThanOrEqual(Math.max(0.0131, 1152 / 44100 - durationSec));
    }
  });

  it('puts an Info header with the played frame count and the byte count in the first frame', () => {
    const song = songs[1];
    if (!song) throw new Error('no song');
    const buf = generateMp3(song);
    const layout = mp3Layout(song);
    expect(buf[layout.tagBytes + 3] ?? 0).toBe(0xc4); // mono: the side information is 17 bytes
    const xing = layout.tagBytes + 4 + 17; // after the frame header and the mono side information
    expect(buf.subarray(xing, xing + 4).toString('latin1')).toBe('Info');
    expect(buf.readUInt32BE(xing + 4)).toBe(3); // frames and bytes fields present
    expect(buf.readUInt32BE(xing + 8)).toBe(layout.frameCount - 1);
    expect(buf.readUInt32BE(xing + 12)).toBe(layout.audioBytes);
  });

  it('keeps titles and artists outside Latin-1', async () => {
    const song: Mp3Song = { id: 'u', title: 'Ночной поезд 夜行列車', artist: 'Zoë & the 🎸', durationSec: 10, bitrateKbps: 128 };
    const buf = generateMp3(song);
    const { common } = await parseBuffer(buf, { mimeType: 'audio/mpeg', size: buf.length });
    expect(common.title).toBe(song.title);
    expect(common.artist).toBe(song.artist);
  });

  it('refuses a bitrate that MPEG-1 Layer III does not have', () => {
    let caught: unknown;
    try {
      generateMp3({ id: 'x', title: 't', artist: 'a', durationSec: 10, bitrateKbps: 100 });
    } catch (err) {
      caught = err;
    }
    expect(isJukeboxError(caught, 'E_BAD_ARGUMENT')).toBe(true);
    expect((caught as Error).message).toContain('100 kbps');
  });

  it('refuses 32 to 56 kbps, which the encoder would resample away from 44100 Hz', () => {
    for (const bitrateKbps of [32, 40, 48, 56]) {
      expect(() => generateMp3({ id: 'x', title: 't', artist: 'a', durationSec: 10, bitrateKbps }), `${bitrateKbps} kbps`).toThrow(/below 64 kbps/);
    }
  });

  it('refuses durations past 3 hours (1e9 s, 60,000 s) with the bound, before making anything', () => {
    for (const durationSec of [1e9, 60_000, MAX_DURATION_SEC + 1, Number.POSITIVE_INFINITY]) {
      let caught: unknown;
      try {
        mp3Chunks({ id: 'x', title: 't', artist: 'a', durationSec, bitrateKbps: 320 }).next();
      } catch (err) {
        caught = err;
      }
      expect(isJukeboxError(caught, 'E_BAD_ARGUMENT'), String(durationSec)).toBe(true);
      expect((caught as Error).message).toContain(`<= ${MAX_DURATION_SEC}`);
    }
  });
});

describe('mp3Chunks', () => {
  it('gives the same bytes as generateMp3, in chunks of whole frames of at most the chunk size', () => {
    const song = songs[0] as Mp3Song;
    const chunks = [...mp3Chunks(song, 64 * 1024)];
    expect(chunks.length).toBeGreaterThan(10);
    for (const chunk of chunks.slice(1)) expect(chunk.length).toBeLessThanOrEqual(64 * 1024);
    expect(Buffer.concat(chunks).equals(generateMp3(song))).toBe(true);
  });

  it('makes a 3-hour 320 kbps song (432 MB) a chunk at a time; generateMp3 refuses to hold it whole', () => {
    const song: Mp3Song = { id: 'long', title: 'Long', artist: 'A', durationSec: MAX_DURATION_SEC, bitrateKbps: 320 };
    const layout = mp3Layout(song);
    expect(layout.totalBytes).toBeGreaterThan(430_000_000);
    expect(() => generateMp3(song)).toThrow(/too large to build in memory/);
    let bytes = 0;
    let largest = 0;
    const hash = createHash('sha256');
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    let heapPeak = heapBefore;
    for (const chunk of mp3Chunks(song)) {
      bytes += chunk.length;
      largest = Math.max(largest, chunk.length);
      hash.update(chunk);
      if (bytes % (64 * MP3_CHUNK_BYTES) < chunk.length) heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers);
    }
    expect(bytes).toBe(layout.totalBytes);
    expect(largest).toBeLessThanOrEqual(MP3_CHUNK_BYTES);
    // Far below the file's size (the GC may keep a few chunks around, never hundreds of MB).
    expect(heapPeak - heapBefore).toBeLessThan(MAX_IN_MEMORY_MP3_BYTES * 2);
  }, 120_000);
});
