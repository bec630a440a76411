// `simulate compare`, `simulate merge` and `simulate reports` as a user runs them: the built CLI,
// real report files, exit codes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderJson, saveRepeatSummary, saveReport } from '../../src/report/files.js';
import { defaultCatalogPath, packageRoot } from '../../src/util/paths.js';
import { FIXTURE_START_MS, makeReport, type FixtureOptions } from '../helpers/report-fixture.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

/** A CLI that reads a few files must be done long before this. */
const CLI_TIMEOUT_MS = 30_000;
/** Two runs of a tiny scenario (6 clients) on a busy 2-core machine, with room to spare. */
const REPEAT_RUN_TIMEOUT_MS = 120_000;
/** Fifteen fixture reports (3 single, 3 groups of 4), each a second or more to build on a busy 2-core machine. */
const FIXTURE_BUILD_TIMEOUT_MS = 180_000;

type Result = CliResult;

function run(args: string[], cwd = packageRoot, timeoutMs = CLI_TIMEOUT_MS): Promise<Result> {
  return runCli('simulate', args, { cwd, timeoutMs });
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
    // 4 runs a side: the fewest with which the rank test can call a change significant (p = 2/70).
    groupA = [1, 2, 3, 4].map((i) => file(`a${i}.json`, { seed: 1, noiseSeed: `a${i}` }));
    groupB = [1, 2, 3, 4].map((i) => file(`b${i}.json`, { seed: 1, noiseSeed: `b${i}`, latencyScale: 2 }));
    groupSame = [1, 2, 3, 4].map((i) => file(`c${i}.json`, { seed: 1, noiseSeed: `c${i}` }));
  }, FIXTURE_BUILD_TIMEOUT_MS);

  afterAll(() => tmp.cleanup());

  it('compare of single runs: shows a doubled latency as a change, says noise cannot be judged, and --fail-on-regression does not exit 1', async () => {
    const r = await run(['compare', base, slow, '--fail-on-regression', '10']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/request p99 .*\+\d+(\.\d)?%/);
    expect(r.stdout).not.toMatch(/WORSE/);
    expect(r.stdout).toMatch(/noise cannot be judged/);
    expect(r.stderr).toMatch(/can't tell on \d+ metrics .*not failed/);
  });

  it('compare: exits 0 for two runs of one scenario', async () => {
    const r = await run(['compare', base, same, '--fail-on-regression', '10']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/no significant regression beyond 10%/);
  });

  it('compare: exits 0 without --fail-on-regression, whatever it finds', async () => {
    expect((await run(['compare', base, slow])).code).toBe(0);
  });

  it('compare groups: a significant regression exits 1, groups of the same scenario exit 0', async () => {
    const worse = await run(['compare', '--baseline', ...groupA, '--candidate', ...groupB, '--fail-on-regression', '10']);
    expect(worse.code, worse.stderr).toBe(1);
    expect(worse.stdout).toMatch(/Hodges–Lehmann interval of Δ/);
    expect(worse.stdout).toMatch(/request p99 .*WORSE \(p=0\.029 n=4\+4\)/);
    expect(worse.stdout).toMatch(/Mann–Whitney/);
    expect(worse.stderr).toMatch(/significantly worse by more than 10%/);
    const fine = await run(['compare', '--baseline', ...groupA, '--candidate', ...groupSame, '--fail-on-regression', '10']);
    expect(fine.code, fine.stdout).toBe(0);
    expect(fine.stdout).toMatch(/request p99 .*~ \(p=\d\.\d{3} n=4\+4\)/);
  });

  it('compare groups of 3: a doubled latency is "can\'t tell: need 4 runs per side" and --fail-on-regression does not exit 1', async () => {
    const r = await run(['compare', '--baseline', ...groupA.slice(0, 3), '--candidate', ...groupB.slice(0, 3), '--fail-on-regression', '10']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/request p99 .*can't tell: need 4 runs per side \(n=3\+3\)/);
    expect(r.stdout).not.toMatch(/WORSE/);
    expect(r.stderr).toMatch(/can't tell on \d+ metrics .*not failed/);
  });

  it('compare: --json prints the comparison and --html writes the overlay page', async () => {
    const html = join(tmp.dir, 'out', 'overlay.html');
    const r = await run(['compare', base, slow, '--json', '--html', html]);
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as {
      schema: string;
      alpha: number;
      regressions: { key: string }[];
      groups: { runs: { file: string }[] }[];
      metrics: { key: string; deltas: { verdict: string; relative: number; p: number | null; n: number[]; interval: unknown }[] }[];
    };
    expect(c).toMatchObject({ schema: 'jukebox-comparison/2', alpha: 0.05, regressions: [] });
    expect(c.metrics.find((m) => m.key === 'latency.request.p50')?.deltas[0]).toMatchObject({ verdict: 'cant-tell', p: null, n: [1, 1], interval: null });
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

/** A table as cli-table3 draws it: every line the same width, framed. */
function isOneTable(text: string): boolean {
  const lines = text
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('unreadable: '));
  return lines.length >= 3 && lines.every((l) => l.length === lines[0]?.length) && /^┌/.test(lines[0] ?? '') && /^└/.test(lines.at(-1) ?? '');
}

describe('--repeat summaries read back by reports, compare and merge', () => {
  const tmp = makeTmpDir('jukebox-repeat-cli-');
  afterAll(() => tmp.cleanup());

  /** Runs of one fixture scenario saved as simulate --repeat saves them: reports, pages, then the summary with its page. */
  function repeatFixture(prefix: string, options: FixtureOptions): string {
    const runs = [1, 2, 3, 4].map((i) => {
      const report = makeReport({ ...options, seed: 1, noiseSeed: `${prefix}${i}` });
      return { report, json: saveReport(report, join(tmp.dir, `${prefix}-run${i}.json`)).json };
    });
    return saveRepeatSummary(runs, join(tmp.dir, `${prefix}-repeat.json`)).written.json;
  }

  it('a real simulate --repeat 2: the summary and its page name the runs; reports lists it among a temp file and garbage in one table; compare reads it', async () => {
    const dir = join(tmp.dir, 'real');
    const scenario = tmp.write(
      'tiny.yaml',
      `name: tiny\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 200 }\nload: { clients: 6, concurrency: 3, workers: 1 }\nclient:\n  requests: 1\n`,
    );
    const ran = await run([scenario, '--repeat', '2', '--out', join(dir, 'tiny.json'), '--quiet'], tmp.dir, REPEAT_RUN_TIMEOUT_MS);
    expect(ran.code, ran.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(join(dir, 'tiny-repeat.json'), 'utf8')) as { schema: string; runs: number; reports: { file: string }[] };
    expect(summary).toMatchObject({ schema: 'jukebox-repeat/1', runs: 2, reports: [{ file: 'tiny-run1.json' }, { file: 'tiny-run2.json' }] });
    const page = readFileSync(join(dir, 'tiny-repeat.html'), 'utf8');
    for (const text of ['tiny', 'run 1', 'run 2', 'tiny-run1.json', 'tiny-run2.json', 'href="./tiny-run2.html"']) expect(page).toContain(text);
    expect(page.trimEnd()).toMatch(/<\/html>$/);

    // What a killed writer leaves, and a file that is not a report, beside them.
    const junk = tmp.write('real/junk.json', '{"schema": "jukebox-report/1", "name": "junk"}');
    // A name from a file reaches the terminal escaped: this one would clear the screen.
    tmp.write('real/evil.json', renderJson(makeReport({ name: '\u001b[2Jevil', startedAtMs: FIXTURE_START_MS })));
    tmp.write('real/.tmp-tiny-run1.json.4242.1', '{"schema": "jukebox-rep');
    const listed = await run(['reports', '--dir', dir]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(isOneTable(listed.stdout), listed.stdout).toBe(true);
    expect(listed.stdout).toMatch(/repeat \(2 runs\).*tiny.*tiny-repeat\.json/);
    expect(listed.stdout.match(/│ run .*tiny-run\d\.json/g)).toHaveLength(2);
    expect(listed.stdout).toMatch(/│ unreadable .*│ junk\.json/);
    expect(listed.stdout).toMatch(/^unreadable: junk\.json: seed: expected string or number, got nothing/m);
    expect(listed.stdout).not.toContain('.tmp-');
    expect(listed.stdout).not.toContain('\u001b');
    expect(listed.stdout).toMatch(/│ run .*\\x1b\[2Jevil .*│ evil\.json/);
    expect(existsSync(junk)).toBe(true);

    const compared = await run(['compare', join(dir, 'tiny-repeat.json'), join(dir, 'tiny-repeat.json')]);
    expect(compared.code, compared.stderr).toBe(0);
    expect(compared.stdout).toMatch(/can't tell: need 4 runs per side \(n=2\+2\)/);
    expect(compared.stdout).toContain(join(dir, 'tiny-run2.json'));
  });

  it('compare of two summaries is a group comparison: a real slowdown beyond the noise exits 1 with --fail-on-regression', async () => {
    const a = repeatFixture('a', {});
    const b = repeatFixture('b', { latencyScale: 2 });
    const positional = await run(['compare', a, b, '--fail-on-regression', '10']);
    expect(positional.code, positional.stderr).toBe(1);
    expect(positional.stdout).toMatch(/#1 a-repeat \(baseline\): 4 runs: .*a-run1\.json/);
    expect(positional.stdout).toMatch(/request p99.*WORSE \(p=0\.029 n=4\+4\)/);
    expect(positional.stdout).toMatch(/Hodges–Lehmann interval of Δ/);
    const grouped = await run(['compare', '--baseline', a, '--candidate', b, '--json', '--html', join(tmp.dir, 'cmp.html')]);
    expect(grouped.code, grouped.stderr).toBe(0);
    const c = JSON.parse(grouped.stdout) as { mode: string; noiseJudged: boolean; regressions: { key: string }[]; groups: { runs: { file: string }[] }[] };
    expect(c).toMatchObject({ mode: 'groups', noiseJudged: true });
    expect(c.regressions.map((r) => r.key)).toContain('latency.request.p99');
    expect(c.groups[1]?.runs.map((r) => r.file)).toEqual([1, 2, 3, 4].map((i) => join(tmp.dir, `b-run${i}.json`)));
    expect(readFileSync(join(tmp.dir, 'cmp.html'), 'utf8')).toMatch(/keep each run&#39;s key metrics/);
    const same = await run(['compare', a, repeatFixture('c', {}), '--fail-on-regression', '10']);
    expect(same.code, same.stdout).toBe(0);
  });

  it('a bad report is refused with exit 2 naming the file and the key; merge refuses a summary naming its runs', async () => {
    const broken = JSON.parse(renderJson(makeReport({}))) as { throughput: Record<string, unknown> };
    broken.throughput.requestsPerSec = 'fast';
    const bad = tmp.write('bad.json', JSON.stringify(broken));
    const refused = await run(['compare', bad, repeatFixture('d', {})]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${bad}: throughput.requestsPerSec: expected number, got "fast"`);
    expect(refused.stderr).toMatch(/hint:/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const merged = await run(['merge', repeatFixture('e', {}), repeatFixture('f', {}), '-o', join(tmp.dir, 'm.json')]);
    expect(merged.code).toBe(2);
    expect(merged.stderr).toMatch(/e-repeat\.json: schema: expected "jukebox-report\/1" \(one run's report\), got "jukebox-repeat\/1"/);
    expect(merged.stderr).toMatch(/hint: give the run reports it summarises \(e-run1\.json, e-run2\.json, e-run3\.json, e-run4\.json\)/);
    expect(existsSync(join(tmp.dir, 'm.json'))).toBe(false);
  });
});
