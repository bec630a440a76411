// What a server does when its process runs out of file descriptors anyway (something else took
// them): notice it, keep one descriptor in hand so that new connections can still be told ERR 503,
// count them, and say so in the log without flooding it.
//
// One guard per thread, shared by the servers of that thread: the descriptors are the process's,
// and two guards side by side would hide the shortage from each other (the spare one gives back
// is what the other's probe then finds free).
//
// Why a guard at all: Node never reports a failed accept. libuv (1.45+, Node 20) answers EMFILE
// or ENFILE on accept() by closing a spare descriptor of its own, accepting every pending
// connection and closing it at once, and reopening the spare: the clients see their connection
// closed without a byte, and no JavaScript runs (no 'error' on the net.Server, no 'connection').
// So the server probes for itself: when a descriptor can no longer be opened, it gives its own
// spare back, so that the next connection is accepted (into that descriptor) and answered ERR 503
// and closed at once, which frees the descriptor for the one after.
import { closeSync, openSync } from 'node:fs';
import { devNull } from 'node:os';
import type { Clock } from '../util/clock.js';
import type { ServerWarning } from './events.js';

/**
 * How often the guard checks that a descriptor can still be opened (an open and a close of the
 * null device: a few microseconds). Until the first check after the process runs out, libuv closes
 * new connections silently, uncounted: this bounds that blind time.
 */
export const DESCRIPTOR_PROBE_INTERVAL_MS = 100;
/**
 * Out-of-descriptor warnings: at most one per this long per server. The first goes at once; what
 * happens meanwhile (more refusals, the end of the shortage) is said in one line when it is over.
 */
export const DESCRIPTOR_WARNING_INTERVAL_MS = 5_000;

type Opened = { ok: true; fd: number } | { ok: false; outOfDescriptors: boolean };

function openSpare(): Opened {
  try {
    return { ok: true, fd: openSync(devNull, 'r') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, outOfDescriptors: code === 'EMFILE' || code === 'ENFILE' };
  }
}

/** True for the errors that mean "no descriptor left" (in this process, or in the whole system). */
export function isOutOfDescriptors(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EMFILE' || code === 'ENFILE';
}

/** Told when the process runs out (true) and when descriptors can be had again (false). */
export type GuardListener = (exhausted: boolean) => void;

/** A server's membership of its thread's guard. */
export interface GuardMembership {
  /** While true, every new connection is answered ERR 503 and closed at once. */
  readonly isExhausted: boolean;
  /** Checks now (a failed accept was reported) rather than at the next interval. */
  probe(): void;
  /** The last server to leave closes the guard (its timer and its spare). */
  leave(): void;
}

let threadGuard: DescriptorGuard | undefined;

/** Joins this thread's guard, starting it for the first server; a listener that joins during a shortage is told at once. */
export function joinDescriptorGuard(listener: GuardListener): GuardMembership {
  threadGuard ??= new DescriptorGuard();
  const guard = threadGuard;
  guard.listeners.add(listener);
  if (guard.isExhausted) listener(true);
  let left = false;
  return {
    get isExhausted() {
      return guard.isExhausted;
    },
    probe: () => guard.probe(),
    leave: () => {
      if (left) return;
      left = true;
      guard.listeners.delete(listener);
      if (guard.listeners.size > 0) return;
      guard.close();
      if (threadGuard === guard) threadGuard = undefined;
    },
  };
}

/** Holds a spare descriptor and probes, every DESCRIPTOR_PROBE_INTERVAL_MS, whether the process can still open one. */
class DescriptorGuard {
  readonly listeners = new Set<GuardListener>();
  private spare: number | undefined;
  private exhausted = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor() {
    const spare = openSpare();
    // A null device that cannot be opened for another reason (a sandbox): no guard rather than a false alarm.
    if (!spare.ok && !spare.outOfDescriptors) return;
    if (spare.ok) this.spare = spare.fd;
    this.timer = setInterval(() => this.probe(), DESCRIPTOR_PROBE_INTERVAL_MS);
    this.timer.unref(); // it never keeps a process alive on its own
  }

  get isExhausted(): boolean {
    return this.exhausted;
  }

  probe(): void {
    if (!this.exhausted) {
      const probe = openSpare();
      if (probe.ok) closeSync(probe.fd);
      else if (probe.outOfDescriptors) this.runOut();
      return;
    }
    // Out until two can be had: one to keep as the spare, and room beyond it for a connection.
    const first = openSpare();
    if (!first.ok) return;
    const second = openSpare();
    if (!second.ok) {
      closeSync(first.fd);
      return;
    }
    closeSync(second.fd);
    if (this.spare === undefined) this.spare = first.fd;
    else closeSync(first.fd);
    this.exhausted = false;
    this.tell(false);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.releaseSpare();
  }

  private runOut(): void {
    this.exhausted = true;
    // The freed descriptor is where libuv accepts the next connection, which is then told 503.
    this.releaseSpare();
    this.tell(true);
  }

  private tell(exhausted: boolean): void {
    for (const listener of this.listeners) listener(exhausted);
  }

  private releaseSpare(): void {
    if (this.spare === undefined) return;
    closeSync(this.spare);
    this.spare = undefined;
  }
}

/**
 * Counts the connections a server could not take for lack of descriptors and turns the count and
 * the guard's changes into `outOfDescriptors` warnings, at most one per DESCRIPTOR_WARNING_INTERVAL_MS.
 */
export class OutOfDescriptorsReporter {
  private exhausted = false;
  /** The guard said "available again" since the last warning. */
  private recovered = false;
  /** Failures since the last warning. */
  private failed = 0;
  private lastWarnedAt = Number.NEGATIVE_INFINITY;
  private pending: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly serverId: string,
    /** The process's open-file limit, for the message; undefined when unknown. */
    private readonly openFiles: number | undefined,
    private readonly clock: Clock,
    /** Failures since start (STATS `acceptFailures`, counted by the server), for the message. */
    private readonly acceptFailures: () => number,
    private readonly warn: (warning: ServerWarning) => void,
  ) {}

  /** The guard's news: the process ran out (true) or has descriptors again (false). */
  changed(exhausted: boolean): void {
    this.exhausted = exhausted;
    if (!exhausted) this.recovered = true;
    this.schedule();
  }

  /** One connection not taken: answered 503 and closed at once, or an accept error Node reported. */
  failure(): void {
    this.failed++;
    this.schedule();
  }

  close(): void {
    this.closed = true;
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
  }

  private schedule(): void {
    if (this.pending || this.closed) return;
    const wait = this.lastWarnedAt + DESCRIPTOR_WARNING_INTERVAL_MS - this.clock.now();
    if (wait <= 0) return this.flush();
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.flush();
    }, wait);
    this.pending.unref();
  }

  private flush(): void {
    if (this.closed) return;
    this.lastWarnedAt = this.clock.now();
    const { exhausted, failed, recovered } = this;
    const total = this.acceptFailures();
    this.failed = 0;
    this.recovered = false;
    this.warn({
      kind: 'outOfDescriptors',
      serverId: this.serverId,
      exhausted,
      failed,
      acceptFailures: total,
      message: this.describe(exhausted, recovered, failed, total),
    });
  }

  private describe(exhausted: boolean, recovered: boolean, failed: number, total: number): string {
    const limit = this.openFiles === undefined ? '' : ` (this process may open ${this.openFiles} files, ulimit -n)`;
    const refused = `${failed} connection${failed === 1 ? '' : 's'} answered ERR 503 and closed`;
    if (exhausted && failed === 0) return `out of file descriptors${limit}: new connections are answered ERR 503 and closed until some are free`;
    if (exhausted) return `out of file descriptors${limit}: ${refused} since the last report (${total} since start)`;
    if (recovered && failed === 0) return `file descriptors available again; no connection was turned away meanwhile (${total} since start)`;
    if (recovered) return `file descriptors available again; ${refused} meanwhile (${total} since start)`;
    // Only where Node reports a failed accept itself (other platforms, other libuv versions).
    return `out of file descriptors${limit}: ${failed} connection${failed === 1 ? '' : 's'} could not be accepted (${total} since start)`;
  }
}
