// The scenario's faults during a run: each `faults:` entry becomes timed steps (its start, and its
// end or restart), applied to the server threads at their times relative to the run's start and
// recorded as FaultEvents at the time they actually happened, for the report's timeline.
import { isJukeboxError } from '../errors.js';
import type { Fault } from '../scenario/types.js';
import type { FaultCommand, FaultResult } from '../server/faults.js';
import type { FaultEvent } from './run-result.js';

/** Whatever can take a fault: a server thread (ServerThread) or an in-process server (JukeboxServer). */
export interface FaultTarget {
  fault(command: FaultCommand): Promise<FaultResult>;
}

/** One command at one time: a fault's start, or its end / restart. */
export interface FaultStep {
  /** ms after the run's start */
  atMs: number;
  server: string;
  /** The marker's action: the fault's own (`crash`, `delay`, …), `restart`, or `<action>-end`. */
  action: string;
  command: FaultCommand;
  /** The detail text of its marker, from what the server says it touched. */
  describe(result: FaultResult): string;
}

/** The steps of every fault, in time order (a step's end comes after its start at the same time). Pure. */
export function faultSteps(faults: readonly Fault[]): FaultStep[] {
  return faults.flatMap(stepsOf).sort((a, b) => a.atMs - b.atMs);
}

function stepsOf(f: Fault): FaultStep[] {
  const step = (atMs: number, action: string, command: FaultCommand, describe: (r: FaultResult) => string): FaultStep => ({
    atMs,
    server: f.server,
    action,
    command,
    describe,
  });
  const lasting = f.forMs === undefined ? 'until the end of the run' : `for ${seconds(f.forMs)}`;
  /** The start, and, when the fault has a duration, its end. */
  const timed = (on: FaultCommand, off: FaultCommand, describeOn: (r: FaultResult) => string, describeOff: (r: FaultResult) => string): FaultStep[] => {
    const start = step(f.atMs, f.action, on, describeOn);
    return f.forMs === undefined ? [start] : [start, step(f.atMs + f.forMs, `${f.action}-end`, off, describeOff)];
  };
  switch (f.action) {
    case 'crash': {
      const crash = step(f.atMs, 'crash', { action: 'crash' }, (r) => {
        const back = f.restartAfterMs === undefined ? 'down until the end of the run' : `restart due in ${seconds(f.restartAfterMs)}`;
        return `listener closed (port ${r.port}) and ${plural(r.affected, 'connection')} cut; ${back}`;
      });
      if (f.restartAfterMs === undefined) return [crash];
      return [
        crash,
        step(f.atMs + f.restartAfterMs, 'restart', { action: 'restart' }, (r) =>
          r.listening ? `listening again on port ${r.port}` : 'restarted, listener still closed (refusing)',
        ),
      ];
    }
    case 'reset':
      return [step(f.atMs, 'reset', { action: 'reset' }, (r) => `${plural(r.affected, 'transfer')} in flight cut with a TCP reset`)];
    case 'delay': {
      const latencyMs = f.latencyMs ?? 0;
      return timed(
        { action: 'delay', latencyMs },
        { action: 'delay', latencyMs: 0 },
        () => `+${latencyMs} ms before every response, ${lasting}`,
        () => 'responses without added delay again',
      );
    }
    case 'throttle': {
      const bytesPerSec = f.bytesPerSec ?? 0;
      return timed(
        { action: 'throttle', bytesPerSec },
        { action: 'throttle', bytesPerSec: 0 },
        (r) => `body writes capped at ${rate(bytesPerSec)} (${plural(r.affected, 'transfer')} in flight), ${lasting}`,
        () => 'body writes uncapped again',
      );
    }
    case 'refuse':
      return timed(
        { action: 'refuse', on: true },
        { action: 'refuse', on: false },
        (r) => `listener closed (port ${r.port}): new connections refused, open ones kept, ${lasting}`,
        (r) => (r.listening ? `accepting again on port ${r.port}` : 'refusal over, listener still closed (crashed)'),
      );
    case 'pause':
      return timed(
        { action: 'pause', on: true },
        { action: 'pause', on: false },
        (r) => `stopped reading ${plural(r.affected, 'connection')} and holding body writes, ${lasting}`,
        (r) => `reading ${plural(r.affected, 'connection')} again`,
      );
  }
}

/** A schedule in progress. */
export interface RunningFaults {
  /** Cancels steps not yet due, waits for the ones being applied, and returns every event in time order. */
  stop(): Promise<FaultEvent[]>;
}

export interface FaultScheduleOptions {
  /** The run's start on `now`'s clock. */
  runStart: number;
  /** The shared clock (ms). */
  now: () => number;
  /** Called as each step has been applied (or has failed): for a live display. */
  onEvent?: (event: FaultEvent) => void;
}

/**
 * Applies each step at runStart + atMs. Steps of one server go through a chain, so a restart is
 * never sent before its crash has been applied, however late a timer fires. A step that fails
 * (a restart whose port was taken meanwhile) is recorded with the reason; the run goes on.
 */
export function startFaultSchedule(steps: readonly FaultStep[], targets: ReadonlyMap<string, FaultTarget>, options: FaultScheduleOptions): RunningFaults {
  const events: FaultEvent[] = [];
  const chains = new Map<string, Promise<void>>();
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const record = (step: FaultStep, atMs: number, detail: string) => {
    const event: FaultEvent = { atMs, server: step.server, action: step.action, detail };
    events.push(event);
    options.onEvent?.(event);
  };
  const apply = async (step: FaultStep): Promise<void> => {
    if (stopped) return;
    const target = targets.get(step.server);
    const atMs = Math.max(0, options.now() - options.runStart);
    if (!target) return record(step, atMs, 'not applied: no such server in this run');
    try {
      record(step, atMs, step.describe(await target.fault(step.command)));
    } catch (err) {
      record(step, atMs, `failed: ${isJukeboxError(err) ? `${err.code}: ${err.message}` : String(err)}`);
    }
  };

  for (const step of steps) {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        const chain = (chains.get(step.server) ?? Promise.resolve()).then(() => apply(step));
        chains.set(step.server, chain);
      },
      // Rounded up: timers count whole milliseconds, and a fault must never come early.
      Math.max(0, Math.ceil(options.runStart + step.atMs - options.now())),
    );
    timers.add(timer);
  }

  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(chains.values());
      return [...events].sort((a, b) => a.atMs - b.atMs);
    },
  };
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function rate(bytesPerSec: number): string {
  if (bytesPerSec >= 1024 * 1024) return `${(bytesPerSec / (1024 * 1024)).toFixed(2)} MB/s`;
  if (bytesPerSec >= 1024) return `${(bytesPerSec / 1024).toFixed(1)} KB/s`;
  return `${bytesPerSec} B/s`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
