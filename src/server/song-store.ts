// The songs one server holds: verified against the catalog at start, then read by transfers.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { findServer, songsOfServer } from '../catalog/load.js';
import type { CatalogSong, LoadedCatalog } from '../catalog/types.js';
import { JukeboxError } from '../errors.js';
import { encodeListEntry } from '../protocol/response.js';
import { indexMp3, Mp3Indexer, type Mp3Index } from '../mp3/index.js';

/**
 * Where a song's bytes come from. Songs within the memory budget are one Buffer shared by every
 * connection (a transfer writes slices of it: no copy, no disk); the rest are read from disk in
 * chunks, so memory stays bounded whatever the library's size.
 */
export type SongSource = { kind: 'memory'; data: Buffer } | { kind: 'file'; path: string };

export interface StoredSong {
  song: CatalogSong;
  file: string;
  source: SongSource;
  /** The MP3 frame index STREAM is paced by (computed once, at load); undefined for a file with no MPEG frames. */
  frames: Mp3Index | undefined;
}

/** Reads a song's bytes at a position; one per transfer. */
export interface SongReader {
  read(position: number, length: number): Promise<Buffer>;
  close(): Promise<void>;
}

export interface SongStoreOptions {
  catalog: LoadedCatalog;
  serverId: string;
  /** song id → absolute path of its file; songs of other servers are ignored. */
  files: ReadonlyMap<string, string>;
  memoryBudgetBytes: number;
}

export class SongStore {
  private readonly byId: ReadonlyMap<string, StoredSong>;
  /** The LIST body, encoded once: the library never changes while the server runs. */
  readonly listBody: Buffer;

  constructor(songs: StoredSong[]) {
    this.byId = new Map(songs.map((stored) => [stored.song.id, stored]));
    this.listBody = Buffer.from(songs.map((s) => encodeListEntry({ song: s.song.id, bytes: s.song.bytes, sha256: s.song.sha256 })).join(''), 'utf8');
  }

  get count(): number {
    return this.byId.size;
  }

  get(songId: string): StoredSong | undefined {
    return this.byId.get(songId);
  }

  songs(): StoredSong[] {
    return [...this.byId.values()];
  }

  /** Bytes held in memory (for the record: how much of the budget is used). */
  get memoryBytes(): number {
    let total = 0;
    for (const stored of this.byId.values()) if (stored.source.kind === 'memory') total += stored.source.data.length;
    return total;
  }

  async openReader(stored: StoredSong): Promise<SongReader> {
    const source = stored.source;
    if (source.kind === 'memory') {
      return { read: async (position, length) => source.data.subarray(position, position + length), close: async () => {} };
    }
    const handle = await openRegularFile(source.path, `song ${stored.song.id}`);
    return {
      read: async (position, length) => {
        // A fresh buffer per chunk: the socket may still hold the previous one until it is flushed.
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead !== length)
          throw new JukeboxError('E_LIBRARY_MISMATCH', `${source.path} (song ${stored.song.id}) became shorter while the server was running`);
        return buffer;
      },
      close: () => handle.close(),
    };
  }
}

/**
 * Checks every file this server serves against the catalog's size and sha256 and loads what fits
 * the memory budget (in catalog order). Any mismatch refuses to start, naming every bad file.
 */
export async function openSongStore(options: SongStoreOptions): Promise<SongStore> {
  const { catalog, serverId, files } = options;
  findServer(catalog.catalog, serverId);
  const songs = songsOfServer(catalog.catalog, serverId);
  const missing = songs.filter((song) => !files.has(song.id));
  if (missing.length > 0) {
    throw new JukeboxError('E_LIBRARY_MISSING', `server ${serverId}: no file given for song(s) ${missing.map((s) => s.id).join(', ')}`, {
      hint: 'resolve the library (resolveLibrary) for every song of the server before starting it',
    });
  }
  let budget = options.memoryBudgetBytes;
  const stored: StoredSong[] = [];
  const problems: string[] = [];
  for (const song of songs) {
    const file = files.get(song.id) as string; // checked above
    const inMemory = song.bytes <= budget;
    try {
      const loaded = inMemory ? await loadInMemory(song, file) : await checkOnDisk(song, file);
      if (typeof loaded === 'string') {
        problems.push(loaded);
        continue;
      }
      if (inMemory) budget -= song.bytes;
      stored.push({ song, file, ...loaded });
    } catch (cause) {
      problems.push(`song ${song.id}: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    }
  }
  if (problems.length > 0) {
    throw new JukeboxError(
      'E_LIBRARY_MISMATCH',
      `server ${serverId}: ${problems.length} song file(s) do not match catalog ${catalog.path}:\n${problems.map((p) => `  ${p}`).join('\n')}`,
      {
        hint: "restore the files, or rebuild the catalog's sizes and sha256 from them",
      },
    );
  }
  return new SongStore(stored);
}

/** Hashing a file on disk reads it this many bytes at a time. */
const HASH_CHUNK_BYTES = 1024 * 1024;

/**
 * Opens a song file for reading, refusing anything but a regular file. O_NONBLOCK: a blocking
 * open of a FIFO waits for a writer inside one of libuv's four threads, so four GETs of it would
 * stop every file read of the process (both servers). fstat then checks what was opened, not a
 * name that may have changed since (a FIFO, device, folder or socket is refused).
 */
async function openRegularFile(path: string, what: string): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new JukeboxError('E_LIBRARY_MISMATCH', `${what}: ${path} is not a regular file (${kindOf(info)})`, {
        hint: 'a song file must be a plain file; replace it, or rebuild the catalog',
      });
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

function kindOf(info: { isFIFO(): boolean; isSocket(): boolean; isDirectory(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isDirectory()) return 'a folder';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  return 'not a file';
}

/** Opens the file, or says why it cannot be a song file: not regular (a FIFO would hang), or an open error. */
async function openSongFile(song: CatalogSong, file: string): Promise<FileHandle | string> {
  try {
    return await openRegularFile(file, `song ${song.id}`);
  } catch (err) {
    if (err instanceof JukeboxError) return err.message;
    return `song ${song.id}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}

/** A song's bytes and its frame index, as loaded. */
interface Loaded {
  source: SongSource;
  frames: Mp3Index | undefined;
}

/** Reads the whole file once and checks it; returns the source, or a description of the mismatch. */
async function loadInMemory(song: CatalogSong, file: string): Promise<Loaded | string> {
  const handle = await openSongFile(song, file);
  if (typeof handle === 'string') return handle;
  try {
    const { size } = await handle.stat();
    // The catalog's size first: a file of another size is never read whole into memory.
    if (size !== song.bytes) return describeMismatch(song, file, size, song.sha256) ?? `song ${song.id}: ${file} changed size`;
    const data = await handle.readFile();
    const sha256 = createHash('sha256').update(data).digest('hex');
    return describeMismatch(song, file, data.length, sha256) ?? { source: { kind: 'memory', data }, frames: indexMp3(data) };
  } finally {
    await handle.close();
  }
}

async function checkOnDisk(song: CatalogSong, file: string): Promise<Loaded | string> {
  const handle = await openSongFile(song, file);
  if (typeof handle === 'string') return handle;
  try {
    const { size } = await handle.stat();
    const sizeProblem = describeMismatch(song, file, size, song.sha256);
    if (sizeProblem) return sizeProblem;
    const indexer = new Mp3Indexer();
    const sha256 = await sha256OfHandle(handle, (chunk) => indexer.push(chunk));
    return describeMismatch(song, file, size, sha256) ?? { source: { kind: 'file', path: file }, frames: indexer.finish(size) };
  } finally {
    await handle.close();
  }
}

/** The file's sha256; `onChunk` sees each chunk as it is read (it must not keep it: the buffer is reused). */
async function sha256OfHandle(handle: FileHandle, onChunk: (chunk: Buffer) => void): Promise<string> {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
  for (let position = 0; ;) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    onChunk(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
  return hash.digest('hex');
}

function describeMismatch(song: CatalogSong, file: string, bytes: number, sha256: string): string | undefined {
  if (bytes === song.bytes && sha256 === song.sha256) return undefined;
  const what = bytes !== song.bytes ? 'size' : 'sha256';
  return `song ${song.id}: ${file} has the wrong ${what}: catalog says ${song.bytes} bytes sha256 ${song.sha256}, file has ${bytes} bytes${what === 'sha256' ? ` sha256 ${sha256}` : ''}`;
}
