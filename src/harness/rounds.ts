// Two scenarios run alternately, A B B A A B B A …, so that a busy minute on the machine hurts
// both sides alike (drift cancels in the comparison), each run saved as a report.
import { join } from 'node:path';
import { JukeboxError } from '../errors.js';
import { buildReport } from '../report/build.js';
import { startConditions } from '../report/conditions.js';
import { collectEnvironment } from '../report/environment.js';
import { saveReport } from '../report/files.js';
import { renderHtml } from '../report/html.js';
import type { Report } from '../report/model.js';
import type { LoadedScenario } from '../scenario/load.js';
import { runScenario, type RunOptions } from './coordinator.js';

/** Rounds per comparison: each round is two whole load tests; 50 (100 runs) already take hours. */
export const MAX_ROUNDS = 50;

export type RoundSide = 'A' | 'B';

/**
 * The order of the runs: round i runs A then B when i is even, B then A when odd. Every pair of
 * rounds is A B B A, symmetric in time, so a linear drift adds the same to both sides.
 */
export function roundOrder(rounds: number): RoundSide[] {
  checkRounds(rounds);
  return Array.from({ length: rounds }, (_, i): RoundSide[] => (i % 2 === 0 ? ['A', 'B'] : ['B', 'A'])).flat();
}

function checkRounds(rounds: number): void {
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ROUNDS)
    throw new JukeboxError('E_BAD_ARGUMENT', `rounds: expected a whole number from 1 to ${MAX_ROUNDS}, got ${rounds}`, {
      hint: 'each round runs both scenarios once; 4 rounds give the rank test enough runs per side',
    });
}

export interface RoundRun {
  /** 1-based position in the order. */
  index: number;
  side: RoundSide;
  report: Report;
  /** The JSON report written. */
  file: string;
}

export interface RoundsOptions extends Pick<RunOptions, 'signal' | 'graceMs' | 'onProgress' | 'onServersReady'> {
  rounds: number;
  /** The folder the reports go into (created when missing). */
  outDir: string;
  /** Called before each run. */
  onRunStart?: (run: { index: number; total: number; side: RoundSide; name: string }) => void;
  /** Called after each run's report is written. */
  onRunDone?: (run: RoundRun & { total: number }) => void;
}

export interface RoundsResult {
  /** In the order they ran; an interrupted run is the last one. */
  runs: RoundRun[];
  /** True when the signal stopped the series before every run was whole. */
  interrupted: boolean;
}

/** Runs A and B alternately (roundOrder), writing each report atomically into `outDir` as NN-A-name.json. */
export async function runRounds(a: LoadedScenario, b: LoadedScenario, options: RoundsOptions): Promise<RoundsResult> {
  const order = roundOrder(options.rounds);
  const runs: RoundRun[] = [];
  for (const [i, side] of order.entries()) {
    if (options.signal?.aborted) return { runs, interrupted: true };
    const { scenario, catalog } = side === 'A' ? a : b;
    const index = i + 1;
    options.onRunStart?.({ index, total: order.length, side, name: scenario.name });
    const probe = startConditions();
    const result = await runScenario(scenario, catalog, {
      signal: options.signal,
      graceMs: options.graceMs,
      onProgress: options.onProgress,
      onServersReady: options.onServersReady,
    });
    const report = buildReport(result, collectEnvironment(probe.finish()));
    const file = join(options.outDir, `${String(index).padStart(2, '0')}-${side}-${safeName(scenario.name)}.json`);
    saveReport(report, file, renderHtml(report));
    const run: RoundRun = { index, side, report, file };
    runs.push(run);
    options.onRunDone?.({ ...run, total: order.length });
    if (report.interrupted || options.signal?.aborted) return { runs, interrupted: true };
  }
  return { runs, interrupted: false };
}

/** A scenario name as a file name part: the name is free text. */
function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').slice(0, 60) || 'scenario';
}
