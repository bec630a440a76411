// Pool thread entry: wiring only. Runs one batch of simulated clients per task; `warm` readies a
// thread before the run's schedule is fixed.
import { runClientActor } from '../harness/actor.js';
import { runClientBatch } from '../harness/client-batch.js';
import type { ClientTask, ClientTaskResult } from '../harness/messages.js';

export default function runTask(task: ClientTask): Promise<ClientTaskResult> {
  return runClientBatch(task, runClientActor);
}

export { warmThread as warm } from '../harness/client-batch.js';
