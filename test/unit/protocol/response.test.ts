// Responses: encode → decode round trips, and ResponseDecoder framing split at any point.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_LINE_BYTES, ResponseDecoder, type DecoderEvent } from '../../../src/protocol/response-decoder.js';
import { decodeResponse, encodeListEntry, encodeResponse } from '../../../src/protocol/response.js';
import type { Response } from '../../../src/protocol/types.js';

const sha = fc.stringMatching(/^[0-9a-f]{64}$/);
const count = fc.integer({ min: 0, max: 999_999_999_999_999 });
const response: fc.Arbitrary<Response> = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,8}$/), fc.stringMatching(/^[0-9a-f]{12}$/), count)
    .map(([server, catalog, songs]): Response => ({ kind: 'OK', protocol: 'jukebox/1', server, catalog, songs, extra: {} })),
  fc
    .tuple(count, sha, fc.option(count, { nil: undefined }))
    .map(([bytes, sha256, active]): Response =>
      active === undefined ? { kind: 'EXIST', bytes, sha256, extra: {} } : { kind: 'EXIST', bytes, sha256, active, extra: {} },
    ),
  fc.constant<Response>({ kind: 'NOT_EXIST' }),
  count.map((length): Response => ({ kind: 'DATA', length })),
  count.map((n): Response => ({ kind: 'LIST', count: n })),
  fc.constant<Response>({ kind: 'BYE' }),
  fc.tuple(fc.constantFrom(400, 413, 416, 500, 503), fc.stringMatching(/^[ -~]{0,40}$/)).map(([code, text]): Response => ({ kind: 'ERR', code, text })),
);

describe('responses', () => {
  it('decode(encode(response)) is the response', () => {
    fc.assert(
      fc.property(response, (r) => {
        expect(decodeResponse(encodeResponse(r).slice(0, -1))).toEqual({ ok: true, value: r });
      }),
    );
  });

  it('keeps unknown key=value fields as extras (forward compatibility)', () => {
    const decoded = decodeResponse('EXIST 10 ' + 'a'.repeat(64) + ' active=2 region=eu');
    expect(decoded).toEqual({ ok: true, value: { kind: 'EXIST', bytes: 10, sha256: 'a'.repeat(64), active: 2, extra: { region: 'eu' } } });
  });

  it('ResponseDecoder frames lines, DATA bodies and LIST entries identically however the bytes are split', () => {
    const entry = { song: 'song1', bytes: 5, sha256: 'b'.repeat(64) };
    const stream = Buffer.concat([
      Buffer.from('OK jukebox/1 server=s1 catalog=0123456789ab songs=1\nDATA 5\n'),
      Buffer.from('ab\ncd'),
      Buffer.from('DATA 0\nLIST 1\n' + encodeListEntry(entry) + 'LIST 0\nERR 416 offset\nBYE\n'),
    ]);
    const decode = (chunks: Buffer[]) => {
      const events: DecoderEvent[] = [];
      const decoder = new ResponseDecoder((e) => events.push(e.type === 'body' ? { type: 'body', chunk: Buffer.from(e.chunk) } : e));
      for (const c of chunks) decoder.push(c);
      // Join adjacent body chunks so that different splits compare equal.
      const joined: Array<DecoderEvent | { type: 'bodyText'; text: string }> = [];
      for (const e of events) {
        const last = joined.at(-1);
        if (e.type === 'body' && last?.type === 'bodyText') last.text += e.chunk.toString('latin1');
        else joined.push(e.type === 'body' ? { type: 'bodyText', text: e.chunk.toString('latin1') } : e);
      }
      return joined;
    };
    const whole = decode([stream]);
    expect(whole.map((e) => e.type)).toEqual([
      'response',
      'response',
      'bodyText',
      'bodyEnd',
      'response',
      'bodyEnd',
      'response',
      'list',
      'response',
      'list',
      'response',
      'response',
    ]);
    fc.assert(
      fc.property(fc.array(fc.nat({ max: stream.length }), { maxLength: 20 }), (points) => {
        const sorted = [...new Set(points)].sort((a, b) => a - b);
        const chunks: Buffer[] = [];
        let start = 0;
        for (const p of sorted) chunks.push(stream.subarray(start, (start = p)));
        chunks.push(stream.subarray(start));
        expect(decode(chunks)).toEqual(whole);
      }),
    );
  });

  it('an undecodable line fails the decoder once and it stops', () => {
    const events: DecoderEvent[] = [];
    const decoder = new ResponseDecoder((e) => events.push(e));
    decoder.push(Buffer.from('WHAT\nBYE\n'));
    expect(events).toEqual([{ type: 'error', reason: expect.stringContaining('unknown response') }]);
  });

  it('CRLF line endings and the line limit hold alike for a line in one chunk and a line split over chunks', () => {
    const decodeAll = (chunks: Buffer[]) => {
      const events: DecoderEvent[] = [];
      const decoder = new ResponseDecoder((e) => events.push(e));
      for (const c of chunks) decoder.push(c);
      return events;
    };
    const crlf = Buffer.from('NOT_EXIST\r\nEXIST 5 ' + 'a'.repeat(64) + '\r\n');
    const whole = decodeAll([crlf]);
    expect(whole.map((e) => (e.type === 'response' ? e.response.kind : e.type))).toEqual(['NOT_EXIST', 'EXIST']);
    expect(decodeAll([crlf.subarray(0, 10), crlf.subarray(10, 11), crlf.subarray(11)])).toEqual(whole);

    const atLimit = Buffer.from(`ERR 500 ${'x'.repeat(MAX_RESPONSE_LINE_BYTES - 8)}\n`);
    expect(decodeAll([atLimit])).toEqual([{ type: 'response', response: { kind: 'ERR', code: 500, text: 'x'.repeat(MAX_RESPONSE_LINE_BYTES - 8) } }]);
    const overLimit = Buffer.from(`ERR 500 ${'x'.repeat(MAX_RESPONSE_LINE_BYTES - 7)}\nBYE\n`);
    const tooLong = [{ type: 'error', reason: 'response line too long' }];
    expect(decodeAll([overLimit])).toEqual(tooLong);
    expect(decodeAll([overLimit.subarray(0, 100), overLimit.subarray(100)])).toEqual(tooLong);
  });
});
