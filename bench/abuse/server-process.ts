// Child-process entry for abuse runs: one jukebox server, its memory sampled, driven over IPC
// by AbuseServer (server-handle.ts). Wiring only.
import { resolveLibrary } from '../../src/catalog/library.js';
import { loadCatalog } from '../../src/catalog/load.js';
import { startServer, type JukeboxServer } from '../../src/server/server.js';
import type { ChildCommand, ChildReply, MemoryReport } from './server-handle.js';

/** RSS is sampled this often, so that a peak between two questions is still seen. */
const SAMPLE_INTERVAL_MS = 10;

let server: JukeboxServer | undefined;
let internalErrors = 0;
let peakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, SAMPLE_INTERVAL_MS);

function send(reply: ChildReply): void {
  process.send?.(reply);
}

function memory(): MemoryReport {
  if (!server) throw new Error('not started');
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  return {
    rss: m.rss,
    heapUsed: m.heapUsed,
    arrayBuffers: m.arrayBuffers,
    peakRss,
    maxRss: process.resourceUsage().maxRSS * 1024,
    stats: server.stats(),
    internalErrors,
  };
}

async function handle(command: ChildCommand): Promise<void> {
  switch (command.type) {
    case 'start': {
      const catalog = loadCatalog(command.catalogPath);
      const files = await resolveLibrary(catalog);
      server = await startServer({ serverId: command.serverId, catalog, files, host: '127.0.0.1', port: 0, limits: command.limits });
      server.on('internalError', () => internalErrors++);
      return send({ type: 'listening', replyTo: command.id, port: server.port });
    }
    case 'memory':
      return send({ type: 'memory', replyTo: command.id, memory: memory() });
    case 'resetPeak': {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      peakRss = process.memoryUsage.rss();
      return send({ type: 'memory', replyTo: command.id, memory: memory() });
    }
    case 'stop':
      clearInterval(sampler);
      await server?.close({ graceful: false });
      send({ type: 'stopped', replyTo: command.id });
      process.disconnect();
      return;
  }
}

process.on('message', (command: ChildCommand) => {
  handle(command).catch((err: unknown) => send({ type: 'error', replyTo: command.id, message: err instanceof Error ? err.message : String(err) }));
});
// The parent went away without stopping us: end too.
process.on('disconnect', () => {
  clearInterval(sampler);
  void server?.close({ graceful: false }).finally(() => process.exit(0));
});
