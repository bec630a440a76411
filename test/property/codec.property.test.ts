// Property tests of the codec: arbitrary bytes at arbitrary split points.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE_BYTES, parseRequest, ResponseDecoder, encodeResponse, type DecoderEvent, type SplitEvent } from '../../src/protocol/index.js';

/** Splits `bytes` at the given cut points (indices into it, any order, duplicates allowed). */
function splitAt(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let start = 0;
  for (const p of [...points, bytes.length]) {
    pieces.push(Buffer.from(bytes.subarray(start, p)));
    start = p;
  }
  return pieces;
}

function runSplitter(pieces: Buffer[]): { events: string[]; maxBuffered: number } {
  const splitter = new LineSplitter();
  const events: string[] = [];
  let maxBuffered = 0;
  const onEvent = (e: SplitEvent) => events.push(e.type === 'line' ? `line:${e.line.toString('hex')}` : 'overflow');
  for (const piece of pieces) {
    splitter.push(piece, onEvent);
    maxBuffered = Math.max(maxBuffered, splitter.bufferedBytes);
  }
  return { events, maxBuffered };
}

const bytesWithNewlines = fc
  .array(fc.oneof(fc.constant(0x0a), fc.constant(0x0d), fc.constant(0x20), fc.integer({ min: 0, max: 255 })), { maxLength: 3000 })
  .map((a) => Uint8Array.from(a));
const cuts = fc.array(fc.nat(), { maxLength: 20 });

describe('line splitter and request parser, any bytes at any split points', () => {
  it('never throws, never buffers past its limit, and gives the same lines however the input is split', () => {
    fc.assert(
      fc.property(bytesWithNewlines, cuts, (bytes, cutPoints) => {
        const whole = runSplitter([Buffer.from(bytes)]);
        const split = runSplitter(splitAt(bytes, cutPoints));
        expect(split.events).toEqual(whole.events);
        expect(split.maxBuffered).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
        for (const e of split.events) if (e.startsWith('line:')) parseRequest(Buffer.from(e.slice(5), 'hex'));
      }),
      { numRuns: 300 },
    );
  });

  it('parses every valid request line the same however it is split', () => {
    const songId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);
    const request = fc.oneof(
      songId.map((s) => `CHECK ${s}`),
      fc.tuple(songId, fc.nat({ max: 1e9 })).map(([s, o]) => `GET ${s} ${o}`),
      fc.tuple(songId, fc.nat({ max: 1e9 })).map(([s, o]) => `STREAM ${s} ${o}`),
      fc.constantFrom('LIST', 'STATS', 'QUIT', 'HELLO', 'HELLO student'),
    );
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 20 }), fc.boolean(), cuts, (lines, crlf, cutPoints) => {
        const text = lines.map((l) => `${l}${crlf ? '\r\n' : '\n'}`).join('');
        const { events } = runSplitter(splitAt(Buffer.from(text), cutPoints));
        const parsed = events.map((e) => parseRequest(Buffer.from(e.slice(5), 'hex')));
        expect(parsed.every((p) => p.ok)).toBe(true);
        expect(parsed.map((p) => (p.ok ? p.request.verb : ''))).toEqual(lines.map((l) => l.split(' ')[0]));
      }),
      { numRuns: 300 },
    );
  });
});

describe('response decoder, any split points', () => {
  it('decodes lines and DATA bodies the same however the stream is split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }), cuts, (bodies, cutPoints) => {
        const stream = Buffer.concat(
          bodies.flatMap((b) => [Buffer.from(encodeResponse({ kind: 'DATA', length: b.length })), Buffer.from(b), Buffer.from('NOT_EXIST\n')]),
        );
        const collect = (pieces: Buffer[]) => {
          const out: string[] = [];
          let body: Buffer[] = [];
          const decoder = new ResponseDecoder((e: DecoderEvent) => {
            if (e.type === 'body') body.push(Buffer.from(e.chunk));
            else if (e.type === 'bodyEnd') {
              out.push(`body:${Buffer.concat(body).toString('hex')}`);
              body = [];
            } else if (e.type === 'response') out.push(e.response.kind);
            else out.push(e.type);
          });
          for (const p of pieces) decoder.push(p);
          return out;
        };
        const whole = collect([stream]);
        expect(collect(splitAt(stream, cutPoints))).toEqual(whole);
        expect(whole.filter((e) => e.startsWith('body:'))).toEqual(bodies.map((b) => `body:${Buffer.from(b).toString('hex')}`));
      }),
      { numRuns: 300 },
    );
  });
});
