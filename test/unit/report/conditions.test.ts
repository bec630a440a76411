// The machine's conditions in a report, and compare's warning when the two sides ran under different ones.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareGroups, type CompareRun } from '../../../src/report/compare.js';
import { calibrate, CONDITIONS_NOTE, parseProcStat, startConditions, stealPercent, type Conditions } from '../../../src/report/conditions.js';
import { readReport } from '../../../src/report/files.js';
import type { Report } from '../../../src/report/model.js';
import { makeReport } from '../../helpers/report-fixture.js';

const PROC_STAT_START = `cpu  1000 20 300 8000 50 0 10 100 40 0
cpu0 500 10 150 4000 25 0 5 50 20 0
intr 12345
`;
const PROC_STAT_END = `cpu  1600 20 400 8200 50 0 10 150 70 0
cpu0 800 10 200 4100 25 0 5 75 35 0
`;

describe('steal from /proc/stat', () => {
  it('reads the cpu line: total of the first 8 columns (guest left out) and steal', () => {
    expect(parseProcStat(PROC_STAT_START)).toEqual({ total: 1000 + 20 + 300 + 8000 + 50 + 0 + 10 + 100, steal: 100 });
  });

  it('gives steal as a percentage of the time between two samples', () => {
    // total went 9480 → 10430 (+950), steal 100 → 150 (+50): 5.26 %.
    expect(stealPercent(parseProcStat(PROC_STAT_START), parseProcStat(PROC_STAT_END))).toBe(5.26);
  });

  it('is null where there is no cpu line, too few columns, or no time passed', () => {
    expect(parseProcStat('intr 1 2 3\n')).toBeNull();
    expect(parseProcStat('cpu  1 2 3 4\n')).toBeNull();
    const s = parseProcStat(PROC_STAT_START);
    expect(stealPercent(s, s)).toBeNull();
    expect(stealPercent(null, s)).toBeNull();
  });
});

describe('conditions of a run', () => {
  it('records load at start and end, a positive calibration, and steal (null or a percentage)', () => {
    const c = startConditions().finish();
    expect(c.loadAvgStart).toHaveLength(3);
    expect(c.loadAvgEnd).toHaveLength(3);
    expect(c.calibrationMBps).toBeGreaterThan(0);
    expect(c.stealPct === null || (c.stealPct >= 0 && c.stealPct <= 100)).toBe(true);
    expect(calibrate(1024 * 1024)).toBeGreaterThan(0);
  });
});

const base: Conditions = { loadAvgStart: [0.5, 0.5, 0.5], loadAvgEnd: [0.6, 0.5, 0.5], stealPct: 0, calibrationMBps: 400 };

function withConditions(seed: number, conditions: Partial<Conditions> | null, env: Partial<Report['environment']> = {}): Report {
  const r = makeReport({ seed });
  const environment = { ...r.environment, ...env };
  if (conditions) environment.conditions = { ...base, ...conditions };
  return { ...r, environment };
}

function group(label: string, reports: Report[]): { label: string; runs: CompareRun[] } {
  return { label, runs: reports.map((report, i) => ({ label: `${label}${i}`, report })) };
}

const warnings = (a: Report[], b: Report[]) => compareGroups([group('A', a), group('B', b)]).notes.filter((n) => n.startsWith(CONDITIONS_NOTE));

describe('compare warns when the sides ran under different conditions', () => {
  it('warns when the calibration differs by more than 10 %, naming both figures', () => {
    const w = warnings(
      [withConditions(1, {}), withConditions(2, {})],
      [withConditions(3, { calibrationMBps: 300 }), withConditions(4, { calibrationMBps: 300 })],
    );
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/calibration .* differs by 33% \(400 vs 300 MB\/s/);
  });

  it('says nothing when the conditions are alike (calibration within 10 %)', () => {
    expect(
      warnings([withConditions(1, {}), withConditions(2, {})], [withConditions(3, { calibrationMBps: 380 }), withConditions(4, { calibrationMBps: 420 })]),
    ).toEqual([]);
  });

  it('warns on different core counts, Node versions, and a busy machine on one side only', () => {
    const w = warnings(
      [withConditions(1, {}, { cpus: 2, node: 'v20.1.0' })],
      [withConditions(2, { loadAvgEnd: [9, 4, 2], stealPct: 0 }, { cpus: 4, node: 'v22.0.0' })],
    );
    expect(w.join('\n')).toMatch(/different core counts \(2 vs 4\)/);
    expect(w.join('\n')).toMatch(/different Node versions \(v20.1.0 vs v22.0.0\)/);
    expect(w.join('\n')).toMatch(/only B ran on a busy machine/);
    // Steal alone makes a side busy too.
    expect(warnings([withConditions(1, {})], [withConditions(2, { stealPct: 12 })]).join('\n')).toMatch(/only B ran on a busy machine/);
  });

  it('old reports without conditions: no warning and no crash, also when only one side has them', () => {
    expect(warnings([withConditions(1, null)], [withConditions(2, null)])).toEqual([]);
    expect(warnings([withConditions(1, null)], [withConditions(2, { calibrationMBps: 10 })])).toEqual([]);
  });

  it('reads an old report file without conditions, and a new one with them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukebox-conditions-'));
    try {
      const old = join(dir, 'old.json');
      writeFileSync(old, JSON.stringify(makeReport({ seed: 1 })));
      expect(readReport(old).environment.conditions).toBeUndefined();
      const recent = join(dir, 'new.json');
      writeFileSync(recent, JSON.stringify(withConditions(2, { stealPct: null })));
      expect(readReport(recent).environment.conditions).toEqual({ ...base, stealPct: null });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
