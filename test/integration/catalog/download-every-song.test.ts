// The acceptance check of the foundation: every song of the committed catalog, downloaded from
// every server that holds it, matches catalog.json's sha256.
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { loadCatalog, songsOfServer } from '../../../src/catalog/load.js';
import { JukeboxConnection } from '../../../src/client/connection.js';
import { startServer, type JukeboxServer } from '../../../src/server/server.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';

const running: JukeboxServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.close({ graceful: false })));
});

describe('the committed catalog', () => {
  it('serves every song from every server that holds it, byte for byte', async () => {
    const catalog = loadCatalog(defaultCatalogPath);
    const files = await resolveLibrary(catalog);
    let downloads = 0;
    for (const { id: serverId } of catalog.catalog.servers) {
      const server = await startServer({ serverId, catalog, files, host: '127.0.0.1', port: 0 });
      running.push(server);
      const connection = await JukeboxConnection.connect({ host: '127.0.0.1', port: server.port });
      const hello = await connection.hello('test');
      expect(hello.catalog).toBe(catalog.version);
      for (const song of songsOfServer(catalog.catalog, serverId)) {
        const hash = createHash('sha256');
        const result = await connection.get(song.id, { onData: (chunk) => hash.update(chunk) });
        expect(result.kind).toBe('data');
        expect(hash.digest('hex')).toBe(song.sha256);
        downloads++;
      }
      for (const song of catalog.catalog.songs.filter((s) => !s.servers.includes(serverId))) expect((await connection.check(song.id)).kind).toBe('not_exist');
      await connection.close();
    }
    expect(downloads).toBe(catalog.catalog.songs.reduce((n, s) => n + s.servers.length, 0));
  });
});
