// Starting every server of a catalog at once (what `jukebox serve` runs), all or none.
import type { LoadedCatalog } from '../catalog/types.js';
import type { ProcessShare } from './descriptors.js';
import type { ServerLimits } from './limits.js';
import { startServer, type JukeboxServer } from './server.js';

export interface CatalogServersOptions {
  catalog: LoadedCatalog;
  /** song id → absolute file path, for every song held by some server. */
  files: ReadonlyMap<string, string>;
  /** Listen on this host instead of each server's catalog host. */
  host?: string;
  streamSpeed?: number;
  limits?: Partial<ServerLimits>;
  /** Only these catalog servers (default: every one), e.g. to run each in its own process. */
  serverIds?: readonly string[];
}

/**
 * One server per catalog server, in catalog order, each on its catalog port. They share this
 * process's open-file limit equally (each may have its connection limit lowered to fit, see
 * descriptors.ts). If one cannot start, the ones already started are closed and the error is thrown.
 */
export async function startCatalogServers(options: CatalogServersOptions): Promise<JukeboxServer[]> {
  const started: JukeboxServer[] = [];
  try {
    const chosen = options.catalog.catalog.servers.filter((entry) => options.serverIds === undefined || options.serverIds.includes(entry.id));
    const descriptors: ProcessShare = { servers: Math.max(1, chosen.length), threads: 0, clientsInProcess: false };
    for (const entry of chosen) {
      started.push(
        await startServer({
          serverId: entry.id,
          catalog: options.catalog,
          files: options.files,
          host: options.host ?? entry.host,
          port: entry.port,
          descriptors,
          ...(options.streamSpeed === undefined ? {} : { streamSpeed: options.streamSpeed }),
          ...(options.limits === undefined ? {} : { limits: options.limits }),
        }),
      );
    }
    return started;
  } catch (err) {
    await Promise.all(started.map((server) => server.close({ graceful: false })));
    throw err;
  }
}

/** The songs some server holds: the only ones a set of servers needs files for. */
export function servedSongIds(catalog: LoadedCatalog): string[] {
  return catalog.catalog.songs.filter((song) => song.servers.length > 0).map((song) => song.id);
}
