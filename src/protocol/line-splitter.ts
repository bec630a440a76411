// Splits a byte stream into lines, bounded: it never holds more than one line's worth of bytes.
import { MAX_LINE_BYTES } from './constants.js';

const LF = 0x0a;
const CR = 0x0d;

export type SplitEvent = { type: 'line'; line: Buffer } | { type: 'overflow' };

/**
 * A state machine with two states: collecting a line, or overflowed (a line broke the limit,
 * after which it stops: the caller answers `ERR 413` and closes). Chunks may split a line
 * anywhere, including between `\r` and `\n`.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(private readonly maxLineBytes: number = MAX_LINE_BYTES) {}

  /** Bytes held while waiting for the rest of a line; never more than the limit plus one. */
  get bufferedBytes(): number {
    return this.pendingBytes;
  }

  /** True once a line was longer than the limit; further input is ignored. */
  get hasOverflowed(): boolean {
    return this.overflowed;
  }

  /** Feeds `chunk` from `from` to `to` (default: all of it); calls `onEvent` for each complete line, in order. */
  push(chunk: Buffer, onEvent: (event: SplitEvent) => void, from = 0, to = chunk.length): void {
    let start = from;
    while (!this.overflowed && start < to) {
      const found = chunk.indexOf(LF, start);
      const lf = found < to ? found : -1;
      if (lf === -1) {
        this.hold(chunk.subarray(start, to), onEvent);
        return;
      }
      const piece = chunk.subarray(start, lf);
      start = lf + 1;
      const line = this.pendingBytes === 0 ? piece : this.takePending(piece);
      const content = line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, line.length - 1) : line;
      if (content.length > this.maxLineBytes) {
        this.overflow(onEvent);
        return;
      }
      onEvent({ type: 'line', line: content });
    }
  }

  private hold(rest: Buffer, onEvent: (event: SplitEvent) => void): void {
    // One byte of slack: a line of exactly the limit may still be waiting for its `\r\n`.
    if (this.pendingBytes + rest.length > this.maxLineBytes + 1) {
      this.overflow(onEvent);
      return;
    }
    // Copy: the caller may reuse its chunk, and a subarray would pin a large read buffer.
    this.pending.push(Buffer.from(rest));
    this.pendingBytes += rest.length;
  }

  private takePending(last: Buffer): Buffer {
    const line = Buffer.concat([...this.pending, last], this.pendingBytes + last.length);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private overflow(onEvent: (event: SplitEvent) => void): void {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    onEvent({ type: 'overflow' });
  }
}
