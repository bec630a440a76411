// The song files behind a loaded catalog: user files next to catalog.json, generated files in the cache.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { JukeboxError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { cacheDir as defaultCacheDir } from '../util/paths.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { loadCatalog } from './load.js';
import { isMp3Bitrate, mp3Chunks } from './mp3.js';
import { MPEG1_L3_BITRATES_KBPS } from './schema.js';
import type { CatalogSong, LoadedCatalog } from './types.js';
import { MP3_GENERATOR_VERSION } from './version.js';

/** Generated files live in `<cache>/mp3/`. */
export const GENERATED_SUBDIR = 'mp3';
/** A generated file's name carries this much of the catalog's sha256, so a changed song gets a new file. */
export const CACHE_NAME_HASH_HEX_DIGITS = 16;

export interface ResolveLibraryOptions {
  /** Where generated files go; default cacheDir() (JUKEBOX_CACHE_DIR or <package>/.cache). */
  cacheDir?: string;
  /** Only these songs (e.g. the songs of one server); default every song of the catalog. */
  songIds?: string[];
  /**
   * true (default): a missing user file is an E_LIBRARY_MISSING error naming every missing file.
   * false: its path is returned anyway, so that verifyLibrary can report it with the rest.
   */
  requireUserFiles?: boolean;
  /** Called once per song as it is resolved, in catalog order (the CLI prints progress with it). */
  onSong?: (event: LibrarySongEvent) => void;
}

export type LibrarySongAction = 'generated' | 'reused' | 'user-file' | 'missing';

export interface LibrarySongEvent {
  songId: string;
  file: string;
  action: LibrarySongAction;
  /** 1-based position among the songs being resolved, and their count. */
  index: number;
  total: number;
}

/** The facts catalog.json records about a file. */
export interface FileFacts {
  bytes: number;
  sha256: string;
}

export interface GeneratedFactsChange {
  songId: string;
  before: FileFacts;
  after: FileFacts;
}

export function isGeneratedSong(song: CatalogSong): boolean {
  return song.file === undefined;
}

/** `<cache>/mp3/<id>-<first 16 hex of the catalog sha256>-g<generator version>.mp3` */
export function generatedSongPath(song: CatalogSong, cacheDirectory: string = defaultCacheDir()): string {
  return join(resolve(cacheDirectory), GENERATED_SUBDIR, `${song.id}-${song.sha256.slice(0, CACHE_NAME_HASH_HEX_DIGITS)}-g${MP3_GENERATOR_VERSION}.mp3`);
}

/** Where a song's file is: its `file` relative to the catalog's folder, or its cache file. */
export function songFilePath(loaded: LoadedCatalog, song: CatalogSong, cacheDirectory: string = defaultCacheDir()): string {
  return song.file === undefined ? generatedSongPath(song, cacheDirectory) : resolve(dirname(loaded.path), song.file);
}

/** The songs named by `songIds` (every song when absent), in catalog order; unknown ids are an error. */
export function selectSongs(loaded: LoadedCatalog, songIds?: string[]): CatalogSong[] {
  if (songIds === undefined) return loaded.catalog.songs;
  const known = new Set(loaded.catalog.songs.map((song) => song.id));
  const unknown = songIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new JukeboxError('E_BAD_ARGUMENT', `no song ${unknown.map((id) => JSON.stringify(id)).join(', ')} in catalog ${loaded.path}`);
  }
  const wanted = new Set(songIds);
  return loaded.catalog.songs.filter((song) => wanted.has(song.id));
}

/**
 * The absolute file of every selected song. Generated songs are written to the cache on first
 * use and reused when a file of the catalog's size is already there (the server checks sha256
 * itself when it starts); user files must exist unless `requireUserFiles` is false.
 */
export async function resolveLibrary(loaded: LoadedCatalog, options: ResolveLibraryOptions = {}): Promise<Map<string, string>> {
  const songs = selectSongs(loaded, options.songIds);
  const cacheDirectory = options.cacheDir ?? defaultCacheDir();
  const requireUserFiles = options.requireUserFiles ?? true;
  // User files first: a missing one fails before minutes of generation, and names all of them.
  const missing = await missingUserFiles(loaded, songs);
  if (requireUserFiles && missing.length > 0) throw missingFilesError(loaded, missing);
  const missingIds = new Set(missing.map((m) => m.song.id));

  const files = new Map<string, string>();
  for (const [i, song] of songs.entries()) {
    const file = songFilePath(loaded, song, cacheDirectory);
    let action: LibrarySongAction;
    if (!isGeneratedSong(song)) action = missingIds.has(song.id) ? 'missing' : 'user-file';
    else action = (await ensureGeneratedFile(loaded, song, file)) ? 'generated' : 'reused';
    files.set(song.id, file);
    options.onSong?.({ songId: song.id, file, action, index: i + 1, total: songs.length });
  }
  return files;
}

/** Every selected song's file, without generating or checking anything: what `catalog verify` looks at. */
export function libraryPaths(loaded: LoadedCatalog, options: Pick<ResolveLibraryOptions, 'cacheDir' | 'songIds'> = {}): Map<string, string> {
  const cacheDirectory = options.cacheDir ?? defaultCacheDir();
  return new Map(selectSongs(loaded, options.songIds).map((song) => [song.id, songFilePath(loaded, song, cacheDirectory)]));
}

/** Writes the cache file of each named generated song anew (whatever is there); returns the files written. */
export async function regenerateSongs(
  loaded: LoadedCatalog,
  songIds: string[],
  cacheDirectory: string = defaultCacheDir(),
): Promise<Array<{ songId: string; file: string }>> {
  const written: Array<{ songId: string; file: string }> = [];
  for (const song of selectSongs(loaded, songIds)) {
    if (!isGeneratedSong(song)) continue;
    const file = generatedSongPath(song, cacheDirectory);
    await writeFileAtomically(file, mp3Chunks(song));
    written.push({ songId: song.id, file });
  }
  return written;
}

async function missingUserFiles(loaded: LoadedCatalog, songs: CatalogSong[]): Promise<Array<{ song: CatalogSong; file: string; why: string }>> {
  const missing: Array<{ song: CatalogSong; file: string; why: string }> = [];
  for (const song of songs) {
    if (isGeneratedSong(song)) continue;
    const file = songFilePath(loaded, song);
    const info = await stat(file).catch(() => undefined);
    // A FIFO or a device is no song file: reading it would block or never end.
    if (!info?.isFile()) missing.push({ song, file, why: info === undefined ? 'missing' : 'not a regular file' });
  }
  return missing;
}

function missingFilesError(loaded: LoadedCatalog, missing: Array<{ song: CatalogSong; file: string; why: string }>): JukeboxError {
  const lines = missing.map(({ song, file, why }) => `  song ${song.id}: ${file} (catalog file ${escapeForTerminal(JSON.stringify(song.file))}): ${why}`);
  return new JukeboxError(
    'E_LIBRARY_MISSING',
    `${missing.length} song file(s) named by ${loaded.path} are missing or not regular files:\n${lines.join('\n')}`,
    {
      hint: "a song's file is relative to the catalog's folder; restore the files or rebuild the catalog with 'jukebox catalog build'",
    },
  );
}

/** Generates the song's file unless one of the catalog's size is there; true when it wrote one. */
async function ensureGeneratedFile(loaded: LoadedCatalog, song: CatalogSong, file: string): Promise<boolean> {
  if (!isMp3Bitrate(song.bitrateKbps)) {
    throw new JukeboxError('E_CATALOG_INVALID', `${loaded.path}: song ${song.id} has bitrate ${song.bitrateKbps} kbps, which no MP3 can have`, {
      hint: `a generated song needs an MPEG-1 Layer III bitrate: ${MPEG1_L3_BITRATES_KBPS.join(', ')}`,
    });
  }
  if ((await fileSize(file)) === song.bytes) return false;
  await writeFileAtomically(file, mp3Chunks(song));
  return true;
}

let tempCounter = 0;

/**
 * Writes to a temporary name in the same folder and renames it into place: rename is atomic, so
 * a crash never leaves a half file under the real name, and two servers generating the same song
 * at once (they write identical bytes) never see each other's partial writes. The data comes a
 * chunk at a time, so a large generated song is never whole in memory.
 */
export async function writeFileAtomically(file: string, data: Iterable<Uint8Array>): Promise<void> {
  const temp = `${file}.${process.pid}-${threadId}-${++tempCounter}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    const handle = await open(temp, 'w');
    try {
      for (const chunk of data) await handle.write(chunk);
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (cause) {
    await rm(temp, { force: true });
    if (cause instanceof JukeboxError) throw cause;
    throw new JukeboxError('E_LIBRARY_MISSING', `cannot write ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      hint: 'generated songs go to JUKEBOX_CACHE_DIR (default <project>/.cache): make it writable or point it elsewhere',
      cause,
    });
  }
}

/**
 * Rewrites `bytes` and `sha256` of every generated song in a catalog file to those of the file
 * the generator makes, keeping every other field, the key order and 2-space JSON. Returns the
 * songs that changed (the file is rewritten only if one did).
 */
export async function updateGeneratedSongFacts(catalogFile: string): Promise<GeneratedFactsChange[]> {
  const loaded = loadCatalog(catalogFile);
  const path = loaded.path;
  // loadCatalog has validated the file, so its raw songs are objects in catalog order; editing
  // the raw objects (not the parsed copy) keeps unknown fields and key order intact.
  const text = await readFile(path, 'utf8');
  // loadCatalog accepts a byte-order mark; the rewritten file has none.
  const data = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text) as unknown;
  const rawSongs = (data as { songs: Array<Record<string, unknown>> }).songs;
  const changes: GeneratedFactsChange[] = [];
  loaded.catalog.songs.forEach((song, i) => {
    const raw = rawSongs[i];
    if (!isGeneratedSong(song) || raw === undefined) return;
    const after = factsOfChunks(mp3Chunks(song));
    if (after.bytes === song.bytes && after.sha256 === song.sha256) return;
    changes.push({ songId: song.id, before: { bytes: song.bytes, sha256: song.sha256 }, after });
    raw.bytes = after.bytes;
    raw.sha256 = after.sha256;
  });
  if (changes.length > 0) writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
  return changes;
}

export function factsOf(data: Buffer): FileFacts {
  return factsOfChunks([data]);
}

/** Size and sha256 of data that comes a chunk at a time (a generated song, without holding it whole). */
export function factsOfChunks(chunks: Iterable<Uint8Array>): FileFacts {
  const hash = createHash('sha256');
  let bytes = 0;
  for (const chunk of chunks) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}
