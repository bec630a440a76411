// A crafted MP3 tag and a crafted HELLO name never reach a terminal raw: the catalog built from
// the tag keeps it as written, and `catalog build`, `client get`, the interactive client and
// `serve --trace` print it escaped (the built CLI, spawned, against a real `jukebox serve`).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/load.js';
import { generateMp3 } from '../../../src/catalog/mp3.js';
import { packageRoot } from '../../../src/util/paths.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const BIN = join(packageRoot, 'bin', 'jukebox.js');
const BUILT_CLI = join(packageRoot, 'dist', 'src', 'cli', 'jukebox.js');
/** Sets the terminal's title, rings the bell, clears the screen. */
const EVIL_TITLE = 'Nice Song\u001b]0;pwned\u0007\u001b[2J';
const EVIL_ARTIST = 'Band\u009b31m\u202eecilA';
/** ESC, BEL, CSI (C1) and the right-to-left override: none may be written raw. */
const RAW_CONTROL = /[\u001b\u0007\u009b\u202e]/;
/** Longest wait for one expected piece of output: far above what any step needs. */
const STEP_TIMEOUT_MS = 30_000;

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: Promise<number | null>;
  /** Resolves once stdout holds `text`. */
  waitFor(text: string): Promise<void>;
}

const children: ChildProcess[] = [];
let tmp: ReturnType<typeof makeTmpDir>;

beforeAll(() => {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build`);
});

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  tmp?.cleanup();
});

function run(args: string[], stdin?: string): Run {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: tmp.dir, env: { ...process.env, JUKEBOX_CACHE_DIR: join(tmp.dir, 'cache') } });
  children.push(child);
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  const result: Run = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    waitFor: (text) => (result.stdout.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    result.stdout += chunk.toString('utf8');
    for (const w of waiters.filter((x) => result.stdout.includes(x.text))) w.resolve();
  });
  child.stderr?.on('data', (chunk: Buffer) => (result.stderr += chunk.toString('utf8')));
  if (stdin !== undefined) child.stdin?.end(stdin);
  return result;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A folder with one MP3 whose tags hold escape sequences, built into a catalog on a free port. */
async function evilCatalog(): Promise<{ catalog: string; build: Run }> {
  const music = join(tmp.dir, 'music');
  mkdirSync(music);
  writeFileSync(join(music, 'evil.mp3'), generateMp3({ id: 'x', title: EVIL_TITLE, artist: EVIL_ARTIST, durationSec: 3, bitrateKbps: 128 }));
  const catalog = join(tmp.dir, 'catalog.json');
  const build = run(['catalog', 'build', music, '--out', catalog, '--servers', '1', '--assign', 'all']);
  expect(await build.exited).toBe(0);
  const data = JSON.parse(readFileSync(catalog, 'utf8')) as { servers: Array<{ host: string; port: number }> };
  for (const server of data.servers) Object.assign(server, { host: '127.0.0.1', port: await freePort() });
  writeFileSync(catalog, JSON.stringify(data, null, 2));
  return { catalog, build };
}

describe('text from outside on the terminal', () => {
  it(
    'an MP3 title tag with escape sequences: kept in the catalog, printed escaped by catalog build, client get, the interactive client and serve --trace (a HELLO name too)',
    async () => {
      tmp = makeTmpDir('jukebox-terminal-text-');
      const { catalog, build } = await evilCatalog();
      expect(build.stdout + build.stderr).not.toMatch(RAW_CONTROL);
      const song = loadCatalog(catalog).catalog.songs[0];
      // The catalog keeps the tag as written: escaping is the printer's job.
      expect(song?.title).toBe(EVIL_TITLE);

      const serve = run(['serve', '--catalog', catalog, '--trace']);
      await serve.waitFor('listening on');

      const get = run(['client', 'get', 'evil', '--catalog', catalog, '--out-dir', join(tmp.dir, 'downloads')]);
      expect(await get.exited).toBe(0);
      expect(get.stdout).toContain('"Nice Song\\x1b]0;pwned\\x07\\x1b[2J" by Band\\x9b31m\\u{202e}ecilA');
      expect(get.stdout + get.stderr).not.toMatch(RAW_CONTROL);

      const interactive = run(['client', '--catalog', catalog, '--action', 'download', '--out-dir', join(tmp.dir, 'downloads2')], 'Nice\nevil\nq\n');
      expect(await interactive.exited).toBe(0);
      expect(interactive.stdout).toContain('Verified');
      expect(interactive.stdout).toContain('Nice Song\\x1b]0;pwned');
      expect(interactive.stdout + interactive.stderr).not.toMatch(RAW_CONTROL);

      const port = (JSON.parse(readFileSync(catalog, 'utf8')) as { servers: Array<{ port: number }> }).servers[0]?.port ?? 0;
      const socket = connect(port, '127.0.0.1');
      socket.write('HELLO evil\u001b]0;pwned\u0007\u001b[2J\u202e\n');
      await new Promise<void>((resolve) => socket.once('data', () => resolve()));
      socket.destroy();
      await serve.waitFor('HELLO evil\\x1b]0;pwned\\x07\\x1b[2J\\u{202e}');
      serve.child.kill('SIGTERM');
      await serve.exited;
      expect(serve.stdout + serve.stderr).not.toMatch(RAW_CONTROL);
    },
    STEP_TIMEOUT_MS * 4,
  );
});
