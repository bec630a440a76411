// A timer that a stop cuts short: how clients wait (think, scheduled starts) so that an
// interrupted run never waits out a long pause.

/** Resolves after `ms`, or at once when `stop` aborts (the caller then checks `stop.aborted`). */
export function sleep(ms: number, stop: AbortSignal): Promise<void> {
  if (stop.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      stop.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    stop.addEventListener('abort', done, { once: true });
  });
}
