// The codec fix the client relies on: DATA and LIST lines, like every response line, may carry
// key=value fields the client does not know (protocol.md, forward compatibility).
import { describe, expect, it } from 'vitest';
import { ResponseDecoder, type DecoderEvent } from '../../../src/protocol/response-decoder.js';
import { decodeResponse } from '../../../src/protocol/response.js';

describe('DATA and LIST lines with unknown key=value fields', () => {
  it.each([
    ['DATA 5 region=eu', { kind: 'DATA', length: 5 }],
    ['DATA 0 a=1 b=2', { kind: 'DATA', length: 0 }],
    ['LIST 2 more=yes', { kind: 'LIST', count: 2 }],
  ])('%s decodes, the fields ignored', (line, value) => {
    expect(decodeResponse(line)).toEqual({ ok: true, value });
  });

  it.each(['DATA', 'DATA ', 'DATA 5 6', 'DATA x=1', 'DATA 5 =x', 'LIST 2 3', 'DATA -1'])('%j is still refused', (line) => {
    expect(decodeResponse(line).ok).toBe(false);
  });

  it('the decoder frames a DATA body after a line with fields', () => {
    const events: DecoderEvent[] = [];
    new ResponseDecoder((e) => events.push(e)).push(Buffer.from('DATA 3 x=1\nabcNOT_EXIST\n'));
    expect(events.map((e) => (e.type === 'body' ? `body:${e.chunk.toString()}` : e.type))).toEqual(['response', 'body:abc', 'bodyEnd', 'response']);
  });
});
