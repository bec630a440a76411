// Response lines: encode (server side) and decode (client side). Pure: no sockets.
import { PROTOCOL_NAME } from './constants.js';
import type { ExtraFields, ListEntry, Response, ServerStats } from './types.js';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const COUNT = /^(0|[1-9][0-9]{0,14})$/;

/** Encodes a response line with its `\n` (a body, if any, follows separately). */
export function encodeResponse(response: Response): string {
  switch (response.kind) {
    case 'OK':
      return `OK ${response.protocol} server=${response.server} catalog=${response.catalog} songs=${response.songs}${extras(response.extra)}\n`;
    case 'EXIST': {
      const active = response.active === undefined ? '' : ` active=${response.active}`;
      return `EXIST ${response.bytes} ${response.sha256}${active}${extras(response.extra)}\n`;
    }
    case 'NOT_EXIST':
      return 'NOT_EXIST\n';
    case 'DATA':
      return `DATA ${response.length}\n`;
    case 'LIST':
      return `LIST ${response.count}\n`;
    case 'STATS':
      return `STATS ${JSON.stringify(response.stats)}\n`;
    case 'BYE':
      return 'BYE\n';
    case 'ERR':
      return `ERR ${response.code} ${response.text.replace(/[\r\n]/g, ' ')}\n`;
  }
}

export function encodeListEntry(entry: ListEntry): string {
  return `${entry.song} ${entry.bytes} ${entry.sha256}\n`;
}

function extras(extra: ExtraFields): string {
  // Nearly always empty: skip building arrays for nothing (a server encodes one line per request).
  let any = false;
  for (const _ in extra) {
    any = true;
    break;
  }
  if (!any) return '';
  return Object.entries(extra)
    .map(([k, v]) => ` ${k}=${v}`)
    .join('');
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; reason: string };

function fail<T>(reason: string): DecodeResult<T> {
  return { ok: false, reason };
}

/** Splits `key=value` tokens off the end of a response line; positional ones stay in order. */
function splitFields(tokens: string[]): { positional: string[]; fields: Record<string, string> } {
  const positional: string[] = [];
  const fields: Record<string, string> = {};
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq > 0) fields[token.slice(0, eq)] = token.slice(eq + 1);
    else positional.push(token);
  }
  return { positional, fields };
}

/** Decodes one response line (without its terminator). */
export function decodeResponse(line: string): DecodeResult<Response> {
  const space = line.indexOf(' ');
  const word = space === -1 ? line : line.slice(0, space);
  const rest = space === -1 ? '' : line.slice(space + 1);
  switch (word) {
    case 'OK':
      return decodeOk(rest);
    case 'EXIST':
      return decodeExist(rest);
    case 'NOT_EXIST':
      return { ok: true, value: { kind: 'NOT_EXIST' } };
    case 'DATA':
    case 'LIST': {
      // Unknown key=value fields after the count are ignored (forward compatibility), as on every line.
      const count = space === -1 ? '' : firstToken(rest);
      if (!COUNT.test(count) || !onlyFields(rest, count.length)) return fail(`${word} expects a byte or line count, got ${JSON.stringify(rest)}`);
      const n = Number(count);
      return { ok: true, value: word === 'DATA' ? { kind: 'DATA', length: n } : { kind: 'LIST', count: n } };
    }
    case 'STATS':
      return decodeStats(rest);
    case 'BYE':
      return { ok: true, value: { kind: 'BYE' } };
    case 'ERR': {
      const m = /^([0-9]{3})(?: (.*))?$/.exec(rest);
      if (!m) return fail(`ERR expects a 3-digit code, got ${JSON.stringify(rest)}`);
      return { ok: true, value: { kind: 'ERR', code: Number(m[1]), text: m[2] ?? '' } };
    }
    default:
      return fail(`unknown response ${JSON.stringify(line.slice(0, 40))}`);
  }
}

function firstToken(text: string): string {
  const space = text.indexOf(' ');
  return space === -1 ? text : text.slice(0, space);
}

/** True when everything after `from` is ` key=value` tokens (or nothing). */
function onlyFields(text: string, from: number): boolean {
  if (from === text.length) return true;
  return text
    .slice(from + 1)
    .split(' ')
    .every((token) => token.indexOf('=') > 0);
}

function decodeOk(rest: string): DecodeResult<Response> {
  const { positional, fields } = splitFields(rest.split(' '));
  const protocol = positional[0];
  if (protocol !== PROTOCOL_NAME) return fail(`expected ${PROTOCOL_NAME} in OK, got ${JSON.stringify(protocol)}`);
  const { server, catalog, songs, ...extra } = fields;
  if (!server || !catalog || !songs || !COUNT.test(songs)) return fail('OK needs server=, catalog= and songs=');
  return { ok: true, value: { kind: 'OK', protocol, server, catalog, songs: Number(songs), extra } };
}

function decodeExist(rest: string): DecodeResult<Response> {
  const { positional, fields } = splitFields(rest.split(' '));
  const [bytes, sha256] = positional;
  if (!bytes || !COUNT.test(bytes) || !sha256 || !SHA256_HEX.test(sha256)) {
    return fail(`EXIST expects <bytes> <sha256-hex>, got ${JSON.stringify(rest)}`);
  }
  const { active, ...extra } = fields;
  const value: Response = { kind: 'EXIST', bytes: Number(bytes), sha256, extra };
  if (active !== undefined && COUNT.test(active)) value.active = Number(active);
  return { ok: true, value };
}

function decodeStats(rest: string): DecodeResult<Response> {
  try {
    const stats: unknown = JSON.parse(rest);
    if (typeof stats !== 'object' || stats === null) return fail('STATS expects a JSON object');
    return { ok: true, value: { kind: 'STATS', stats: stats as ServerStats } };
  } catch {
    return fail('STATS expects one line of JSON');
  }
}

export function decodeListEntry(line: string): DecodeResult<ListEntry> {
  const [song, bytes, sha256, ...more] = line.split(' ');
  if (!song || !bytes || !COUNT.test(bytes) || !sha256 || !SHA256_HEX.test(sha256) || more.length > 0) {
    return fail(`LIST entry expects <song> <bytes> <sha256-hex>, got ${JSON.stringify(line.slice(0, 80))}`);
  }
  return { ok: true, value: { song, bytes: Number(bytes), sha256 } };
}
