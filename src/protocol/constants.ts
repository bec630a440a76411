// The fixed numbers and words of jukebox/1 (../../docs/protocol.md).

export const PROTOCOL_NAME = 'jukebox/1';

/** The longest request line, not counting its `\n` or `\r\n` terminator. */
export const MAX_LINE_BYTES = 1024;

/** Ids are catalog keys, never paths: nothing a client sends is joined to a path. */
export const SONG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Offsets are decimal, at most 15 digits so that every one is an exact JS number. */
export const OFFSET_PATTERN = /^[0-9]{1,15}$/;

export const VERBS = ['HELLO', 'CHECK', 'GET', 'STREAM', 'LIST', 'STATS', 'QUIT'] as const;
export type Verb = (typeof VERBS)[number];

export const ERR = {
  BAD_REQUEST: 400,
  LINE_TOO_LONG: 413,
  BAD_OFFSET: 416,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrCode = (typeof ERR)[keyof typeof ERR];

/** After these the server closes the connection; after the others it stays usable. */
export const CLOSING_ERR_CODES: ReadonlySet<number> = new Set([ERR.LINE_TOO_LONG, ERR.UNAVAILABLE]);

export function isVerb(word: string): word is Verb {
  return (VERBS as readonly string[]).includes(word);
}

export function isSongId(id: string): boolean {
  return SONG_ID_PATTERN.test(id);
}
