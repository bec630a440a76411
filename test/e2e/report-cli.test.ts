// `simulate compare`, `simulate merge` and `simulate reports` as a user runs them: the built CLI,
// real report files, exit codes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJson } from '../../src/report/files.js';
import { packageRoot } from '../../src/util/paths.js';
import { FIXTURE_START_MS, makeReport, type FixtureOptions } from '../helpers/report-fixture.js';
import { makeTmpDir } from '../helpers/tmp.js';

const simulate = join(packageRoot, 'bin', 'simulate.js');
/** A CLI that reads a few files must be done long before this. */
const CLI_TIMEOUT_MS = 30_000;

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], cwd = packageRoot): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [simulate, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`simulate ${args.join(' ')} did not finish in ${CLI_TIMEOUT_MS} ms`));
    }, CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('report commands of the built CLI', () => {
  const tmp = makeTmpDir('jukebox-report-cli-');
  const file = (name: string, options: FixtureOptions) => tmp.write(name, renderJson(makeReport(options)));
  let base: string;
  let same: string;
  let slow: string;
  let groupA: string[];
  let groupB: string[];
  let groupSame: string[];

  beforeAll(() => {
    base = file('base.json', { seed: 1 });
    same = file('same.json', { seed: 1, noiseSeed: 'again' });
    slow = file('slow.json', { seed: 1, latencyScale: 2 });
    groupA = [1, 2, 3].map((i) => file(`a${i}.json`, { seed: 1, noiseSeed: `a${i}` }));
    groupB = [1, 2, 3].map((i) => file(`b${i}.json`, { seed: 1, noiseSeed: `b${i}`, latencyScale: 2 }));
    groupSame = [1, 2, 3].map((i) => file(`c${i}.json`, { seed: 1, noiseSeed: `c${i}` }));
  });

  afterAll(() => tmp.cleanup());

  it('compare: exits 1 with --fail-on-regression when latency doubled, and says noise cannot be judged', async () => {
    const r = await run(['compare', base, slow, '--fail-on-regression', '10']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/request p99/);
    expect(r.stdout).toMatch(/WORSE/);
    expect(r.stdout).toMatch(/noise cannot be judged/);
    expect(r.stderr).toMatch(/worse by more than 10%/);
  });

  it('compare: exits 0 for two runs of one scenario', async () => {
    const r = await run(['compare', base, same, '--fail-on-regression', '10']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no regression beyond 10%/);
  });

  it('compare: exits 0 without --fail-on-regression, whatever it finds', async () => {
    expect((await run(['compare', base, slow])).code).toBe(0);
  });

  it('compare groups: a significant regression exits 1, groups of the same scenario exit 0', async () => {
    const worse = await run(['compare', '--baseline', ...groupA, '--candidate', ...groupB, '--fail-on-regression', '10']);
    expect(worse.code, worse.stderr).toBe(1);
    expect(worse.stdout).toMatch(/95% CI of Δ/);
    expect(worse.stdout).toMatch(/bootstrap/);
    const fine = await run(['compare', '--baseline', ...groupA, '--candidate', ...groupSame, '--fail-on-regression', '10']);
    expect(fine.code, fine.stdout).toBe(0);
  });

  it('compare: --json prints the comparison and --html writes the overlay page', async () => {
    const html = join(tmp.dir, 'out', 'overlay.html');
    const r = await run(['compare', base, slow, '--json', '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as { schema: string; regressions: { key: string }[]; groups: { runs: { file: string }[] }[] };
    expect(c.schema).toBe('jukebox-comparison/1');
    expect(c.regressions.map((x) => x.key)).toContain('latency.request.p50');
    expect(c.groups.map((g) => g.runs[0]?.file)).toEqual([base, slow]);
    expect(readFileSync(html, 'utf8')).toMatch(/^<!doctype html>/);
  });

  it('compare: a missing file or too few files is a usage error (exit 2)', async () => {
    const missing = await run(['compare', base, join(tmp.dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read report/);
    expect((await run(['compare', base])).code).toBe(2);
    expect((await run(['compare', base, '--baseline', base])).code).toBe(2);
  });

  it('merge: writes the merged JSON and HTML, and refuses different scenarios without --force', async () => {
    const h1 = file('h1.json', { name: 'parts', seed: 1 });
    const h2 = file('h2.json', { name: 'parts', seed: 2, startedAtMs: FIXTURE_START_MS + 2000 });
    const out = join(tmp.dir, 'merged', 'parts.json');
    const r = await run(['merge', h1, h2, '-o', out]);
    expect(r.code, r.stderr).toBe(1); // the fixture's errors.rate threshold fails, merged as in the parts
    expect(r.stderr).toMatch(/merged 2 reports/);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as { totals: { requests: number }; mergedFrom: unknown[] };
    expect(merged.totals.requests).toBe(1600);
    expect(merged.mergedFrom).toHaveLength(2);
    expect(existsSync(join(tmp.dir, 'merged', 'parts.html'))).toBe(true);

    const other = file('other.json', { name: 'another' });
    const refused = await run(['merge', h1, other, '-o', join(tmp.dir, 'x.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/different scenarios/);
    expect(refused.stderr).toMatch(/--force/);
    expect((await run(['merge', h1, other, '-o', join(tmp.dir, 'x.json'), '--force', '--quiet'])).code).toBe(1);
  });

  it('reports: lists the runs in a folder, unreadable ones too', async () => {
    const dir = makeTmpDir('jukebox-report-list-');
    try {
      dir.write('run.json', renderJson(makeReport({ name: 'listed' })));
      dir.write('bad.json', 'not json');
      const r = await run(['reports', '--dir', dir.dir]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/listed/);
      expect(r.stdout).toMatch(/FAIL/);
      expect(r.stdout).toMatch(/unreadable/);
      const empty = await run(['reports', '--dir', join(dir.dir, 'none')]);
      expect(empty.stdout).toMatch(/no reports/);
    } finally {
      dir.cleanup();
    }
  });
});
