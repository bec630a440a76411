// The MP3 frame scan, the one place that knows where a file's sound is: it skips ID3v2 tags (big
// covers included), finds the first real frame (a header followed by another one of the same
// stream), steps frame by frame, resynchronises over junk, leaves out a Xing/Info/VBRI frame, and
// counts each frame's play time. It is incremental: fed bytes as they arrive (a client's received
// stream), it says how much audio a decoder could play so far; fed a whole file, it gives the
// file's frame index (mp3/index.ts).
import { FRAME_HEADER_BYTES, parseFrameHeader, sameStream, type FrameHeader } from './header.js';
import { id3v2TagBytes } from './tags.js';
import { readVbrHeader, type VbrHeader } from './vbr-header.js';

/**
 * Bytes after the ID3v2 tags within which the first frame must start. Real files start their
 * frames right after their tags (at most a little padding); two frame headers in a row also turn
 * up by chance deep inside other data (PCM of a WAV, random bytes), which is not an MP3.
 */
export const MAX_LEADING_JUNK_BYTES = 4096;

/** Initial room of the offset table; it doubles as needed (about 38 frames per second of audio). */
const INITIAL_FRAMES = 1024;

export interface ScanOptions {
  /** Keep each audio frame's byte offset (the server's index); off for a client that only needs the audio time. */
  recordOffsets?: boolean;
}

/** 'none': no frame where the first should be: not an MP3, the rest is not looked at. */
type ScanState = 'tags' | 'sync' | 'frames' | 'none';

export class FrameScanner {
  /** Stream position of pending[0]. */
  private base = 0;
  /** Bytes received and not yet consumed: at most a frame plus a header, or a tag header. */
  private pending: Uint8Array = new Uint8Array(0);
  /** Bytes of an ID3v2 tag still to skip (they are dropped as they arrive, never buffered). */
  private skipBytes = 0;
  private state: ScanState = 'tags';
  private ended = false;
  private first: FrameHeader | undefined;
  private offsetTable: Uint32Array | undefined;
  private frameCount = 0;
  /** Play time of the whole frames so far. */
  private seconds = 0;
  /** Every frame so far lasts as long as the first (the usual case): no time table needed. */
  private uniform = true;
  private lastHeader: FrameHeader | undefined;
  private lastFrameEnd = 0;
  private firstFrameAt: number | undefined;
  /** Where the ID3v2 tags (if any) before the first frame ended. */
  private tagsEnd: number | undefined;
  private junk = 0;
  private info: VbrHeader | undefined;
  private audioBytes = 0;
  /** Each frame's start time when frames differ in length of time (times[i] for frame i). */
  private timeTable: Float64Array | undefined;

  constructor(options: ScanOptions = {}) {
    if (options.recordOffsets) this.offsetTable = new Uint32Array(INITIAL_FRAMES);
  }

  /** Feeds the next bytes of the stream (in order, none missing). */
  push(chunk: Uint8Array): void {
    let data = chunk;
    if (this.skipBytes > 0) {
      const skipped = Math.min(this.skipBytes, data.length);
      this.skipBytes -= skipped;
      this.base += skipped;
      data = data.subarray(skipped);
      if (data.length === 0) return;
    }
    this.pending = this.pending.length === 0 ? data : concat(this.pending, data);
    this.scan(false);
  }

  /** The stream is over: a last frame without a following header is taken if it is whole. */
  end(): void {
    this.scan(true);
    this.ended = true;
  }

  /** Seconds of audio in the whole frames seen so far. */
  get audioSec(): number {
    return this.seconds;
  }

  get frames(): number {
    return this.frameCount;
  }

  get firstHeader(): FrameHeader | undefined {
    return this.first;
  }

  get vbrHeader(): VbrHeader | undefined {
    return this.info;
  }

  /** Stream position of the first audio frame (or of the information frame before it). */
  get audioStart(): number | undefined {
    return this.firstFrameAt;
  }

  /**
   * Whether the stream is MP3: true once its first frame is found right after its tags, false once
   * none was (or the stream ended without one), undefined while it cannot tell yet.
   */
  get isMp3(): boolean | undefined {
    if (this.first !== undefined) return true;
    if (this.state === 'none' || this.ended) return false;
    return undefined;
  }

  /** Where the leading ID3v2 tags end (undefined until known). */
  get tagsEndAt(): number | undefined {
    return this.tagsEnd;
  }

  /** Stream position up to which bytes have been looked at. */
  get scannedTo(): number {
    return this.base;
  }

  /** End of the last whole frame. */
  get audioEnd(): number {
    return this.lastFrameEnd;
  }

  /** Bytes of whole audio frames (the information frame excluded). */
  get audioFrameBytes(): number {
    return this.audioBytes;
  }

  /** Bytes after the first frame that belonged to no frame (junk, a cut frame). */
  get junkBytes(): number {
    return this.junk;
  }

  /** Bytes received after the last whole frame and not yet part of one (a frame still arriving, a cut one, trailing tags). */
  get unconsumedBytes(): number {
    return this.pending.length + this.skipBytes;
  }

  /** The recorded frame offsets (recordOffsets only), trimmed to the frame count. */
  offsets(): Uint32Array {
    return (this.offsetTable ?? new Uint32Array(0)).slice(0, this.frameCount);
  }

  /** Frame start times, or undefined when every frame lasts samplesPerFrame / sampleRate. */
  times(): Float64Array | undefined {
    return this.timeTable?.slice(0, this.frameCount);
  }

  private scan(ending: boolean): void {
    let at = 0;
    const data = this.pending;
    for (;;) {
      if (this.state === 'none') {
        at = data.length;
        break;
      }
      if (this.state === 'tags') {
        const tag = id3v2TagBytes(data, at);
        if (tag === undefined && !ending) break;
        if (tag && tag > 0) {
          if (at + tag > data.length) {
            this.skipBytes = at + tag - data.length;
            at = data.length;
            break;
          }
          at += tag;
          continue;
        }
        this.state = 'sync';
        this.tagsEnd ??= this.base + at;
      }
      if (this.state === 'sync') {
        const found = this.findSync(data, at, ending);
        if (found.wait) {
          at = found.at;
          break;
        }
        if (this.first === undefined && this.base + found.at - (this.tagsEnd ?? 0) > MAX_LEADING_JUNK_BYTES) {
          this.state = 'none';
          continue;
        }
        if (found.header === undefined) {
          at = found.at;
          break;
        }
        if (this.firstFrameAt !== undefined) this.junk += found.at - at;
        at = found.at;
        this.state = 'frames';
      }
      // 'frames': a header is expected right here.
      const header = parseFrameHeader(data, at);
      if (header === undefined || (this.first !== undefined && !sameStream(this.first, header))) {
        if (data.length - at < FRAME_HEADER_BYTES && !ending) break;
        if (data.length - at === 0) break;
        // Not a frame here: search on for the next one (a resync; the bytes skipped count as junk).
        this.state = 'sync';
        continue;
      }
      if (at + header.bytes > data.length) break; // the frame is still arriving (or cut, at the end)
      this.takeFrame(data, at, header);
      at += header.bytes;
    }
    this.base += at;
    // The rest (at most a frame and a header) in a buffer of its own: the caller may reuse its
    // chunk's buffer, and a big backing store is not held for a few bytes.
    this.pending = data.subarray(at).slice();
  }

  /**
   * The next frame header at or after `from` that a second header of the same stream follows (or,
   * at the end of the stream, that fills it exactly). `wait` means more bytes are needed to tell.
   */
  private findSync(data: Uint8Array, from: number, ending: boolean): { at: number; header?: FrameHeader; wait?: boolean } {
    for (let at = from; at + FRAME_HEADER_BYTES <= data.length; at++) {
      if (data[at] !== 0xff) continue;
      const header = parseFrameHeader(data, at);
      if (header === undefined || (this.first !== undefined && !sameStream(this.first, header))) continue;
      const next = at + header.bytes;
      if (next + FRAME_HEADER_BYTES > data.length) {
        if (!ending) return { at, wait: true };
        if (next === data.length) return { at, header };
        continue;
      }
      const following = parseFrameHeader(data, next);
      if (following !== undefined && sameStream(header, following)) return { at, header };
    }
    // Nothing here: keep the last few bytes, a header may begin in them.
    const keep = ending ? data.length : Math.max(from, data.length - (FRAME_HEADER_BYTES - 1));
    if (this.firstFrameAt !== undefined) this.junk += keep - from;
    return { at: keep };
  }

  private takeFrame(data: Uint8Array, at: number, header: FrameHeader): void {
    const position = this.base + at;
    if (this.first === undefined) {
      this.first = header;
      this.firstFrameAt = position;
      this.info = readVbrHeader(data, at, header);
      if (this.info) {
        this.lastFrameEnd = position + header.bytes;
        return; // the information frame: silence, skipped by players
      }
    }
    if (this.offsetTable) {
      if (this.frameCount === this.offsetTable.length) this.offsetTable = grow(this.offsetTable);
      this.offsetTable[this.frameCount] = position;
    }
    if (this.uniform && this.lastHeader && (this.lastHeader.samples !== header.samples || this.lastHeader.sampleRate !== header.sampleRate))
      this.startTimeTable();
    if (this.timeTable) {
      if (this.frameCount === this.timeTable.length) this.timeTable = growTimes(this.timeTable);
      this.timeTable[this.frameCount] = this.seconds;
    }
    this.frameCount++;
    this.seconds += header.samples / header.sampleRate;
    this.audioBytes += header.bytes;
    this.lastHeader = header;
    this.lastFrameEnd = position + header.bytes;
  }

  /** Frames stopped being alike: from now on each frame's start time is kept (past ones are filled in). */
  private startTimeTable(): void {
    this.uniform = false;
    if (!this.offsetTable) return; // without an index nobody asks for per-frame times
    const first = this.lastHeader as FrameHeader;
    const table = new Float64Array(Math.max(INITIAL_FRAMES, this.frameCount * 2));
    for (let i = 0; i < this.frameCount; i++) table[i] = (i * first.samples) / first.sampleRate;
    this.timeTable = table;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function grow(table: Uint32Array): Uint32Array {
  const bigger = new Uint32Array(table.length * 2);
  bigger.set(table);
  return bigger;
}

function growTimes(table: Float64Array): Float64Array {
  const bigger = new Float64Array(table.length * 2);
  bigger.set(table);
  return bigger;
}
