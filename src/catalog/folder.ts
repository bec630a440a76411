// Building a catalog from a user's folder of MP3s: tags and facts of every file, ids, server assignment.
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { parseFile, type ICommonTagsResult } from 'music-metadata';
import { scanMp3File } from '../mp3/file.js';
import { missingFrames } from '../mp3/index.js';
import { JukeboxError } from '../errors.js';
import { SONG_ID_PATTERN } from '../protocol/constants.js';
import {
  MAX_BITRATE_KBPS,
  MAX_DURATION_SEC,
  MAX_PORT,
  MAX_SERVERS,
  MAX_SONG_BYTES,
  MAX_TEXT_CHARS,
  MAX_YEAR,
  MIN_BITRATE_KBPS,
  parseCatalog,
} from './schema.js';
import type { Catalog, CatalogServer, CatalogSong } from './types.js';
import { sha256File } from './verify.js';

/**
 * Which servers hold which songs:
 * - 'all': every server holds every song;
 * - 'alternate': round robin, each song on exactly one server (s1, s2, s1, …);
 * - 'split': some songs on one server, some on two, like the shipped catalog, so that clients
 *   meet both NOT_EXIST and a choice of servers (s1, s1+s2, s2, s1+s2, …);
 * - a record from song id, or from file path relative to the folder, to server ids; songs it
 *   does not name are held by no server.
 */
export type ServerAssignment = 'all' | 'alternate' | 'split' | Record<string, string[]>;

export interface FolderCatalogOptions {
  servers: CatalogServer[];
  assign: ServerAssignment;
  /** Where the catalog will be written: each song's `file` is relative to its folder. */
  catalogFile: string;
}

/** A file that looked like an MP3 (by its extension) but could not be read as one, or a folder that could not be read. */
export interface SkippedFile {
  file: string;
  reason: string;
}

export interface FolderCatalog {
  catalog: Catalog;
  /** Files left out, each with why: the caller decides whether that is a warning or a failure. */
  skipped: SkippedFile[];
}

export const UNKNOWN_ARTIST = 'Unknown Artist';
export const DEFAULT_FIRST_PORT = 5000;
const MP3_EXTENSION = '.mp3';
/** Ids are at most 128 characters; keep room for a "-NNN" de-duplication suffix. */
const MAX_SLUG_LENGTH = 120;
const FALLBACK_SLUG = 'song';
const MIN_DURATION_SEC = 1;
/** A catalog song is Layer III (MPEG-1, -2 or -2.5): what "MP3" means. */
const MP3_LAYER = 'Layer III';
/**
 * Frames a Xing/VBRI header may promise beyond those present before the file counts as truncated:
 * encoders disagree by one on whether the information frame itself is counted.
 */
const MAX_MISSING_FRAMES = 1;

/**
 * Reads every .mp3 under `folder` (recursively, in sorted path order so the same folder gives the
 * same catalog) and makes a catalog of them. Files that are not readable MP3s are skipped and
 * returned with the reason, rather than failing the whole build: one broken file in a large
 * collection should not block the rest, and the caller (the CLI) lists them and can be strict.
 * A folder with no readable MP3 at all is an error.
 */
export async function buildCatalogFromFolder(folder: string, options: FolderCatalogOptions): Promise<FolderCatalog> {
  const root = resolve(folder);
  const skipped: SkippedFile[] = [];
  const files = await findMp3Files(root, skipped);
  if (files.length === 0) {
    const why = skipped.length > 0 ? `; skipped:\n${skipped.map((s) => `  ${s.file}: ${s.reason}`).join('\n')}` : '';
    throw new JukeboxError('E_BAD_ARGUMENT', `no readable .mp3 files under ${root}${why}`, { hint: 'pass the folder that holds your MP3s' });
  }
  const catalogFolder = dirname(resolve(options.catalogFile));
  const takenIds = new Set<string>();
  const songs: CatalogSong[] = [];
  const relativeToFolder: string[] = [];
  for (const file of files) {
    const read = await readSong(file, catalogFolder);
    if ('reason' in read) {
      skipped.push(read);
      continue;
    }
    const id = uniqueSongId(slugifySongId(basename(file, extname(file))), takenIds);
    songs.push({ id, ...read.song });
    relativeToFolder.push(toPosix(relative(root, file)));
  }
  if (songs.length === 0) {
    throw new JukeboxError(
      'E_MP3_INVALID',
      `none of the ${files.length} .mp3 files under ${root} could be read:\n${skipped.map((s) => `  ${s.file}: ${s.reason}`).join('\n')}`,
    );
  }
  songs.forEach((song, i) => {
    song.servers = assignServers(i, [song.id, relativeToFolder[i] ?? ''], options.servers, options.assign);
  });
  return { catalog: checked({ servers: options.servers, songs }, options.catalogFile), skipped };
}

/**
 * Every *.mp3 (any case) under `root`, sorted. Symlinked files count; symlinked folders are not
 * followed (no loops). A subfolder that cannot be read, and an .mp3 that is not a regular file
 * (a FIFO would block the read forever, a device never ends), are added to `skipped` with the
 * reason and the search goes on; only the root itself must be readable.
 */
export async function findMp3Files(root: string, skipped: SkippedFile[] = []): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (cause) {
    throw new JukeboxError('E_BAD_ARGUMENT', `cannot read folder ${root}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      hint: 'pass a folder you can read',
      cause,
    });
  }
  return walk(root, entries, skipped);
}

async function walk(folder: string, entries: Dirent[], skipped: SkippedFile[]): Promise<string[]> {
  const found: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      let inner: Dirent[];
      try {
        inner = await readdir(path, { withFileTypes: true });
      } catch (cause) {
        skipped.push({ file: path, reason: `folder cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` });
        continue;
      }
      found.push(...(await walk(path, inner, skipped)));
      continue;
    }
    if (extname(entry.name).toLowerCase() !== MP3_EXTENSION) continue;
    if (entry.isFile()) {
      found.push(path);
      continue;
    }
    const info = entry.isSymbolicLink() ? await statOrUndefined(path) : undefined;
    if (info?.isFile()) found.push(path);
    else skipped.push({ file: path, reason: `not a regular file (${describeKind(entry.isSymbolicLink() ? info : entry)})` });
  }
  return found;
}

/** What a non-regular file is, for a warning. */
function describeKind(what: Pick<Stats, 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isDirectory'> | undefined): string {
  if (what === undefined) return 'a broken symbolic link';
  if (what.isFIFO()) return 'a FIFO';
  if (what.isSocket()) return 'a socket';
  if (what.isCharacterDevice() || what.isBlockDevice()) return 'a device';
  if (what.isDirectory()) return 'a folder';
  return 'not a file';
}

type SongFacts = Omit<CatalogSong, 'id'>;

/** The catalog facts of one file, or why it cannot be a song. */
async function readSong(file: string, catalogFolder: string): Promise<{ song: SongFacts } | SkippedFile> {
  // Checked again just before reading: the file may have been replaced since the listing.
  const before = await statOrUndefined(file);
  if (!before?.isFile()) return { file, reason: `not a regular file (${describeKind(before)})` };
  if (before.size > MAX_SONG_BYTES) return { file, reason: `${before.size} bytes is more than a catalog song may have (${MAX_SONG_BYTES})` };
  let scan;
  try {
    scan = await scanMp3File(file);
  } catch (cause) {
    return { file, reason: `cannot read: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}` };
  }
  if (!scan.index) return { file, reason: `not an MP3 file (found ${scan.format ?? 'no MPEG audio frames'})` };
  const index = scan.index;
  if (!index.stream.endsWith(MP3_LAYER)) return { file, reason: `not an MPEG Layer III file (found ${index.stream} audio)` };
  const missing = missingFrames(index);
  if (missing > MAX_MISSING_FRAMES) {
    const promisedSec = index.durationSec + missing * index.frameSec;
    return {
      file,
      reason: `truncated: its ${index.vbrHeader === 'vbri' ? 'VBRI' : 'Xing'} header promises ${index.promisedFrames} frames (${promisedSec.toFixed(1)} s) but it holds ${index.offsets.length} (${index.durationSec.toFixed(1)} s); restore the whole file`,
    };
  }
  // Duration and bitrate come from the frames themselves (a VBR file without a Xing header too).
  const durationSec = Math.max(MIN_DURATION_SEC, Math.round(index.durationSec));
  if (durationSec > MAX_DURATION_SEC) return { file, reason: `${durationSec} s is longer than a catalog song may last (${MAX_DURATION_SEC} s, 3 hours)` };
  const bitrateKbps = Math.round(index.averageBitrateKbps);
  if (bitrateKbps < MIN_BITRATE_KBPS || bitrateKbps > MAX_BITRATE_KBPS)
    return { file, reason: `bitrate ${bitrateKbps} kbps is outside ${MIN_BITRATE_KBPS}–${MAX_BITRATE_KBPS} kbps` };
  // Tags only (no duration scan, no cover): a file whose tags cannot be read keeps its name as title.
  const common = await parseFile(file, { duration: false, skipCovers: true }).then(
    (metadata) => metadata.common,
    () => ({ title: undefined, artist: undefined, album: undefined, year: undefined }) as Partial<ICommonTagsResult>,
  );
  const info = await stat(file);
  const song: SongFacts = {
    // Tags are kept as written (control characters included): whatever prints them escapes them.
    title: tagText(common.title) || basename(file, extname(file)).slice(0, MAX_TEXT_CHARS),
    artist: tagText(common.artist) || UNKNOWN_ARTIST,
    durationSec,
    bitrateKbps,
    bytes: info.size,
    sha256: await sha256File(file),
    servers: [],
    file: toPosix(relative(catalogFolder, file)),
  };
  const album = tagText(common.album);
  if (album) song.album = album;
  if (common.year !== undefined && Number.isInteger(common.year) && common.year >= 0 && common.year <= MAX_YEAR) song.year = common.year;
  return { song };
}

/**
 * A file name made into a song id (^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$): accents dropped, lower
 * case (ids are typed by hand in `nc`), other characters runs become "-", a leading
 * non-alphanumeric removed; "song" when nothing is left.
 */
export function slugifySongId(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, MAX_SLUG_LENGTH)
    .replace(/[._-]+$/, '');
  return slug === '' ? FALLBACK_SLUG : slug;
}

/** `base`, or `base-2`, `base-3`… whichever is not taken yet; records the one it returns. */
export function uniqueSongId(base: string, taken: Set<string>): string {
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  if (!SONG_ID_PATTERN.test(id)) throw new JukeboxError('E_INTERNAL', `derived song id ${JSON.stringify(id)} breaks the song id rule`);
  taken.add(id);
  return id;
}

/** The servers of the `index`-th song, whose keys (id, relative file) a record may name. */
export function assignServers(index: number, keys: string[], servers: CatalogServer[], assign: ServerAssignment): string[] {
  const ids = servers.map((s) => s.id);
  const n = ids.length;
  if (assign === 'all') return ids;
  if (assign === 'alternate') return [ids[index % n] ?? ''];
  if (assign === 'split') {
    // Pairs of songs per server: the first on that server alone, the second also on the next one.
    const first = Math.floor(index / 2) % n;
    const chosen = index % 2 === 0 || n === 1 ? [first] : [first, (first + 1) % n];
    return chosen.sort((a, b) => a - b).map((i) => ids[i] ?? '');
  }
  for (const key of keys) {
    const named = assign[key];
    if (named) return named;
  }
  return [];
}

/** Servers s1…sN on localhost, ports 5000, 5001, … */
export function localServers(count: number, firstPort = DEFAULT_FIRST_PORT): CatalogServer[] {
  // Checked before the list is made: --servers 1e9 must not build a billion entries first.
  const maxCount = Math.min(MAX_SERVERS, MAX_PORT - firstPort + 1);
  if (!Number.isInteger(count) || count < 1 || count > maxCount) {
    throw new JukeboxError('E_BAD_ARGUMENT', `--servers: expected a whole number from 1 to ${maxCount}, got ${count}`, {
      hint: `a catalog has at most ${MAX_SERVERS} servers`,
    });
  }
  return Array.from({ length: count }, (_, i) => ({ id: `s${i + 1}`, host: 'localhost', port: firstPort + i }));
}

/** The built catalog through the same schema as a loaded one (catches e.g. a record naming an unknown server). */
function checked(catalog: Catalog, catalogFile: string): Catalog {
  const parsed = parseCatalog(catalog);
  if (!parsed.ok) {
    throw new JukeboxError('E_BAD_ARGUMENT', `the catalog for ${catalogFile} would be invalid:\n${parsed.problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return catalog;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

/** A tag's text, trimmed and cut to the catalog's bound (a tag can hold megabytes). */
function tagText(text: string | undefined): string {
  return (text ?? '').trim().slice(0, MAX_TEXT_CHARS);
}
