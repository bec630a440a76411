// Both CLIs as a user and a CI script meet them (issue #11, docs/errors.md's exit codes): a usage
// error stops everything with exit 2, --help and --version work everywhere, every number option
// has a bound, no input shows a stack trace. The built bin/*.js, spawned.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/files.js';
import { packageRoot } from '../../src/util/paths.js';
import { makeReport } from '../helpers/report-fixture.js';
import { createLibraryFixture, type LibraryFixture } from '../helpers/library-fixture.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { CLI_BINS, runCli, type CliResult } from '../helpers/run-cli.js';
import { captureCli, type Program } from '../helpers/capture-cli.js';

/** A refused command line is answered long before this, even on a busy machine; a run that starts would not be. */
const REFUSAL_TIMEOUT_MS = 30_000;
const version = (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
/** What a stack trace looks like: a line "    at f (file:…)". */
const STACK_LINE = /^\s+at .+[(:]/m;

type Result = CliResult;

function run(program: keyof typeof CLI_BINS, args: string[], cwd: string = packageRoot): Promise<Result> {
  return runCli(program, args, { cwd, env: { ...process.env, JUKEBOX_CACHE_DIR: join(tmp.dir, 'cache') }, timeoutMs: REFUSAL_TIMEOUT_MS });
}

/** Exit 2, the message on stderr, nothing on stdout, no stack trace. */
function expectRefused(r: Result, ...fragments: string[]): void {
  expect(r.code, r.stderr).toBe(2);
  for (const fragment of fragments) expect(r.stderr).toContain(fragment);
  expect(r.stderr).toMatch(/^\s*hint: /m);
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stdout).toBe('');
}

const tmp = makeTmpDir('jukebox-cli-');
let fixture: LibraryFixture;

beforeAll(() => {
  fixture = createLibraryFixture();
});

afterAll(() => {
  fixture.cleanup();
  tmp.cleanup();
});

describe('the cases found on main (issue #11)', () => {
  it('simulate with a misspelt option (--seeed 9) names it, suggests --seed, exits 2 and runs nothing', async () => {
    const out = join(tmp.dir, 'seeed', 'r.json');
    const r = await run('simulate', ['scenarios/100-clients.yaml', '--seeed', '9', '--out', out]);
    expectRefused(r, '--seeed: unknown option, did you mean --seed?', "'simulate --help'");
    expect(existsSync(join(tmp.dir, 'seeed'))).toBe(false);
  });

  it('jukebox serve --bogus exits 2 without serving', async () => {
    const r = await run('jukebox', ['serve', '--catalog', fixture.catalogPath, '--bogus']);
    expectRefused(r, '--bogus: unknown option', "'jukebox serve --help'");
    expect(r.stdout).not.toContain('listening');
  });

  it('jukebox client get song2 --prefre s2 exits 2 without downloading, suggesting --prefer', async () => {
    const cwd = join(tmp.dir, 'get-prefre');
    mkdirSync(cwd);
    const r = await run('jukebox', ['client', 'get', 'medium', '--catalog', fixture.catalogPath, '--prefre', 's2'], cwd);
    expectRefused(r, '--prefre: unknown option, did you mean --prefer?', "'jukebox client get --help'");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('simulate with no argument prints its usage and exits 2, without a TypeError', async () => {
    const r = await run('simulate', []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('simulate <scenario.yaml> [options]');
    expect(r.stderr).toContain('--help');
    expect(r.stderr).not.toContain('TypeError');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('jukebox with no argument prints its usage and exits 2', async () => {
    const r = await run('jukebox', []);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('jukebox <command> [options]');
    expect(r.stderr).toMatch(/serve/);
  });

  it.each([
    ['simulate', ['--version']],
    ['jukebox', ['--version']],
    ['jukebox', ['client', 'get', '--version']],
    ['simulate', ['compare', '--version']],
  ] as const)('%s %j prints the version from package.json and exits 0', async (program, args) => {
    const r = await run(program, [...args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it('a malformed catalog exits 2 for jukebox as for simulate', async () => {
    const bad = tmp.write('bad-catalog.json', '{ "servers": [');
    // (The catalog loader's own message and hint are the catalog's business; the exit code is the command line's.)
    for (const args of [['serve'], ['client', 'get', 'medium']]) {
      const r = await run('jukebox', [...args, '--catalog', bad]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('E_CATALOG_INVALID');
      expect(r.stderr).toContain(bad);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });
});

describe('usage errors', () => {
  it.each([
    ['jukebox', ['serv'], 'serv: unknown command, did you mean serve?'],
    ['jukebox', ['catalog', 'verfy'], 'verfy: unknown command, did you mean verify?'],
    ['simulate', ['compar', 'a.json', 'b.json'], 'compar: unknown command, did you mean compare?'],
    ['jukebox', ['--bogus'], '--bogus: unknown option'],
    ['simulate', ['--seeed', '3'], '--seeed: unknown option, did you mean --seed?'],
    ['jukebox', ['serve', 'extra'], 'extra: unexpected argument'],
    ['jukebox', ['client', 'get'], '<song>: expected 1 argument, got 0'],
    ['jukebox', ['serve', '--stream-speed'], '--stream-speed: expected a value after it, got none'],
    ['jukebox', ['client', '--action', 'dance'], '--action: expected one of "download", "stream", got "dance"'],
    ['simulate', ['merge', 'a.json', 'b.json'], '--out: required'],
  ] as const)('%s %j is refused: %s', async (program, args, message) => {
    expectRefused(await run(program, [...args]), message);
  });

  it('control characters typed in an argument are shown escaped, never sent to the terminal', async () => {
    const r = await run('jukebox', ['serve', '--\u001b]0;pwned\u0007']);
    expectRefused(r, '--\\x1b]0;pwned\\x07: unknown option');
    expect(r.stderr).not.toContain('\u001b');
  });

  it('--help works on every command of both CLIs and exits 0 (the binaries once, every command in-process)', async () => {
    for (const program of ['jukebox', 'simulate'] as const) {
      const r = await run(program, ['--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('--version');
    }
    const commands: Array<[Program, string[]]> = [
      ['jukebox', []],
      ['jukebox', ['serve']],
      ['jukebox', ['client']],
      ['jukebox', ['client', 'get']],
      ['jukebox', ['catalog']],
      ['jukebox', ['catalog', 'build']],
      ['jukebox', ['catalog', 'verify']],
      ['jukebox', ['catalog', 'generate']],
      ['simulate', []],
      ['simulate', ['compare']],
      ['simulate', ['merge']],
      ['simulate', ['reports']],
    ];
    for (const [program, args] of commands) {
      const r = await captureCli(program, [...args, '--help']);
      expect(r.code, `${program} ${args.join(' ')} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toContain('--help');
      expect(r.stdout).toContain('--version');
      expect(r.stdout).toContain('--debug');
    }
  });

  it('the --help texts give each number option its bound', async () => {
    // yargs wraps the descriptions to the terminal: compare with the spaces folded.
    const help = async (program: Program, args: string[]) => (await captureCli(program, [...args, '--help'])).stdout.replace(/\s+/g, ' ');
    expect(await help('jukebox', ['serve'])).toMatch(/--stream-speed [^-]*from 0\.01 to 1,000.*--max-connections [^-]*from 1 to 100,000/);
    expect(await help('jukebox', ['client'])).toMatch(/--playback-speed [^-]*from 0\.01 to 1,000/);
    expect(await help('simulate', ['compare'])).toMatch(/--fail-on-regression [^-]*from 0 to 10,000/);
  });
});

describe('bounds on number options, checked before any work', () => {
  it('jukebox serve reports every value out of bounds together, quoting what was typed', async () => {
    const r = await run('jukebox', ['serve', '--catalog', fixture.catalogPath, '--stream-speed', 'fast', '--max-connections', '1e6']);
    expectRefused(
      r,
      '--stream-speed: expected a multiple of real time from 0.01 to 1,000, got fast',
      '--max-connections: expected a whole number of connections from 1 to 100,000, got 1000000',
    );
    expect(r.stdout).not.toContain('listening');
  });

  it.each([
    ['jukebox', ['serve', '--max-connections', '2.5'], '--max-connections: expected a whole number of connections from 1 to 100,000, got 2.5'],
    ['jukebox', ['client', 'get', 'medium', '--playback-speed', '0'], '--playback-speed: expected a multiple of real time from 0.01 to 1,000, got 0'],
    ['simulate', ['compare', 'a.json', 'b.json', '--fail-on-regression', '-5'], '--fail-on-regression: expected a percentage from 0 to 10,000, got -5'],
    ['simulate', ['compare', 'a.json', 'b.json', '--threshold=Infinity'], '--threshold: expected a percentage from 0 to 10,000, got Infinity'],
    ['simulate', ['scenarios/100-clients.yaml', '--repeat', '1000'], '--repeat: expected a whole number of runs from 1 to 100, got 1000'],
    ['jukebox', ['catalog', 'build', '.', '--servers', '0'], '--servers: expected a whole number of servers from 1 to 64, got 0'],
    ['jukebox', ['serve', '--stream-speed', '1', '--stream-speed', '2'], '--stream-speed: expected one value, got 2'],
  ] as const)('%s %j is refused: %s', async (program, args, message) => {
    expectRefused(await run(program, [...args]), message);
  });
});

describe('the report commands', () => {
  it('compare and merge refuse too few files in the same shape as the parser: the argument, what was expected, a hint', async () => {
    expectRefused(await run('simulate', ['compare', fixtureReport('only')]), '[reports..]: expected at least two report files', "'simulate compare --help'");
    expectRefused(
      await run('simulate', ['merge', fixtureReport('part'), '-o', join(tmp.dir, 'merged.json')]),
      '<reports..>: expected the report files of at least two parts, got 1',
    );
  });

  it('simulate reports shows a name from a report file with its control characters escaped', async () => {
    const dir = join(tmp.dir, 'crafted-reports');
    mkdirSync(dir);
    const crafted = { ...makeReport({ seed: 1 }), name: 'evil\u001b]0;pwned\u0007\u001b[2J' };
    writeFileSync(join(dir, 'evil.json'), renderJson(crafted));
    const r = await run('simulate', ['reports', '--dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J');
    expect(r.stdout).not.toContain('\u001b]0;');
  });
});

describe('exit codes', () => {
  it('a report folder that is a file is the environment (exit 3), named with the system error, no stack trace', async () => {
    const file = tmp.write('not-a-folder', 'x');
    const r = await run('simulate', ['compare', join(file, 'a.json'), join(file, 'b.json')]);
    // Reading a report that cannot be read is refused input (exit 2)…
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
    // …writing where nothing can be written is the environment (exit 3).
    const overlay = await run('simulate', ['compare', fixtureReport('a'), fixtureReport('b'), '--html', join(file, 'overlay.html')]);
    expect(overlay.code, overlay.stderr).toBe(3);
    expect(overlay.stderr).toMatch(/error \[(ENOTDIR|EEXIST)\]/);
    expect(overlay.stderr).toMatch(/^\s*hint: /m);
    expect(overlay.stderr).not.toMatch(STACK_LINE);
  });
});

/** A valid report file, written by the real renderer. */
function fixtureReport(name: string): string {
  return tmp.write(`${name}.json`, renderJson(makeReport({ seed: 1, noiseSeed: name })));
}
