// Time, injected: core code takes a Clock so that tests can drive it.
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Monotonic milliseconds (fractional), for measuring latency. */
  now(): number;
  /** Wall-clock milliseconds since the epoch, for timestamps in reports. */
  wallNow(): number;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => Date.now(),
};

/**
 * performance.now() counts from each thread's own start; this converts it to a time origin
 * shared by every thread of the process, so that a schedule made in one thread holds in another.
 */
export function sharedNow(): number {
  return performance.timeOrigin + performance.now();
}
