// Fault injection inside one server: the commands, the state the hot path consults (one field
// per check, nothing allocated while no fault is on), the waits a fault imposes on body writes,
// and the injector that applies crash, restart, reset and refuse to the listener and sockets.
import { setTimeout as sleep } from 'node:timers/promises';
import { assertNever } from '../errors.js';
import type { Clock } from '../util/clock.js';
import { ConnectionGoneError } from './context.js';

/**
 * What a harness (or a test) can do to a running server. Timed faults are switched on and off
 * by two commands (`delay` 20 then `delay` 0): the caller owns the clock, so that the start and
 * the end of each fault are both events it can record at their actual time.
 */
export type FaultCommand =
  /** Close the listener and every connection at once; the server object stays, so it can restart. */
  | { action: 'crash' }
  /** Listen again on the same port after a crash (a no-op while refusing: the listener opens when the refusal ends). */
  | { action: 'restart' }
  /** Cut every transfer in flight (between its DATA line and its last byte) with a TCP reset. */
  | { action: 'reset' }
  /** Wait this long before writing each response line; 0 ends the delay. */
  | { action: 'delay'; latencyMs: number }
  /** Cap the server's body writes (all connections together) at this rate; 0 ends the cap. */
  | { action: 'throttle'; bytesPerSec: number }
  /** on: close the listener (new connections are refused, open ones carry on); off: listen again. */
  | { action: 'refuse'; on: boolean }
  /** on: stop reading from every connection and hold body writes (a hung server); off: carry on. */
  | { action: 'pause'; on: boolean };

export type FaultAction = FaultCommand['action'];

/** What a fault touched, for the harness's timeline markers. */
export interface FaultResult {
  /** crash: connections closed; reset: transfers cut; pause: connections paused; delay/throttle: transfers in flight. */
  affected: number;
  /** Whether the listener is open after the command. */
  listening: boolean;
  port: number;
}

/** A throttled transfer writes at most this much of the budget at once, so that connections share it fairly. */
export const THROTTLE_SLICE_MS = 50;

/**
 * The fault state one server's connections and handlers read. Everything is off by default and
 * each hot-path check is one field: `delayMs > 0` per response line, `gatesBody` per body chunk.
 */
export class FaultState {
  /** Added before each response line (ms); 0 = none. */
  delayMs = 0;
  /** True while a throttle or a pause is on: the one check sendBody makes per chunk. */
  gatesBody = false;
  /** True while the server stops reading (pause). */
  paused = false;
  /** True while new connections are refused (the listener is closed). */
  refusing = false;
  private bytesPerSec = 0;
  private sliceBytes = 0;
  /** When the bandwidth budget is next free (clock ms): throttled writes queue behind each other. */
  private nextFreeAt = 0;
  /** Body writes waiting for a pause to end or for their turn under the throttle; woken on every change. */
  private readonly waiters = new Set<() => void>();

  setDelay(latencyMs: number): void {
    this.delayMs = Math.max(0, latencyMs);
  }

  setThrottle(bytesPerSec: number): void {
    this.bytesPerSec = Math.max(0, bytesPerSec);
    this.sliceBytes = Math.max(1, Math.floor((this.bytesPerSec * THROTTLE_SLICE_MS) / 1000));
    this.nextFreeAt = 0;
    this.changed();
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.changed();
  }

  /** Every fault off; waiting writes go on at once (a stopping server must not hang on its own faults). */
  clear(): void {
    this.delayMs = 0;
    this.refusing = false;
    this.paused = false;
    this.setThrottle(0);
  }

  /**
   * Called only while `gatesBody`: waits while paused, then for the throttle's budget, and says
   * how many of the `wanted` bytes may be written now (all of them when no throttle is on).
   * Rejects with ConnectionGoneError when `signal` aborts (the connection closed meanwhile).
   */
  async gateBody(wanted: number, signal: AbortSignal, clock: Clock): Promise<number> {
    for (;;) {
      if (this.paused) {
        await this.untilChanged(signal, undefined);
        continue;
      }
      if (this.bytesPerSec === 0) return wanted;
      const n = Math.min(wanted, this.sliceBytes);
      const t = clock.now();
      const start = Math.max(t, this.nextFreeAt);
      this.nextFreeAt = start + (n * 1000) / this.bytesPerSec;
      if (start <= t) return n;
      // Woken early: the throttle or the pause changed, so look again; else it is this write's turn.
      if (!(await this.untilChanged(signal, start - t))) return n;
    }
  }

  private changed(): void {
    this.gatesBody = this.paused || this.bytesPerSec > 0;
    for (const wake of [...this.waiters]) wake();
  }

  /** true when woken by a change, false when `ms` passed first; rejects if the connection goes. */
  private untilChanged(signal: AbortSignal, ms: number | undefined): Promise<boolean> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new ConnectionGoneError());
      let timer: NodeJS.Timeout | undefined;
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.waiters.delete(wake);
      };
      const wake = () => {
        settle();
        resolve(true);
      };
      const onAbort = () => {
        settle();
        reject(new ConnectionGoneError());
      };
      this.waiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
      if (ms !== undefined) {
        timer = setTimeout(() => {
          settle();
          resolve(false);
        }, ms);
      }
    });
  }
}

/** Waits `ms` before a response line is written (the delay fault); only called while one is on. */
export function responseDelay(ms: number): Promise<void> {
  return sleep(ms);
}

/** What the injector needs of one connection. */
export interface FaultableConnection {
  /** Between a DATA line and the body's last byte. */
  readonly isTransferring: boolean;
  /** Cuts the connection with a TCP reset (RST), not a FIN. */
  reset(): void;
  /** Stops or restarts reading from the socket (pause). */
  setReading(reading: boolean): void;
}

/** What the injector needs of the server: its listener, its connections and sockets. */
export interface FaultableServer {
  readonly faults: FaultState;
  readonly port: number;
  readonly connections: Iterable<FaultableConnection>;
  /** Every socket, rejected ones too. */
  readonly sockets: Iterable<{ destroy(): void }>;
  readonly isListening: boolean;
  isShuttingDown(): boolean;
  /** Stops accepting; open connections carry on. */
  closeListener(): void;
  /** Listens again on the same port. */
  openListener(): Promise<void>;
}

/** Applies fault commands to one server, one at a time (a restart's listen is awaited before the next command). */
export class FaultInjector {
  private crashed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly server: FaultableServer) {}

  apply(command: FaultCommand): Promise<FaultResult> {
    const next = this.queue.then(() => this.run(command));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async run(command: FaultCommand): Promise<FaultResult> {
    const { faults } = this.server;
    let affected = 0;
    switch (command.action) {
      case 'crash':
        this.crashed = true;
        await this.reconcileListener();
        for (const socket of [...this.server.sockets]) {
          socket.destroy();
          affected++;
        }
        break;
      case 'restart':
        this.crashed = false;
        await this.reconcileListener();
        break;
      case 'reset':
        for (const connection of [...this.server.connections]) {
          if (!connection.isTransferring) continue;
          connection.reset();
          affected++;
        }
        break;
      case 'delay':
        faults.setDelay(command.latencyMs);
        affected = this.transfersInFlight();
        break;
      case 'throttle':
        faults.setThrottle(command.bytesPerSec);
        affected = this.transfersInFlight();
        break;
      case 'refuse':
        faults.refusing = command.on;
        await this.reconcileListener();
        break;
      case 'pause':
        faults.setPaused(command.on);
        for (const connection of this.server.connections) {
          connection.setReading(!command.on);
          affected++;
        }
        break;
      default:
        return assertNever(command, 'fault command');
    }
    return { affected, listening: this.server.isListening, port: this.server.port };
  }

  private transfersInFlight(): number {
    let n = 0;
    for (const connection of this.server.connections) if (connection.isTransferring) n++;
    return n;
  }

  /** The listener is open exactly when the server is neither crashed, refusing, nor shutting down. */
  private async reconcileListener(): Promise<void> {
    const wanted = !this.crashed && !this.server.faults.refusing && !this.server.isShuttingDown();
    if (wanted && !this.server.isListening) await this.server.openListener();
    else if (!wanted && this.server.isListening) this.server.closeListener();
  }
}
