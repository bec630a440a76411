// Worker entry for the abuse probe: wiring only (workerData in, ProbeResult out).
import { parentPort, workerData } from 'node:worker_threads';
import { runProbe, type ProbeWorkerData } from './probe.js';

const { options, flag } = workerData as ProbeWorkerData;
const view = new Int32Array(flag);
const result = await runProbe(options, () => Atomics.load(view, 0) === 1);
parentPort?.postMessage(result);
