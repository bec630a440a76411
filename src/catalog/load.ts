// Reading catalog.json from disk: the catalog module's only file access besides the library.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JukeboxError } from '../errors.js';
import { parseCatalog } from './schema.js';
import type { Catalog, CatalogSong, LoadedCatalog } from './types.js';
import { catalogVersion } from './version.js';

export function loadCatalog(file: string): LoadedCatalog {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new JukeboxError('E_CATALOG_NOT_FOUND', `cannot read catalog ${path}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`, {
      hint: 'pass --catalog FILE, or run from the project folder that holds catalog.json',
      cause,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new JukeboxError('E_CATALOG_INVALID', `${path}: not valid JSON: ${(cause as Error).message}`, { cause });
  }
  return fromParsedCatalog(data, path);
}

/** Validates parsed catalog data; `path` names it in messages and anchors relative song files. */
export function fromParsedCatalog(data: unknown, path: string): LoadedCatalog {
  const parsed = parseCatalog(data);
  if (!parsed.ok) {
    throw new JukeboxError('E_CATALOG_INVALID', `${path}: invalid catalog:\n${parsed.problems.map((p) => `  ${p}`).join('\n')}`);
  }
  return { catalog: parsed.catalog, version: catalogVersion(data), path };
}

/** The songs that name this server, in catalog order. */
export function songsOfServer(catalog: Catalog, serverId: string): CatalogSong[] {
  return catalog.songs.filter((song) => song.servers.includes(serverId));
}

export function findServer(catalog: Catalog, serverId: string) {
  const server = catalog.servers.find((s) => s.id === serverId);
  if (!server) {
    throw new JukeboxError('E_BAD_ARGUMENT', `no server ${JSON.stringify(serverId)} in the catalog`, {
      hint: `the catalog's servers are ${catalog.servers.map((s) => s.id).join(', ')}`,
    });
  }
  return server;
}
