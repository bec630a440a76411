import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { readReport, readReportDocument, renderJson, saveReport, saveRepeatSummary } from '../../../src/report/files.js';
import { renderHtml } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/model.js';
import { summarizeRepeats } from '../../../src/report/repeat.js';
import { makeReport } from '../../helpers/report-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

/** The message of the error `fn` throws; fails the test when it throws none or an uncoded one. */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(isJukeboxError(err, 'E_BAD_ARGUMENT'), String(err)).toBe(true);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('report files', () => {
  const tmp = makeTmpDir('jukebox-files-');
  afterAll(() => tmp.cleanup());
  const report = makeReport({ name: 'files' });

  it('writes the page and the report whole, leaving no temporary file behind', () => {
    const json = join(tmp.dir, 'out', 'run.json');
    const written = saveReport(report, json, renderHtml(report));
    expect(written).toEqual({ json, html: join(tmp.dir, 'out', 'run.html') });
    expect(readdirSync(join(tmp.dir, 'out')).sort()).toEqual(['run.html', 'run.json']);
    expect(readFileSync(written.html ?? '', 'utf8').trimEnd()).toMatch(/<\/html>$/);
    expect(readReport(json)).toEqual(report);
  });

  it('reads back a report with a silent second (null percentiles) and an interruption, unchanged', () => {
    const report = makeReport();
    const first = report.timeline[0];
    if (first === undefined) throw new Error('the fixture has a timeline');
    // A second in which no request ended: null percentiles, not 0.
    report.timeline[0] = { ...first, p50: null, p90: null, p99: null };
    report.interrupted = true;
    report.interruption = {
      atMs: 1500,
      graceMs: 5000,
      clientsPlanned: 10,
      clientsStarted: 4,
      clientsDone: 3,
      clientsCut: 0,
      requestsPlanned: 50,
      requestsDone: 17,
    };
    const json = join(tmp.dir, 'stalled.json');
    saveReport(report, json, renderHtml(report));
    expect(readReport(json)).toEqual(report);
  });

  it('reads back a report with every field, and an old one without the fields added since', () => {
    const old = JSON.parse(renderJson(report)) as Record<string, unknown> & { timeline: Record<string, unknown>[]; totals: Record<string, unknown> };
    for (const e of old.timeline) {
      delete e.p50;
      delete e.p90;
    }
    delete old.totals.failovers;
    delete old.resources;
    const back = readReport(tmp.write('old.json', JSON.stringify(old)));
    expect(back.timeline[3]).toMatchObject({ p50: 0, p90: 0, p99: report.timeline[3]?.p99 });
    expect(back.totals.failovers).toBe(0);
    expect(back.latency).toEqual(report.latency);
  });

  it('refuses a report missing a key or holding a wrong value, naming the file and the key', () => {
    const broken = JSON.parse(renderJson(report)) as { latency: { request: Record<string, unknown> }; passed: unknown };
    delete broken.latency.request.p99;
    broken.passed = 'yes';
    const file = tmp.write('broken.json', JSON.stringify(broken));
    const message = errorOf(() => readReport(file));
    expect(message).toContain(`${file}: latency.request.p99: expected number, got nothing (the key is missing)`);
    expect(message).toContain(`${file}: passed: expected boolean, got "yes"`);
  });

  it('refuses an empty file, a file that is not JSON, and one of another schema, each saying which', () => {
    expect(errorOf(() => readReport(tmp.write('empty.json', '')))).toMatch(/empty\.json: expected a JSON report, got an empty file/);
    expect(errorOf(() => readReport(tmp.write('cut.json', '{"schema": "jukebox-rep')))).toMatch(/cannot read report .*cut\.json: expected JSON/);
    expect(errorOf(() => readReport(tmp.write('other.json', '{"schema": "jukebox-comparison/1"}')))).toMatch(
      /other\.json: schema: expected "jukebox-report\/1" .* or "jukebox-repeat\/1" .*, got "jukebox-comparison\/1"/,
    );
    expect(errorOf(() => readReport(tmp.write('list.json', '[1, 2]')))).toMatch(/list\.json: schema: expected a JSON object .*, got an array of 2/);
    expect(errorOf(() => readReport(join(tmp.dir, 'nope.json')))).toMatch(/cannot read report .*nope\.json: no such file/);
  });
});

describe('repeat summary files', () => {
  const tmp = makeTmpDir('jukebox-repeat-files-');
  afterAll(() => tmp.cleanup());
  const reports: Report[] = [1, 2, 3].map((i) => makeReport({ name: 'rep', seed: 5, noiseSeed: i, runNoise: 0.1 }));
  const runs = reports.map((report, i) => ({ report, json: saveReport(report, join(tmp.dir, `rep-run${i + 1}.json`), renderHtml(report)).json }));
  const { summary, written } = saveRepeatSummary(runs, join(tmp.dir, 'rep-repeat.json'));

  it('names its runs relative to its folder, and reads back as a repeat summary equal to what was written', () => {
    expect(summary.reports?.map((r) => r.file)).toEqual(['rep-run1.json', 'rep-run2.json', 'rep-run3.json']);
    expect(summary.reports?.[1]).toMatchObject({ seed: 5, startedAt: reports[1]?.startedAt, durationMs: reports[1]?.durationMs, passed: false });
    const doc = readReportDocument(written.json);
    expect(doc.kind).toBe('repeat');
    expect(doc.kind === 'repeat' ? doc.summary : null).toEqual(summary);
  });

  it('gets a page beside it that names its runs and links their pages', () => {
    expect(written.html).toBe(join(tmp.dir, 'rep-repeat.html'));
    const html = readFileSync(written.html ?? '', 'utf8');
    expect(html.trimEnd()).toMatch(/<\/html>$/);
    for (const text of ['rep', 'run 1', 'run 3', 'request p99', 'interval of median', 'href="./rep-run2.html"', 'jukebox-repeat/1'])
      expect(html).toContain(text);
    // The runs' timelines are drawn: one series per run.
    expect(html).toContain('"label":"run 3"');
  });

  it('loads a summary written before runs were kept (no reports, no thresholds count)', () => {
    const { reports: _reports, thresholds: _thresholds, ...old } = summarizeRepeats(reports);
    const doc = readReportDocument(tmp.write('old-repeat.json', JSON.stringify(old)));
    expect(doc.kind === 'repeat' ? doc.summary.runs : 0).toBe(3);
  });

  it('refuses a summary whose per-run lists do not match its run count, naming the key', () => {
    const bad = structuredClone(summary);
    bad.metrics[0]?.values.pop();
    const file = tmp.write('bad-repeat.json', JSON.stringify(bad));
    expect(errorOf(() => readReportDocument(file))).toContain(`${file}: metrics.0.values: expected 3 entries (one per run), got 2`);
  });

  it('is refused where one run is needed (merge), with the run reports to give instead', () => {
    expect(errorOf(() => readReport(written.json))).toMatch(
      /expected "jukebox-report\/1" \(one run's report\), got "jukebox-repeat\/1" \(a summary of 3 runs\)/,
    );
  });

  it('leaves no temporary file', () => {
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
    expect(existsSync(join(tmp.dir, 'rep-run1.html'))).toBe(true);
  });
});
