// A well-behaved client measuring what the server gives it while it is abused: CHECK and GET of
// a small song over one kept-open connection (each verified), and now and then a new connection
// with HELLO (the server must still accept). Latencies go into an HDR histogram. It runs in a
// worker thread of its own (probeInThread), so that the attackers' busy event loop does not
// count as the server's latency.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../../src/util/paths.js';
import { JukeboxConnection } from '../../src/client/connection.js';
import { createHistogram, recordMs, summarize, type LatencySummary } from '../../src/metrics/histogram.js';
import { LOOPBACK } from './attacks.js';

export interface ProbeOptions {
  port: number;
  song: string;
  sha256: string;
  /** Run at least this many rounds ... */
  minRounds: number;
  /** ... and go on while the attack is still running, up to maxRounds. */
  maxRounds: number;
  /** Pause between rounds: a client that asks now and then, not another flood. */
  gapMs: number;
  /** Every n-th round also opens a new connection and says HELLO. */
  newConnectionEvery: number;
  /** No answer within this long is an error (E_TIMEOUT). */
  requestTimeoutMs: number;
}

export interface ProbeResult {
  rounds: number;
  /** Rounds that began while the attack was in effect. */
  roundsUnderAttack: number;
  /** Requests that failed (timeout, reset, wrong bytes). */
  errors: number;
  firstError: string | undefined;
  /** CHECK round trips on the kept-open connection. */
  check: LatencySummary;
  /** GET round trips (the small song, verified) on the kept-open connection. */
  get: LatencySummary;
  /** connect + HELLO on a new connection. */
  connect: LatencySummary;
}

/** `underAttack()` says whether the attack is in effect now. */
export async function runProbe(options: ProbeOptions, underAttack: () => boolean): Promise<ProbeResult> {
  const check = createHistogram();
  const get = createHistogram();
  const fresh = createHistogram();
  let errors = 0;
  let firstError: string | undefined;
  const fail = (err: unknown) => {
    errors++;
    firstError ??= err instanceof Error ? err.message : String(err);
  };
  let connection = await open(options);
  let rounds = 0;
  let roundsUnderAttack = 0;
  try {
    while (rounds < options.maxRounds && (rounds < options.minRounds || underAttack())) {
      rounds++;
      if (underAttack()) roundsUnderAttack++;
      try {
        if (!connection.isOpen) connection = await open(options);
        recordMs(check, (await connection.check(options.song)).totalMs);
        const chunks: Buffer[] = [];
        recordMs(get, (await connection.get(options.song, { onData: (c) => chunks.push(Buffer.from(c)) })).totalMs);
        if (createHash('sha256').update(Buffer.concat(chunks)).digest('hex') !== options.sha256) throw new Error(`GET ${options.song}: wrong bytes`);
      } catch (err) {
        fail(err);
      }
      if (rounds % options.newConnectionEvery === 0) {
        const started = performance.now();
        try {
          const c = await open(options);
          await c.hello('probe');
          recordMs(fresh, performance.now() - started);
          await c.close();
        } catch (err) {
          fail(err);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, options.gapMs));
    }
  } finally {
    connection.destroy();
  }
  return { rounds, roundsUnderAttack, errors, firstError, check: summarize(check), get: summarize(get), connect: summarize(fresh) };
}

/** What the probe thread is given: its options and a shared flag (1 = the attack is in effect). */
export interface ProbeWorkerData {
  options: ProbeOptions;
  flag: SharedArrayBuffer;
}

/** How often the attacker's side refreshes the shared "under attack" flag. */
const FLAG_REFRESH_MS = 5;

/** Runs the probe in a worker thread while `underAttack` (polled here) is mirrored into a shared flag. */
export async function probeInThread(options: ProbeOptions, underAttack: () => boolean): Promise<ProbeResult> {
  const file = join(packageRoot, 'dist', 'bench', 'abuse', 'probe-worker.js');
  if (!existsSync(file)) throw new Error(`${file} is not built; run npm run build`);
  const flag = new SharedArrayBuffer(4);
  const view = new Int32Array(flag);
  const refresh = () => Atomics.store(view, 0, underAttack() ? 1 : 0);
  refresh();
  const timer = setInterval(refresh, FLAG_REFRESH_MS);
  const worker = new Worker(file, { workerData: { options, flag } satisfies ProbeWorkerData });
  try {
    return await new Promise<ProbeResult>((resolve, reject) => {
      worker.once('message', (result: ProbeResult) => resolve(result));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the probe thread exited (code ${code}) without a result`)));
    });
  } finally {
    clearInterval(timer);
    await worker.terminate();
  }
}

function open(options: ProbeOptions): Promise<JukeboxConnection> {
  return JukeboxConnection.connect({
    host: LOOPBACK,
    port: options.port,
    connectTimeoutMs: options.requestTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
  });
}
