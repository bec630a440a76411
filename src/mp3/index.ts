// A whole MP3 file's frame index: where its audio starts and ends, every audio frame's byte
// offset and play time, and what its Xing/VBRI header (if any) promised. Computed once per file
// (catalog build, a server loading its songs); compact: 4 bytes per frame (8 more only for the
// rare file whose frames differ in length of time).
import { FrameScanner } from './frames.js';
import { describeStream, type FrameHeader } from './header.js';
import { trailingTagsStart } from './tags.js';
import type { VbrHeaderKind } from './vbr-header.js';

export interface Mp3Index {
  /** The file's size. */
  bytes: number;
  /** First byte of the first frame (the information frame when there is one); bytes before it are tags. */
  audioStart: number;
  /** End of the last whole audio frame; bytes after it are tags (ID3v1, APE) or a cut frame. */
  audioEnd: number;
  /** Byte offset of each audio frame (the information frame excluded). */
  offsets: Uint32Array;
  /** Start time of each frame, or undefined when every frame lasts `frameSec`. */
  times: Float64Array | undefined;
  frameSec: number;
  durationSec: number;
  /** Audio frame bytes × 8 / duration. */
  averageBitrateKbps: number;
  stream: string;
  sampleRate: number;
  channels: 1 | 2;
  vbrHeader: VbrHeaderKind;
  /** Frames the Xing/VBRI header promises, when it says. */
  promisedFrames: number | undefined;
  /** Bytes after the first frame that are in no frame (junk, a cut frame before the trailing tags). */
  junkBytes: number;
}

/** The frame index of a whole file, or undefined when it holds no MPEG audio frame at all. */
export function indexMp3(data: Uint8Array): Mp3Index | undefined {
  const end = trailingTagsStart(data);
  const indexer = new Mp3Indexer();
  indexer.push(data.subarray(0, end));
  return indexer.finish(data.length, end);
}

/** The index of a file read in chunks (a server hashing a song on disk indexes it in the same pass). */
export class Mp3Indexer {
  private readonly scanner = new FrameScanner({ recordOffsets: true });

  push(chunk: Uint8Array): void {
    this.scanner.push(chunk);
  }

  /** `bytes` is the file's size; `scannedEnd` where the pushed bytes ended (before trailing tags, if known). */
  finish(bytes: number, scannedEnd = bytes): Mp3Index | undefined {
    const scanner = this.scanner;
    scanner.end();
    const first = scanner.firstHeader as FrameHeader | undefined;
    if (first === undefined || scanner.audioStart === undefined || scanner.frames === 0) return undefined;
    const durationSec = scanner.audioSec;
    return {
      bytes,
      audioStart: scanner.audioStart,
      audioEnd: scanner.audioEnd,
      offsets: scanner.offsets(),
      times: scanner.times(),
      frameSec: first.samples / first.sampleRate,
      durationSec,
      averageBitrateKbps: (scanner.audioFrameBytes * 8) / durationSec / 1000,
      stream: describeStream(first),
      sampleRate: first.sampleRate,
      channels: first.channels,
      vbrHeader: scanner.vbrHeader?.kind ?? 'none',
      promisedFrames: scanner.vbrHeader?.frames,
      junkBytes: scanner.junkBytes + (scannedEnd - scanner.audioEnd),
    };
  }
}

/** Start time (s) of frame `i`; `i` = frame count gives the duration. */
export function frameTime(index: Mp3Index, i: number): number {
  if (i >= index.offsets.length) return index.durationSec;
  return index.times ? (index.times[i] as number) : i * index.frameSec;
}

/** How many frames start before byte `offset` (binary search): the first frame at or after it. */
export function firstFrameAtOrAfter(index: Mp3Index, offset: number): number {
  const offsets = index.offsets;
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((offsets[mid] as number) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The last frame whose start time is at or before `sec` (-1 if none). */
export function lastFrameStartingBy(index: Mp3Index, sec: number): number {
  const count = index.offsets.length;
  if (!index.times) return Math.min(count - 1, Math.floor(sec / index.frameSec));
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((index.times[mid] as number) <= sec) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** End byte of frame `i` (the next frame's start, or the audio end for the last). */
export function frameEnd(index: Mp3Index, i: number): number {
  return i + 1 < index.offsets.length ? (index.offsets[i + 1] as number) : index.audioEnd;
}

/** How many more frames the Xing/VBRI header promises than the file holds (0 when it keeps its promise or makes none). */
export function missingFrames(index: Mp3Index): number {
  return index.promisedFrames === undefined ? 0 : Math.max(0, index.promisedFrames - index.offsets.length);
}
