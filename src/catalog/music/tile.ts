// From a composed phrase to a song's MP3 frames, encoding only a few seconds of audio.
//
// The song's signal is the phrase looped, faded in over its first samples and faded out over its
// last seconds. Encoding it whole costs about a seventh of its length, so only two pieces are
// encoded, each by a fresh LAME encoder (lamejs, mono, CBR, no bit reservoir):
//
//   head: the song's first WARM_UP frames and one phrase of frames after them. Since the signal is
//         periodic there, head frame WARM_UP + k + P (had it been encoded) would carry the same
//         audio as head frame WARM_UP + k, so the P frames after the warm-up loop: song frame
//         s >= WARM_UP is head frame WARM_UP + (s - WARM_UP) mod P.
//   tail: the song's last frames (the fade-out), encoded from WARM_UP frames earlier so that the
//         encoder has the same recent input as the loop frames before it.
//
// Why this has no seam a decoder can hear or trip on: lamejs's Mp3Encoder turns the bit reservoir
// off, so every frame's main data starts in the frame itself (main_data_begin = 0) and any frame
// may follow any other; the decoder's overlap-add joins a frame with the previous one, and the
// frame before each seam encodes the very samples that preceded the frame after it when that one
// was encoded (the encoder delay of 1105 samples is the same in every piece, so the pieces line
// up sample for sample). The loop starts and the tail starts fall on frame indexes that agree
// modulo the 49-frame padding period, so every frame keeps the size a straight CBR encoding gives
// it.
import { Buffer } from 'node:buffer';
import { Mp3Encoder } from '@breezystack/lamejs';
import { composeScore, PADDING_PERIOD_FRAMES, SAMPLES_PER_FRAME } from './compose.js';
import { SAMPLE_RATE_HZ } from './dsp.js';
import { renderPhrase } from './render.js';

/** Frames each encoder is given before the frames that are kept: past the MDCT overlap and the psychoacoustic model's memory. */
const WARM_UP_FRAMES = 6;
/** Input past the last kept frame, so that the encoder's delay (1105 samples) has flushed it out. */
const LOOKAHEAD_FRAMES = 2;
/** The fade-in: 10 ms from silence, so the first note does not start with a click. */
const FADE_IN_SAMPLES = 441;
/** The fade-out lasts 1.6 s or a little more, like a radio fade (a longer one costs encoding time: every song's tail is encoded). */
const FADE_OUT_FRAMES = 62;
/** The fade ends this many frames before the end: the last frames (the encoder delay's worth and more) are silence. */
const END_SILENCE_FRAMES = 2;
/** Shortest tail: a frame of unfaded loop, the fade, the silence. */
const TAIL_MIN_FRAMES = 1 + FADE_OUT_FRAMES + END_SILENCE_FRAMES;
/** Full scale of 16-bit PCM. */
const PCM_FULL_SCALE = 32767;
/**
 * Encoded songs kept in memory (a few hundred KB each): `catalog generate --update` and the
 * library make each song twice in a row, and encoding is most of the cost.
 */
const MEMO_SONGS = 24;

/** A song's played frames (without the Info frame), in order. */
export interface EncodedSong {
  frameCount: number;
  frame(index: number): Buffer;
}

const memo = new Map<string, EncodedSong>();

/** The frames of the song with this id, `frameCount` frames of CBR mono at `bitrateKbps`. */
export function encodeSong(songId: string, bitrateKbps: number, frameCount: number): EncodedSong {
  const key = JSON.stringify([songId, bitrateKbps, frameCount]);
  const known = memo.get(key);
  if (known) {
    // Refresh its place: the map's order is the eviction order.
    memo.delete(key);
    memo.set(key, known);
    return known;
  }
  const encoded = encodeSongUncached(songId, bitrateKbps, frameCount);
  memo.set(key, encoded);
  if (memo.size > MEMO_SONGS) memo.delete(memo.keys().next().value as string);
  return encoded;
}

/**
 * How a song's frames are made: encoded whole (a short song), or a head, copies of its loop and
 * an encoded tail. Song frames [loopStart, tailStart) are copies of the P loop frames, so the
 * seams (where a frame follows one it did not follow when encoded) are at loopStart + k * P and at
 * tailStart.
 */
export type Tiling =
  | { kind: 'whole'; frameCount: number }
  | { kind: 'tiled'; frameCount: number; phraseFrames: number; loopStart: number; tailEncodeStart: number; tailStart: number };

export function tilingFor(phraseFrames: number, frameCount: number): Tiling {
  // Short songs are encoded whole: no more work than the head and tail of a long one.
  if (frameCount < WARM_UP_FRAMES + phraseFrames + PADDING_PERIOD_FRAMES + WARM_UP_FRAMES + TAIL_MIN_FRAMES) return { kind: 'whole', frameCount };
  // The tail's encoder starts on a multiple of the padding period, WARM_UP frames before the tail.
  const tailEncodeStart = PADDING_PERIOD_FRAMES * Math.floor((frameCount - TAIL_MIN_FRAMES - WARM_UP_FRAMES) / PADDING_PERIOD_FRAMES);
  return { kind: 'tiled', frameCount, phraseFrames, loopStart: WARM_UP_FRAMES, tailEncodeStart, tailStart: tailEncodeStart + WARM_UP_FRAMES };
}

/** The tiling of the song with this id (composing its score is cheap; nothing is encoded). */
export function songTiling(songId: string, frameCount: number): Tiling {
  return tilingFor(composeScore(songId).frames, frameCount);
}

/** Empties the memory of encoded songs (for a benchmark that times encoding from scratch). */
export function forgetEncodedSongs(): void {
  memo.clear();
}

function encodeSongUncached(songId: string, bitrateKbps: number, frameCount: number): EncodedSong {
  const score = composeScore(songId);
  const tiling = tilingFor(score.frames, frameCount);
  // A tiled song fades over all of its tail but the first frame (which follows a loop frame, so
  // must sound like one); a song encoded whole fades over its last FADE_OUT frames, or third.
  const fadeFrames = tiling.kind === 'tiled' ? frameCount - END_SILENCE_FRAMES - tiling.tailStart - 1 : Math.min(FADE_OUT_FRAMES, Math.floor(frameCount / 3));
  const signal = songSignal(renderPhrase(score), frameCount, fadeFrames);
  if (tiling.kind === 'whole') {
    const frames = encodeFrames(signal, 0, frameCount, bitrateKbps);
    return { frameCount, frame: (i) => frameOrThrow(frames, i) };
  }
  const { loopStart, phraseFrames, tailEncodeStart, tailStart } = tiling;
  const head = encodeFrames(signal, 0, loopStart + phraseFrames, bitrateKbps);
  const tail = encodeFrames(signal, tailEncodeStart, frameCount - tailEncodeStart, bitrateKbps);
  return {
    frameCount,
    frame: (s) => {
      if (s < loopStart) return frameOrThrow(head, s);
      if (s < tailStart) return frameOrThrow(head, loopStart + ((s - loopStart) % phraseFrames));
      return frameOrThrow(tail, s - tailEncodeStart);
    },
  };
}

function frameOrThrow(frames: readonly Buffer[], i: number): Buffer {
  const frame = frames[i];
  if (frame === undefined) throw new RangeError(`no encoded frame ${i} of ${frames.length}`);
  return frame;
}

/** The song's samples as a function of their index: the looped phrase under the fades. */
interface SongSignal {
  sample(n: number): number;
}

function songSignal(phrase: Float64Array, frameCount: number, fadeFrames: number): SongSignal {
  const fadeEnd = Math.max(0, frameCount - END_SILENCE_FRAMES) * SAMPLES_PER_FRAME;
  const fadeStart = Math.max(FADE_IN_SAMPLES, fadeEnd - fadeFrames * SAMPLES_PER_FRAME);
  const fadeLength = Math.max(1, fadeEnd - fadeStart);
  return {
    sample(n) {
      if (n >= fadeEnd) return 0;
      let value = phrase[n % phrase.length] ?? 0;
      if (n < FADE_IN_SAMPLES) value *= n / FADE_IN_SAMPLES;
      if (n > fadeStart) {
        // 1 - smoothstep: leaves and reaches silence with zero slope, so neither end is heard as a step.
        const t = (n - fadeStart) / fadeLength;
        value *= 1 - t * t * (3 - 2 * t);
      }
      return value;
    },
  };
}

/** Encodes song frames [first, first + count) with a fresh encoder and returns them one Buffer each. */
function encodeFrames(signal: SongSignal, first: number, count: number, bitrateKbps: number): Buffer[] {
  const samples = (count + LOOKAHEAD_FRAMES) * SAMPLES_PER_FRAME;
  const pcm = new Int16Array(samples);
  const offset = first * SAMPLES_PER_FRAME;
  for (let i = 0; i < samples; i++) {
    const value = Math.round(signal.sample(offset + i) * PCM_FULL_SCALE);
    pcm[i] = Math.max(-PCM_FULL_SCALE, Math.min(PCM_FULL_SCALE, value));
  }
  const encoder = new Mp3Encoder(1, SAMPLE_RATE_HZ, bitrateKbps);
  const bytes = Buffer.concat([toBuffer(encoder.encodeBuffer(pcm)), toBuffer(encoder.flush())]);
  const frames = splitFrames(bytes, bitrateKbps);
  if (frames.length < count) throw new RangeError(`the encoder gave ${frames.length} frames for ${samples} samples, expected at least ${count}`);
  return frames.slice(0, count);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Cuts the encoder's output (MPEG-1 Layer III frames at 44100 Hz, nothing else) into frames. */
function splitFrames(bytes: Buffer, bitrateKbps: number): Buffer[] {
  const frames: Buffer[] = [];
  const base = Math.floor((144000 * bitrateKbps) / SAMPLE_RATE_HZ);
  for (let offset = 0; offset < bytes.length;) {
    if (bytes[offset] !== 0xff || ((bytes[offset + 1] ?? 0) & 0xfe) !== 0xfa)
      throw new RangeError(`the encoder's output has no frame header at byte ${offset}`);
    const length = base + (((bytes[offset + 2] ?? 0) >> 1) & 1);
    frames.push(bytes.subarray(offset, offset + length));
    offset += length;
  }
  return frames;
}
