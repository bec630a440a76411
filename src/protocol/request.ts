// Request lines: parse (server side) and encode (client side). Pure: no sockets.
import { ERR, OFFSET_PATTERN, isSongId, isVerb, type Verb } from './constants.js';
import type { Request } from './types.js';

export type ParseResult = { ok: true; request: Request } | { ok: false; code: typeof ERR.BAD_REQUEST; text: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** How many arguments each verb takes: [min, max]. */
const ARITY: Readonly<Record<Verb, readonly [number, number]>> = {
  HELLO: [0, 1],
  CHECK: [1, 1],
  GET: [1, 2],
  STREAM: [1, 2],
  LIST: [0, 0],
  STATS: [0, 0],
  QUIT: [0, 0],
};

const USAGE: Readonly<Record<Verb, string>> = {
  HELLO: 'HELLO [client-name]',
  CHECK: 'CHECK <song>',
  GET: 'GET <song> [<offset>]',
  STREAM: 'STREAM <song> [<offset>]',
  LIST: 'LIST',
  STATS: 'STATS',
  QUIT: 'QUIT',
};

/**
 * The line as text; undefined if it is not valid UTF-8. Requests are nearly always ASCII, which
 * latin1 decodes as is and much faster than the checking UTF-8 decoder.
 */
function decodeLine(line: Buffer): string | undefined {
  if (isAscii(line)) return line.toString('latin1');
  try {
    return utf8.decode(line);
  } catch {
    return undefined;
  }
}

function isAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) >= 0x80) return false;
  return true;
}

function bad(text: string): ParseResult {
  return { ok: false, code: ERR.BAD_REQUEST, text };
}

/** Parses one request line (without its terminator). Never throws. */
export function parseRequest(line: Buffer | string): ParseResult {
  const text = typeof line === 'string' ? line : decodeLine(line);
  if (text === undefined) return bad('request is not valid UTF-8');
  if (text.length === 0) return bad('empty request; try HELLO, CHECK <song>, GET <song>, LIST, STATS or QUIT');
  const tokens = text.split(' ');
  if (tokens.includes('')) return bad('tokens must be separated by single spaces');
  const word = tokens[0] as string; // split always gives at least one token
  const args = tokens.slice(1);
  if (!isVerb(word)) {
    const upper = word.toUpperCase();
    if (isVerb(upper)) return bad(`unknown command ${printable(word)}; commands are upper case: ${upper}`);
    return bad(`unknown command ${printable(word)}; commands: HELLO CHECK GET STREAM LIST STATS QUIT`);
  }
  const [min, max] = ARITY[word];
  if (args.length < min || args.length > max) return bad(`wrong number of arguments; usage: ${USAGE[word]}`);
  return buildRequest(word, args);
}

function buildRequest(verb: Verb, args: string[]): ParseResult {
  switch (verb) {
    case 'HELLO':
      return args[0] === undefined ? { ok: true, request: { verb } } : { ok: true, request: { verb, clientName: args[0] } };
    case 'CHECK': {
      const song = args[0] ?? '';
      return isSongId(song) ? { ok: true, request: { verb, song } } : bad('bad song id');
    }
    case 'GET':
    case 'STREAM': {
      const song = args[0] ?? '';
      if (!isSongId(song)) return bad('bad song id');
      const offsetText = args[1] ?? '0';
      if (!OFFSET_PATTERN.test(offsetText)) return bad('bad offset; expected a decimal byte count');
      return { ok: true, request: { verb, song, offset: Number(offsetText) } };
    }
    case 'LIST':
    case 'STATS':
    case 'QUIT':
      return { ok: true, request: { verb } };
  }
}

/** Shows at most 32 characters of what the client sent, with control characters escaped. */
function printable(word: string): string {
  const cut = word.length > 32 ? `${word.slice(0, 32)}…` : word;
  return JSON.stringify(cut);
}

/** Encodes a request as one line with its `\n`. */
export function encodeRequest(request: Request): string {
  switch (request.verb) {
    case 'HELLO':
      return request.clientName ? `HELLO ${request.clientName}\n` : 'HELLO\n';
    case 'CHECK':
      return `CHECK ${request.song}\n`;
    case 'GET':
    case 'STREAM':
      return request.offset > 0 ? `${request.verb} ${request.song} ${request.offset}\n` : `${request.verb} ${request.song}\n`;
    case 'LIST':
    case 'STATS':
    case 'QUIT':
      return `${request.verb}\n`;
  }
}
