// The rows of the bench's one table, and how they are printed (cli-table3) and saved (JSON).
import Table from 'cli-table3';
import type { Measured } from './rounds.js';

/** How far a figure's rounds spread: the best round (the figure kept) and the worst, over `rounds` rounds. */
export interface Spread {
  best: number;
  worst: number;
  rounds: number;
  /** Every round's value, in the order run: what a target is judged on (bench/verdict.ts). */
  values: number[];
}

export interface PeerFigure {
  name: string;
  figure: number;
  /** Its rounds' spread, when it was measured in more than one. */
  spread?: Spread | undefined;
}

export interface BenchRow {
  /** Which issue asks for it: 'micro', 'issue 2', 'issue 7', 'issue 15'. */
  group: string;
  name: string;
  figure: number;
  unit: string;
  /** Higher figures are better (throughput) or lower ones (latency). */
  better: 'higher' | 'lower';
  /** The figure is the best of alternating rounds; this is how far the rounds went (absent for a single run). */
  spread?: Spread | undefined;
  peer?: PeerFigure | undefined;
  /** How many times better than the peer (> 1: jukebox is better, whatever the unit's direction). */
  ratio?: number | undefined;
  /** Human text, e.g. "≥ 1.0×" or "< 1 ms". */
  target?: string | undefined;
  met?: boolean | undefined;
  /** A target the rounds cannot decide (met and not met both consistent with them): why. `met` is then undefined. */
  undecided?: string | undefined;
  /** Why a figure is missing or what qualifies it. */
  note?: string | undefined;
}

/** Ratio oriented so that > 1 always means "jukebox is better". */
export function ratioOf(figure: number, peer: number, better: 'higher' | 'lower'): number | undefined {
  if (!(figure > 0) || !(peer > 0)) return undefined;
  return better === 'higher' ? figure / peer : peer / figure;
}

/**
 * The spread of one side's rounds (successful ones only), by the value the row shows: a rate's
 * best is its highest round, a latency's its lowest. Undefined below two rounds.
 */
export function spreadOf<R>(measured: Measured<R> | undefined, value: (r: R) => number, better: 'higher' | 'lower'): Spread | undefined {
  const values = (measured?.rounds ?? []).map(value).filter((v) => Number.isFinite(v));
  if (values.length < 2) return undefined;
  const [low, high] = [Math.min(...values), Math.max(...values)];
  return better === 'higher' ? { best: high, worst: low, rounds: values.length, values } : { best: low, worst: high, rounds: values.length, values };
}

/**
 * The median of a side's rounds by `value` (rounds without a finite, positive value left out), or
 * undefined: for CPU per unit of work, which has no "better" direction the way a rate has (whose
 * best round is the luckiest one), the middle round is the fair figure.
 */
export function medianOf<R>(measured: Measured<R> | undefined, value: (r: R) => number | undefined): number | undefined {
  const values = (measured?.rounds ?? [])
    .map(value)
    .filter((v): v is number => v !== undefined && Number.isFinite(v) && v > 0)
    .sort((a, b) => a - b);
  if (values.length === 0) return undefined;
  const middle = Math.floor(values.length / 2);
  return values.length % 2 === 1 ? (values[middle] as number) : ((values[middle - 1] as number) + (values[middle] as number)) / 2;
}

/** `worst–best` (or `best–worst` for latency: low to high either way), with the round count. */
export function formatSpread(spread: Spread | undefined): string {
  if (!spread) return '';
  const [low, high] = spread.best <= spread.worst ? [spread.best, spread.worst] : [spread.worst, spread.best];
  return `${formatNumber(low)}–${formatNumber(high)} (${spread.rounds})`;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

/** Rounded down, so that a ratio just under its target never prints as the target (1.996 → 1.99). */
export function formatRatio(ratio: number): string {
  return (Math.floor(ratio * 100) / 100).toFixed(2);
}

export function renderTable(rows: BenchRow[]): string {
  const table = new Table({
    // figure: the best of alternating rounds; spread: its rounds' lowest–highest (round count).
    head: ['group', 'benchmark', 'figure', 'spread', 'unit', 'peer: best [spread]', 'ratio', 'target', 'met?'],
    // No colours and no lines between rows: the output is copied into docs and notes.
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    // The peer ran as many rounds as jukebox (alternating): its range alone, in brackets.
    const peerSpread = row.peer?.spread ? ` [${formatSpread(row.peer.spread).replace(/ \(\d+\)$/, '')}]` : '';
    const peer = row.peer ? `${row.peer.name}: ${formatNumber(row.peer.figure)}${peerSpread}` : (row.note ?? '—');
    const ratio = row.ratio === undefined ? '—' : `${formatRatio(row.ratio)}×`;
    const met = row.undecided !== undefined ? "can't tell" : row.met === undefined ? (row.target ? 'n/a' : '') : row.met ? 'yes' : 'NO';
    // A missing measurement is a 0 with no verdict; a real 0 (no failed requests) has one.
    const shown = row.figure > 0 || row.met !== undefined || row.undecided !== undefined ? formatNumber(row.figure) : '—';
    table.push([row.group, row.name, shown, formatSpread(row.spread), row.unit, peer, ratio, row.target ?? '', met]);
  }
  return table.toString();
}
