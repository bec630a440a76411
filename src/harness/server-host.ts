// The scenario's servers as the coordinator sees them: each started in its own worker thread
// (or, when external, used where it already runs), with their addresses and their own STATS.
import { resolveLibrary } from '../catalog/library.js';
import { songsOfServer } from '../catalog/load.js';
import type { LoadedCatalog } from '../catalog/types.js';
import type { ServerStats } from '../protocol/types.js';
import type { ResolvedScenario, ScenarioServer } from '../scenario/types.js';
import type { ProcessShare } from '../server/descriptors.js';
import { startServerThread, type ServerThread } from '../server/thread-host.js';
import { fetchServerStats } from './external-stats.js';
import type { FaultTarget } from './faults.js';
import type { ServerAddress } from './messages.js';

/**
 * A load test holds many connections on purpose (persistent clients keep one per server), so
 * the harness's servers get a higher limit than a server's default: as many as the process's
 * open-file limit allows, which lowers it to fit (each connection's two ends are in this process).
 */
export const HARNESS_MAX_CONNECTIONS = 50_000;
/** A load test's clients may think for a while between songs without losing their connection. */
export const HARNESS_IDLE_TIMEOUT_MS = 5 * 60_000;

export interface ScenarioServers {
  addresses: ServerAddress[];
  /** Each server's own counters, asked at the end; undefined where it could not answer. */
  stats(): Promise<Record<string, ServerStats | undefined>>;
  /** The counters of the servers the harness started (not external ones: asking those costs a connection each time); for the live view's tick. */
  ownStats(): Promise<Record<string, ServerStats | undefined>>;
  /** The servers the harness started, by id: where the scenario's faults are applied (external ones take none). */
  faultTargets: ReadonlyMap<string, FaultTarget>;
  stop(): Promise<void>;
}

export async function startScenarioServers(scenario: ResolvedScenario, catalog: LoadedCatalog): Promise<ScenarioServers> {
  const threads = new Map<string, ServerThread>();
  const own = scenario.servers.filter((s) => !s.external);
  // Servers, client pool and coordinator are threads of one process: they share its open-file limit.
  const descriptors: ProcessShare = { servers: Math.max(1, own.length), threads: own.length + scenario.load.workers, clientsInProcess: true };
  try {
    for (const server of own) threads.set(server.id, await startOne(server, catalog, descriptors));
  } catch (err) {
    await Promise.all([...threads.values()].map((t) => t.stop({ graceful: false })));
    throw err;
  }
  const addresses = scenario.servers.map((s): ServerAddress => {
    const thread = threads.get(s.id);
    return thread ? { id: s.id, host: thread.host, port: thread.port } : { id: s.id, host: s.host, port: s.port };
  });
  return {
    addresses,
    faultTargets: threads,
    async ownStats() {
      const entries = await Promise.all([...threads].map(async ([id, thread]) => [id, await thread.stats().catch(() => undefined)] as const));
      return Object.fromEntries(entries);
    },
    async stats() {
      const entries = await Promise.all(
        addresses.map(async (a) => {
          const thread = threads.get(a.id);
          const stats = thread ? await thread.stats().catch(() => undefined) : await fetchServerStats(a).catch(() => undefined);
          return [a.id, stats] as const;
        }),
      );
      return Object.fromEntries(entries);
    },
    async stop() {
      await Promise.all([...threads.values()].map((t) => t.stop({ graceful: false })));
    },
  };
}

async function startOne(server: ScenarioServer, catalog: LoadedCatalog, descriptors: ProcessShare): Promise<ServerThread> {
  const songIds = songsOfServer(catalog.catalog, server.id).map((s) => s.id);
  const files = await resolveLibrary(catalog, { songIds });
  return startServerThread({
    serverId: server.id,
    catalogPath: catalog.path,
    files,
    host: server.host,
    port: server.port,
    streamSpeed: server.streamSpeed,
    limits: { maxConnections: HARNESS_MAX_CONNECTIONS, idleTimeoutMs: HARNESS_IDLE_TIMEOUT_MS },
    descriptors,
  });
}
