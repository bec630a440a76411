// The client's options, resolved once at the boundary: the catalog loaded, every value checked
// (all problems reported together), nothing left undefined that a default can fill.
import { loadCatalog } from '../../catalog/load.js';
import type { LoadedCatalog } from '../../catalog/types.js';
import { PREFERENCE_RULES, type ServerPreference } from '../../client/choice.js';
import { DEFAULT_DOWNLOAD_DIR } from '../../client/journey-file.js';
import type { TransferAction } from '../../client/journey.js';
import { CLIENT_NAME_PATTERN, MAX_CLIENT_NAME_CHARS } from '../../client/limits.js';
import { JukeboxError } from '../../errors.js';
import { defaultCatalogPath } from '../../util/paths.js';
import { serveCommandFor } from './render.js';

export const ACTIONS = ['download', 'stream'] as const;

/** What yargs hands over, for `jukebox client` and `jukebox client get`. */
export interface ClientArgs {
  catalog: string;
  host: string | undefined;
  prefer: string | undefined;
  action: TransferAction | undefined;
  'out-dir': string;
  'playback-speed': number;
  trace: boolean;
  name: string | undefined;
}

export interface ResolvedClientOptions {
  loaded: LoadedCatalog;
  /** Every server on this host instead of the catalog's. */
  host: string | undefined;
  prefer: ServerPreference;
  /** Fixed by --action; else asked (interactive) or download (get). */
  action: TransferAction | undefined;
  outDir: string;
  playbackSpeed: number;
  trace: boolean;
  /** The HELLO name (--name); undefined: the session's default. */
  clientName: string | undefined;
  /** How to start the servers of this catalog, for the "no server is reachable" advice. */
  serveCommand: string;
}

export function resolveClientOptions(args: ClientArgs): ResolvedClientOptions {
  const loaded = loadCatalog(args.catalog);
  const problems: string[] = [];
  const serverIds = loaded.catalog.servers.map((s) => s.id);
  const prefer = args.prefer ?? 'fastest';
  if (!serverIds.includes(prefer) && !(PREFERENCE_RULES as readonly string[]).includes(prefer)) {
    problems.push(
      `--prefer: expected a server of the catalog (${serverIds.join(', ')}) or one of ${PREFERENCE_RULES.join(', ')}, got ${JSON.stringify(prefer)}`,
    );
  }
  // --playback-speed was bounded before this ran (bounds.ts, checked by program.ts for every command).
  const speed = args['playback-speed'];
  if (args.host !== undefined && args.host.trim() === '') problems.push('--host: expected a host name or address, got ""');
  if (args['out-dir'].trim() === '') problems.push('--out-dir: expected a folder, got ""');
  if (args.name !== undefined && !CLIENT_NAME_PATTERN.test(args.name))
    problems.push(`--name: expected 1 to ${MAX_CLIENT_NAME_CHARS} printable characters without spaces, got ${JSON.stringify(args.name)}`);
  if (problems.length > 0) {
    throw new JukeboxError('E_BAD_ARGUMENT', problems.join('\n  '), { hint: "'jukebox client --help' explains every option" });
  }
  return {
    loaded,
    host: args.host,
    prefer,
    action: args.action,
    outDir: args['out-dir'] || DEFAULT_DOWNLOAD_DIR,
    playbackSpeed: speed,
    trace: args.trace,
    clientName: args.name,
    serveCommand: serveCommandFor(loaded.path, defaultCatalogPath),
  };
}
