// The connection's request queue: oldest first, whatever the mix of pushes and shifts, and
// drain hands back what is left in order (the requests a broken connection fails).
import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/client/fifo.js';

describe('Fifo', () => {
  it('gives items back oldest first across interleaved pushes and shifts, and empties cleanly', () => {
    const fifo = new Fifo<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < (round % 4) + 1; i++) fifo.push(next++);
      for (let i = 0; i < (round % 3) + 1; i++) {
        const item = fifo.shift();
        if (item !== undefined) out.push(item);
      }
    }
    const rest = fifo.drain();
    expect([...out, ...rest]).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(fifo.length).toBe(0);
    expect(fifo.peek()).toBeUndefined();
    expect(fifo.shift()).toBeUndefined();
  });

  it('peek shows the oldest without taking it; length counts what is waiting', () => {
    const fifo = new Fifo<string>();
    fifo.push('a');
    fifo.push('b');
    expect(fifo.peek()).toBe('a');
    expect(fifo.length).toBe(2);
    expect(fifo.shift()).toBe('a');
    expect(fifo.length).toBe(1);
    expect(fifo.drain()).toEqual(['b']);
  });
});
