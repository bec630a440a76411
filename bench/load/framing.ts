// Just enough response framing to count body bytes: a head (jukebox's `DATA n` line, or HTTP
// headers with Content-Length) followed by exactly n bytes. Nothing else of either protocol.
export interface Framing {
  /** The bytes that end a head. */
  readonly terminator: Buffer;
  /** The body length the head announces; throws on anything else (an error answer). */
  bodyLength(head: string): number;
}

/** A head longer than this is not a head: the peer is sending something else. */
export const MAX_HEAD_BYTES = 8 * 1024;

export const jukeboxFraming: Framing = {
  terminator: Buffer.from('\n'),
  bodyLength(head) {
    const match = /^DATA (\d+)$/.exec(head);
    if (!match) throw new Error(`expected "DATA n", got ${JSON.stringify(head.slice(0, 80))}`);
    return Number(match[1]);
  },
};

export const httpFraming: Framing = {
  terminator: Buffer.from('\r\n\r\n'),
  bodyLength(head) {
    const status = head.slice(0, head.indexOf('\r\n'));
    if (!/^HTTP\/1\.1 200 /.test(status)) throw new Error(`expected HTTP/1.1 200, got ${JSON.stringify(status)}`);
    const match = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!match) throw new Error('the HTTP response has no Content-Length (chunked bodies are not counted here)');
    return Number(match[1]);
  },
};

/** A piece of a body: `chunk` from `start` to `end` (passed as a range, so counting allocates nothing). */
export type BodyListener = (chunk: Buffer, start: number, end: number) => void;

/**
 * A state machine over one connection's bytes: reading a head (held until its terminator), or
 * reading a body (`remaining` bytes, handed to `onBody` and dropped). Calls `onResponse` with the
 * body length when a response is complete.
 */
export class BodyCounter {
  private head: Buffer | undefined;
  /** Body bytes still expected; -1 while reading a head. */
  private remaining = -1;
  /** What the current response's head announced. */
  private bodyLength = 0;

  constructor(
    private readonly framing: Framing,
    private readonly onBody: BodyListener,
    private readonly onResponse: (bodyLength: number) => void,
  ) {}

  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining >= 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= take;
        this.onBody(chunk, offset, offset + take);
        offset += take;
        if (this.remaining === 0) this.completeBody();
        continue;
      }
      offset = this.readHead(chunk, offset);
    }
  }

  /** Consumes head bytes from `chunk` at `offset`; returns where the body starts (or the chunk's end). */
  private readHead(chunk: Buffer, offset: number): number {
    const held = this.head?.length ?? 0;
    const data = this.head ? Buffer.concat([this.head, chunk.subarray(offset)]) : chunk.subarray(offset);
    const end = data.indexOf(this.framing.terminator);
    if (end === -1) {
      if (data.length > MAX_HEAD_BYTES) throw new Error(`no end of head within ${MAX_HEAD_BYTES} bytes`);
      this.head = Buffer.from(data); // a copy: the chunk's memory is not ours to keep
      return chunk.length;
    }
    this.head = undefined;
    this.bodyLength = this.framing.bodyLength(data.toString('latin1', 0, end));
    this.remaining = this.bodyLength;
    if (this.remaining === 0) this.completeBody();
    return offset + end + this.framing.terminator.length - held;
  }

  private completeBody(): void {
    this.remaining = -1;
    this.onResponse(this.bodyLength);
  }
}
