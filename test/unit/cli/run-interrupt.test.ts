// simulate's signal handling in-process: the signals are emitted on `process` (no real signal is
// sent), and the process's exit is handed in, so the test sees it instead of ending.
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT_INTERRUPTED, listenForInterrupt, type RunInterrupt } from '../../../src/cli/run-interrupt.js';

class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

function listen(graceMs = 5000): { interrupt: RunInterrupt; said: string[] } {
  const said: string[] = [];
  const interrupt = listenForInterrupt(graceMs, {
    say: (line) => said.push(line),
    exitNow: (code) => {
      throw new Exited(code);
    },
  });
  return { interrupt, said };
}

let current: RunInterrupt | undefined;
afterEach(() => current?.dispose());

describe('interrupting simulate', () => {
  it('aborts the run at the first signal and says at once how to stop harder', () => {
    const { interrupt, said } = listen(5000);
    current = interrupt;
    expect(interrupt.signal.aborted).toBe(false);
    process.emit('SIGINT', 'SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(said).toEqual(['stopping (SIGINT): no new clients or songs; in-flight requests get up to 5 s; press Ctrl-C again to stop at once']);
  });

  it('stops the process with 130 at the second signal, SIGTERM as SIGINT', () => {
    const { interrupt, said } = listen(1500);
    current = interrupt;
    process.emit('SIGTERM', 'SIGTERM');
    expect(said[0]).toMatch(/up to 1\.5 s/);
    expect(() => process.emit('SIGINT', 'SIGINT')).toThrow(new Exited(EXIT_INTERRUPTED));
    expect(said[1]).toBe('SIGINT again: stopping at once');
  });

  it('leaves the signals as they were once disposed', () => {
    const before = { int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') };
    const { interrupt } = listen();
    expect(process.listenerCount('SIGINT')).toBe(before.int + 1);
    interrupt.dispose();
    expect({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') }).toEqual(before);
  });
});
