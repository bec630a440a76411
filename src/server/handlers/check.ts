// CHECK <song> → EXIST <bytes> <sha256> active=<n> | NOT_EXIST
import { isSongId } from '../../protocol/constants.js';
import type { ServerContext, Exchange, Pending } from '../context.js';
import type { StoredSong } from '../song-store.js';
import type { RequestOf } from './types.js';

export function check(exchange: Exchange, request: RequestOf<'CHECK'>): Pending {
  const { store, counters } = exchange.server;
  const stored = store.get(request.song);
  if (!stored) return exchange.reply({ kind: 'NOT_EXIST' });
  return exchange.reply({ kind: 'EXIST', bytes: stored.song.bytes, sha256: stored.song.sha256, active: counters.activeTransfers, extra: {} });
}

/** `CHECK ` in bytes. */
const C = 0x43;
const H = 0x48;
const E = 0x45;
const K = 0x4b;
const SPACE = 0x20;
const PREFIX_BYTES = 6;

/** `EXIST <bytes> <sha256> active=` of each song, built once: all but the count is fixed while the server runs. */
const existPrefixes = new WeakMap<StoredSong, string>();

/**
 * The answer line to a request line (`bytes` from `start` to `end`, without its terminator) that is a well-formed `CHECK <song>`, as encodeResponse
 * gives it for what check() replies; undefined for any other line (the caller then parses it
 * the usual way, which answers every error). CHECK is the request a client sends thousands of
 * times a second: this answers it with no parse result, exchange or response object.
 */
export function checkAnswerLine(server: ServerContext, bytes: Buffer, start: number, end: number): string | undefined {
  const at = start;
  if (
    end - at <= PREFIX_BYTES ||
    bytes[at] !== C ||
    bytes[at + 1] !== H ||
    bytes[at + 2] !== E ||
    bytes[at + 3] !== C ||
    bytes[at + 4] !== K ||
    bytes[at + 5] !== SPACE
  )
    return undefined;
  // latin1 maps every byte to one character; the id pattern admits ASCII only, so a non-ASCII id fails it here and is answered by the parser.
  const song = bytes.toString('latin1', at + PREFIX_BYTES, end);
  if (!isSongId(song)) return undefined;
  const stored = server.store.get(song);
  if (!stored) return 'NOT_EXIST\n';
  let prefix = existPrefixes.get(stored);
  if (prefix === undefined) {
    prefix = `EXIST ${stored.song.bytes} ${stored.song.sha256} active=`;
    existPrefixes.set(stored, prefix);
  }
  return `${prefix}${server.counters.activeTransfers}\n`;
}
