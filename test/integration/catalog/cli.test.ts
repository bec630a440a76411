// `jukebox catalog …` as a user runs it: the built CLI spawned as a process (npm test builds first).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateMp3 } from '../../../src/catalog/mp3.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { MP3_GENERATOR_VERSION } from '../../../src/catalog/version.js';
import { packageRoot } from '../../../src/util/paths.js';

const BIN = join(packageRoot, 'bin', 'jukebox.js');
const BUILT_CLI = join(packageRoot, 'dist', 'src', 'cli', 'jukebox.js');
/** A bound on one CLI run: generous for a busy machine, it only stops a hung process. */
const RUN_TIMEOUT_MS = 30_000;
const ZERO_SHA = '0'.repeat(64);

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;

/** An unprivileged user for tests of unreadable folders: root reads every folder whatever its mode. */
const NOBODY = 65534;

function jukebox(args: string[], options: { asNobody?: boolean } = {}): Promise<RunResult> {
  const user = options.asNobody && process.getuid?.() === 0 ? { uid: NOBODY, gid: NOBODY } : {};
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, JUKEBOX_CACHE_DIR: join(dir, 'cache') },
      timeout: RUN_TIMEOUT_MS,
      ...user,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A small catalog of generated songs with placeholder facts, filled in by `generate --update`. */
async function writeTmpCatalog(): Promise<string> {
  const file = join(dir, 'catalog.json');
  const songs = [
    { id: 'song1', title: 'One', artist: 'A', durationSec: 8, bitrateKbps: 128, bytes: 0, sha256: ZERO_SHA, servers: ['s1'] },
    { id: 'song2', title: 'Two', artist: 'B', durationSec: 5, bitrateKbps: 256, bytes: 0, sha256: ZERO_SHA, servers: ['s1', 's2'] },
  ];
  const servers = [
    { id: 's1', host: 'localhost', port: 5000 },
    { id: 's2', host: 'localhost', port: 5001 },
  ];
  await writeFile(file, `${JSON.stringify({ servers, songs }, null, 2)}\n`);
  return file;
}

beforeAll(() => {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build (npm test does it first)`);
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jukebox-cli-catalog-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('jukebox catalog verify', () => {
  it('exits 1 naming every song whose facts do not match, and 0 once generate --update filled them in', async () => {
    const catalog = await writeTmpCatalog();
    const stale = await jukebox(['catalog', 'verify', '--catalog', catalog]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('song song1');
    expect(stale.stderr).toContain('song song2');

    const generated = await jukebox(['catalog', 'generate', '--catalog', catalog, '--update']);
    expect(generated.code).toBe(0);
    expect(generated.stdout).toContain('[2/2] song2');

    const ok = await jukebox(['catalog', 'verify', '--catalog', catalog]);
    expect(ok.code).toBe(0);
    expect(ok.stdout.trim().split('\n')).toHaveLength(1);
    expect(ok.stdout).toContain('all 2 song files match');
  });

  it('exits 1 when a cached file has one byte changed, naming the song and file', async () => {
    const catalog = await writeTmpCatalog();
    expect((await jukebox(['catalog', 'generate', '--catalog', catalog, '--update'])).code).toBe(0);
    const cacheFile = join(dir, 'cache', 'mp3', `song2-${(loadCatalog(catalog).catalog.songs[1]?.sha256 ?? '').slice(0, 16)}-g${MP3_GENERATOR_VERSION}.mp3`);
    const bytes = await readFile(cacheFile);
    bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0x01;
    await writeFile(cacheFile, bytes);

    const result = await jukebox(['catalog', 'verify', '--catalog', catalog]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('song song2');
    expect(result.stderr).toContain(cacheFile);
    expect(result.stderr).not.toContain('song song1');
  });

  it('reports a deleted and a truncated cache file as problems instead of quietly making them again; --regenerate makes them and says so', async () => {
    const catalog = await writeTmpCatalog();
    expect((await jukebox(['catalog', 'generate', '--catalog', catalog, '--update'])).code).toBe(0);
    const songs = loadCatalog(catalog).catalog.songs;
    const cacheFile = (i: number) => join(dir, 'cache', 'mp3', `song${i + 1}-${(songs[i]?.sha256 ?? '').slice(0, 16)}-g${MP3_GENERATOR_VERSION}.mp3`);
    await rm(cacheFile(0));
    await truncate(cacheFile(1), 1000);

    const result = await jukebox(['catalog', 'verify', '--catalog', catalog]);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('ok');
    expect(result.stderr).toContain(`song song1: cache file ${cacheFile(0)} is missing`);
    expect(result.stderr).toContain(`song song2: cache file ${cacheFile(1)} has the wrong size (truncated)`);
    expect(result.stderr).toContain('--regenerate');
    expect(existsSync(cacheFile(0))).toBe(false);

    const repaired = await jukebox(['catalog', 'verify', '--catalog', catalog, '--regenerate']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain(`regenerated song song1: ${cacheFile(0)}`);
    expect(repaired.stdout).toContain(`regenerated song song2: ${cacheFile(1)}`);
    expect(repaired.stdout).toContain('ok: all 2 song files match');
    expect((await jukebox(['catalog', 'verify', '--catalog', catalog])).code).toBe(0);
  });

  it('exits 2 on a malformed catalog (an unknown key, a duration past its bound), naming every key', async () => {
    const catalog = await writeTmpCatalog();
    const data = JSON.parse(await readFile(catalog, 'utf8')) as { songs: Array<Record<string, unknown>> };
    Object.assign(data.songs[0] ?? {}, { File: 'x.mp3', durationSec: 1e9 });
    await writeFile(catalog, JSON.stringify(data));
    for (const command of ['verify', 'generate']) {
      const result = await jukebox(['catalog', command, '--catalog', catalog]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('E_CATALOG_INVALID');
      expect(result.stderr).toContain('songs.0.File: expected one of');
      expect(result.stderr).toContain('(did you mean file?)');
      expect(result.stderr).toContain('songs.0.durationSec: expected a number > 0 and <= 10800, got 1000000000');
      expect(result.stderr).not.toMatch(/RangeError|\n\s+at /);
    }
  });

  it('exits 2 with a clear error for a catalog that does not exist', async () => {
    const result = await jukebox(['catalog', 'verify', '--catalog', join(dir, 'nope.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('E_CATALOG_NOT_FOUND');
  });
});

describe('jukebox catalog build', () => {
  it('writes a catalog of a folder that then verifies; refuses to overwrite without --force', async () => {
    const music = join(dir, 'music');
    await mkdir(music);
    await writeFile(join(music, 'First Song.mp3'), generateMp3({ id: 'x', title: 'First Song', artist: 'Me', durationSec: 4, bitrateKbps: 192 }));
    await writeFile(join(music, 'broken.mp3'), 'not an mp3 at all');
    const out = join(dir, 'mine.json');

    const built = await jukebox(['catalog', 'build', music, '--out', out, '--assign', 'all']);
    expect(built.code).toBe(0);
    expect(built.stderr).toContain('broken.mp3');
    const catalog = loadCatalog(out).catalog;
    expect(catalog.songs.map((s) => [s.id, s.file, s.servers])).toEqual([['first-song', 'music/First Song.mp3', ['s1', 's2']]]);
    expect((await jukebox(['catalog', 'verify', '--catalog', out])).code).toBe(0);

    expect((await jukebox(['catalog', 'build', music, '--out', out])).code).toBe(2);
    expect((await jukebox(['catalog', 'build', music, '--out', out, '--force', '--strict'])).code).toBe(1);
  });

  it('skips an unreadable subfolder and a FIFO named .mp3 with a warning each, and builds the rest', async () => {
    // The folders must be readable by the unprivileged user the build runs as (under root).
    await chmod(dir, 0o777);
    const music = join(dir, 'music');
    await mkdir(join(music, 'a-locked'), { recursive: true });
    await mkdir(join(music, 'b-open'));
    await writeFile(join(music, 'a-locked', 'Hidden.mp3'), generateMp3({ id: 'h', title: 'Hidden', artist: 'Me', durationSec: 3, bitrateKbps: 128 }));
    await writeFile(join(music, 'b-open', 'Song.mp3'), generateMp3({ id: 's', title: 'Song', artist: 'Me', durationSec: 3, bitrateKbps: 128 }));
    execFileSync('mkfifo', [join(music, 'b-open', 'pipe.mp3')]);
    await chmod(join(music, 'a-locked'), 0o000);
    try {
      const out = join(dir, 'built.json');
      const built = await jukebox(['catalog', 'build', music, '--out', out], { asNobody: true });
      expect(built.stderr).toContain(`warning: skipped ${join(music, 'a-locked')}: folder cannot be read (EACCES)`);
      expect(built.stderr).toContain(`warning: skipped ${join(music, 'b-open', 'pipe.mp3')}: not a regular file (a FIFO)`);
      expect(built.code).toBe(0);
      expect(built.stdout).toContain('1 songs on 2 server(s), 2 file(s) skipped');
      expect(loadCatalog(out).catalog.songs.map((s) => s.file)).toEqual(['music/b-open/Song.mp3']);
    } finally {
      await chmod(join(music, 'a-locked'), 0o755);
    }
  });

  it('exits 2 on a bad argument', async () => {
    expect((await jukebox(['catalog', 'build', dir, '--assign', 'sideways'])).code).toBe(2);
    expect((await jukebox(['catalog', 'build', join(dir, 'no-such-folder')])).code).toBe(2);
    const tooMany = await jukebox(['catalog', 'build', dir, '--servers', '1e9']);
    expect(tooMany.code).toBe(2);
    expect(tooMany.stderr).toContain('--servers: expected a whole number of servers from 1 to 64, got 1000000000');
    expect((await jukebox(['catalog'])).code).toBe(2);
  });
});
