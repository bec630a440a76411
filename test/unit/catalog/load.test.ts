// Loading catalog.json as a user or an attacker writes it: strict keys, bounded numbers, a
// byte-order mark, every problem at once as `file: key: expected …, got …`, never a stack trace.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CatalogError, loadCatalog, MAX_CATALOG_FILE_BYTES } from '../../../src/catalog/load.js';
import { MAX_DURATION_SEC, MAX_SONGS } from '../../../src/catalog/schema.js';
import { isJukeboxError, JukeboxError } from '../../../src/errors.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';
import { hasUnsafeTerminalText } from '../../../src/util/terminal-text.js';
import { makeTmpDir } from '../../helpers/tmp.js';

/** The committed catalog's version (it changed when the generated songs became music: their bytes and sha256 changed): these checks must not change it. */
const COMMITTED_VERSION = 'abcefea6c3b0';

type RawCatalog = { servers: Array<Record<string, unknown>>; songs: Array<Record<string, unknown>>; [key: string]: unknown };

let tmp: ReturnType<typeof makeTmpDir>;
beforeEach(() => {
  tmp = makeTmpDir('jukebox-catalog-load-');
});
afterEach(() => tmp.cleanup());

function committed(): RawCatalog {
  return JSON.parse(readFileSync(defaultCatalogPath, 'utf8')) as RawCatalog;
}

/** Loads `text` as a catalog file; the error it gives, or undefined. */
function loadError(text: string): JukeboxError | undefined {
  const file = tmp.write('catalog.json', text);
  try {
    loadCatalog(file);
    return undefined;
  } catch (err) {
    if (!(err instanceof JukeboxError)) throw err;
    return err;
  }
}

function problemsOf(raw: unknown): string[] {
  const err = loadError(JSON.stringify(raw));
  expect(err).toBeInstanceOf(CatalogError);
  return (err as CatalogError).problems;
}

describe('loadCatalog', () => {
  it('loads the committed catalog with its version unchanged', () => {
    expect(loadCatalog(defaultCatalogPath).version).toBe(COMMITTED_VERSION);
  });

  it('accepts a UTF-8 byte-order mark, with the same version as without', () => {
    const file = tmp.write('bom.json', `\uFEFF${readFileSync(defaultCatalogPath, 'utf8')}`);
    expect(loadCatalog(file).version).toBe(COMMITTED_VERSION);
  });

  it('refuses an unknown key at every level, naming it with a did-you-mean', () => {
    const raw = committed();
    raw.songs[2] = { ...raw.songs[2], File: 'x.mp3' };
    raw.servers[1] = { ...raw.servers[1], prot: 5001 };
    raw.Songs = [];
    const problems = problemsOf(raw);
    expect(problems).toContainEqual(expect.stringMatching(/^songs\.2\.File: expected one of id, title, .*, got an unknown key \(did you mean file\?\)$/));
    expect(problems).toContainEqual(expect.stringMatching(/^servers\.1\.prot: .*did you mean port\?/));
    expect(problems).toContainEqual(expect.stringMatching(/^Songs: .*did you mean songs\?/));
    expect(problems).toHaveLength(3);
  });

  it('refuses durationSec 1e9 (and 60,000 s) with the bound, as a catalog error, not a RangeError', () => {
    const raw = committed();
    raw.songs[0] = { ...raw.songs[0], durationSec: 1e9 };
    raw.songs[1] = { ...raw.songs[1], durationSec: 60_000 };
    const problems = problemsOf(raw);
    expect(problems).toEqual([
      `songs.0.durationSec: expected a number > 0 and <= ${MAX_DURATION_SEC}, got 1000000000`,
      `songs.1.durationSec: expected a number > 0 and <= ${MAX_DURATION_SEC}, got 60000`,
    ]);
  });

  it('lists every problem at once, each as file: key: expected, got, with a hint', () => {
    const raw = committed();
    raw.servers[0] = { ...raw.servers[0], port: 70000 };
    raw.songs[0] = { ...raw.songs[0], bitrateKbps: -1, bytes: 2 ** 40, sha256: 'xyz' };
    raw.songs[1] = { ...raw.songs[1], servers: ['s1', 's9'], title: '' };
    const err = loadError(JSON.stringify(raw));
    expect(isJukeboxError(err, 'E_CATALOG_INVALID')).toBe(true);
    const lines = err?.message.split('\n').slice(1) ?? [];
    expect(lines).toHaveLength(6);
    for (const line of lines) expect(line).toMatch(/^ {2}\S+catalog\.json: [\w.]+: expected .+, got .+$/);
    expect(err?.message).toContain('servers.0.port: expected a whole number >= 0 and <= 65535, got 70000');
    expect(err?.message).toContain('songs.1.servers.1: expected one of the catalog\'s servers (s1, s2), got "s9"');
    expect(err?.hint).toMatch(/docs\/protocol\.md/);
  });

  it('shows a value holding escape sequences escaped in its message', () => {
    const raw = committed();
    raw.songs[0] = { ...raw.songs[0], durationSec: '\u001b]0;pwned\u0007\u001b[2J' };
    const err = loadError(JSON.stringify(raw));
    expect(err?.message).toContain('songs.0.durationSec: expected a number');
    expect(hasUnsafeTerminalText(err?.message.replaceAll('\n', ' ') ?? '')).toBe(false);
  });

  it('refuses a file that is not JSON as a catalog error naming the file', () => {
    const err = loadError('{"servers": [ {"id": "s1",\u001b[2J');
    expect(isJukeboxError(err, 'E_CATALOG_INVALID')).toBe(true);
    expect(err?.message).toMatch(/catalog\.json: \(top level\): expected JSON, got a syntax error/);
    expect(hasUnsafeTerminalText(err?.message.replaceAll('\n', ' ') ?? '')).toBe(false);
  });

  it('refuses more songs than the bound without checking each of them', () => {
    const raw = committed();
    const song = raw.songs[0];
    raw.songs = Array.from({ length: MAX_SONGS + 1 }, () => song ?? {});
    const started = performance.now();
    expect(problemsOf(raw)).toEqual([`songs: expected at most 100,000 songs, got a list of 100,001`]);
    // Bounded work: not a check of 100,001 songs (generous for a busy machine).
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('refuses a file larger than any catalog before reading it', () => {
    const file = tmp.write('huge.json', '');
    execFileSync('truncate', ['-s', String(MAX_CATALOG_FILE_BYTES + 1), file]);
    expect(() => loadCatalog(file)).toThrow(/expected a file of at most 67108864 bytes/);
  });

  it('refuses a FIFO or a folder as E_CATALOG_NOT_FOUND at once instead of waiting for a writer', () => {
    const fifo = `${tmp.dir}/fifo.json`;
    execFileSync('mkfifo', [fifo]);
    expect(() => loadCatalog(fifo)).toThrow(/not a regular file/);
    let err: unknown;
    try {
      loadCatalog(tmp.dir);
    } catch (e) {
      err = e;
    }
    expect(isJukeboxError(err, 'E_CATALOG_NOT_FOUND')).toBe(true);
  });

  it('gives E_CATALOG_NOT_FOUND for a file that does not exist', () => {
    let err: unknown;
    try {
      loadCatalog(`${tmp.dir}/nope.json`);
    } catch (e) {
      err = e;
    }
    expect(isJukeboxError(err, 'E_CATALOG_NOT_FOUND')).toBe(true);
    expect((err as Error).message).toContain('ENOENT');
  });
});
