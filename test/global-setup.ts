// Before any test: compile the current source into dist/. Worker threads and the spawned CLIs run
// JavaScript from dist/, so without this a single test file run after an edit would test the
// previous build. Incremental, so an unchanged tree costs a few seconds.
// Then: the shipped catalog's generated songs, into the cache.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export default function buildCurrentSource(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const out = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the source does not compile, so no test can run:\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`);
  }
  // The shipped catalog's songs are music encoded by lamejs (seconds per song): generating them
  // once here, into the cache every test reads, keeps the tests that serve the shipped catalog
  // from each paying for it at once, in parallel, within their hook timeouts. A warm cache costs
  // a second.
  try {
    execFileSync(process.execPath, [join(root, 'bin', 'jukebox.js'), 'catalog', 'generate'], { cwd: root, stdio: 'pipe' });
  } catch (err) {
    const out = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`the shipped catalog's songs could not be generated, so no test can use them:\n${String(out.stdout ?? '')}${String(out.stderr ?? '')}`);
  }
}
