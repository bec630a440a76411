// `simulate compare --run A.yaml B.yaml --rounds N`, spawned as a user would run it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogPath, packageRoot } from '../../src/util/paths.js';
import { makeReport } from '../helpers/report-fixture.js';
import { makeTmpDir } from '../helpers/tmp.js';

const tmp = makeTmpDir('jukebox-compare-run-');
afterAll(() => tmp.cleanup());

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(packageRoot, 'bin', 'simulate.js'), ...args], { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A tiny scenario whose servers the run starts itself on free ports: seconds per run. */
function scenario(name: string): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 200 }\n  - { id: s2, port: 0, streamSpeed: 200 }\nload: { clients: 4, concurrency: 2, workers: 1 }\nclient:\n  requests: 2\n  action: { download: 0.5, stream: 0.5 }\n`,
  );
}

describe('simulate compare --run', () => {
  it('runs A B B A, writes the 4 reports with their conditions, prints the group comparison, exit 0', { timeout: 180_000 }, async () => {
    const out = join(tmp.dir, 'rounds');
    const result = await run(['compare', '--run', scenario('alpha'), scenario('beta'), '--rounds', '2', '--out', out]);
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.code).toBe(0);
    const reports = readdirSync(out)
      .filter((f) => /^\d\d-[AB]-.*\.json$/.test(f))
      .sort();
    expect(reports).toEqual(['01-A-alpha.json', '02-B-beta.json', '03-B-beta.json', '04-A-alpha.json']);
    // Each file is the report of the scenario its side names, in the order the runs started.
    const read = reports.map(
      (f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as { name: string; startedAt: string; environment: { conditions?: { calibrationMBps: number } } },
    );
    expect(read.map((r) => r.name)).toEqual(['alpha', 'beta', 'beta', 'alpha']);
    expect(read.map((r) => r.startedAt)).toEqual([...read.map((r) => r.startedAt)].sort());
    for (const r of read) expect(r.environment.conditions?.calibrationMBps).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/run 1 of 4: A \(alpha\)[\s\S]*run 2 of 4: B \(beta\)[\s\S]*run 3 of 4: B[\s\S]*run 4 of 4: A/);
    // The group comparison, like --baseline … --candidate …: two runs a side cannot tell.
    expect(result.stdout).toMatch(/A alpha/);
    expect(result.stdout).toMatch(/B beta/);
    expect(result.stdout).toMatch(/can't tell/);
    const comparison = JSON.parse(readFileSync(join(out, 'comparison.json'), 'utf8')) as { mode: string; groups: { runs: unknown[] }[] };
    expect(comparison.mode).toBe('groups');
    expect(comparison.groups.map((g) => g.runs.length)).toEqual([2, 2]);
  });

  it('checks both scenario files before running anything: a bad B is a usage error, nothing written', async () => {
    const out = join(tmp.dir, 'never');
    const result = await run(['compare', '--run', scenario('gamma'), join(tmp.dir, 'missing.yaml'), '--rounds', '2', '--out', out]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing\.yaml/);
    expect(() => readdirSync(out)).toThrow();
  });

  it('Ctrl-C stops the series: the run in progress is written, nothing more runs, no comparison, exit 130', { timeout: 120_000 }, async () => {
    const out = join(tmp.dir, 'stopped');
    // Each client thinks an hour after its first song: only the interrupt ends run 1.
    const slow = tmp.write(
      'slow.yaml',
      `name: slow\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 200 }\n  - { id: s2, port: 0, streamSpeed: 200 }\nload: { clients: 50, concurrency: 2, workers: 1 }\nclient: { requests: 3, thinkTime: { distribution: constant, mean: 1h } }\n`,
    );
    const child = spawn(
      process.execPath,
      [join(packageRoot, 'bin', 'simulate.js'), 'compare', '--run', slow, scenario('zeta'), '--rounds', '2', '--out', out, '--grace', '0'],
      {
        cwd: tmp.dir,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Signalled once run 1 is under way (seen on stderr), never after a fixed sleep.
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/run 1 of 4: A \(slow\)/.test(stderr)) resolve();
      }),
    );
    child.kill('SIGINT');
    const code = await exited;
    expect(stderr).toMatch(/interrupted: 1 run written/);
    expect(code).toBe(130);
    expect(readdirSync(out).filter((f) => f.endsWith('.json'))).toEqual(['01-A-slow.json']);
  });

  it('refuses --rounds out of bounds', async () => {
    const result = await run(['compare', '--run', scenario('delta'), scenario('eps'), '--rounds', '51']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--rounds: expected a whole number of rounds from 1 to 50, got 51/);
  });

  it('compare of two reports made under different conditions warns on stderr and in the JSON notes, exit 0', async () => {
    const conditions = (calibrationMBps: number) => ({ loadAvgStart: [0.2, 0.2, 0.2], loadAvgEnd: [0.3, 0.2, 0.2], stealPct: 0, calibrationMBps });
    const write = (name: string, calibrationMBps: number) => {
      const r = makeReport({ name, seed: 3 });
      return tmp.write(`${name}.json`, JSON.stringify({ ...r, environment: { ...r.environment, conditions: conditions(calibrationMBps) } }));
    };
    const fast = write('fast', 500);
    const slow = write('slow', 250);
    const result = await run(['compare', fast, slow, '--json']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: conditions differ: the calibration .* differs by 100% \(500 vs 250 MB\/s/);
    const notes = (JSON.parse(result.stdout) as { notes: string[] }).notes;
    expect(notes.some((n) => n.startsWith('conditions differ:'))).toBe(true);
    // The same machine speed: no warning.
    const same = await run(['compare', fast, write('again', 480)]);
    expect(same.code).toBe(0);
    expect(same.stderr).not.toMatch(/conditions differ/);
  });
});
