// The rows of the bench's one table, and how they are printed (cli-table3) and saved (JSON).
import Table from 'cli-table3';

export interface PeerFigure {
  name: string;
  figure: number;
}

export interface BenchRow {
  /** Which issue asks for it: 'micro', 'issue 2', 'issue 7'. */
  group: string;
  name: string;
  figure: number;
  unit: string;
  /** Higher figures are better (throughput) or lower ones (latency). */
  better: 'higher' | 'lower';
  peer?: PeerFigure | undefined;
  /** How many times better than the peer (> 1: jukebox is better, whatever the unit's direction). */
  ratio?: number | undefined;
  /** Human text, e.g. "≥ 1.0×" or "< 1 ms". */
  target?: string | undefined;
  met?: boolean | undefined;
  /** Why a figure is missing or what qualifies it. */
  note?: string | undefined;
}

/** Ratio oriented so that > 1 always means "jukebox is better". */
export function ratioOf(figure: number, peer: number, better: 'higher' | 'lower'): number | undefined {
  if (!(figure > 0) || !(peer > 0)) return undefined;
  return better === 'higher' ? figure / peer : peer / figure;
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
    head: ['group', 'benchmark', 'figure', 'unit', 'peer', 'ratio', 'target', 'met?'],
    // No colours and no lines between rows: the output is copied into docs and notes.
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) {
    const peer = row.peer ? `${row.peer.name}: ${formatNumber(row.peer.figure)}` : (row.note ?? '—');
    const ratio = row.ratio === undefined ? '—' : `${formatRatio(row.ratio)}×`;
    const met = row.met === undefined ? (row.target ? 'n/a' : '') : row.met ? 'yes' : 'NO';
    // A missing measurement is a 0 with no verdict; a real 0 (no failed requests) has one.
    const shown = row.figure > 0 || row.met !== undefined ? formatNumber(row.figure) : '—';
    table.push([row.group, row.name, shown, row.unit, peer, ratio, row.target ?? '', met]);
  }
  return table.toString();
}
