// The bench table keeps the best of alternating rounds and shows how far the rounds spread.
import { describe, expect, it } from 'vitest';
import { medianOf, renderTable, spreadOf, type BenchRow } from '../../../bench/results.js';
import type { Measured } from '../../../bench/rounds.js';

const measured = (values: number[]): Measured<{ v: number }> => ({ best: undefined, rounds: values.map((v) => ({ v })), errors: [] });

describe('medianOf (CPU per unit of work: the middle round, not the luckiest)', () => {
  it('the middle of an odd count, the mean of the two middles of an even one, whatever the order', () => {
    expect(medianOf(measured([40, 20, 90]), (r) => r.v)).toBe(40);
    expect(medianOf(measured([40, 20, 90, 30]), (r) => r.v)).toBe(35);
  });

  it('leaves out rounds that measured nothing, and has no figure when none did', () => {
    expect(medianOf(measured([0, 12, Number.NaN, 14]), (r) => r.v)).toBe(13);
    expect(medianOf(measured([]), (r) => r.v)).toBeUndefined();
    expect(medianOf(undefined, (r: { v: number }) => r.v)).toBeUndefined();
  });
});

describe('spreadOf', () => {
  it('a rate: the best round is the highest, the worst the lowest', () => {
    expect(spreadOf(measured([65, 68.4, 63.1, 69.9]), (r) => r.v, 'higher')).toEqual({ best: 69.9, worst: 63.1, rounds: 4, values: [65, 68.4, 63.1, 69.9] });
  });

  it('a latency: the best round is the lowest', () => {
    expect(spreadOf(measured([1.81, 0.86, 1.15]), (r) => r.v, 'lower')).toEqual({ best: 0.86, worst: 1.81, rounds: 3, values: [1.81, 0.86, 1.15] });
  });

  it('no spread from one round or none (a failed side keeps no rounds)', () => {
    expect(spreadOf(measured([5]), (r) => r.v, 'higher')).toBeUndefined();
    expect(spreadOf(measured([]), (r) => r.v, 'higher')).toBeUndefined();
    expect(spreadOf(undefined, (r: { v: number }) => r.v, 'higher')).toBeUndefined();
  });
});

describe('renderTable', () => {
  it("shows the figure's and the peer's spread, low to high, with the round count", () => {
    const row: BenchRow = {
      group: 'issue 15',
      name: 'CHECK, 50 persistent connections, vs a bare Node net server',
      figure: 69_885,
      spread: { best: 69_885, worst: 63_100, rounds: 5, values: [63_100, 69_885, 66_000, 65_500, 68_000] },
      unit: 'round trips/s',
      better: 'higher',
      peer: { name: 'bare Node', figure: 72_000, spread: { best: 72_000, worst: 60_500, rounds: 5, values: [60_500, 72_000, 70_000, 61_000, 66_000] } },
      ratio: 69_885 / 72_000,
      target: '≥ 0.95×',
      met: true,
    };
    const latency: BenchRow = {
      group: 'issue 7',
      name: 'p99',
      figure: 0.86,
      spread: { best: 0.86, worst: 1.81, rounds: 5, values: [0.86, 1.81, 1.2, 0.9, 1.1] },
      unit: 'ms',
      better: 'lower',
    };
    const text = renderTable([row, latency]);
    expect(text).toContain('spread');
    expect(text).toContain('63,100–69,885 (5)');
    expect(text).toContain('bare Node: 72,000 [60,500–72,000]');
    expect(text).toContain('0.860–1.81 (5)');
    expect(text).toMatch(/0\.97× +│ ≥ 0\.95× +│ yes/);
  });

  it("says can't tell for a target its rounds cannot decide, and keeps its figure", () => {
    const row: BenchRow = {
      group: 'issue 15',
      name: 'x',
      figure: 34_435,
      unit: 'CHECK/s',
      better: 'higher',
      ratio: 0.85,
      target: '≥ 0.9×',
      undecided: 'rounds overlap',
    };
    expect(renderTable([row])).toMatch(/34,435 .*0\.85× +│ ≥ 0\.9× +│ can't tell/);
  });
});
