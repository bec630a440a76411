// Runs one batch of simulated clients inside a pool thread: many async actors share the thread.
// Closed model: a fixed number at once. Open model: each starts at its scheduled time, and the
// lag behind that schedule is measured.
import { MetricsRecorder } from '../metrics/recorder.js';
import type { ClientScript } from '../scenario/plan.js';
import { sharedNow } from '../util/clock.js';
import type { ActorContext } from './actor.js';
import type { BatchMessage, ClientTask, ClientTaskResult, SongFacts } from './messages.js';

export type Actor = (script: ClientScript, ctx: ActorContext) => Promise<void>;

export async function runClientBatch(task: ClientTask, actor: Actor, now: () => number = sharedNow): Promise<ClientTaskResult> {
  const recorder = new MetricsRecorder(task.runStart, now);
  const ctx: ActorContext = {
    recorder,
    servers: task.servers,
    songs: new Map<string, SongFacts>(task.songs.map((s) => [s.id, s])),
    behaviour: task.behaviour,
    runStart: task.runStart,
    now,
  };
  const flush = setInterval(() => post(task, { type: 'metrics', snapshot: recorder.drain() }), task.flushIntervalMs);
  try {
    if (task.model === 'closed') await runClosed(task.scripts, task.concurrency, actor, ctx);
    else await runOpen(task.scripts, actor, ctx);
  } finally {
    clearInterval(flush);
  }
  post(task, { type: 'final', snapshot: recorder.drain(true) });
  return { clients: task.scripts.length };
}

function post(task: ClientTask, message: BatchMessage): void {
  task.port.postMessage(message);
}

async function runClosed(scripts: ClientScript[], concurrency: number, actor: Actor, ctx: ActorContext): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let script = scripts[next++]; script !== undefined; script = scripts[next++]) await actor(script, ctx);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, scripts.length) }, lane));
}

/** Starts each client at runStart + startMs: one timer for the next due client, not one per client. */
async function runOpen(scripts: ClientScript[], actor: Actor, ctx: ActorContext): Promise<void> {
  const due = [...scripts].sort((a, b) => a.startMs - b.startMs);
  const running: Promise<void>[] = [];
  let i = 0;
  while (i < due.length) {
    const first = due[i];
    if (first === undefined) break;
    const wait = ctx.runStart + first.startMs - ctx.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const now = ctx.now();
    for (let script = due[i]; script !== undefined && ctx.runStart + script.startMs <= now; script = due[++i]) {
      ctx.recorder.recordScheduleLag(now - (ctx.runStart + script.startMs));
      running.push(actor(script, ctx));
    }
  }
  await Promise.all(running);
}
