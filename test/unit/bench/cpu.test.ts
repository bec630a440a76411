// The bench's server CPU figures: what /proc says a process and its descendants spent, checked
// against what real child processes report of themselves (process.cpuUsage) after burning CPU.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { clockTicksPerSecond, cpuMicros, parseProcStat } from '../../../bench/peers/cpu.js';

const HAS_PROC = existsSync('/proc/self/stat');
if (!HAS_PROC) console.warn('skipping the /proc CPU tests: /proc/self/stat is missing (Linux only); the bench then prints its CPU rows as "not measured"');

/** CPU each burner spends before it reports: well above a clock tick (10 ms), bounded in time. */
const BURN_MICROS = 300_000;
/**
 * A node process that burns BURN_MICROS of CPU (on top of its start-up), prints `done <its total
 * CPU µs>` and then waits for its stdin to end.
 */
const BURNER = `
const total = () => { const u = process.cpuUsage(); return u.user + u.system; };
const until = total() + ${BURN_MICROS};
while (total() < until);
process.stdout.write('done ' + total() + '\\n');
process.stdin.on('end', () => process.exit(0)).resume();`;
/**
 * A node process that starts a burner, waits for its line, prints `done <own CPU µs> <the
 * burner's>` and waits for its stdin to end (then the burner's stdin ends too).
 */
const PARENT = `
const { spawn } = require('node:child_process');
const child = spawn(process.execPath, ['-e', ${JSON.stringify(BURNER)}], { stdio: ['pipe', 'pipe', 'inherit'] });
let line = '';
child.stdout.on('data', (chunk) => {
  line += chunk;
  if (!line.includes('\\n')) return;
  const u = process.cpuUsage();
  process.stdout.write('done ' + (u.user + u.system) + ' ' + line.trim().split(' ')[1] + '\\n');
});
process.stdin.on('end', () => process.exit(0)).resume();`;

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  // Ending stdin ends each process (and a parent's burner with it); a kill in case one hangs.
  for (const child of children.splice(0)) {
    child.stdin.end();
    child.kill();
  }
});

/** Starts `node -e script` and resolves with the numbers of its `done …` line (no sleeping: its output says when). */
async function runUntilDone(script: string): Promise<{ pid: number; reported: number[] }> {
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (!line.startsWith('done ')) continue;
    lines.close();
    return { pid: child.pid as number, reported: line.split(' ').slice(1).map(Number) };
  }
  throw new Error(`the child ended before its "done" line (exit code ${child.exitCode})`);
}

/**
 * /proc truncates utime and stime to whole ticks each, so it may show up to one tick less per
 * counter than the µs the process reports of itself.
 */
const tickMicros = () => 1_000_000 / clockTicksPerSecond();

describe.skipIf(!HAS_PROC)('cpuMicros (from /proc)', () => {
  it('counts at least the CPU a process reports of itself, to a tick per counter, and nothing like twice it', async () => {
    const { pid, reported } = await runUntilDone(BURNER);
    const [own = 0] = reported;
    const measured = cpuMicros(pid);
    expect(measured).toBeDefined();
    expect(measured as number).toBeGreaterThanOrEqual(own - 2 * tickMicros());
    // It was waiting on stdin since it reported: not much more can have been spent.
    expect(measured as number).toBeLessThan(own + BURN_MICROS);
  });

  it("includes a descendant's CPU: a child's burner counts towards the child", async () => {
    const { pid, reported } = await runUntilDone(PARENT);
    const [own = 0, grandchild = 0] = reported;
    expect(grandchild).toBeGreaterThanOrEqual(BURN_MICROS);
    // Two processes, two counters each.
    expect(cpuMicros(pid) as number).toBeGreaterThanOrEqual(own + grandchild - 4 * tickMicros());
  });

  it('says nothing (undefined, never 0) for a process that does not exist', () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    expect(cpuMicros(pidMax + 1)).toBeUndefined();
  });
});

describe('cpuMicros where /proc is not there', () => {
  it('says nothing (undefined, never 0)', () => {
    const empty = mkdtempSync(join(tmpdir(), 'jukebox-no-proc-'));
    try {
      expect(cpuMicros(process.pid, empty)).toBeUndefined();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('parseProcStat', () => {
  it('reads the parent and the ticks after a command name holding spaces and parentheses', () => {
    // proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime …
    const line = '4242 (nginx: worker (x) 1) S 4200 4200 4200 0 -1 4194560 100 0 0 0 250 70 5 3 20 0 1 0 999 12345 67 rest';
    expect(parseProcStat(line)).toEqual({ ppid: 4200, ticks: 250 + 70 + 5 + 3 });
  });

  it('rejects a text that is not a stat line', () => {
    expect(parseProcStat('not a stat line')).toBeUndefined();
  });
});
