// `jukebox client get --out -` writes the song's bytes to stdout as they arrive (download and
// stream alike; messages and --json to stderr), and `--out FILE` saves a stream too.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packageRoot } from '../../../src/util/paths.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../../helpers/server-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const jukebox = join(packageRoot, 'bin', 'jukebox.js');
const RUN_TIMEOUT_MS = 60_000;
/** 300 KB at 128 kbit/s is 19 s of audio: at 40× it streams in about half a second. */
const STREAM_SPEED = 40;

let lib: LibraryFixture | undefined;
const tmps: Array<{ cleanup(): void }> = [];
afterEach(async () => {
  await stopAll();
  lib?.cleanup();
  lib = undefined;
  for (const t of tmps.splice(0)) t.cleanup();
});

async function stage(): Promise<{ lib: LibraryFixture; cwd: string }> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, LOOPBACK, done));
  const port = (s.address() as AddressInfo).port;
  await new Promise((done) => s.close(done));
  lib = createLibraryFixture({ servers: [{ id: 's1', host: LOOPBACK, port }], songs: [{ id: 'medium', bytes: 300_000, servers: ['s1'] }] });
  await startTestServer(lib, 's1', { port, streamSpeed: STREAM_SPEED });
  const tmp = makeTmpDir('jukebox-out-');
  tmps.push(tmp);
  return { lib, cwd: tmp.dir };
}

function get(args: string[], cwd: string, catalog: string): Promise<{ code: number | null; stdout: Buffer; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [jukebox, 'client', 'get', ...args, '--catalog', catalog], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`client get ${args.join(' ')} did not finish`));
    }, RUN_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('client get --out', () => {
  for (const action of ['download', 'stream'] as const) {
    it(`--out - with --action ${action}: stdout is exactly the song, the messages go to stderr`, async () => {
      const { lib, cwd } = await stage();
      const run = await get(['medium', '--action', action, '--out', '-'], cwd, lib.catalogPath);
      expect(run.code).toBe(0);
      expect(sha256(run.stdout)).toBe(lib.sha256Of('medium'));
      expect(run.stderr).toMatch(/Verified/);
      expect(existsSync(join(cwd, 'downloads'))).toBe(false);
    }, 90_000);
  }

  it('--out - --json: the JSON outcome goes to stderr, the song alone to stdout', async () => {
    const { lib, cwd } = await stage();
    const run = await get(['medium', '--action', 'stream', '--out', '-', '--json'], cwd, lib.catalogPath);
    expect(run.code).toBe(0);
    expect(sha256(run.stdout)).toBe(lib.sha256Of('medium'));
    const outcome = JSON.parse(run.stderr.slice(run.stderr.indexOf('{'))) as { status: string; playback: unknown };
    expect(outcome).toMatchObject({ status: 'verified', playback: { stalls: expect.any(Number) } });
  }, 90_000);

  it('--out FILE saves a stream to that file', async () => {
    const { lib, cwd } = await stage();
    const run = await get(['medium', '--action', 'stream', '--out', 'saved.mp3'], cwd, lib.catalogPath);
    expect(run.code).toBe(0);
    expect(sha256(readFileSync(join(cwd, 'saved.mp3')))).toBe(lib.sha256Of('medium'));
    expect(existsSync(join(cwd, 'saved.mp3.part'))).toBe(false);
  }, 90_000);
});
