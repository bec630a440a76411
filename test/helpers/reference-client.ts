// A second, independent measurement for truth tests: the smallest client that can time a CHECK,
// in a worker thread of its own (as the harness's clients are), sharing no code with the project.
// Run beside the harness through the same proxies, it sees what this machine adds at that moment
// (a thread that idled for an answer wakes later on a busy VM), so the harness can be held to it.
import { Worker } from 'node:worker_threads';

export interface ReferenceRun {
  /** The ports to ask, each client holding one connection to each (as the harness's persistent clients). */
  ports: number[];
  clients: number;
  requests: number;
  /** Each client thinks an exponentially distributed time of this mean between requests (as the harness's `exponential`), ms. */
  thinkMeanMs: number;
  /** The song asked for: a CHECK of it is answered with one line. */
  song: string;
}

/** Plain JavaScript run with `eval`: the worker must not depend on a TypeScript loader. */
const WORKER_SOURCE = `
const net = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
const { ports, clients, requests, thinkMeanMs, song } = workerData;

function connect(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Sends one line; resolves with the ms until one answer line came back. */
function ask(socket, line) {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const started = performance.now();
    const onData = (chunk) => {
      buffered += chunk.toString('latin1');
      if (!buffered.includes('\\n')) return;
      const ms = performance.now() - started;
      socket.off('data', onData);
      socket.off('error', reject);
      resolve(ms);
    };
    socket.on('data', onData);
    // Removed with the answer: one listener per request would pile up on the kept socket.
    socket.once('error', reject);
    socket.write(line);
  });
}

async function client() {
  const sockets = await Promise.all(ports.map(connect));
  const latencies = [];
  for (let r = 0; r < requests; r++) {
    latencies.push(...(await Promise.all(sockets.map((s) => ask(s, 'CHECK ' + song + '\\n')))));
    if (thinkMeanMs > 0) await new Promise((resolve) => setTimeout(resolve, -Math.log(1 - Math.random()) * thinkMeanMs));
  }
  for (const s of sockets) s.destroy();
  return latencies;
}

Promise.all(Array.from({ length: clients }, client)).then(
  (all) => parentPort.postMessage({ latencies: all.flat() }),
  (err) => parentPort.postMessage({ error: String(err && err.stack || err) }),
);
`;

/** Runs the reference clients to the end; resolves with every CHECK's latency in ms. */
export function runReferenceClient(run: ReferenceRun): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: run });
    worker.once('message', (m: { latencies?: number[]; error?: string }) => {
      void worker.terminate();
      if (m.error !== undefined || m.latencies === undefined) reject(new Error(`reference client: ${m.error ?? 'no result'}`));
      else resolve(m.latencies);
    });
    worker.once('error', reject);
  });
}
