// One of the scenario's servers in a process of its own (forked by server-process.ts for
// `--shards N`): a process holds only its own connections' descriptors, so 10,000 clients'
// 20,000 connections fit where one process may open 20,000 files. Answers stats and stop over IPC.
import { resolveLibrary } from '../catalog/library.js';
import { loadCatalog, songsOfServer } from '../catalog/load.js';
import { isJukeboxError } from '../errors.js';
import { startServer, type JukeboxServer } from '../server/server.js';
import type { ServerCommand, ServerNotice, ServerProcessSpec } from './messages.js';

if (!process.send) throw new Error('server-child: fork it with an IPC channel (server-process.ts does)');
const send = (notice: ServerNotice): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(notice, undefined, {}, () => resolve());
  });
const spec = JSON.parse(process.argv[2] ?? '') as ServerProcessSpec;
let server: JukeboxServer | undefined;
let stopping: Promise<void> | undefined;

// The parent stops it; a Ctrl-C for the whole terminal is the parent's to handle.
for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => undefined);
process.on('disconnect', () => void stopServer());
process.on('message', (command: ServerCommand) => {
  if (command.type === 'stats') {
    if (server) void send({ type: 'stats', stats: server.stats() });
  } else
    void stopServer().then(async () => {
      await send({ type: 'stopped', peakRssBytes: process.resourceUsage().maxRSS * 1024 });
      if (process.connected) process.disconnect();
    });
});

function stopServer(): Promise<void> {
  stopping ??= server ? server.close({ graceful: false }) : Promise.resolve();
  return stopping;
}

try {
  const catalog = loadCatalog(spec.catalogPath);
  const files = await resolveLibrary(catalog, { songIds: songsOfServer(catalog.catalog, spec.serverId).map((s) => s.id) });
  server = await startServer({
    serverId: spec.serverId,
    catalog,
    files,
    host: spec.host,
    port: spec.port,
    streamSpeed: spec.streamSpeed,
    limits: { maxConnections: spec.maxConnections, idleTimeoutMs: spec.idleTimeoutMs },
  });
  await send({ type: 'listening', host: server.host, port: server.port, maxConnections: server.limits.maxConnections, warnings: [...server.startWarnings] });
} catch (err) {
  await send(
    isJukeboxError(err)
      ? { type: 'failed', message: err.message, code: err.code, ...(err.hint ? { hint: err.hint } : {}) }
      : { type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) },
  );
  process.exitCode = 1;
  if (process.connected) process.disconnect();
}
