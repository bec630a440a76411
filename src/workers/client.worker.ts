// Pool thread entry: wiring only. Runs one batch of simulated clients per task.
import { runClientActor } from '../harness/actor.js';
import { runClientBatch } from '../harness/client-batch.js';
import type { ClientTask, ClientTaskResult } from '../harness/messages.js';

export default function runTask(task: ClientTask): Promise<ClientTaskResult> {
  return runClientBatch(task, runClientActor);
}
