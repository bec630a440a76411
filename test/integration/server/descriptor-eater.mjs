// A test peer (forked by descriptors.test.ts): every server of a catalog in this process, as
// `jukebox serve` runs them, plus a command to eat every free file descriptor of the process and
// one to give them back. Plain JavaScript over dist/ (run `npm run build` first): a child process
// cannot load the TypeScript sources.
import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import { resolveLibrary } from '../../../dist/src/catalog/library.js';
import { loadCatalog } from '../../../dist/src/catalog/load.js';
import { servedSongIds, startCatalogServers } from '../../../dist/src/server/catalog-servers.js';

const send = (message) => process.send?.(message);
const catalog = loadCatalog(process.argv[2]);
const files = await resolveLibrary(catalog, { songIds: servedSongIds(catalog) });
// argv[3]: the servers' limits as JSON (e.g. a small memory budget, so that some songs are read from disk).
const servers = await startCatalogServers({ catalog, files, host: '127.0.0.1', limits: JSON.parse(process.argv[3] ?? '{}') });
for (const server of servers) server.on('warning', (warning) => send({ type: 'warning', warning }));

/** Descriptors held by `eat`: every one the process could still open. */
const eaten = [];

process.on('message', (command) => {
  switch (command.type) {
    case 'eat':
      try {
        for (;;) eaten.push(openSync(devNull, 'r'));
      } catch (err) {
        send({ type: 'ate', count: eaten.length, code: err.code });
      }
      return;
    case 'free':
      while (eaten.length > 0) closeSync(eaten.pop());
      send({ type: 'freed' });
      return;
    case 'stop':
      void Promise.all(servers.map((server) => server.close({ graceful: false }))).then(() => process.disconnect());
      return;
  }
});
send({ type: 'listening', servers: servers.map((server) => ({ id: server.serverId, port: server.port, maxConnections: server.limits.maxConnections })) });
