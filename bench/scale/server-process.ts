// One catalog server in a process of its own, for the scale bench: `fork`ed with the server id
// and the catalog; listens on a free loopback port and answers the parent's stats and stop.
import { loadCatalog } from '../../src/catalog/load.js';
import { resolveLibrary } from '../../src/catalog/library.js';
import { startServer } from '../../src/server/server.js';
import { LOOPBACK } from '../peers/process.js';
import type { ServerCommand, ServerNotice } from './messages.js';

/** Room for 10,000 clients with one connection each, and some to spare. */
const MAX_CONNECTIONS = 12_000;

const [serverId, catalogPath] = process.argv.slice(2);
if (!serverId || !catalogPath || !process.send) throw new Error('usage: fork server-process.js <server-id> <catalog.json> (with an IPC channel)');
const send = (notice: ServerNotice) => process.send?.(notice);

const catalog = loadCatalog(catalogPath);
const files = await resolveLibrary(catalog);
const server = await startServer({ serverId, catalog, files, host: LOOPBACK, port: 0, limits: { maxConnections: MAX_CONNECTIONS } });
process.on('message', (command: ServerCommand) => {
  if (command.type === 'stats') send({ type: 'stats', stats: server.stats() });
  else
    void server.close({ graceful: false }).then(() => {
      send({ type: 'stopped', peakRssBytes: process.resourceUsage().maxRSS * 1024 });
      process.disconnect();
    });
});
send({ type: 'listening', port: server.port });
