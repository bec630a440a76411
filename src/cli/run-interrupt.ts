// Ctrl-C and SIGTERM during `simulate`: the first asks the run to stop gracefully (the harness
// gets an AbortSignal; the library itself never touches process signals), the second stops the
// process at once. Nothing is ever half-written: reports are written atomically, and a signal
// handler only runs between synchronous writes.

import { EXIT } from './exit-codes.js';

/** The contract's exit code for a run interrupted by the user (SIGINT/SIGTERM). */
export const EXIT_INTERRUPTED = EXIT.INTERRUPTED;

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface RunInterrupt {
  /** Aborted at the first SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Removes the handlers: signals act as Node's default again. */
  dispose(): void;
}

export interface InterruptIo {
  /** Says something at once (stderr). */
  say(line: string): void;
  /** Ends the process now with this code (a second signal). */
  exitNow(code: number): never;
}

/** Listens for SIGINT/SIGTERM until disposed. `graceMs` is only for the message. */
export function listenForInterrupt(graceMs: number, io: InterruptIo): RunInterrupt {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      io.say(`${name} again: stopping at once`);
      io.exitNow(EXIT_INTERRUPTED);
    }
    io.say(`stopping (${name}): no new clients or songs; in-flight requests get up to ${seconds(graceMs)}; press Ctrl-C again to stop at once`);
    controller.abort();
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
