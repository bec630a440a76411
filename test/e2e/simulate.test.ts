// The built `simulate` CLI, spawned as a user would run it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogPath } from '../../src/util/paths.js';
import { makeTmpDir } from '../helpers/tmp.js';
import { runCli, type CliResult } from '../helpers/run-cli.js';

const tmp = makeTmpDir('jukebox-simulate-');
afterAll(() => tmp.cleanup());

function run(args: string[]): Promise<CliResult> {
  return runCli('simulate', args, { cwd: tmp.dir });
}

function scenario(name: string, extra = ''): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 200 }\n  - { id: s2, port: 0, streamSpeed: 200 }\nload: { clients: 6, concurrency: 3, workers: 2 }\nclient:\n  requests: 2\n  action: { download: 0.5, stream: 0.5 }\n  songs: { absent: 0.25 }\n${extra}`,
  );
}

describe('simulate', () => {
  it('runs a small scenario: table printed, JSON report written, exit 0', async () => {
    const out = join(tmp.dir, 'out', 'small.json');
    const result = await run([scenario('small'), '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/clients.*requests.*downloads/s);
    expect(result.stdout).toMatch(/latency.*p50.*p99/s);
    expect(result.stderr).toContain(`report: ${out}`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      schema: string;
      seed: number;
      totals: { failed: number; verified: number; downloads: number; streams: number };
    };
    expect(report.schema).toBe('jukebox-report/1');
    expect(report.seed).toBe(4);
    expect(report.totals.failed).toBe(0);
    expect(report.totals.verified).toBe(report.totals.downloads + report.totals.streams);
  });

  it('prints no warning of Node when many clients of one thread think at once (one stop listener each)', async () => {
    const out = join(tmp.dir, 'out', 'crowd.json');
    const crowd = tmp.write(
      'crowd.yaml',
      `name: crowd\nseed: 5\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0 }\n  - { id: s2, port: 0 }\nload: { clients: 40, concurrency: 40, workers: 1 }\nclient:\n  requests: 2\n  thinkTime: { distribution: constant, mean: 300ms }\n  songs: { absent: 1 }\n`,
    );
    const result = await run([crowd, '--out', out, '--quiet']);
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/Warning/);
  });

  it('writes reports/<name>-<timestamp>.json by default and --json prints the report on stdout', async () => {
    const result = await run([scenario('tojson'), '--json', '--seed', '9']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as { name: string; seed: number };
    expect(report).toMatchObject({ name: 'tojson', seed: 9 });
    const written = /report: (\S+\.json)/.exec(result.stderr)?.[1];
    expect(written).toMatch(/reports\/tojson-.*\.json$/);
    expect(existsSync(written ?? '')).toBe(true);
  });

  it('exits 1 when a threshold fails, and shows it', async () => {
    const result = await run([scenario('strict', 'thresholds:\n  latency.request.max: "< 0.001ms"\n'), '--out', join(tmp.dir, 'strict.json')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/latency\.request\.max.*FAIL/);
  });

  it('refuses a bad scenario before starting anything, exit 2, listing every problem', async () => {
    const file = tmp.write('bad.yaml', 'name: bad\nload:\n  clients: ten\n  workerz: 2\n');
    const result = await run([file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml: load\.clients: expected a whole number from 1 to 10,000,000 \(MAX_CLIENTS\), got "ten"/);
    expect(result.stderr).toMatch(/load\.workerz: unknown key; did you mean "workers"\?/);
    expect(result.stderr).not.toMatch(/servers:/);
  });

  it('exits 2 on bad arguments', async () => {
    const result = await run([scenario('args'), '--clients', 'many']);
    expect(result.code).toBe(2);
  });

  it('--repeat runs the scenario N times and writes a summary with medians and intervals', async () => {
    const out = join(tmp.dir, 'rep', 'r.json');
    const result = await run([scenario('repeat'), '--repeat', '2', '--out', out]);
    expect(result.code).toBe(0);
    for (const f of ['r-run1.json', 'r-run2.json', 'r-repeat.json']) expect(existsSync(join(tmp.dir, 'rep', f))).toBe(true);
    const summary = JSON.parse(readFileSync(join(tmp.dir, 'rep', 'r-repeat.json'), 'utf8')) as {
      schema: string;
      runs: number;
      metrics: Array<{ values: unknown[] }>;
    };
    expect(summary).toMatchObject({ schema: 'jukebox-repeat/1', runs: 2 });
    expect(summary.metrics.every((m) => m.values.length === 2)).toBe(true);
    expect(result.stdout).toMatch(/median/i);
  });

  it('stays quiet with --quiet', async () => {
    const result = await run([scenario('quiet'), '--quiet', '--out', join(tmp.dir, 'quiet.json')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('');
  });
});
