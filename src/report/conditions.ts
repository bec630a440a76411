// What the machine was doing during a run (load, CPU steal, a fixed calibration figure), so two
// runs' conditions can be told apart, and compare can warn when they differ.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';

/** The calibration hashes this many bytes per pass (see CALIBRATION_PASSES): fixed, so every report's figure means the same. */
export const CALIBRATION_BYTES = 8 * 1024 * 1024;
/** Where Linux keeps the CPU time counters (the `steal` column is the 8th value of the `cpu` line). */
export const PROC_STAT = '/proc/stat';

export interface Conditions {
  /** os.loadavg() (1, 5, 15 min) when the run started and ended; all 0 where the OS has none (Windows). */
  loadAvgStart: number[];
  loadAvgEnd: number[];
  /** Percent of CPU time stolen by the hypervisor over the run; null where /proc/stat is not readable. */
  stealPct: number | null;
  /** sha256 over CALIBRATION_BYTES of fixed data at the start (median of CALIBRATION_PASSES), in MB/s: the machine's speed then. */
  calibrationMBps: number;
}

/** The `cpu` line's counters of a /proc/stat text: total jiffies and stolen jiffies; null when absent. */
export function parseProcStat(text: string): { total: number; steal: number } | null {
  const line = text.split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  if (values.length < 8 || values.some((v) => !Number.isFinite(v))) return null;
  // guest and guest_nice (9th, 10th) are already counted in user and nice: leave them out of the total.
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { total, steal: values[7] as number };
}

/** Steal as a percentage of the CPU time between two /proc/stat samples; null when either is missing or no time passed. */
export function stealPercent(start: { total: number; steal: number } | null, end: { total: number; steal: number } | null): number | null {
  if (!start || !end) return null;
  const total = end.total - start.total;
  if (total <= 0) return null;
  return round(((end.steal - start.steal) / total) * 100, 2);
}

function readProcStat(): { total: number; steal: number } | null {
  try {
    return parseProcStat(readFileSync(PROC_STAT, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The buffer is hashed this many times and the median pass kept: one pass is ~15 ms with SHA
 * instructions (7 passes ~50–100 ms), and single passes vary by ±15 % on a busy machine, more than
 * the 10 % compare warns about; the median leaves out a pass a context switch happened to hit.
 */
export const CALIBRATION_PASSES = 7;

/** Hashes a fixed buffer CALIBRATION_PASSES times and returns the median pass's MB/s: a figure two runs on one machine can compare. */
export function calibrate(bytes = CALIBRATION_BYTES, passes = CALIBRATION_PASSES): number {
  const data = Buffer.alloc(bytes, 0x5a);
  const speeds: number[] = [];
  for (let i = 0; i < passes; i++) {
    const start = performance.now();
    createHash('sha256').update(data).digest();
    const ms = Math.max(performance.now() - start, 0.001);
    speeds.push(bytes / 1e6 / (ms / 1000));
  }
  return round(median(speeds), 1);
}

export interface ConditionsProbe {
  /** Samples the end of the run and returns the run's conditions. */
  finish(): Conditions;
}

/** Call just before the run: calibrates and samples load and CPU counters. */
export function startConditions(): ConditionsProbe {
  const calibrationMBps = calibrate();
  const loadAvgStart = loadavg().map((v) => round(v, 2));
  const statStart = readProcStat();
  return {
    finish: () => ({ loadAvgStart, loadAvgEnd: loadavg().map((v) => round(v, 2)), stealPct: stealPercent(statStart, readProcStat()), calibrationMBps }),
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Calibration figures (medians per side) further apart than this, in %, mean the machine ran at a different speed. */
export const CALIBRATION_DIFF_PCT = 10;
/** A 1-minute load average above this per core means the machine was busy with more than the run. */
export const HIGH_LOAD_PER_CORE = 1;
/** CPU steal above this, in %, means the hypervisor took a noticeable share of the machine. */
export const HIGH_STEAL_PCT = 5;

/** How every conditions warning begins (the CLI also prints these on stderr). */
export const CONDITIONS_NOTE = 'conditions differ:';

/** One side of a comparison: its label and the environments of its runs (undefined for runs known only from a summary). */
export interface ConditionsSide {
  label: string;
  environments: ({ node: string; cpus: number; conditions?: Conditions } | undefined)[];
}

/**
 * Why the sides' numbers may differ because of the machine rather than the code: each side against
 * the first. Runs without recorded conditions (older reports, summaries) are left out; nothing
 * known, nothing said.
 */
export function conditionsWarnings(sides: ConditionsSide[]): string[] {
  const [base, ...others] = sides;
  if (!base) return [];
  const warnings: string[] = [];
  const b = sideFacts(base);
  for (const side of others) {
    const o = sideFacts(side);
    const pair = `${base.label} and ${side.label}`;
    if (b.calibration !== null && o.calibration !== null) {
      const diff = (Math.abs(o.calibration - b.calibration) / Math.min(b.calibration, o.calibration)) * 100;
      if (diff > CALIBRATION_DIFF_PCT)
        warnings.push(
          `${CONDITIONS_NOTE} the calibration (sha256 speed at the start) of ${pair} differs by ${diff.toFixed(0)}% (${b.calibration} vs ${o.calibration} MB/s, median per side; more than ${CALIBRATION_DIFF_PCT}%): the machine ran at a different speed`,
        );
    }
    if (differ(b.cpus, o.cpus)) warnings.push(`${CONDITIONS_NOTE} ${pair} ran on different core counts (${[...b.cpus].join('/')} vs ${[...o.cpus].join('/')})`);
    if (differ(b.node, o.node))
      warnings.push(`${CONDITIONS_NOTE} ${pair} ran on different Node versions (${[...b.node].join('/')} vs ${[...o.node].join('/')})`);
    if (b.busy !== null && o.busy !== null && b.busy !== o.busy)
      warnings.push(
        `${CONDITIONS_NOTE} only ${b.busy ? base.label : side.label} ran on a busy machine (1-minute load average above ${HIGH_LOAD_PER_CORE} per core, or CPU steal above ${HIGH_STEAL_PCT}%)`,
      );
  }
  return warnings;
}

function sideFacts(side: ConditionsSide): { calibration: number | null; cpus: Set<number>; node: Set<string>; busy: boolean | null } {
  const known = side.environments.filter((e): e is NonNullable<typeof e> => e !== undefined);
  const withConditions = known.flatMap((e) => (e.conditions ? [{ cpus: e.cpus, c: e.conditions }] : []));
  const calibration = withConditions.length === 0 ? null : median(withConditions.map((x) => x.c.calibrationMBps));
  const busyRuns = withConditions.map((x) => isBusy(x.c, x.cpus));
  // A side is busy when most of its runs were: one busy minute in a group is what alternation is for.
  const busy = busyRuns.length === 0 ? null : busyRuns.filter(Boolean).length * 2 > busyRuns.length;
  return { calibration, cpus: new Set(known.map((e) => e.cpus)), node: new Set(known.map((e) => e.node)), busy };
}

function isBusy(c: Conditions, cpus: number): boolean {
  const load = Math.max(c.loadAvgStart[0] ?? 0, c.loadAvgEnd[0] ?? 0);
  return load / Math.max(cpus, 1) > HIGH_LOAD_PER_CORE || (c.stealPct ?? 0) > HIGH_STEAL_PCT;
}

function differ<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size > 0 && b.size > 0 && (a.size !== b.size || [...a].some((v) => !b.has(v)));
}

function median(values: number[]): number {
  const s = [...values].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}
