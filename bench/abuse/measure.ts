// One abuse case, measured: the server's memory before, at its peak and after, what a
// well-behaved client saw while the attack was in place, and how soon the server let go of the
// attacker's connections. Shared by the chaos tests and `node dist/bench/abuse/main.js`.
import type { ServerLimits } from '../../src/server/limits.js';
import type { Attack, AttackReport } from './attacks.js';
import { TINY_SONG, type AbuseLibrary } from './library.js';
import { probeInThread, runProbe, type ProbeOptions, type ProbeResult } from './probe.js';
import type { AbuseServer, MemoryReport } from './server-handle.js';

/** Setting up an attack (all its connections) must not take longer than this. */
export const ATTACK_SETUP_TIMEOUT_MS = 30_000;
/** Once the attack stops, the server must be back to no connections within this long. */
export const RELEASE_TIMEOUT_MS = 15_000;

export interface AbuseCase {
  name: string;
  /** Server limits for this case (e.g. a shorter line timeout, so that a test sees slowloris cut). */
  limits?: Partial<ServerLimits>;
  attack(port: number): Attack;
  /** Runs after the probe, with the attack still in place (e.g. wait for the server to cut it). */
  beforeStop?(server: AbuseServer, attack: Attack): Promise<void>;
}

export interface AbuseMeasurement {
  name: string;
  description: string;
  /** After a warm-up and a GC, before the attack. */
  baseline: MemoryReport;
  /** At the end of the probe, the attack still in place; its peakRss covers the whole attack. */
  during: MemoryReport;
  /** Once the attack stopped and the server let go of its connections. */
  after: MemoryReport;
  /** Highest RSS sampled from the baseline to the end, minus the baseline's RSS. */
  peakGrowthBytes: number;
  probe: ProbeResult;
  /** Whether the attack was still biting when the probe ended (for attacks that last until stopped). */
  inEffectAtEnd: boolean;
  attack: AttackReport;
  /** From stopping the attack to the server having no connection left (ms). */
  releaseMs: number;
}

export type ProbeTuning = Pick<ProbeOptions, 'minRounds' | 'maxRounds' | 'gapMs' | 'newConnectionEvery' | 'requestTimeoutMs'>;

export async function measureAbuse(server: AbuseServer, library: AbuseLibrary, abuse: AbuseCase, tuning: ProbeTuning): Promise<AbuseMeasurement> {
  const sha256 = library.sha256.get(TINY_SONG.id) ?? '';
  const probeOptions = { port: server.port, song: TINY_SONG.id, sha256, ...tuning };
  // Warm up the server's code paths, so that the baseline is not a cold process.
  await runProbe({ ...probeOptions, minRounds: 5, maxRounds: 5 }, () => false);
  const baseline = await server.resetPeak();

  const attack = abuse.attack(server.port);
  try {
    await withTimeout(attack.ready, ATTACK_SETUP_TIMEOUT_MS, `${abuse.name}: setting up the attack`);
    const probe = await probeInThread(probeOptions, () => attack.inEffect());
    const inEffectAtEnd = attack.inEffect();
    await abuse.beforeStop?.(server, attack);
    const during = await server.memory();
    const report = await attack.stop();
    const stoppedAt = performance.now();
    const after = await waitForNoConnections(server);
    return {
      name: abuse.name,
      description: attack.description,
      baseline,
      during,
      after,
      peakGrowthBytes: Math.max(during.peakRss, after.peakRss) - baseline.rss,
      probe,
      inEffectAtEnd,
      attack: report,
      releaseMs: performance.now() - stoppedAt,
    };
  } finally {
    await attack.stop();
  }
}

/** Asks the server until it holds no connection; fails after RELEASE_TIMEOUT_MS. */
export async function waitForNoConnections(server: AbuseServer, timeoutMs = RELEASE_TIMEOUT_MS): Promise<MemoryReport> {
  return waitForServer(server, (m) => m.stats.connections === 0, timeoutMs, 'the server to let go of every connection');
}

/** Polls the server's own report until `done` holds (a server in another process cannot be subscribed to). */
export async function waitForServer(server: AbuseServer, done: (m: MemoryReport) => boolean, timeoutMs: number, what: string): Promise<MemoryReport> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const memory = await server.memory();
    if (done(memory)) return memory;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (connections: ${memory.stats.connections})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
