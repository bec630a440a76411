// The MP3 generator: deterministic MPEG-1 Layer III files of generated music for catalog songs.
//
// A file is an ID3v2.3 tag (title, artist, album, year) followed by constant-bitrate mono frames
// at 44100 Hz. The first frame carries a Xing "Info" header (frame and byte counts) so that
// decoders know the exact duration without scanning; the other frames are the song: a phrase
// composed from the song's id, encoded by lamejs and tiled to the song's length (music/tile.ts).
// The same song always gives the same bytes.
import { Buffer } from 'node:buffer';
import { JukeboxError } from '../errors.js';
import { encodeSong } from './music/tile.js';
import { GENERATED_BITRATES_KBPS, MAX_DURATION_SEC, MPEG1_L3_BITRATES_KBPS } from './schema.js';

/** What the generator needs of a catalog song. */
export interface Mp3Song {
  id: string;
  title: string;
  artist: string;
  durationSec: number;
  bitrateKbps: number;
  album?: string | undefined;
  year?: number | undefined;
}

export const MP3_SAMPLE_RATE_HZ = 44100;
export const MP3_SAMPLES_PER_FRAME = 1152;

/** bytes per frame = SLOT_FACTOR * bitrate(kbps) / sample rate: 1152 samples / 8 bits * 1000. */
const SLOT_FACTOR = (MP3_SAMPLES_PER_FRAME / 8) * 1000;

/** The header stores a bitrate's index in the ISO 11172-3 table (index 0 is "free format"). */
const BITRATE_INDEX: ReadonlyMap<number, number> = new Map(MPEG1_L3_BITRATES_KBPS.map((kbps, i) => [kbps, i + 1]));

const FRAME_HEADER_BYTES = 4;
/** MPEG-1 side information of one channel; all zero means "no audio data". */
const SIDE_INFO_BYTES = 17;
const PAYLOAD_OFFSET = FRAME_HEADER_BYTES + SIDE_INFO_BYTES;
/** Byte 4 of every header: mono, not copyrighted, original, no emphasis (as lamejs writes it). */
const HEADER_MODE_BYTE = 0b1100_0100;
/** Xing flags: the frames field and the bytes field are present (no TOC: CBR seeks linearly). */
const XING_FLAGS_FRAMES_AND_BYTES = 0x0000_0003;
/** A file has at least one frame of music after the Info frame. */
const MIN_PLAYED_FRAMES = 1;

const ID3_HEADER_BYTES = 10;
const ID3_FRAME_HEADER_BYTES = 10;
const ID3_MAX_SYNCSAFE = 0x0fff_ffff;

/** The numbers of a generated file, computable without generating it. */
export interface Mp3Layout {
  tagBytes: number;
  /** All MPEG frames, the Info frame included: playedFrames + 1. */
  frameCount: number;
  /** Bytes of all MPEG frames (what the Info header's bytes field says). */
  audioBytes: number;
  totalBytes: number;
  /** The frames a decoder plays (all but the Info frame): round(durationSec * 44100 / 1152), what the Info header's frames field says. */
  playedFrames: number;
  /** The duration a decoder reports: playedFrames * 1152 / 44100, within half a frame (13 ms) of durationSec. */
  playedDurationSec: number;
}

export function isMp3Bitrate(kbps: number): boolean {
  return BITRATE_INDEX.has(kbps);
}

/**
 * The generator's unit of work: the file is made this many bytes at a time (whole frames), so a
 * 3-hour song costs 1 MiB of memory while it is written, not 432 MB.
 */
export const MP3_CHUNK_BYTES = 1024 * 1024;
/**
 * generateMp3 returns a whole file in one Buffer: fine for the songs of tests and the shipped
 * catalog (under 10 MB), refused beyond this so that nothing builds a huge file in memory by
 * mistake; writers use mp3Chunks.
 */
export const MAX_IN_MEMORY_MP3_BYTES = 64 * 1024 * 1024;

/** Generates the song's MP3 file: byte-for-byte the same for the same song. */
export function generateMp3(song: Mp3Song): Buffer {
  const layout = mp3Layout(song);
  if (layout.totalBytes > MAX_IN_MEMORY_MP3_BYTES) {
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `song ${song.id}: a generated file of ${layout.totalBytes} bytes is too large to build in memory (at most ${MAX_IN_MEMORY_MP3_BYTES})`,
      {
        hint: 'write it with mp3Chunks, a chunk at a time',
      },
    );
  }
  return Buffer.concat([...mp3Chunks(song)], layout.totalBytes);
}

/**
 * The song's MP3 file as a sequence of buffers (the ID3 tag, then runs of whole frames of at most
 * `chunkBytes`): the same bytes as generateMp3, with memory bounded by the chunk, not the song.
 */
export function* mp3Chunks(song: Mp3Song, chunkBytes = MP3_CHUNK_BYTES): Generator<Buffer> {
  validateSong(song);
  yield id3v2Tag(song);
  const lengths = frameLengths(song.bitrateKbps, frameCountFor(song.durationSec));
  const writer = frameWriter(song, lengths);
  for (let first = 0; first < lengths.length;) {
    let end = first;
    let size = 0;
    // At least one frame per chunk, then as many whole frames as fit.
    while (end < lengths.length && (end === first || size + (lengths[end] ?? 0) <= chunkBytes)) size += lengths[end++] ?? 0;
    const chunk = Buffer.alloc(size);
    for (let i = first, offset = 0; i < end; offset += lengths[i] ?? 0, i++) writer(chunk, offset, i);
    yield chunk;
    first = end;
  }
}

/** Sizes of the file generateMp3 would make, without making it. */
export function mp3Layout(song: Mp3Song): Mp3Layout {
  validateSong(song);
  const tagBytes = id3v2Tag(song).length;
  const frameCount = frameCountFor(song.durationSec);
  const audioBytes = sum(frameLengths(song.bitrateKbps, frameCount));
  const playedFrames = frameCount - 1;
  return {
    tagBytes,
    frameCount,
    audioBytes,
    totalBytes: tagBytes + audioBytes,
    playedFrames,
    playedDurationSec: (playedFrames * MP3_SAMPLES_PER_FRAME) / MP3_SAMPLE_RATE_HZ,
  };
}

function validateSong(song: Mp3Song): void {
  if (!isMp3Bitrate(song.bitrateKbps)) {
    throw new JukeboxError('E_BAD_ARGUMENT', `song ${song.id}: bitrate ${song.bitrateKbps} kbps is not an MPEG-1 Layer III bitrate`, {
      hint: `use one of ${GENERATED_BITRATES_KBPS.join(', ')}`,
    });
  }
  if (!GENERATED_BITRATES_KBPS.includes(song.bitrateKbps)) {
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `song ${song.id}: bitrate ${song.bitrateKbps} kbps is below 64 kbps, which the generator's encoder cannot make at 44100 Hz`,
      {
        hint: `use one of ${GENERATED_BITRATES_KBPS.join(', ')}, or give the song a file of your own`,
      },
    );
  }
  if (!Number.isFinite(song.durationSec) || song.durationSec <= 0 || song.durationSec > MAX_DURATION_SEC) {
    throw new JukeboxError('E_BAD_ARGUMENT', `song ${song.id}: durationSec: expected a number > 0 and <= ${MAX_DURATION_SEC}, got ${song.durationSec}`, {
      hint: 'a song lasts at most 3 hours (see docs/protocol.md, "The catalog")',
    });
  }
}

/** The Info frame plus round(duration * 44100 / 1152) played frames (at least one). */
export function frameCountFor(durationSec: number): number {
  return 1 + Math.max(MIN_PLAYED_FRAMES, Math.round((durationSec * MP3_SAMPLE_RATE_HZ) / MP3_SAMPLES_PER_FRAME));
}

/**
 * Every frame's length, the Info frame (index 0, never padded) first. A frame is
 * floor(144000 * kbps / 44100) bytes, plus a padding byte where LAME adds one: it counts the
 * remainder r = 144000 * kbps mod 44100 per frame and pads played frame i >= 1 when
 * ceil(i * r / 44100) grows, so that the average frame is exactly 144000 * kbps / 44100 bytes.
 * The tiled frames keep the sizes of this count (music/tile.ts).
 */
export function frameLengths(bitrateKbps: number, frameCount: number): Uint16Array {
  const base = unpaddedFrameLength(bitrateKbps);
  const remainder = (SLOT_FACTOR * bitrateKbps) % MP3_SAMPLE_RATE_HZ;
  const lengths = new Uint16Array(frameCount);
  lengths[0] = base;
  for (let i = 1; i < frameCount; i++) {
    const played = i - 1;
    const padding = played === 0 ? 0 : Math.ceil((played * remainder) / MP3_SAMPLE_RATE_HZ) - Math.ceil(((played - 1) * remainder) / MP3_SAMPLE_RATE_HZ);
    lengths[i] = base + padding;
  }
  return lengths;
}

/** floor(144000 * kbps / 44100): a frame without its padding byte. */
export function unpaddedFrameLength(bitrateKbps: number): number {
  return Math.floor((SLOT_FACTOR * bitrateKbps) / MP3_SAMPLE_RATE_HZ);
}

/** The 4-byte MPEG-1 Layer III header: sync, no CRC, bitrate index, 44100 Hz, padding bit. */
export function frameHeader(bitrateKbps: number, padded: boolean): Buffer {
  const index = BITRATE_INDEX.get(bitrateKbps);
  if (index === undefined) throw new JukeboxError('E_BAD_ARGUMENT', `${bitrateKbps} kbps is not an MPEG-1 Layer III bitrate`);
  const sampleRateIndex44100 = 0b00;
  // 0xFF 0xFB: 11 sync bits, MPEG-1 (11), Layer III (01), protection bit 1 = no CRC.
  return Buffer.from([0xff, 0xfb, (index << 4) | (sampleRateIndex44100 << 2) | (padded ? 0b10 : 0), HEADER_MODE_BYTE]);
}

/**
 * The Xing "Info" header (the CBR flavour LAME writes): tag, flags, then the frame count a
 * decoder plays (the Info frame itself excluded, as LAME and FFmpeg count) and the byte count of
 * all MPEG frames (the Info frame included).
 */
export function xingInfoHeader(playedFrames: number, audioBytes: number): Buffer {
  const header = Buffer.alloc(16);
  header.write('Info', 0, 'latin1');
  header.writeUInt32BE(XING_FLAGS_FRAMES_AND_BYTES, 4);
  header.writeUInt32BE(playedFrames, 8);
  header.writeUInt32BE(audioBytes, 12);
  return header;
}

/** A function that writes frame `i` (the Info frame, or a frame of the song) into `out` at `offset`. */
function frameWriter(song: Mp3Song, lengths: Uint16Array): (out: Buffer, offset: number, i: number) => void {
  const header = frameHeader(song.bitrateKbps, false);
  const info = xingInfoHeader(lengths.length - 1, sum(lengths));
  const music = encodeSong(song.id, song.bitrateKbps, lengths.length - 1);
  return (out, offset, i) => {
    if (i === 0) {
      // The side information stays zero (Buffer.alloc): no main data, so the Info frame is silence.
      header.copy(out, offset);
      info.copy(out, offset + PAYLOAD_OFFSET);
      return;
    }
    const frame = music.frame(i - 1);
    if (frame.length !== lengths[i]) {
      throw new JukeboxError('E_INTERNAL', `song ${song.id}: encoded frame ${i} has ${frame.length} bytes, the layout says ${lengths[i]}`, {
        hint: 'this is a bug in the MP3 generator: please report it with the song',
      });
    }
    frame.copy(out, offset);
  };
}

/** An ID3v2.3 tag with TIT2 (title), TPE1 (artist) and, when known, TALB (album) and TYER (year). */
export function id3v2Tag(song: Pick<Mp3Song, 'title' | 'artist' | 'album' | 'year'>): Buffer {
  const frames: Buffer[] = [id3TextFrame('TIT2', song.title), id3TextFrame('TPE1', song.artist)];
  if (song.album) frames.push(id3TextFrame('TALB', song.album));
  if (song.year !== undefined) frames.push(id3TextFrame('TYER', String(song.year)));
  const body = Buffer.concat(frames);
  const header = Buffer.alloc(ID3_HEADER_BYTES);
  header.write('ID3', 0, 'latin1');
  header[3] = 3; // version 2.3.0
  header[4] = 0;
  header[5] = 0; // flags: no unsynchronisation, no extended header
  syncsafe(body.length).copy(header, 6);
  return Buffer.concat([header, body]);
}

/** One ID3v2.3 text frame: id, size (plain 32-bit in v2.3), flags, then encoding byte and text. */
export function id3TextFrame(id: string, text: string): Buffer {
  const content = encodeId3Text(text);
  const header = Buffer.alloc(ID3_FRAME_HEADER_BYTES);
  header.write(id, 0, 'latin1');
  header.writeUInt32BE(content.length, 4);
  return Buffer.concat([header, content]);
}

/** ISO-8859-1 (encoding 0) when every character fits, else UTF-16 with a BOM (encoding 1). */
function encodeId3Text(text: string): Buffer {
  const fitsLatin1 = [...text].every((ch) => (ch.codePointAt(0) ?? 0) <= 0xff);
  if (fitsLatin1) return Buffer.concat([Buffer.from([0]), Buffer.from(text, 'latin1')]);
  return Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

/** 28 bits in four bytes of seven bits: ID3's sizes never contain a byte with the top bit set. */
function syncsafe(value: number): Buffer {
  if (value > ID3_MAX_SYNCSAFE) throw new JukeboxError('E_BAD_ARGUMENT', `ID3 tag of ${value} bytes is too large`);
  return Buffer.from([(value >>> 21) & 0x7f, (value >>> 14) & 0x7f, (value >>> 7) & 0x7f, value & 0x7f]);
}

function sum(values: Uint16Array): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
