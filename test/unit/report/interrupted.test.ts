// The interrupted mark in the report: absent from a whole run (old reports read the same), and
// when present, shown by the console table and the HTML page and kept through a save and read.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderConsole } from '../../../src/report/console.js';
import { readReport, saveReport } from '../../../src/report/files.js';
import { renderHtml } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/model.js';
import { makeReport } from '../../helpers/report-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('jukebox-interrupted-');
afterAll(() => tmp.cleanup());

function interrupted(): Report {
  return {
    ...makeReport(),
    interrupted: true,
    interruption: {
      atMs: 12_345,
      graceMs: 5000,
      clientsPlanned: 1000,
      clientsStarted: 120,
      clientsDone: 100,
      clientsCut: 2,
      requestsPlanned: 3000,
      requestsDone: 310,
    },
  };
}

describe('an interrupted report', () => {
  it('says nothing of an interruption for a whole run', () => {
    const report = makeReport();
    expect(report.interrupted).toBeUndefined();
    expect(renderConsole(report)).not.toMatch(/interrupt/i);
    expect(renderHtml(report)).not.toMatch(/interrupt/i);
  });

  it('says when and how much of the plan ran, in the console and in the HTML', () => {
    const line =
      'interrupted 12.3 s into the run: 120 of 1000 clients started, 100 played their whole script; 2 still in a request when the 5 s grace ran out (not counted); 310 of 3000 song requests done';
    const table = renderConsole(interrupted());
    expect(table.split('\n')[0]).toMatch(/INTERRUPTED$/);
    expect(table).toContain(line);
    const html = renderHtml(interrupted());
    expect(html).toMatch(/<span class="badge fail">INTERRUPTED<\/span>/);
    expect(html).toContain(line);
  });

  it('keeps the mark through a save and a read, and an old report without it still reads', () => {
    const file = join(tmp.dir, 'i.json');
    saveReport(interrupted(), file);
    expect(readReport(file)).toMatchObject({ interrupted: true, interruption: { clientsPlanned: 1000, requestsDone: 310 } });
    const old = join(tmp.dir, 'old.json');
    saveReport(makeReport(), old);
    expect(readReport(old).interrupted).toBeUndefined();
  });
});
