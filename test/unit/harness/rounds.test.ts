// The order in which `compare --run` runs its two scenarios: A B B A …, so drift hurts both sides alike.
import { describe, expect, it } from 'vitest';
import { MAX_ROUNDS, roundOrder } from '../../../src/harness/rounds.js';

describe('roundOrder', () => {
  it('alternates A B, B A: each pair of rounds is symmetric in time', () => {
    expect(roundOrder(1)).toEqual(['A', 'B']);
    expect(roundOrder(2)).toEqual(['A', 'B', 'B', 'A']);
    expect(roundOrder(4).join(' ')).toBe('A B B A A B B A');
  });

  it('gives each side one run per round, and cancels a linear drift over whole pairs of rounds', () => {
    const order = roundOrder(6);
    expect(order.filter((s) => s === 'A')).toHaveLength(6);
    expect(order.filter((s) => s === 'B')).toHaveLength(6);
    // A drift that grows by 1 per run adds the same total to both sides.
    const drift = (side: string) => order.reduce((sum, s, i) => (s === side ? sum + i : sum), 0);
    expect(drift('A')).toBe(drift('B'));
  });

  it('refuses rounds out of bounds, naming the bound', () => {
    for (const bad of [0, -1, 1.5, MAX_ROUNDS + 1, Number.NaN]) expect(() => roundOrder(bad)).toThrow(/rounds: expected a whole number from 1 to 50/);
    expect(roundOrder(MAX_ROUNDS)).toHaveLength(2 * MAX_ROUNDS);
  });
});
