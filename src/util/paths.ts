// Where things live: the package root, the generated-data cache, the compiled worker files.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The package root. This file runs either compiled (dist/src/util) or as source under vitest
 * (src/util), so the root is two or three levels up.
 */
export const packageRoot: string = here.includes(`${join('dist', 'src')}`) ? resolve(here, '..', '..', '..') : resolve(here, '..', '..');

/** The catalog that ships with the project. */
export const defaultCatalogPath: string = join(packageRoot, 'catalog.json');

/** Generated data (MP3 libraries): git-ignored, recreated deterministically. */
export function cacheDir(): string {
  return process.env.JUKEBOX_CACHE_DIR ? resolve(process.env.JUKEBOX_CACHE_DIR) : join(packageRoot, '.cache');
}

/**
 * The compiled worker entry `src/workers/<name>.js`. Worker threads need JavaScript, so when
 * this module runs as TypeScript source (under vitest) it points at the build in dist/, which
 * `npm test` makes first (pretest).
 */
export function workerUrl(name: string): URL {
  const file = join(packageRoot, 'dist', 'src', 'workers', `${name}.js`);
  if (!existsSync(file)) throw new Error(`worker ${file} is not built; run npm run build`);
  return new URL(`file://${file}`);
}
