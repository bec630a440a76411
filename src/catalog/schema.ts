// Validation of catalog.json: strict about keys, every number bounded, every problem reported at
// once as `key.path: expected <what>, got <value>` (load.ts puts the file in front).
import { z } from 'zod';
import { SONG_ID_PATTERN } from '../protocol/constants.js';
import { closestWords } from '../util/suggest.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import type { Catalog } from './types.js';
import { valueAt } from '../util/value-at.js';

/** MPEG-1 Layer III bitrates: the only ones a generated or real MP3 can have. */
export const MPEG1_L3_BITRATES_KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320] as const;
/**
 * The bitrates of a generated song: the generator's encoder (lamejs, whose API cannot fix the
 * sample rate) resamples mono below 64 kbps to 32 kHz or MPEG-2, and generated songs are 44.1 kHz.
 */
export const GENERATED_BITRATES_KBPS: readonly number[] = MPEG1_L3_BITRATES_KBPS.filter((kbps) => kbps >= 64);

/**
 * 3 hours. A song longer than that is no song (a long DJ mix or a whole album side still fits), a
 * STREAM of it at real time would outlast any run, and the generator's work and the file it writes
 * stay bounded: 3 h at 320 kbps is 432 MB on disk, made in chunks (mp3.ts), never whole in memory.
 */
export const MAX_DURATION_SEC = 3 * 60 * 60;
/**
 * 1 GiB. 3 h at 320 kbps is 432 MB: this leaves room for large tags and cover art, and keeps every
 * size far inside the 32-bit fields of an MP3 (the Xing header) and the protocol's byte counts.
 */
export const MAX_SONG_BYTES = 2 ** 30;
/** Bitrates a real MP3 can report: MPEG-2.5 goes down to 8 kbps, free format up to 640 kbps (VBR averages fall between). */
export const MIN_BITRATE_KBPS = 8;
export const MAX_BITRATE_KBPS = 640;
/**
 * 100,000 songs. Every server encodes its LIST once in memory, every client and worker thread
 * holds the catalog, and a client's Tab completion scans it: a larger list is a mistake, not a library.
 */
export const MAX_SONGS = 100_000;
/** 64 servers: a client asks every server that may hold a song on every question, one connection each. */
export const MAX_SERVERS = 64;
/** 1,024 characters for a title, artist or album: one line on a screen; longer is a pasted document or an attack. */
export const MAX_TEXT_CHARS = 1024;
/** A host name is at most 253 characters (RFC 1035); an IPv6 literal is shorter. */
export const MAX_HOST_CHARS = 253;
/** PATH_MAX on Linux. */
export const MAX_FILE_CHARS = 4096;
/** A year as ID3 stores it: four digits. */
export const MAX_YEAR = 9999;
/** The largest TCP port. */
export const MAX_PORT = 65535;
/** Problems listed in one message; the rest are counted (a broken 100,000-song file stays readable). */
export const MAX_LISTED_PROBLEMS = 50;
/** A value shown after `got` is cut to this many characters. */
const SHOWN_VALUE_CHARS = 60;

export const SERVER_KEYS = ['id', 'host', 'port'] as const;
export const SONG_KEYS = ['id', 'title', 'artist', 'durationSec', 'bitrateKbps', 'bytes', 'sha256', 'servers', 'file', 'album', 'year'] as const;
export const TOP_KEYS = ['servers', 'songs'] as const;

const SERVER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/;

/** A number check whose every failure says the same thing: what is expected, bounds included. */
function boundedNumber(min: number, max: number, options: { integer: boolean; exclusiveMin?: boolean }) {
  const what = `${options.integer ? 'a whole number' : 'a number'} ${options.exclusiveMin ? `> ${min}` : `>= ${min}`} and <= ${max}`;
  const error = `expected ${what}`;
  let schema = z.number({ error });
  if (options.integer) schema = schema.int({ error });
  schema = options.exclusiveMin ? schema.gt(min, { error }) : schema.gte(min, { error });
  return schema.lte(max, { error });
}

function text(maxChars: number, what = 'text') {
  const error = `expected ${what} of 1 to ${maxChars} characters`;
  return z.string({ error }).min(1, { error }).max(maxChars, { error });
}

const serverSchema = z.strictObject(
  {
    id: z
      .string({ error: 'expected a server id like s1' })
      .regex(SERVER_ID_PATTERN, { error: 'expected a server id like s1 (^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$)' }),
    host: text(MAX_HOST_CHARS, 'a host name'),
    port: boundedNumber(0, MAX_PORT, { integer: true }),
  },
  { error: 'expected a server: an object with id, host and port' },
);

const songSchema = z.strictObject(
  {
    id: z.string({ error: 'expected a song id' }).regex(SONG_ID_PATTERN, { error: 'expected a song id matching ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' }),
    title: text(MAX_TEXT_CHARS),
    artist: text(MAX_TEXT_CHARS),
    durationSec: boundedNumber(0, MAX_DURATION_SEC, { integer: false, exclusiveMin: true }),
    bitrateKbps: boundedNumber(MIN_BITRATE_KBPS, MAX_BITRATE_KBPS, { integer: true }),
    bytes: boundedNumber(0, MAX_SONG_BYTES, { integer: true }),
    sha256: z.string({ error: 'expected 64 lower-case hex digits' }).regex(/^[0-9a-f]{64}$/, { error: 'expected 64 lower-case hex digits' }),
    servers: z
      .array(z.string({ error: 'expected a server id' }), { error: 'expected a list of server ids' })
      .max(MAX_SERVERS, { error: `expected at most ${MAX_SERVERS} server ids` }),
    file: text(MAX_FILE_CHARS, 'a file path').optional(),
    album: z
      .string({ error: 'expected text' })
      .max(MAX_TEXT_CHARS, { error: `expected text of at most ${MAX_TEXT_CHARS} characters` })
      .optional(),
    year: boundedNumber(0, MAX_YEAR, { integer: true }).optional(),
  },
  { error: 'expected a song: an object with id, title, artist, durationSec, bitrateKbps, bytes, sha256 and servers' },
);

export const catalogSchema = z
  .strictObject(
    {
      servers: z
        .array(serverSchema, { error: 'expected a list of servers' })
        .min(1, { error: 'expected at least one server' })
        .max(MAX_SERVERS, { error: `expected at most ${MAX_SERVERS} servers` }),
      songs: z.array(songSchema, { error: 'expected a list of songs' }).max(MAX_SONGS, { error: `expected at most ${MAX_SONGS} songs` }),
    },
    { error: 'expected a catalog: an object with servers and songs' },
  )
  .superRefine((catalog, ctx) => {
    const serverIds = new Set<string>();
    catalog.servers.forEach((server, i) => {
      if (serverIds.has(server.id))
        ctx.addIssue({ code: 'custom', path: ['servers', i, 'id'], message: 'expected a server id not used before (ids are unique)' });
      serverIds.add(server.id);
    });
    const songIds = new Set<string>();
    catalog.songs.forEach((song, i) => {
      if (songIds.has(song.id)) ctx.addIssue({ code: 'custom', path: ['songs', i, 'id'], message: 'expected a song id not used before (ids are unique)' });
      songIds.add(song.id);
      // Only a bitrate within the bounds (out of them it has its own problem already).
      const inBounds = Number.isInteger(song.bitrateKbps) && song.bitrateKbps >= MIN_BITRATE_KBPS && song.bitrateKbps <= MAX_BITRATE_KBPS;
      if (song.file === undefined && inBounds && !GENERATED_BITRATES_KBPS.includes(song.bitrateKbps)) {
        ctx.addIssue({
          code: 'custom',
          path: ['songs', i, 'bitrateKbps'],
          message: `expected an MPEG-1 Layer III bitrate of 64 kbps or more for a generated song (no file): ${GENERATED_BITRATES_KBPS.join(', ')}`,
        });
      }
      const seen = new Set<string>();
      song.servers.forEach((id, j) => {
        if (!serverIds.has(id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['songs', i, 'servers', j],
            message: `expected one of the catalog's servers (${[...serverIds].map(escapeForTerminal).join(', ')})`,
          });
        } else if (seen.has(id)) {
          ctx.addIssue({ code: 'custom', path: ['songs', i, 'servers', j], message: 'expected each server once' });
        }
        seen.add(id);
      });
    });
  });

/** The keys allowed at each level, by the shape of the path (numbers stand for list positions). */
function knownKeysAt(path: readonly PropertyKey[]): readonly string[] {
  if (path.length === 0) return TOP_KEYS;
  if (path[0] === 'servers') return SERVER_KEYS;
  if (path[0] === 'songs') return SONG_KEYS;
  return [];
}

/** A value as a problem shows it: JSON, cut short, controls escaped (it may come from anywhere). */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  let shown: string;
  if (Array.isArray(value)) shown = `a list of ${value.length} item(s)`;
  else if (typeof value === 'object' && value !== null)
    shown = `an object with keys ${
      Object.keys(value)
        .slice(0, 5)
        .map((k) => JSON.stringify(k))
        .join(', ') || '(none)'
    }`;
  else if (typeof value === 'number' && !Number.isFinite(value)) shown = String(value);
  else shown = JSON.stringify(value) ?? String(value);
  if (shown.length > SHOWN_VALUE_CHARS) shown = `${shown.slice(0, SHOWN_VALUE_CHARS)}…`;
  return escapeForTerminal(shown);
}

/** A plain key or list position is shown as is; any other key (empty, spaces, dots, quotes) in JSON quotes, so the path stays readable. */
const PLAIN_KEY = /^[A-Za-z0-9_$-]+$/;

function pathText(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((p) => (typeof p === 'number' || PLAIN_KEY.test(String(p)) ? String(p) : escapeForTerminal(JSON.stringify(String(p))))).join('.');
}

/** Turns zod's issues into `key.path: expected …, got …` lines; unknown keys get a did-you-mean. */
export function describeIssues(error: z.ZodError, data: unknown): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(issue.path);
      return issue.keys.map((key) => {
        const suggestion = closestWords(key, known, 1)[0];
        const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
        return `${pathText([...issue.path, key])}: expected one of ${known.join(', ')}, got an unknown key${hint}`;
      });
    }
    return [`${pathText(issue.path)}: ${issue.message}, got ${showValue(valueAt(data, issue.path))}`];
  });
}

/**
 * Lists too long to check element by element are refused before zod walks them: a 10-million
 * entry list would otherwise make 10 million issues.
 */
function oversizedLists(data: unknown): string[] {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [];
  const record = data as Record<string, unknown>;
  const problems: string[] = [];
  const check = (key: string, max: number) => {
    const value = record[key];
    if (Array.isArray(value) && value.length > max)
      problems.push(`${key}: expected at most ${max.toLocaleString('en-US')} ${key}, got a list of ${value.length.toLocaleString('en-US')}`);
  };
  check('servers', MAX_SERVERS);
  check('songs', MAX_SONGS);
  return problems;
}

/** At most MAX_LISTED_PROBLEMS lines, then how many more there were. */
function capped(problems: string[]): string[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_LISTED_PROBLEMS), `… and ${problems.length - MAX_LISTED_PROBLEMS} more problem(s)`];
}

export function parseCatalog(data: unknown): { ok: true; catalog: Catalog } | { ok: false; problems: string[] } {
  const tooLong = oversizedLists(data);
  if (tooLong.length > 0) return { ok: false, problems: tooLong };
  const result = catalogSchema.safeParse(data);
  return result.success ? { ok: true, catalog: result.data } : { ok: false, problems: capped(describeIssues(result.error, data)) };
}
