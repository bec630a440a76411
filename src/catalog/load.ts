// Reading catalog.json from disk: the catalog module's only file access besides the library.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { JukeboxError } from '../errors.js';
import { escapeForTerminal } from '../util/terminal-text.js';
import { parseCatalog } from './schema.js';
import type { Catalog, CatalogSong, LoadedCatalog } from './types.js';
import { catalogVersion } from './version.js';

/**
 * 64 MiB. MAX_SONGS (100,000) songs at about 450 bytes each, pretty-printed, is 45 MB; a larger
 * file cannot be a valid catalog, and is refused before it is read into memory.
 */
export const MAX_CATALOG_FILE_BYTES = 64 * 1024 * 1024;
/** U+FEFF, which some editors (Notepad) put at the start of UTF-8 files. */
const BYTE_ORDER_MARK = '\uFEFF';
const CATALOG_HINT = 'fix the keys above; docs/protocol.md ("The catalog") lists every key and its bounds';

/** The error for a catalog that breaks the schema: `problems` holds one `file: key: …` line each. */
export class CatalogError extends JukeboxError {
  constructor(
    readonly file: string,
    readonly problems: string[],
    hint = CATALOG_HINT,
  ) {
    super('E_CATALOG_INVALID', `catalog ${file} is not valid:\n${problems.map((p) => `  ${file}: ${p}`).join('\n')}`, { hint });
  }
}

export function loadCatalog(file: string): LoadedCatalog {
  const path = resolve(file);
  const text = readCatalogText(path);
  let data: unknown;
  try {
    data = JSON.parse(text.startsWith(BYTE_ORDER_MARK) ? text.slice(BYTE_ORDER_MARK.length) : text);
  } catch (cause) {
    // The parser's message quotes the file, which may hold anything.
    throw new CatalogError(
      path,
      [`(top level): expected JSON, got a syntax error: ${escapeForTerminal(cause instanceof Error ? cause.message : String(cause))}`],
      'the catalog is JSON: check the brackets, commas and quotes near the place named',
    );
  }
  return fromParsedCatalog(data, path);
}

/**
 * The file's text, refusing what is not a regular file (a FIFO would block the read forever, a
 * device never ends) and what is larger than any catalog can be.
 */
function readCatalogText(path: string): string {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (cause) {
    throw notFound(path, (cause as NodeJS.ErrnoException).code ?? String(cause), cause);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw notFound(path, info.isDirectory() ? 'a folder, not a file' : 'not a regular file');
    if (info.size > MAX_CATALOG_FILE_BYTES) {
      throw new CatalogError(
        path,
        [`(top level): expected a file of at most ${MAX_CATALOG_FILE_BYTES} bytes, got ${info.size} bytes`],
        'is this the catalog? a catalog of 100,000 songs is about 45 MB',
      );
    }
    return readFileSync(fd, 'utf8');
  } catch (cause) {
    if (cause instanceof JukeboxError) throw cause;
    throw notFound(path, (cause as NodeJS.ErrnoException).code ?? String(cause), cause);
  } finally {
    closeSync(fd);
  }
}

function notFound(path: string, why: string, cause?: unknown): JukeboxError {
  return new JukeboxError('E_CATALOG_NOT_FOUND', `cannot read catalog ${path}: ${why}`, {
    hint: 'pass --catalog FILE, or run from the project folder that holds catalog.json',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Validates parsed catalog data; `path` names it in messages and anchors relative song files. */
export function fromParsedCatalog(data: unknown, path: string): LoadedCatalog {
  const parsed = parseCatalog(data);
  if (!parsed.ok) throw new CatalogError(path, parsed.problems);
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
