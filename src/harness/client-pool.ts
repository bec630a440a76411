// The client pool: piscina threads, each running batches of simulated clients. The coordinator
// hands it scripts and gets merged metrics back; nothing else crosses.
import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { JukeboxError } from '../errors.js';
import type { MetricsAggregator } from '../metrics/aggregate.js';
import type { ClientScript } from '../scenario/plan.js';
import { workerUrl } from '../util/paths.js';
import type { BatchMessage, ClientTask, ClientTaskResult } from './messages.js';

/** How long a pool thread may sit idle before piscina ends it (the run ends it anyway). */
const POOL_IDLE_TIMEOUT_MS = 60_000;

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
   * Runs one batch and feeds its snapshots into `metrics` as they arrive. Resolves when the
   * batch's final snapshot has been merged.
   */
  async runBatch(task: Omit<ClientTask, 'port'>, metrics: MetricsAggregator): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    const finalMerged = new Promise<void>((resolve) => {
      port1.on('message', (message: BatchMessage) => {
        metrics.add(message.snapshot);
        if (message.type === 'final') resolve();
      });
    });
    try {
      await this.pool.run({ ...task, port: port2 } as ClientTask, { transferList: [port2] });
      await finalMerged;
    } catch (err) {
      throw new JukeboxError('E_WORKER', `a client pool thread failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    } finally {
      port1.close();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** Deals scripts round-robin into `n` batches, so each thread gets a share of every phase of the run. */
export function splitScripts(scripts: ClientScript[], n: number): ClientScript[][] {
  const batches: ClientScript[][] = Array.from({ length: n }, () => []);
  scripts.forEach((script, i) => batches[i % n]?.push(script));
  return batches.filter((b) => b.length > 0);
}

/** Splits a concurrency limit over batches as evenly as whole numbers allow. */
export function splitConcurrency(total: number, batches: number): number[] {
  return Array.from({ length: batches }, (_, i) => Math.floor(total / batches) + (i < total % batches ? 1 : 0));
}
