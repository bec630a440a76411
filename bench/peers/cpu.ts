// The CPU time a peer spends, from /proc (Linux). A rate ratio says who was faster; the CPU a
// server spends per request says why (a server that needs twice the CPU per byte loses when the
// cores are busy). A peer
// is counted with all its descendants: nginx's workers are children of the master the bench starts.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PROC_ROOT = '/proc';
/** Linux's USER_HZ on every common architecture: what /proc counts in when `getconf` is missing. */
const FALLBACK_CLOCK_TICKS_PER_SECOND = 100;
const MICROS_PER_SECOND = 1_000_000;
/**
 * Indices into the fields of /proc/<pid>/stat after the command name's closing parenthesis (the
 * name may hold spaces and parentheses: only the last ")" is safe), i.e. proc(5)'s field number
 * minus 3: ppid (4), utime (14), stime (15), cutime (16), cstime (17).
 */
const STAT_FIELD = { ppid: 1, utime: 11, stime: 12, cutime: 13, cstime: 14 } as const;

interface ProcStat {
  ppid: number;
  /**
   * Own user + system ticks (every thread's), plus those of children that ended and were waited
   * for: without them, a descendant's time would vanish from the total when it exits.
   */
  ticks: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second of /proc's counters (`getconf CLK_TCK`, asked once). */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      clockTicks = Number.isInteger(value) && value > 0 ? value : FALLBACK_CLOCK_TICKS_PER_SECOND;
    } catch {
      clockTicks = FALLBACK_CLOCK_TICKS_PER_SECOND;
    }
  }
  return clockTicks;
}

/** The counters of one /proc/<pid>/stat text; undefined if it is not one. */
export function parseProcStat(text: string): ProcStat | undefined {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (index: number) => Number(fields[index]);
  const values = [field(STAT_FIELD.ppid), field(STAT_FIELD.utime), field(STAT_FIELD.stime), field(STAT_FIELD.cutime), field(STAT_FIELD.cstime)];
  if (!values.every(Number.isInteger)) return undefined;
  const [ppid = 0, ...ticks] = values;
  return { ppid, ticks: ticks.reduce((a, b) => a + b, 0) };
}

/** A process's counters; undefined when it is gone (or /proc is not there). */
function readStat(procRoot: string, pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(join(procRoot, String(pid), 'stat'), 'latin1'));
  } catch {
    return undefined;
  }
}

/** Every process's parent and ticks, read once: one pass over /proc, not one per generation. */
function allProcesses(procRoot: string): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(procRoot, Number(entry));
    if (stat) all.set(Number(entry), stat);
  }
  return all;
}

/**
 * The user + system CPU time of process `pid` and of all its descendants (threads included), in
 * µs since each started; undefined where /proc/<pid>/stat cannot be read (not Linux, or the
 * process is gone): a figure then says "not measured", never 0. Two readings around a run give
 * the run's CPU, to one clock tick per counter (10 ms at the usual 100 ticks per second).
 */
export function cpuMicros(pid: number, procRoot = PROC_ROOT): number | undefined {
  const root = readStat(procRoot, pid);
  if (!root) return undefined;
  let all: Map<number, ProcStat>;
  try {
    all = allProcesses(procRoot);
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  for (const [child, stat] of all) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), child]);
  let ticks = root.ticks;
  const pending = [...(children.get(pid) ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    ticks += all.get(next)?.ticks ?? 0;
    pending.push(...(children.get(next) ?? []));
  }
  return (ticks * MICROS_PER_SECOND) / clockTicksPerSecond();
}
