// `jukebox client` as a student runs it: the built CLI spawned with piped stdin/stdout (no TTY:
// the prompts still print, answers are read line by line) against real servers started here on
// the ports written in the very catalog the client reads (so both sides have the same version).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JukeboxServer } from '../../src/server/server.js';
import { packageRoot } from '../../src/util/paths.js';
import { closeAllFakes, fakeJukebox, type FakeJukeboxOptions } from '../helpers/fake-server.js';
import { freePorts } from '../helpers/free-ports.js';
import { createLibraryFixture, pseudoRandomBytes, type FixtureSongSpec, type LibraryFixture } from '../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../helpers/server-fixture.js';
import { makeTmpDir } from '../helpers/tmp.js';

const jukebox = join(packageRoot, 'bin', 'jukebox.js');
/** Longest wait for one expected piece of output: far above what any step needs. */
const STEP_TIMEOUT_MS = 20_000;
const PROMPT = "Enter the name of the song (or 'q' to quit): ";

let fixture: LibraryFixture | undefined;
const children: ChildProcess[] = [];
const tmps: Array<{ cleanup(): void }> = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stopAll();
  await closeAllFakes();
  fixture?.cleanup();
  fixture = undefined;
  for (const t of tmps.splice(0)) t.cleanup();
});

interface Stage {
  lib: LibraryFixture;
  s1?: JukeboxServer;
  s2?: JukeboxServer;
  /** The client's working directory: downloads/ lands here. */
  cwd: string;
}

/** A catalog on two free ports and the servers asked for, started from that same catalog. */
async function stage(options: { start?: Array<'s1' | 's2'>; streamSpeed?: number; songs?: FixtureSongSpec[]; ports?: [number, number] } = {}): Promise<Stage> {
  const [p1, p2] = options.ports ?? ((await freePorts(2)) as [number, number]);
  const lib = createLibraryFixture({
    servers: [
      { id: 's1', host: LOOPBACK, port: p1 },
      { id: 's2', host: LOOPBACK, port: p2 },
    ],
    ...(options.songs ? { songs: options.songs } : {}),
  });
  fixture = lib;
  const serverOptions = options.streamSpeed === undefined ? {} : { streamSpeed: options.streamSpeed };
  const start = options.start ?? ['s1', 's2'];
  const s1 = start.includes('s1') ? await startTestServer(lib, 's1', { port: p1, ...serverOptions }) : undefined;
  const s2 = start.includes('s2') ? await startTestServer(lib, 's2', { port: p2, ...serverOptions }) : undefined;
  const tmp = makeTmpDir('jukebox-client-e2e-');
  tmps.push(tmp);
  return { lib, cwd: tmp.dir, ...(s1 ? { s1 } : {}), ...(s2 ? { s2 } : {}) };
}

/** The client process, its output read as it comes, answers typed into its stdin. */
class ClientRun {
  readonly process: ChildProcess;
  private out = '';
  private err = '';
  /** How far expect() has read: each expectation looks only at output after the previous one. */
  private cursor = 0;
  private readonly listeners = new Set<() => void>();
  readonly exit: Promise<number | null>;

  constructor(args: string[], cwd: string) {
    this.process = spawn(process.execPath, [jukebox, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(this.process);
    this.process.stdout?.setEncoding('utf8').on('data', (text: string) => {
      this.out += text;
      for (const l of this.listeners) l();
    });
    this.process.stderr?.setEncoding('utf8').on('data', (text: string) => {
      this.err += text;
      for (const l of this.listeners) l();
    });
    this.exit = new Promise((resolve) => this.process.once('exit', (code) => resolve(code)));
    void this.exit.then(() => {
      for (const l of this.listeners) l();
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  type(line: string): void {
    this.process.stdin?.write(`${line}\n`);
  }

  /** Waits for `pattern` in the stdout not yet consumed; consumes up to the end of the match. */
  expect(pattern: RegExp): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const rest = this.out.slice(this.cursor);
        const match = pattern.exec(rest);
        if (match) {
          done();
          this.cursor += match.index + match[0].length;
          resolve(match);
        } else if (this.process.exitCode !== null || this.process.signalCode !== null) {
          done();
          reject(
            new Error(`client exited (${this.process.exitCode}) before printing ${pattern}:\n--- stdout after cursor:\n${rest}\n--- stderr:\n${this.err}`),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} within ${STEP_TIMEOUT_MS} ms:\n--- stdout after cursor:\n${this.out.slice(this.cursor)}\n--- stderr:\n${this.err}`));
      }, STEP_TIMEOUT_MS);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  prompt(): Promise<RegExpExecArray> {
    return this.expect(/Enter the name of the song \(or 'q' to quit\): /);
  }

  async quit(): Promise<number | null> {
    await this.prompt();
    this.type('q');
    return this.exit;
  }
}

function interactive(s: Stage, ...extra: string[]): ClientRun {
  return new ClientRun(['client', '--catalog', s.lib.catalogPath, ...extra], s.cwd);
}

/** `jukebox client get …` to completion. */
function get(s: Stage, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = new ClientRun(['client', 'get', ...args, '--catalog', s.lib.catalogPath], s.cwd);
  return run.exit.then((code) => ({ code, stdout: run.stdout, stderr: run.stderr }));
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('jukebox client (interactive, piped)', () => {
  it('cancels a song no server holds with the exact sentence, then prompts again', async () => {
    const s = await stage();
    const client = interactive(s);
    await client.expect(/s1 \(127\.0\.0\.1:\d+\): up/);
    await client.prompt();
    client.type('nowhere');
    await client.expect(/s1 \(127\.0\.0\.1:\d+\): NOT_EXIST {2}[\d.]+ ms\n/);
    await client.expect(/s2 \(127\.0\.0\.1:\d+\): NOT_EXIST {2}[\d.]+ ms\n/);
    await client.expect(/^The song does not exist on any server\.$/m);
    expect(await client.quit()).toBe(0);
  });

  it('uses the only server that holds a song, and saves a verified download whose sha256 is the catalog’s', async () => {
    const s = await stage();
    const client = interactive(s);
    await client.prompt();
    client.type('tiny');
    await client.expect(/s1 \(127\.0\.0\.1:\d+\): EXIST 1\.0 KiB {2}[\d.]+ ms\n/);
    await client.expect(/s2 \(127\.0\.0\.1:\d+\): NOT_EXIST/);
    await client.expect(/Only s1 \(Server 1\) has the song: using it\./);
    await client.expect(/Download or stream\? \[d\/s\] \(default d\): /);
    client.type('d');
    const verified = await client.expect(/Verified: sha256 matches the catalog \(([0-9a-f]{12})…\)/);
    expect(verified[1]).toBe(s.lib.sha256Of('tiny').slice(0, 12));
    await client.expect(/Saved to downloads\/Fixture Artist - Title of tiny\.mp3/);
    const file = join(s.cwd, 'downloads', 'Fixture Artist - Title of tiny.mp3');
    expect(sha256(readFileSync(file))).toBe(s.lib.sha256Of('tiny'));
    expect(await client.quit()).toBe(0);
  });

  it("asks which server when both hold the song, and downloads from the one chosen ('2', then '1')", async () => {
    const s = await stage();
    const client = interactive(s, '--action', 'download');
    for (const [key, chosen] of [
      ['2', s.s2],
      ['1', s.s1],
    ] as const) {
      const before = chosen?.stats().bytesSent ?? 0;
      await client.prompt();
      client.type('Title of medium');
      await client.expect(/Both servers have the song\. Press '1' for Server 1 or '2' for Server 2 \[default: [12] \(faster\)\]: /);
      client.type(key);
      await client.expect(new RegExp(`Using s${key} \\(Server ${key}\\)\\.`));
      await client.expect(new RegExp(`Downloaded 293\\.0 KiB from s${key} in`));
      await client.expect(/Verified: sha256 matches the catalog/);
      expect((chosen?.stats().bytesSent ?? 0) - before).toBeGreaterThanOrEqual(300_000);
    }
    expect(await client.quit()).toBe(0);
  });

  it('takes the default server on Enter and re-asks after an answer that is not a choice', async () => {
    const s = await stage();
    const client = interactive(s, '--action', 'download', '--prefer', 's2');
    await client.prompt();
    client.type('medium');
    await client.expect(/\[default: 2 \(--prefer s2\)\]: /);
    client.type('7');
    await client.expect(/Please press 1 or 2 \(or Enter for 2\)\./);
    await client.expect(/\[default: 2 \(--prefer s2\)\]: /);
    client.type('');
    await client.expect(/Using s2 \(Server 2\)\./);
    await client.expect(/Verified/);
    expect(await client.quit()).toBe(0);
  });

  it('streams with simulated playback and prints startup delay, stalls and total stall time', async () => {
    // The server sends at 20× the bitrate; the listener plays at 40×: the buffer must run dry.
    const s = await stage({ streamSpeed: 20 });
    const client = interactive(s, '--playback-speed', '40');
    await client.prompt();
    client.type('medium');
    await client.expect(/Press '1' for Server 1 or '2' for Server 2/);
    client.type('');
    await client.expect(/Download or stream\?/);
    client.type('s');
    await client.expect(/Playback started after [\d.]+ m?s/);
    await client.expect(/Stall 1 at \d+:\d\d: the buffer ran dry/);
    await client.expect(/Verified: sha256 matches the catalog/);
    await client.expect(/Startup delay: [\d.]+ m?s\n/);
    const stalls = await client.expect(/Stalls: (\d+)\n/);
    expect(Number(stalls[1])).toBeGreaterThanOrEqual(1);
    await client.expect(/Total stall time: [\d.]+ m?s\n/);
    expect(await client.quit()).toBe(0);
  });

  it('--trace shows every protocol line both ways, labelled by server, with timings', async () => {
    const s = await stage();
    const client = interactive(s, '--trace', '--action', 'download');
    await client.prompt();
    client.type('tiny');
    await client.expect(/^\[s1 \+[\d.]+ms\] > CHECK tiny$/m);
    await client.expect(/^\[s1 \+[\d.]+ms\] > GET tiny$/m);
    await client.expect(/^\[s1 \+[\d.]+ms\] < DATA 1024$/m);
    expect(client.stdout).toMatch(new RegExp(`^\\[s1 \\+[\\d.]+ms\\] < EXIST 1024 ${s.lib.sha256Of('tiny')}`, 'm'));
    expect(client.stdout).toMatch(/^\[s2 \+[\d.]+ms\] < NOT_EXIST$/m);
    expect(await client.quit()).toBe(0);
  });

  it('names a server that is down and carries on with the other', async () => {
    const s = await stage({ start: ['s1'] });
    const client = interactive(s, '--action', 'download');
    await client.expect(/s2 \(127\.0\.0\.1:\d+\): unreachable \(connection refused\)/);
    await client.expect(/s2 is unreachable; carrying on with s1\./);
    await client.prompt();
    client.type('medium');
    await client.expect(/s2 \(127\.0\.0\.1:\d+\): unreachable \(connection refused\)/);
    await client.expect(/Only s1 \(Server 1\) has the song: using it\./);
    await client.expect(/Verified/);
    expect(await client.quit()).toBe(0);
  });

  it('with both servers down, explains how to start them and exits 3 (servers unreachable) without waiting for input', async () => {
    const s = await stage({ start: [] });
    const client = interactive(s);
    const code = await Promise.race([client.exit, new Promise<string>((resolve) => setTimeout(() => resolve('still running'), STEP_TIMEOUT_MS))]);
    expect(code).toBe(3);
    expect(client.stderr).toContain('Neither server is reachable');
    expect(client.stderr).toContain(`jukebox serve --catalog ${s.lib.catalogPath}`);
    expect(client.stdout).not.toContain(PROMPT);
  });

  it('warns when a server’s catalog version differs, naming both versions', async () => {
    const s = await stage();
    const edited = join(s.cwd, 'edited-catalog.json');
    // One more song, held by no server: another version (catalogs refuse unknown keys such as a note).
    const data = JSON.parse(readFileSync(s.lib.catalogPath, 'utf8')) as { songs: unknown[] };
    data.songs.push({ id: 'edited', title: 'Edited', artist: 'Nobody', durationSec: 1, bitrateKbps: 128, bytes: 0, sha256: '0'.repeat(64), servers: [] });
    writeFileSync(edited, JSON.stringify(data));
    const client = new ClientRun(['client', '--catalog', edited], s.cwd);
    const version = await client.expect(/version ([0-9a-f]{12}),/);
    await client.expect(new RegExp(`warning: s1 serves catalog version ${s.lib.loaded.version}, this client's catalog is version ${version[1]}`));
    expect(version[1]).not.toBe(s.lib.loaded.version);
    expect(await client.quit()).toBe(0);
  });

  it('answers bad input with a clear message and the prompt again: empty, 10 KB, Unicode, control characters', async () => {
    const s = await stage();
    const client = interactive(s);
    await client.prompt();
    client.type('');
    await client.expect(/Please type a song name or id \(or 'q' to quit\)\./);
    await client.prompt();
    client.type('x'.repeat(10_240));
    await client.expect(/That line is 10240 characters long; a song name has at most 200\./);
    await client.prompt();
    client.type('Ünïcödé ☃ 歌');
    await client.expect(/No song called "Ünïcödé ☃ 歌" in the catalog\./);
    await client.prompt();
    client.type('bell\x07\x1b[2J');
    await client.expect(/That line contains control characters \(\\x07, \\x1b\)/);
    await client.prompt();
    client.type('Title of mediun');
    await client.expect(new RegExp(escape('Did you mean medium ("Title of medium" by Fixture Artist)')));
    expect(client.stdout).not.toContain('\x07');
    expect(await client.quit()).toBe(0);
  });

  it('ends at the end of input like q', async () => {
    const s = await stage();
    const client = interactive(s);
    await client.prompt();
    client.process.stdin?.end();
    expect(await client.exit).toBe(0);
    expect(client.stdout).toContain('Bye.');
  });
});

describe('jukebox client get', () => {
  it('exits 0 after a verified download, saved to --out', async () => {
    const s = await stage();
    const out = join(s.cwd, 'song.bin');
    const result = await get(s, 'medium', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Verified: sha256 matches the catalog');
    expect(readFileSync(out).equals(s.lib.bytesOf('medium'))).toBe(true);
  });

  it('exits 2 when no server holds the song (and for a name no song has)', async () => {
    const s = await stage();
    const absent = await get(s, 'nowhere');
    expect(absent.code).toBe(2);
    expect(absent.stdout).toContain('The song does not exist on any server.');
    expect((await get(s, 'no such song at all')).code).toBe(2);
  });

  it('exits 3 when the servers are down (the environment stopped it), explaining jukebox serve', async () => {
    const s = await stage({ start: [] });
    const result = await get(s, 'medium');
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).toContain('jukebox serve');
  });

  it('exits 130 when interrupted (Ctrl-C) mid-stream, saying it cancelled', async () => {
    // Real time: the 4 MiB song streams for minutes, so the signal surely comes mid-transfer.
    const s = await stage({ streamSpeed: 1 });
    const run = new ClientRun(['client', 'get', 'large', '--action', 'stream', '--catalog', s.lib.catalogPath], s.cwd);
    await run.expect(/Streaming .* from s1/);
    run.process.kill('SIGINT');
    await run.expect(/Cancelled\./);
    expect(await run.exit).toBe(130);
  });

  it('exits 2 on a bad option, saying what is wrong', async () => {
    const s = await stage();
    const result = await get(s, 'medium', '--prefer', 's9');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--prefer: expected a server of the catalog (s1, s2) or one of');
    expect(result.stderr).toContain('got "s9"');
  });

  it('--json prints the outcome: song, server, answers with latencies, bytes, verification, resumes, timings', async () => {
    const s = await stage();
    const result = await get(s, 'medium', '--prefer', 's2', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown> & {
      answers: Array<{ server: string; outcome: string; latencyMs: number }>;
      timings: Record<string, number>;
    };
    expect(json).toMatchObject({
      schema: 'jukebox-client/1',
      status: 'verified',
      exitCode: 0,
      song: { id: 'medium', bytes: 300_000, sha256: s.lib.sha256Of('medium') },
      server: 's2',
      choice: { reason: 'preferred', order: ['s2', 's1'] },
      action: 'download',
      bytes: 300_000,
      verified: true,
      resumes: 0,
      failovers: 0,
    });
    expect(json.answers.map((a) => [a.server, a.outcome])).toEqual([
      ['s1', 'exist'],
      ['s2', 'exist'],
    ]);
    for (const a of json.answers) expect(a.latencyMs).toBeGreaterThan(0);
    expect(Object.keys(json.timings).sort()).toEqual(['askMs', 'totalMs', 'transferMs', 'ttfbMs']);
    expect(existsSync(join(s.cwd, 'downloads', 'Fixture Artist - Title of medium.mp3'))).toBe(true);

    const absent = await get(s, 'nowhere', '--json');
    expect(absent.code).toBe(2);
    expect(JSON.parse(absent.stdout)).toMatchObject({ status: 'cancelled', reason: 'absent', exitCode: 2 });
  });

  it('resumes from the other server when the first cuts the connection part-way: the file ends intact', async () => {
    // s1 is a fake peer that sends 100 000 bytes of the song and then closes the connection; s2 is real.
    const size = 4 * 1024 * 1024;
    const data = pseudoRandomBytes('large', size);
    const fakeOptions: FakeJukeboxOptions = { serverId: 's1', fault: { cutAfterBytes: 100_000, cutMode: 'end' } };
    const fake = await fakeJukebox(new Map([['large', data]]), fakeOptions);
    const [p2] = (await freePorts(1)) as [number];
    const s = await stage({ ports: [fake.port, p2], start: ['s2'], songs: [{ id: 'large', bytes: size, servers: ['s1', 's2'] }] });
    // The fake answers HELLO with the catalog's version, known only now that the catalog is written.
    fakeOptions.catalogVersion = s.lib.loaded.version;

    const out = join(s.cwd, 'large.mp3');
    const human = await get(s, 'large', '--prefer', 's1', '--out', out);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/Connection to s1 lost at 97\.7 KiB; resuming from s2…/);
    expect(human.stdout).toContain('Verified: sha256 matches the catalog');
    expect(human.stdout).not.toContain('warning');
    expect(sha256(readFileSync(out))).toBe(sha256(data));
    expect(fake.requests).toContain('GET large');

    const json = await get(s, 'large', '--prefer', 's1', '--json', '--out', out);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'verified',
      resumes: 1,
      failovers: 1,
      servedBy: ['s1', 's2'],
      segments: [
        { serverId: 's1', offset: 0, bytes: 100_000 },
        { serverId: 's2', offset: 100_000 },
      ],
    });
    expect(readFileSync(out).equals(data)).toBe(true);
  });
});
