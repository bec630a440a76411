// The songs one server holds: verified against the catalog at start, then read by transfers.
import { createHash } from 'node:crypto';
import { open, readFile, stat } from 'node:fs/promises';
import { findServer, songsOfServer } from '../catalog/load.js';
import type { CatalogSong, LoadedCatalog } from '../catalog/types.js';
import { sha256File } from '../catalog/verify.js';
import { JukeboxError } from '../errors.js';
import { encodeListEntry } from '../protocol/response.js';

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
    const handle = await open(source.path, 'r');
    return {
      read: async (position, length) => {
        // A fresh buffer per chunk: the socket may still hold the previous one until it is flushed.
        const buffer = Buffer.allocUnsafe(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        if (bytesRead !== length) throw new JukeboxError('E_LIBRARY_MISMATCH', `${source.path} (song ${stored.song.id}) became shorter while the server was running`);
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
      stored.push({ song, file, source: loaded });
    } catch (cause) {
      problems.push(`song ${song.id}: cannot read ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`);
    }
  }
  if (problems.length > 0) {
    throw new JukeboxError('E_LIBRARY_MISMATCH', `server ${serverId}: ${problems.length} song file(s) do not match catalog ${catalog.path}:\n${problems.map((p) => `  ${p}`).join('\n')}`, {
      hint: "restore the files, or rebuild the catalog's sizes and sha256 from them",
    });
  }
  return new SongStore(stored);
}

/** Reads the whole file once and checks it; returns the source, or a description of the mismatch. */
async function loadInMemory(song: CatalogSong, file: string): Promise<SongSource | string> {
  const data = await readFile(file);
  const sha256 = createHash('sha256').update(data).digest('hex');
  return describeMismatch(song, file, data.length, sha256) ?? { kind: 'memory', data };
}

async function checkOnDisk(song: CatalogSong, file: string): Promise<SongSource | string> {
  const info = await stat(file);
  if (!info.isFile()) return `song ${song.id}: ${file} is not a regular file`;
  const sizeProblem = describeMismatch(song, file, info.size, song.sha256);
  if (sizeProblem) return sizeProblem;
  return describeMismatch(song, file, info.size, await sha256File(file)) ?? { kind: 'file', path: file };
}

function describeMismatch(song: CatalogSong, file: string, bytes: number, sha256: string): string | undefined {
  if (bytes === song.bytes && sha256 === song.sha256) return undefined;
  const what = bytes !== song.bytes ? 'size' : 'sha256';
  return `song ${song.id}: ${file} has the wrong ${what}: catalog says ${song.bytes} bytes sha256 ${song.sha256}, file has ${bytes} bytes${what === 'sha256' ? ` sha256 ${sha256}` : ''}`;
}
