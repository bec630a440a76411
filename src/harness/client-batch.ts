// Runs one batch of simulated clients inside a pool thread: many async actors share the thread.
// The batch draws its clients' scripts from the plan one at a time as it starts them, so a
// thread holds only the clients running at once. Closed model: a fixed number at once. Open
// model: each starts at its scheduled time, and the lag behind that schedule is measured.
// A stop (the coordinator's message, or `options.stop`) ends arrivals and next songs; requests
// in flight get the task's grace to finish, then the batch ends with what it recorded.
import { setMaxListeners } from 'node:events';
import { receiveMessageOnPort, threadId } from 'node:worker_threads';
import { assertNever } from '../errors.js';
import { LiveThreadSink } from '../live/client-probe.js';
import { MetricsRecorder } from '../metrics/recorder.js';
import { countScript, countSelected, emptyPlanTotals, planSpec, selectedScripts, type ClientScript, type PlanTotals } from '../scenario/plan.js';
import { sharedNow } from '../util/clock.js';
import type { ActorContext, ClientEnd } from './actor.js';
import type { BatchMessage, ClientTask, ClientTaskResult, CoordinatorMessage, SongFacts } from './messages.js';
import { sleep } from './sleep.js';

/**
 * How often the batch samples its requests in flight and the oldest one's age into the timeline:
 * a few times a second, so that a second in which nothing happens (a stall) still has them.
 */
export const SAMPLE_INTERVAL_MS = 250;
/** How long a thread waits in the warm-up for the others to arrive: ample for a thread to start and load its modules. */
export const WARM_TIMEOUT_MS = 30_000;

export type Actor = (script: ClientScript, ctx: ActorContext) => Promise<ClientEnd>;

export interface BatchOptions {
  /** The shared clock (tests drive their own). */
  now?: () => number;
  /** Stops the batch like the coordinator's `stop` message does (in-process callers, tests). */
  stop?: AbortSignal;
}

export async function runClientBatch(task: ClientTask, actor: Actor, options: BatchOptions = {}): Promise<ClientTaskResult> {
  const now = options.now ?? sharedNow;
  const stopper = new AbortController();
  // Every client thinking or waiting for its start listens for the stop (sleep.ts), each removing
  // its listener when it wakes: as many at once as clients run at once, not a leak.
  setMaxListeners(0, stopper.signal);
  const onMessage = (message: CoordinatorMessage) => {
    switch (message.type) {
      case 'stop':
        stopper.abort();
        break;
      default:
        assertNever(message.type, 'coordinator message');
    }
  };
  // A stop posted before the task reached this thread is already queued: take it now, before any
  // client starts (a listener would only see it on a later turn of the event loop).
  for (let queued = receiveMessageOnPort(task.port); queued; queued = receiveMessageOnPort(task.port)) onMessage(queued.message as CoordinatorMessage);
  task.port.on('message', onMessage);
  const stopFromCaller = () => stopper.abort();
  if (options.stop?.aborted) stopper.abort();
  else options.stop?.addEventListener('abort', stopFromCaller, { once: true });

  const model = task.scenario.load.model;
  const think = task.scenario.client.thinkTime;
  const thinkMeanMs = think.distribution === 'uniform' ? (think.minMs + think.maxMs) / 2 : think.meanMs;
  const recorder = new MetricsRecorder(task.runStart, now, { thinkMeanMs, correct: model === 'closed' });
  const ctx: ActorContext = {
    recorder,
    servers: task.servers,
    songs: new Map<string, SongFacts>(task.songs.map((s) => [s.id, s])),
    behaviour: task.scenario.client,
    runStart: task.runStart,
    now,
    stop: stopper.signal,
    scheduled: model === 'open',
  };
  if (task.live) ctx.live = new LiveThreadSink(task.live, now, task.runStart, task.servers, (batch) => post(task, { type: 'live', batch }));
  const clients = new BatchClients(actor, ctx);
  const scripts = selectedScripts(task.scenario, planSpec(task.scenario, task.songs), task.clients);
  const flush = setInterval(() => post(task, { type: 'metrics', snapshot: recorder.drain() }), task.flushIntervalMs);
  const sampling = setInterval(() => recorder.sample(), SAMPLE_INTERVAL_MS);
  let ended: boolean;
  try {
    // Closed model: no more lanes than the batch has clients (a default concurrency is every client).
    const run =
      task.scenario.load.model === 'closed'
        ? runClosed(scripts, Math.min(task.concurrency, countSelected(task.scenario, task.clients)), clients, stopper.signal)
        : runOpen(scripts, clients, ctx);
    ended = await finishWithin(run, stopper.signal, task.graceMs);
  } finally {
    clearInterval(flush);
    clearInterval(sampling);
    task.port.off('message', onMessage);
    options.stop?.removeEventListener('abort', stopFromCaller);
  }
  // Before the final message, which ends the coordinator's listening on this port.
  ctx.live?.flush();
  post(task, { type: 'final', snapshot: recorder.drain(true) });
  return { started: clients.started, completed: clients.completed, cut: ended ? 0 : clients.running, plan: clients.plan, stopped: stopper.signal.aborted };
}

/** The warm-up task: `arrived` counts the threads that have taken theirs. */
export interface WarmTask {
  arrived: SharedArrayBuffer;
  threads: number;
}

/**
 * Run once per pool thread before the schedule is fixed: reaching it means the thread has started
 * and loaded the client code, so that start-up is not counted as lag. It waits (blocking this
 * thread, which has nothing else to do yet) until every thread has arrived, so that no thread
 * takes two warm-ups while another takes none. Returns the thread's id.
 */
export function warmThread(task: WarmTask): number {
  const arrived = new Int32Array(task.arrived);
  Atomics.add(arrived, 0, 1);
  Atomics.notify(arrived, 0);
  const deadline = Date.now() + WARM_TIMEOUT_MS;
  for (let n = Atomics.load(arrived, 0); n < task.threads && Date.now() < deadline; n = Atomics.load(arrived, 0))
    Atomics.wait(arrived, 0, n, deadline - Date.now());
  return threadId;
}

function post(task: ClientTask, message: BatchMessage): void {
  task.port.postMessage(message);
}

/**
 * Waits for `run`; once `stop` aborts, for `graceMs` more at most. True when `run` ended;
 * false when the grace ran out first (its clients are left to the thread's end).
 */
async function finishWithin(run: Promise<void>, stop: AbortSignal, graceMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let arm: (() => void) | undefined;
  const graceOver = new Promise<boolean>((resolve) => {
    arm = () => {
      timer = setTimeout(() => resolve(false), graceMs);
    };
    if (stop.aborted) arm();
    else stop.addEventListener('abort', arm, { once: true });
  });
  const ran = run.then(() => true);
  // Once the grace has won the race, a late failure of the clients left behind has no one to tell.
  ran.catch(() => undefined);
  try {
    return await Promise.race([ran, graceOver]);
  } finally {
    clearTimeout(timer);
    if (arm) stop.removeEventListener('abort', arm);
  }
}

/** The batch's clients: starts them, counts them and their plan, knows how many still run. */
class BatchClients {
  started = 0;
  completed = 0;
  running = 0;
  readonly plan: PlanTotals = emptyPlanTotals();
  private whenIdle: (() => void) | undefined;
  /** The first error an actor threw (actors catch their own; this is a bug), rethrown when the batch ends. */
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly actor: Actor,
    private readonly ctx: ActorContext,
  ) {}

  /** Runs one client to its end; never rejects (see `throwIfFailed`). */
  async run(script: ClientScript): Promise<void> {
    this.started++;
    countScript(this.plan, script);
    this.running++;
    try {
      if ((await this.actor(script, this.ctx)) === 'completed') this.completed++;
    } catch (error) {
      this.failure ??= { error };
    } finally {
      this.running--;
      if (this.running === 0) this.whenIdle?.();
    }
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves once no client runs (at once when none does). */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.whenIdle = () => {
        this.whenIdle = undefined;
        resolve();
      };
    });
  }
}

/** `lanes` clients at once, each lane taking the next script when its client ends, until the plan or a stop ends it. */
async function runClosed(scripts: Iterator<ClientScript, void>, lanes: number, clients: BatchClients, stop: AbortSignal): Promise<void> {
  const lane = async () => {
    while (!stop.aborted) {
      const next = scripts.next();
      if (next.done) return;
      await clients.run(next.value);
    }
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  clients.throwIfFailed();
}

/** Starts each client at runStart + startMs, one timer for the next due client; running clients are counted, not held. */
async function runOpen(scripts: Iterator<ClientScript, void>, clients: BatchClients, ctx: ActorContext): Promise<void> {
  for (let next = scripts.next(); !next.done && !ctx.stop.aborted; next = scripts.next()) {
    const script = next.value;
    const due = ctx.runStart + script.startMs;
    // A loop, not one timer: timers count whole milliseconds and may fire a fraction early.
    for (let wait = due - ctx.now(); wait > 0 && !ctx.stop.aborted; wait = due - ctx.now()) await sleep(Math.ceil(wait), ctx.stop);
    if (ctx.stop.aborted) break;
    ctx.recorder.recordScheduleLag(ctx.now() - due);
    // Not awaited: in the open model clients overlap as their arrivals say.
    void clients.run(script);
  }
  await clients.idle();
  clients.throwIfFailed();
}
