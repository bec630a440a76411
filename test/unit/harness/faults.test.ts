// The scenario's faults as timed steps: a pure expansion, checked without servers.
import { describe, expect, it } from 'vitest';
import { faultSteps } from '../../../src/harness/faults.js';

const result = { affected: 3, listening: true, port: 4242 };

describe('faultSteps', () => {
  it('turns each fault into its start and, when it has one, its end or restart, in time order', () => {
    const steps = faultSteps([
      { atMs: 5000, server: 's1', action: 'crash', restartAfterMs: 3000 },
      { atMs: 1000, server: 's2', action: 'delay', latencyMs: 20, forMs: 5000 },
      { atMs: 2000, server: 's2', action: 'reset' },
      { atMs: 3000, server: 's1', action: 'throttle', bytesPerSec: 1024 * 1024 },
    ]);
    expect(steps.map((s) => [s.atMs, s.server, s.action, s.command])).toEqual([
      [1000, 's2', 'delay', { action: 'delay', latencyMs: 20 }],
      [2000, 's2', 'reset', { action: 'reset' }],
      [3000, 's1', 'throttle', { action: 'throttle', bytesPerSec: 1024 * 1024 }],
      [5000, 's1', 'crash', { action: 'crash' }],
      [6000, 's2', 'delay-end', { action: 'delay', latencyMs: 0 }],
      [8000, 's1', 'restart', { action: 'restart' }],
    ]);
  });

  it('switches refuse and pause on and off', () => {
    const steps = faultSteps([
      { atMs: 100, server: 's1', action: 'refuse', forMs: 200 },
      { atMs: 400, server: 's1', action: 'pause', forMs: 50 },
    ]);
    expect(steps.map((s) => [s.atMs, s.action, s.command])).toEqual([
      [100, 'refuse', { action: 'refuse', on: true }],
      [300, 'refuse-end', { action: 'refuse', on: false }],
      [400, 'pause', { action: 'pause', on: true }],
      [450, 'pause-end', { action: 'pause', on: false }],
    ]);
  });

  it('describes each step for the timeline from what the server says it touched', () => {
    const [crash, restart] = faultSteps([{ atMs: 0, server: 's1', action: 'crash', restartAfterMs: 2500 }]);
    expect(crash?.describe(result)).toBe('listener closed (port 4242) and 3 connections cut; restart due in 2500 ms');
    expect(restart?.describe(result)).toBe('listening again on port 4242');
    const [down] = faultSteps([{ atMs: 0, server: 's1', action: 'crash' }]);
    expect(down?.describe({ ...result, affected: 1 })).toBe('listener closed (port 4242) and 1 connection cut; down until the end of the run');
    const [throttle] = faultSteps([{ atMs: 0, server: 's1', action: 'throttle', bytesPerSec: 512 * 1024 }]);
    expect(throttle?.describe(result)).toBe('body writes capped at 512.0 KB/s (3 transfers in flight), until the end of the run');
    const [reset] = faultSteps([{ atMs: 0, server: 's1', action: 'reset' }]);
    expect(reset?.describe(result)).toBe('3 transfers in flight cut with a TCP reset');
  });
});
