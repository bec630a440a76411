import { utimesSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/report/files.js';
import { listReports } from '../../../src/report/list.js';
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
    expect(listing[1]?.report).toEqual({ name: 'recent', seed: 9, durationMs: recent.durationMs, requestsPerSec: recent.throughput.requestsPerSec, requestP99: recent.latency.request.p99, passed: null });
    expect(listing[2]?.report?.passed).toBe(false);
    expect(listing[2]?.date).toBe(old.startedAt);
    expect(listing[3]?.error).toMatch(/cannot read report broken\.json/);
    expect(listing[0]?.error).toMatch(/other\.json is not a jukebox-report\/1 report/);
  });

  it('finds no reports in a folder that does not exist', () => {
    expect(listReports(`${tmp.dir}/missing`)).toEqual([]);
  });
});
