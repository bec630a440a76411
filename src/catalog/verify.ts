// Checking song files against the catalog: size and sha256 of each, every mismatch named.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { assertNever, JukeboxError } from '../errors.js';
import type { FileFacts } from './library.js';
import type { LoadedCatalog } from './types.js';

/** What is wrong with one song's file. */
export type LibraryProblem =
  /** There is no file at the path (or it is not a regular file). */
  | 'missing'
  /** The file exists but cannot be read (permissions, I/O error); `reason` says why. */
  | 'unreadable'
  /** Its size differs from the catalog's `bytes` (its sha256 then differs too, and is reported). */
  | 'size'
  /** The size is right but the content is not: its sha256 differs from the catalog's. */
  | 'sha256';

export interface LibraryMismatch {
  songId: string;
  file: string;
  /** The file is the generator's, in the cache (it can be made again), not the user's own. */
  generated: boolean;
  problem: LibraryProblem;
  expected: FileFacts;
  /** What the file holds; null when it is missing or unreadable. */
  found: FileFacts | null;
  reason?: string;
}

/** The sha256 of a file in lower-case hex, read as a stream (songs can be large). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Compares each file with its song's `bytes` and `sha256`, one file at a time (hashing is disk
 * bound; parallel reads would only compete). Returns every mismatch, in the map's order; an
 * empty list means the library matches the catalog.
 */
export async function verifyLibrary(loaded: LoadedCatalog, files: Map<string, string>): Promise<LibraryMismatch[]> {
  const songs = new Map(loaded.catalog.songs.map((song) => [song.id, song]));
  const mismatches: LibraryMismatch[] = [];
  for (const [songId, file] of files) {
    const song = songs.get(songId);
    if (!song) throw new JukeboxError('E_BAD_ARGUMENT', `verifyLibrary: no song ${JSON.stringify(songId)} in catalog ${loaded.path}`);
    const mismatch = await checkFile(songId, file, { bytes: song.bytes, sha256: song.sha256 });
    if (mismatch) mismatches.push({ ...mismatch, generated: song.file === undefined });
  }
  return mismatches;
}

async function checkFile(songId: string, file: string, expected: FileFacts): Promise<Omit<LibraryMismatch, 'generated'> | undefined> {
  let found: FileFacts;
  try {
    const info = await stat(file);
    if (!info.isFile()) return { songId, file, problem: 'missing', expected, found: null, reason: 'not a regular file' };
    found = { bytes: info.size, sha256: await sha256File(file) };
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { songId, file, problem: 'missing', expected, found: null };
    return { songId, file, problem: 'unreadable', expected, found: null, reason: code ?? String(cause) };
  }
  if (found.bytes !== expected.bytes) return { songId, file, problem: 'size', expected, found };
  if (found.sha256 !== expected.sha256) return { songId, file, problem: 'sha256', expected, found };
  return undefined;
}

/** One line a user can act on: the song, the file, what the catalog expects and what is there. */
export function describeMismatch(m: LibraryMismatch): string {
  const what = m.generated ? `cache file ${m.file}` : m.file;
  const expected = `expected ${m.expected.bytes} bytes sha256 ${m.expected.sha256}`;
  switch (m.problem) {
    case 'missing':
      return `song ${m.songId}: ${what} is missing${m.reason ? ` (${m.reason})` : ''}; ${expected}`;
    case 'unreadable':
      return `song ${m.songId}: ${what} cannot be read (${m.reason ?? 'unknown reason'}); ${expected}`;
    case 'size':
    case 'sha256':
      return `song ${m.songId}: ${what} has the wrong ${m.problem === 'size' ? (m.found && m.found.bytes < m.expected.bytes ? 'size (truncated)' : 'size') : 'content'}: ${expected}, found ${m.found?.bytes ?? '?'} bytes sha256 ${m.found?.sha256 ?? '?'}`;
    default:
      return assertNever(m.problem, 'library problem');
  }
}
