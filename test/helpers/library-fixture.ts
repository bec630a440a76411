// A small song library for server tests: files of deterministic pseudo-random bytes of chosen
// sizes in a temporary folder, and a matching catalog (no MP3 generator involved).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromParsedCatalog } from '../../src/catalog/load.js';
import type { Catalog, CatalogServer, LoadedCatalog } from '../../src/catalog/types.js';

export interface FixtureSongSpec {
  id: string;
  bytes: number;
  servers: string[];
  bitrateKbps?: number;
}

/** 0 B, 1 KiB, 300 KB and 4 MiB, spread over s1 and s2, plus a song no server holds. */
export const DEFAULT_FIXTURE_SONGS: readonly FixtureSongSpec[] = [
  { id: 'empty', bytes: 0, servers: ['s1', 's2'] },
  { id: 'tiny', bytes: 1024, servers: ['s1'] },
  { id: 'medium', bytes: 300_000, servers: ['s1', 's2'] },
  { id: 'large', bytes: 4 * 1024 * 1024, servers: ['s1'] },
  { id: 'other', bytes: 2_000, servers: ['s2'] },
  { id: 'nowhere', bytes: 500, servers: [] },
];

export interface LibraryFixture {
  dir: string;
  catalogPath: string;
  loaded: LoadedCatalog;
  /** song id → absolute path, every song of the catalog. */
  files: Map<string, string>;
  /** The exact bytes of each song (for comparing downloads). */
  bytesOf(songId: string): Buffer;
  sha256Of(songId: string): string;
  cleanup(): void;
}

export interface LibraryFixtureOptions {
  songs?: readonly FixtureSongSpec[];
  /** Default: s1 and s2 on localhost port 0. */
  servers?: CatalogServer[];
}

/** xorshift32 seeded from the song id: the same id always gives the same bytes. */
export function pseudoRandomBytes(seedText: string, length: number): Buffer {
  let state = createHash('sha256').update(seedText).digest().readUInt32LE(0) || 1;
  const out = Buffer.allocUnsafe(length);
  const words = Math.floor(length / 4);
  for (let i = 0; i < words; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out.writeUInt32LE(state >>> 0, i * 4);
  }
  for (let i = words * 4; i < length; i++) out[i] = (state >>> (8 * (i % 4))) & 0xff;
  return out;
}

export function createLibraryFixture(options: LibraryFixtureOptions = {}): LibraryFixture {
  const specs = options.songs ?? DEFAULT_FIXTURE_SONGS;
  const dir = mkdtempSync(join(tmpdir(), 'jukebox-library-'));
  const contents = new Map<string, Buffer>();
  const files = new Map<string, string>();
  const songs = specs.map((spec) => {
    const data = pseudoRandomBytes(spec.id, spec.bytes);
    const name = `${spec.id}.bin`;
    const path = join(dir, name);
    writeFileSync(path, data);
    contents.set(spec.id, data);
    files.set(spec.id, path);
    const bitrateKbps = spec.bitrateKbps ?? 128;
    return {
      id: spec.id,
      title: `Title of ${spec.id}`,
      artist: 'Fixture Artist',
      durationSec: Math.max(1, Math.round(spec.bytes / ((bitrateKbps * 1000) / 8))),
      bitrateKbps,
      bytes: spec.bytes,
      sha256: createHash('sha256').update(data).digest('hex'),
      servers: spec.servers,
      // Relative to the catalog's folder, so that resolveLibrary (the CLI) finds the same files.
      file: name,
    };
  });
  const catalog: Catalog = {
    servers: options.servers ?? [
      { id: 's1', host: 'localhost', port: 0 },
      { id: 's2', host: 'localhost', port: 0 },
    ],
    songs,
  };
  const catalogPath = join(dir, 'catalog.json');
  writeFileSync(catalogPath, `${JSON.stringify(catalog, null, 2)}\n`);
  const loaded = fromParsedCatalog(JSON.parse(JSON.stringify(catalog)) as unknown, catalogPath);
  return {
    dir,
    catalogPath,
    loaded,
    files,
    bytesOf(songId) {
      const data = contents.get(songId);
      if (!data) throw new Error(`no fixture song ${songId}`);
      return data;
    },
    sha256Of(songId) {
      return createHash('sha256').update(this.bytesOf(songId)).digest('hex');
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
