// Ctrl-C during `simulate`, as a user (or CI) does it: the built CLI spawned, signals sent once
// the run is under way (seen on its stderr, never after a fixed sleep).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogPath, packageRoot } from '../../src/util/paths.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('jukebox-interrupt-');
afterAll(() => tmp.cleanup());

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with stderr so far once it matches; rejects if the process ends first. */
  stderrMatches(pattern: RegExp): Promise<string>;
  exited: Promise<Exit>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [join(packageRoot, 'bin', 'simulate.js'), ...args], { cwd: tmp.dir });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (s: string) => void }> = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(stderr);
      }
    }
  });
  const exited = new Promise<Exit>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return {
    child,
    exited,
    stderrMatches: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve(stderr)
        : Promise.race([
            new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
            exited.then((e) => Promise.reject(new Error(`simulate ended (code ${e.code}) before its stderr matched ${pattern}:\n${e.stderr}`))),
          ]),
  };
}

function scenario(name: string, load: string, client: string, streamSpeed = 200): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: ${streamSpeed} }\n  - { id: s2, port: 0, streamSpeed: ${streamSpeed} }\nload: ${load}\nclient: ${client}\n`,
  );
}

interface ReportFile {
  interrupted?: boolean;
  interruption?: { atMs: number; clientsPlanned: number; clientsStarted: number; clientsDone: number; requestsPlanned: number; requestsDone: number };
  plan: { clients: number; requests: number };
  totals: { clients: number; requests: number };
  resources?: { peakRssBytes: number };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as ReportFile;
/** A progress line (plain, without a terminal): `[....] 3/300 clients …`. */
const progressLine = (total: number, atLeastOneDone = false) => new RegExp(`\\] ${atLeastOneDone ? '[1-9]\\d*' : '\\d+'}/${total} clients`);

describe('simulate, interrupted', () => {
  it('stops at the first SIGINT: says so at once, writes the report marked interrupted (HTML too), prints the summary, exits 130', async () => {
    const out = join(tmp.dir, 'once', 'run.json');
    // Each client thinks an hour after its first song: only the interrupt ends this run.
    const file = scenario('once', '{ clients: 300, concurrency: 4, workers: 2 }', '{ requests: 3, thinkTime: { distribution: constant, mean: 1h } }');
    const sim = start([file, '--out', out]);
    await sim.stderrMatches(progressLine(300));
    sim.child.kill('SIGINT');
    const exit = await sim.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr).toMatch(/stopping \(SIGINT\): no new clients or songs; in-flight requests get up to 5 s; press Ctrl-C again to stop at once/);
    expect(exit.stdout).toMatch(/INTERRUPTED/);
    expect(exit.stdout).toMatch(/interrupted .* of 300 clients started/);
    expect(exit.stderr).toContain(`report: ${out}`);
    const report = readJson(out);
    expect(report.interrupted).toBe(true);
    expect(report.interruption?.clientsPlanned).toBe(300);
    expect(report.interruption?.clientsStarted).toBeLessThan(300);
    expect(report.interruption?.requestsDone).toBe(report.totals.requests);
    expect(report.plan.clients).toBe(300);
    expect(readFileSync(join(tmp.dir, 'once', 'run.html'), 'utf8')).toMatch(/INTERRUPTED[\s\S]*interrupted .* into the run/);
  });

  it('stops at once at a second SIGINT, exit 130, leaving no partial file', async () => {
    const dir = join(tmp.dir, 'twice');
    // Streams at real time take minutes, and the grace would let them: only the second signal can end this soon.
    const file = scenario(
      'twice',
      '{ clients: 300, concurrency: 4, workers: 2 }',
      '{ requests: 2, action: { download: 0, stream: 1 }, songs: { absent: 0 } }',
      1,
    );
    const sim = start([file, '--out', join(dir, 'run.json'), '--grace', '10m']);
    await sim.stderrMatches(progressLine(300));
    sim.child.kill('SIGINT');
    await sim.stderrMatches(/stopping \(SIGINT\)/);
    sim.child.kill('SIGINT');
    const exit = await sim.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr).toMatch(/SIGINT again: stopping at once/);
    // Whatever is there (nothing, here) is whole.
    const files = existsSync(dir) ? readdirSync(dir) : [];
    for (const f of files.filter((n) => n.endsWith('.json'))) expect(() => readJson(join(dir, f))).not.toThrow();
    for (const f of files.filter((n) => n.endsWith('.html'))) expect(readFileSync(join(dir, f), 'utf8')).toMatch(/<\/html>\s*$/);
  });

  it('runs ten million clients at concurrency 10 in small, flat memory, and knows the total from the start', async () => {
    const out = join(tmp.dir, 'big', 'run.json');
    const file = scenario('big', '{ clients: 10000000, concurrency: 10, workers: 2 }', '{ requests: 1 }');
    const sim = start([file, '--out', out]);
    // A few seconds in: the second plain progress line, with clients done.
    await sim.stderrMatches(progressLine(10_000_000, true));
    sim.child.kill('SIGINT');
    const exit = await sim.exited;
    expect(exit.code).toBe(130);
    const report = readJson(out);
    expect(report.plan.clients).toBe(10_000_000);
    expect(report.interruption?.clientsPlanned).toBe(10_000_000);
    expect(report.interruption?.clientsStarted).toBeGreaterThan(0);
    // Materialising the plan passed 4 GB; drawing it lazily stays far below this generous bound.
    expect(report.resources?.peakRssBytes).toBeLessThan(700 * 1024 * 1024);
  });

  it('ends a --repeat series at an interrupt (SIGTERM): no further runs, no summary', async () => {
    const dir = join(tmp.dir, 'series');
    const file = scenario('series', '{ clients: 300, concurrency: 4, workers: 2 }', '{ requests: 3, thinkTime: { distribution: constant, mean: 1h } }');
    const sim = start([file, '--repeat', '3', '--out', join(dir, 'r.json')]);
    await sim.stderrMatches(progressLine(300));
    sim.child.kill('SIGTERM');
    const exit = await sim.exited;
    expect(exit.code).toBe(130);
    expect(exit.stderr).toMatch(/stopping \(SIGTERM\)/);
    expect(exit.stderr).not.toMatch(/run 2 of 3/);
    expect(readdirSync(dir).sort()).toEqual(['r-run1.html', 'r-run1.json']);
    expect(readJson(join(dir, 'r-run1.json')).interrupted).toBe(true);
  });

  it('refuses a --grace out of bounds before anything starts, exit 2', async () => {
    const sim = start([scenario('grace', '{ clients: 1 }', '{ requests: 1 }'), '--grace', '2h']);
    const exit = await sim.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/--grace: expected a duration from 0 to 10m0s, like 5s or 500ms, got "2h"/);
    expect(exit.stderr).not.toMatch(/servers:/);
  });
});
