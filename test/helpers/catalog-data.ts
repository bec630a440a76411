// A small catalog as data (no song files), for tests of scenario, plan and choice logic.
import type { Catalog } from '../../src/catalog/types.js';
import { makeTmpDir } from './tmp.js';

const sha = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

export function sampleCatalog(): Catalog {
  const song = (id: string, servers: string[], n: number) => ({
    id,
    title: `Title ${id}`,
    artist: 'Test Artist',
    durationSec: 180,
    bitrateKbps: 128,
    bytes: 1000 + n,
    sha256: sha(n),
    servers,
  });
  return {
    servers: [
      { id: 's1', host: 'localhost', port: 5000 },
      { id: 's2', host: 'localhost', port: 5001 },
    ],
    songs: [
      song('song1', ['s1'], 1),
      song('song2', ['s1', 's2'], 2),
      song('song3', ['s2'], 3),
      song('song4', ['s1', 's2'], 4),
      song('song5', ['s1'], 5),
      song('song6', ['s2'], 6),
      song('song7', ['s1', 's2'], 7),
      song('lost1', [], 8),
      song('lost2', [], 9),
    ],
  };
}

/** Writes sampleCatalog() to a temporary catalog.json and returns its path. */
export function sampleCatalogFile(): string {
  return makeTmpDir('jukebox-catalog-').write('catalog.json', JSON.stringify(sampleCatalog(), null, 2));
}
