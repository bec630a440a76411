// The time frame of one load run: a warm-up whose results are thrown away, then a fixed
// measuring window; every load client counts only what completes inside the window.
import { performance } from 'node:perf_hooks';

export interface LoadTiming {
  /** Load runs but nothing is counted (JIT, TCP windows, caches settle). */
  warmupMs: number;
  /** How long results are counted. */
  durationMs: number;
}

/** After the window closes, answers in flight get this long to arrive before the run fails. */
export const DRAIN_TIMEOUT_MS = 5_000;
/** Connecting every socket of a run must take less than this. */
export const CONNECT_TIMEOUT_MS = 10_000;

export class MeasureWindow {
  measuring = false;
  stopped = false;
  private startedAt = 0;
  private endedAt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly timing: LoadTiming) {}

  /** Starts the warm-up; `onStop` runs once when the window closes (by time or by `stopNow`). */
  start(onStop: () => void): void {
    this.timer = setTimeout(() => {
      this.measuring = true;
      this.startedAt = performance.now();
      this.timer = setTimeout(() => this.stopNow(onStop), this.timing.durationMs);
    }, this.timing.warmupMs);
  }

  /** Closes the window early (a count bound was reached, or the run failed). */
  stopNow(onStop?: () => void): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    if (this.measuring) this.endedAt = performance.now();
    this.measuring = false;
    this.stopped = true;
    onStop?.();
  }

  /** Length of the measuring window in seconds (0 if it never opened). */
  get seconds(): number {
    return this.endedAt > this.startedAt ? (this.endedAt - this.startedAt) / 1000 : 0;
  }
}
