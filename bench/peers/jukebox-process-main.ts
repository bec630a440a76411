// One jukebox server in a process of its own, as every peer of the bench has: `fork`ed by
// jukebox-process.ts with the server id, the catalog and a connection limit; listens on a free
// loopback port and answers its parent's stats and stop over the IPC channel.
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveLibrary } from '../../src/catalog/library.js';
import { startServer } from '../../src/server/server.js';
import type { JukeboxProcessCommand, JukeboxProcessNotice } from './jukebox-process.js';
import { LOOPBACK } from './process.js';

const [serverId, catalogPath, maxConnections] = process.argv.slice(2);
if (!serverId || !catalogPath || !maxConnections || !process.send)
  throw new Error('usage: fork jukebox-process-main.js <server-id> <catalog.json> <max-connections> (with an IPC channel)');
const send = (notice: JukeboxProcessNotice) => process.send?.(notice);

const catalog = loadCatalog(catalogPath);
const files = await resolveLibrary(catalog);
const server = await startServer({ serverId, catalog, files, host: LOOPBACK, port: 0, limits: { maxConnections: Number(maxConnections) } });
process.on('message', (command: JukeboxProcessCommand) => {
  if (command.type === 'stats') send({ type: 'stats', stats: server.stats() });
  else
    void server.close({ graceful: false }).then(() => {
      send({ type: 'stopped', peakRssBytes: process.resourceUsage().maxRSS * 1024 });
      process.disconnect();
    });
});
send({ type: 'listening', port: server.port });
