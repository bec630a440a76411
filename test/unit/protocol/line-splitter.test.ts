// LineSplitter: the same bytes split anywhere give the same lines; the limit is exact and bounded.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../../src/protocol/constants.js';
import { LineSplitter, type SplitEvent } from '../../../src/protocol/line-splitter.js';

function split(chunks: Buffer[], max = MAX_LINE_BYTES): { lines: string[]; overflow: boolean; maxHeld: number } {
  const splitter = new LineSplitter(max);
  const lines: string[] = [];
  let overflow = false;
  let maxHeld = 0;
  const onEvent = (e: SplitEvent) => {
    if (e.type === 'line') lines.push(e.line.toString('latin1'));
    else overflow = true;
  };
  for (const chunk of chunks) {
    splitter.push(chunk, onEvent);
    maxHeld = Math.max(maxHeld, splitter.bufferedBytes);
  }
  return { lines, overflow, maxHeld };
}

/** Cuts `data` at the given positions. */
function cut(data: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of sorted) {
    chunks.push(data.subarray(start, p));
    start = p;
  }
  chunks.push(data.subarray(start));
  return chunks;
}

const lineText = fc.stringMatching(/^[A-Za-z0-9 ._-]{0,40}$/);

describe('LineSplitter', () => {
  it('gives the same lines however the bytes are split, with LF or CRLF', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(lineText, fc.boolean()), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (lines, points) => {
        const data = Buffer.from(lines.map(([text, crlf]) => `${text}${crlf ? '\r\n' : '\n'}`).join(''), 'latin1');
        expect(split(cut(data, points)).lines).toEqual(lines.map(([text]) => text));
      }),
    );
  });

  it('takes a line of exactly the limit, even with CRLF split between chunks', () => {
    const line = 'a'.repeat(MAX_LINE_BYTES);
    expect(split([Buffer.from(`${line}\r`), Buffer.from('\n')]).lines).toEqual([line]);
  });

  it('overflows at one byte over the limit, whether the line ends or not, and ignores what follows', () => {
    const over = 'a'.repeat(MAX_LINE_BYTES + 1);
    expect(split([Buffer.from(`${over}\nHELLO\n`)])).toMatchObject({ lines: [], overflow: true });
    expect(split([Buffer.from(`HELLO\n${over}`), Buffer.from('more')])).toMatchObject({ lines: ['HELLO'], overflow: true });
  });

  it('never holds more than the limit plus one byte, fed one byte at a time', () => {
    const data = Buffer.from('x'.repeat(5000));
    const result = split([...data].map((b) => Buffer.from([b])));
    expect(result.overflow).toBe(true);
    expect(result.maxHeld).toBeLessThanOrEqual(MAX_LINE_BYTES + 1);
  });

  it('reads only the range it is given of a chunk, as the server feeds it one line at a time', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(lineText, fc.boolean()), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (lines, points) => {
        const data = Buffer.from(lines.map(([text, crlf]) => `${text}${crlf ? '\r\n' : '\n'}`).join(''), 'latin1');
        // Garbage around the range must never be read: bytes before `from` and from `to` on.
        const framed = Buffer.concat([Buffer.from('GARBAGE\n'), data, Buffer.from('\nTAIL')]);
        const from = 8;
        const splitter = new LineSplitter(MAX_LINE_BYTES);
        const got: string[] = [];
        const onEvent = (e: SplitEvent) => {
          if (e.type === 'line') got.push(e.line.toString('latin1'));
        };
        const ends = [...new Set(points.map((p) => from + (p % (data.length + 1))))].sort((a, b) => a - b);
        let at = from;
        for (const end of [...ends, from + data.length]) {
          splitter.push(framed, onEvent, at, end);
          at = end;
        }
        expect(got).toEqual(lines.map(([text]) => text));
        expect(splitter.bufferedBytes).toBe(0);
      }),
    );
  });
});
