// The client side's framing: response lines, then DATA bodies or LIST lines. A bounded state
// machine; bytes in, events out to a sink.
import { MAX_LINE_BYTES } from './constants.js';
import { LineSplitter, type SplitEvent } from './line-splitter.js';
import { decodeListEntry, decodeResponse } from './response.js';
import type { ListEntry, Response } from './types.js';

export type DecoderEvent =
  | { type: 'response'; response: Response }
  | { type: 'body'; chunk: Buffer }
  | { type: 'bodyEnd' }
  | { type: 'list'; entries: ListEntry[] }
  | { type: 'error'; reason: string };

type State = { name: 'LINE' } | { name: 'BODY'; remaining: number } | { name: 'LIST'; remaining: number; entries: ListEntry[] } | { name: 'FAILED' };

/** Response lines may carry STATS JSON, so they get a larger limit than requests. */
export const MAX_RESPONSE_LINE_BYTES = 64 * 1024;
/** A LIST larger than this is refused rather than held in memory. */
export const MAX_LIST_ENTRIES = 1_000_000;

const EMPTY = Buffer.alloc(0);
const LF = 0x0a;
const CR = 0x0d;

export class ResponseDecoder {
  private state: State = { name: 'LINE' };
  private lines = new LineSplitter(MAX_RESPONSE_LINE_BYTES);
  private listLines = new LineSplitter(MAX_LINE_BYTES);

  constructor(private readonly sink: (event: DecoderEvent) => void) {}

  /** The splitter's callback, bound once (not a closure per chunk). */
  private readonly onSplit = (event: SplitEvent): void => {
    if (event.type === 'overflow') this.failWith('response line too long');
    else this.onLine(event.line.toString('utf8'));
  };

  /** True between a `DATA n` line and the last of its n bytes. */
  get inBody(): boolean {
    return this.state.name === 'BODY';
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      const state = this.state;
      switch (state.name) {
        case 'FAILED':
          return;
        case 'BODY':
          rest = this.takeBody(state, rest);
          break;
        case 'LINE':
        case 'LIST':
          rest = this.takeLines(rest);
          break;
      }
    }
  }

  private takeBody(state: { name: 'BODY'; remaining: number }, chunk: Buffer): Buffer {
    const n = Math.min(state.remaining, chunk.length);
    state.remaining -= n;
    // The whole chunk when it is all body (the common case): no subarray per chunk.
    this.sink({ type: 'body', chunk: n === chunk.length ? chunk : chunk.subarray(0, n) });
    if (state.remaining === 0) this.finishBody();
    return n === chunk.length ? EMPTY : chunk.subarray(n);
  }

  private finishBody(): void {
    this.state = { name: 'LINE' };
    this.sink({ type: 'bodyEnd' });
  }

  /**
   * Feeds bytes to the line splitter one line at a time, so that the bytes after a `DATA n`
   * line go to the body rather than being split as lines. Returns what is left unconsumed.
   */
  private takeLines(chunk: Buffer): Buffer {
    const lf = chunk.indexOf(LF);
    const upTo = lf === -1 ? chunk.length : lf + 1;
    const list = this.state.name === 'LIST';
    const splitter = list ? this.listLines : this.lines;
    if (lf !== -1 && splitter.bufferedBytes === 0) {
      // A whole line with nothing held from an earlier chunk (nearly every small answer): decoded
      // straight from the chunk, with the splitter's rules (CR dropped, the same limit), no copy.
      const end = lf > 0 && chunk[lf - 1] === CR ? lf - 1 : lf;
      if (end > (list ? MAX_LINE_BYTES : MAX_RESPONSE_LINE_BYTES)) this.failWith('response line too long');
      else this.onLine(chunk.toString('utf8', 0, end));
    } else {
      splitter.push(upTo === chunk.length ? chunk : chunk.subarray(0, upTo), this.onSplit);
    }
    return upTo === chunk.length ? EMPTY : chunk.subarray(upTo);
  }

  private onLine(line: string): void {
    const state = this.state;
    if (state.name === 'LIST') {
      const entry = decodeListEntry(line);
      if (!entry.ok) return this.failWith(entry.reason);
      state.entries.push(entry.value);
      if (--state.remaining === 0) this.finishList(state.entries);
      return;
    }
    const decoded = decodeResponse(line);
    if (!decoded.ok) return this.failWith(decoded.reason);
    const response = decoded.value;
    this.sink({ type: 'response', response });
    if (response.kind === 'DATA') {
      if (response.length === 0) this.sink({ type: 'bodyEnd' });
      else this.state = { name: 'BODY', remaining: response.length };
    } else if (response.kind === 'LIST') {
      if (response.count > MAX_LIST_ENTRIES) return this.failWith(`LIST of ${response.count} entries is over the limit`);
      if (response.count === 0) this.sink({ type: 'list', entries: [] });
      else this.state = { name: 'LIST', remaining: response.count, entries: [] };
    }
  }

  private finishList(entries: ListEntry[]): void {
    this.state = { name: 'LINE' };
    this.sink({ type: 'list', entries });
  }

  private failWith(reason: string): void {
    this.state = { name: 'FAILED' };
    this.sink({ type: 'error', reason });
  }
}
