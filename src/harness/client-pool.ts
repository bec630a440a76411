// The client pool: piscina threads, each running batches of simulated clients. The coordinator
// hands it a share of the plan (a client selection, never scripts) and gets merged metrics back;
// a stop goes down the same port.
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { JukeboxError } from '../errors.js';
import type { LiveBatch } from '../live/client-probe.js';
import type { MetricsAggregator } from '../metrics/aggregate.js';
import { workerUrl } from '../util/paths.js';
import type { WarmTask } from './client-batch.js';
import type { BatchMessage, ClientTask, ClientTaskResult, CoordinatorMessage } from './messages.js';

/** How long a pool thread may sit idle before piscina ends it (the run ends it anyway). */
const POOL_IDLE_TIMEOUT_MS = 60_000;
/**
 * After a stop, how much longer than its grace a batch may take to answer: it only has to post
 * its last snapshot. Past it the thread is taken as stuck and the run fails rather than hang.
 */
export const STOP_ANSWER_MARGIN_MS = 5_000;

export class ClientPool {
  private readonly pool: Piscina<ClientTask, ClientTaskResult>;

  constructor(readonly threads: number) {
    this.pool = new Piscina({
      filename: workerUrl('client.worker').href,
      minThreads: threads,
      maxThreads: threads,
      // One task per thread at a time: a batch already runs many clients concurrently.
      concurrentTasksPerWorker: 1,
      idleTimeout: POOL_IDLE_TIMEOUT_MS,
    });
  }

  /**
   * Starts every thread and loads the client code in it, and resolves once all are ready: the run's
   * schedule is fixed after this, so a thread's start-up is never counted as the harness's lag.
   */
  async warm(): Promise<void> {
    const task: WarmTask = { arrived: new SharedArrayBuffer(4), threads: this.threads };
    // The pool is typed for its batches; `name: 'warm'` sends this one to the worker's other export.
    try {
      await Promise.all(Array.from({ length: this.threads }, () => this.pool.run(task as unknown as ClientTask, { name: 'warm' })));
    } catch (err) {
      throw new JukeboxError('E_WORKER', `a client pool thread failed to start: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }

  /**
   * Runs one batch and feeds its snapshots into `metrics` as they arrive. Resolves when the
   * batch's final snapshot has been merged. `stop` aborting sends the batch its stop.
   */
  async runBatch(
    task: Omit<ClientTask, 'port'>,
    metrics: MetricsAggregator,
    stop?: AbortSignal,
    onLive?: (batch: LiveBatch) => void,
  ): Promise<ClientTaskResult> {
    const { port1, port2 } = new MessageChannel();
    const finalMerged = new Promise<void>((resolve) => {
      port1.on('message', (message: BatchMessage) => {
        if (message.type === 'live') return onLive?.(message.batch);
        metrics.add(message.snapshot);
        if (message.type === 'final') resolve();
      });
    });
    // Posted before the thread takes the task, it waits in the port's queue: a stop is never lost.
    const sendStop = () => port1.postMessage({ type: 'stop' } satisfies CoordinatorMessage);
    let deadline: NodeJS.Timeout | undefined;
    let arm: (() => void) | undefined;
    const stuck = new Promise<never>((_, reject) => {
      arm = () => {
        sendStop();
        deadline = setTimeout(
          () => reject(new Error(`it did not stop within ${task.graceMs + STOP_ANSWER_MARGIN_MS} ms of being asked`)),
          task.graceMs + STOP_ANSWER_MARGIN_MS,
        );
      };
      if (stop?.aborted) arm();
      else stop?.addEventListener('abort', arm, { once: true });
    });
    try {
      const work = (async () => {
        const result = await this.pool.run({ ...task, port: port2 } as ClientTask, { transferList: [port2] });
        await finalMerged;
        return result;
      })();
      return await Promise.race([work, stuck]);
    } catch (err) {
      throw new JukeboxError('E_WORKER', `a client pool thread failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      if (arm) stop?.removeEventListener('abort', arm);
      clearTimeout(deadline);
      port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** Splits a concurrency limit over batches as evenly as whole numbers allow. */
export function splitConcurrency(total: number, batches: number): number[] {
  return Array.from({ length: batches }, (_, i) => Math.floor(total / batches) + (i < total % batches ? 1 : 0));
}
