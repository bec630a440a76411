import { utimesSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { renderJson, saveRepeatSummary, saveReport } from '../../../src/report/files.js';
import { listReports } from '../../../src/report/list.js';
import { mergeReports } from '../../../src/report/merge.js';
import { FIXTURE_START_MS, makeReport } from '../../helpers/report-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

describe('listReports', () => {
  const tmp = makeTmpDir('jukebox-reports-');
  afterAll(() => tmp.cleanup());

  it('lists past runs newest first, and unreadable files as such without failing', () => {
    const day = 24 * 3600 * 1000;
    const old = makeReport({ name: 'old', startedAtMs: FIXTURE_START_MS - day });
    const recent = makeReport({ name: 'recent', seed: 9, fault: null, thresholds: [] });
    tmp.write('old.json', renderJson(old));
    tmp.write('recent.json', renderJson(recent));
    const broken = tmp.write('broken.json', '{ "schema": "jukebox-rep');
    utimesSync(broken, new Date(FIXTURE_START_MS - 2 * day), new Date(FIXTURE_START_MS - 2 * day));
    tmp.write('other.json', '{"hello": 1}');
    tmp.write('README.md', '# not a report');
    tmp.write('recent.html', '<html></html>');

    const listing = listReports(tmp.dir);
    expect(listing.map((l) => l.report?.name ?? 'unreadable')).toEqual(['unreadable', 'recent', 'old', 'unreadable']);
    expect(listing[1]?.report).toEqual({
      kind: 'run',
      name: 'recent',
      seed: 9,
      runs: 1,
      durationMs: recent.durationMs,
      requestsPerSec: recent.throughput.requestsPerSec,
      requestP99: recent.latency.request.p99,
      passed: null,
      runsPassed: 1,
    });
    expect(listing[2]?.report?.passed).toBe(false);
    expect(listing[2]?.date).toBe(old.startedAt);
    expect(listing[3]?.error).toMatch(/cannot read report broken\.json/);
    expect(listing[0]?.error).toMatch(/^other\.json: schema: expected "jukebox-report\/1"/);
    expect(listing.every((l) => !l.error?.includes('\n'))).toBe(true);
  });

  it('lists a repeat summary with its runs, a merged report as merged, and passes over temporary files', () => {
    const dir = makeTmpDir('jukebox-reports-kinds-');
    try {
      const runs = [1, 2].map((i) => {
        const report = makeReport({ name: 'rep', seed: 3, noiseSeed: i, startedAtMs: FIXTURE_START_MS + i * 60_000, fault: null, thresholds: [] });
        return { report, json: saveReport(report, join(dir.dir, `rep-run${i}.json`)).json };
      });
      const { summary } = saveRepeatSummary(runs, join(dir.dir, 'rep-repeat.json'));
      const parts = [1, 2].map((i) => ({ report: makeReport({ name: 'parts', seed: i, startedAtMs: FIXTURE_START_MS - 60_000 }) }));
      dir.write('merged.json', renderJson(mergeReports(parts)));
      dir.write('.tmp-rep-run1.json.123.1', '{"schema": "jukebox-rep');
      dir.write('.tmp-x.json', '');

      const listing = listReports(dir.dir);
      expect(listing.map((l) => [l.file.slice(dir.dir.length + 1), l.report?.kind ?? l.error])).toEqual([
        ['rep-run2.json', 'run'],
        // A summary is dated by its first run: same date, then by file name.
        ['rep-repeat.json', 'repeat'],
        ['rep-run1.json', 'run'],
        ['merged.json', 'merged'],
      ]);
      const repeat = listing[1]?.report;
      expect(repeat).toMatchObject({ name: 'rep', seed: 3, runs: 2, passed: null, durationMs: runs[0]!.report.durationMs + runs[1]!.report.durationMs });
      expect(repeat?.requestP99).toBe(summary.metrics.find((m) => m.key === 'latency.request.p99')?.spread?.median);
    } finally {
      dir.cleanup();
    }
  });

  it('finds no reports in a folder that does not exist', () => {
    expect(listReports(`${tmp.dir}/missing`)).toEqual([]);
  });
});
