// parseRequest / encodeRequest: every verb, every 400, and encode → parse round trips.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequest, encodeRequest } from '../../../src/protocol/request.js';
import type { Request } from '../../../src/protocol/types.js';

const songId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/);
const request: fc.Arbitrary<Request> = fc.oneof(
  fc.constant<Request>({ verb: 'HELLO' }),
  fc.stringMatching(/^[!-~]{1,20}$/).map((clientName): Request => ({ verb: 'HELLO', clientName })),
  songId.map((song): Request => ({ verb: 'CHECK', song })),
  fc.tuple(songId, fc.integer({ min: 0, max: 999_999_999_999_999 })).map(([song, offset]): Request => ({ verb: 'GET', song, offset })),
  fc.tuple(songId, fc.integer({ min: 0, max: 999_999_999_999_999 })).map(([song, offset]): Request => ({ verb: 'STREAM', song, offset })),
  fc.constant<Request>({ verb: 'LIST' }),
  fc.constant<Request>({ verb: 'STATS' }),
  fc.constant<Request>({ verb: 'QUIT' }),
);

describe('requests', () => {
  it('parse(encode(request)) is the request', () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(parseRequest(encodeRequest(r).slice(0, -1))).toEqual({ ok: true, request: r });
      }),
    );
  });

  it('an absent offset is 0', () => {
    expect(parseRequest('GET song2')).toEqual({ ok: true, request: { verb: 'GET', song: 'song2', offset: 0 } });
  });

  it.each([
    '',
    ' ',
    'HELLO  x',
    'check x',
    'PLAY',
    'CHECK',
    'CHECK a b',
    'GET a 1 2',
    'GET ../a',
    'GET a -1',
    'GET a 1e3',
    `GET a ${'9'.repeat(16)}`,
    'LIST x',
    'QUIT now',
  ])('%j is ERR 400', (line) => {
    expect(parseRequest(line)).toMatchObject({ ok: false, code: 400 });
  });

  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const result = parseRequest(Buffer.from(bytes));
        expect(typeof result.ok).toBe('boolean');
      }),
    );
  });
});
