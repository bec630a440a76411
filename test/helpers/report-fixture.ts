// Realistic reports for tests of the report tools (HTML, compare, merge, list), built the real
// way: MetricsRecorder calls → MetricsAggregator → buildReport. No sockets, no files.
import type { RunResult } from '../../src/harness/run-result.js';
import { MetricsAggregator } from '../../src/metrics/aggregate.js';
import type { Phase } from '../../src/metrics/histogram.js';
import { MetricsRecorder, type RequestOutcome } from '../../src/metrics/recorder.js';
import type { ErrorKind } from '../../src/metrics/types.js';
import { buildReport } from '../../src/report/build.js';
import type { Environment, Report } from '../../src/report/model.js';
import type { ResolvedScenario, Threshold } from '../../src/scenario/types.js';
import { createRng, type Rng } from '../../src/util/rng.js';

export const fixtureEnvironment: Environment = {
  node: 'v20.0.0',
  platform: 'linux',
  arch: 'x64',
  cpus: 2,
  cpuModel: 'fixture cpu',
  totalMemoryBytes: 8 * 1024 ** 3,
  jukebox: '0.0.0-test',
};

export const FIXTURE_START_MS = Date.UTC(2025, 0, 15, 12, 0, 0);

export interface FixtureFault {
  atSec: number;
  server: string;
  forSec: number;
}

export interface FixtureOptions {
  name?: string;
  /** The scenario's seed, shown in the report. */
  seed?: string | number;
  /** Seeds the sampling noise; defaults to `seed`. Same options and noise seed, same report. */
  noiseSeed?: string | number;
  seconds?: number;
  requestsPerSecond?: number;
  /** Multiplies every latency: 2 is a real 2× slowdown. */
  latencyScale?: number;
  /** Run-to-run noise: latencies and pace vary by up to ± this fraction per run (default 0.02). */
  runNoise?: number;
  startedAtMs?: number;
  /** A crash of a server: its requests fail (refused) for `forSec`; null for none. */
  fault?: FixtureFault | null;
  thresholds?: Threshold[];
  servers?: string[];
}

/** One simulated song request, with everything the recorder is told about it. */
export interface FixtureEvent {
  client: number;
  startMs: number;
  latencyMs: number;
  phases: Record<Exclude<Phase, 'request'>, number>;
  outcome: RequestOutcome;
  server: string;
  action: 'download' | 'stream';
  bytes: number;
  error?: ErrorKind;
}

const DEFAULT_THRESHOLDS: Threshold[] = [
  { metric: 'latency.request.p99', condition: '< 200ms', op: '<', value: 200 },
  { metric: 'errors.rate', condition: '< 1%', op: '<', value: 0.01 },
];

interface Resolved {
  name: string;
  seed: string | number;
  noiseSeed: string | number;
  seconds: number;
  requestsPerSecond: number;
  latencyScale: number;
  runNoise: number;
  startedAtMs: number;
  fault: FixtureFault | null;
  thresholds: Threshold[];
  servers: string[];
}

function resolve(o: FixtureOptions): Resolved {
  const seed = o.seed ?? 1;
  return {
    name: o.name ?? 'fixture',
    seed,
    noiseSeed: o.noiseSeed ?? seed,
    seconds: o.seconds ?? 20,
    requestsPerSecond: o.requestsPerSecond ?? 40,
    latencyScale: o.latencyScale ?? 1,
    runNoise: o.runNoise ?? 0.02,
    startedAtMs: o.startedAtMs ?? FIXTURE_START_MS,
    fault: o.fault === undefined ? { atSec: 8, server: 's1', forSec: 3 } : o.fault,
    thresholds: o.thresholds ?? DEFAULT_THRESHOLDS,
    servers: o.servers ?? ['s1', 's2'],
  };
}

/**
 * Stratified uniforms in random order: each of n equal slices of [0, 1) gets one value, so that
 * sample percentiles sit close to the distribution's and two runs differ by little noise.
 */
function stratified(rng: Rng, n: number): number[] {
  const u = Array.from({ length: n }, (_, i) => (i + rng.next()) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [u[i], u[j]] = [u[j] as number, u[i] as number];
  }
  return u;
}

/** A shifted exponential: a floor plus a tail, the shape of most network latencies. */
const shiftedExp = (floorMs: number, meanTailMs: number, u: number) => floorMs + -meanTailMs * Math.log(1 - u);

export function fixtureEvents(options: FixtureOptions = {}): FixtureEvent[] {
  const o = resolve(options);
  // The plan (which server, which action, which songs are absent) follows the seed, as in real
  // runs; the noise seed moves only timings.
  const plan = createRng(`fixture-plan:${o.seed}`);
  const rng = createRng(`fixture:${o.noiseSeed}`);
  const jitter = () => 1 + o.runNoise * (2 * rng.next() - 1);
  const latencyFactor = o.latencyScale * jitter();
  const pace = jitter();
  const n = o.seconds * o.requestsPerSecond;
  const u = { connect: stratified(rng, n), check: stratified(rng, n), ttfb: stratified(rng, n), transfer: stratified(rng, n) };
  const events: FixtureEvent[] = [];
  for (let i = 0; i < n; i++) {
    const startMs = ((i + rng.next()) / o.requestsPerSecond) * 1000 * pace;
    const phases = {
      connect: latencyFactor * shiftedExp(0.2, 0.3, u.connect[i] ?? 0),
      check: latencyFactor * shiftedExp(0.5, 1, u.check[i] ?? 0),
      ttfb: latencyFactor * shiftedExp(1, 2, u.ttfb[i] ?? 0),
      transfer: latencyFactor * shiftedExp(8, 10, u.transfer[i] ?? 0),
    };
    const server = plan.next() < 0.6 ? (o.servers[0] ?? 's1') : (o.servers[1] ?? o.servers[0] ?? 's1');
    const action = plan.next() < 0.8 ? 'download' : 'stream';
    const absent = i % 20 === 7;
    const sec = startMs / 1000;
    const down = o.fault !== null && server === o.fault.server && sec >= o.fault.atSec && sec < o.fault.atSec + o.fault.forSec;
    const base = { client: i, startMs, phases, server, action } as const;
    if (absent) events.push({ ...base, latencyMs: phases.connect + phases.check, outcome: 'cancelled', bytes: 0 });
    else if (down) events.push({ ...base, latencyMs: phases.connect + phases.check + 1, outcome: 'failed', bytes: 0, error: 'refused' });
    else
      events.push({
        ...base,
        latencyMs: phases.connect + phases.check + phases.ttfb + phases.transfer,
        outcome: 'verified',
        bytes: action === 'download' ? 200_000 + (i % 7) * 1000 : 120_000,
      });
  }
  return events;
}

interface Step {
  atMs: number;
  order: number;
  apply(r: MetricsRecorder): void;
}

function steps(event: FixtureEvent, servers: string[]): Step[] {
  const start: Step = {
    atMs: event.startMs,
    order: 0,
    apply: (r) => {
      r.clientStarted();
      for (const s of servers) r.protocolRequest(s);
    },
  };
  const end: Step = {
    atMs: event.startMs + event.latencyMs,
    order: 1,
    apply: (r) => {
      r.recordPhase('connect', event.phases.connect);
      r.recordPhase('check', event.phases.check);
      if (event.outcome === 'verified') {
        r.recordPhase('ttfb', event.phases.ttfb);
        r.recordPhase('transfer', event.phases.transfer);
        r.actionStarted(event.action, event.server);
        r.protocolRequest(event.server);
        r.bytesReceived(event.server, event.bytes);
      }
      if (event.error) r.error(event.error);
      r.requestEnded(event.outcome, event.latencyMs);
      r.clientFinished();
    },
  };
  return [start, end];
}

export function fixtureScenario(options: FixtureOptions = {}): ResolvedScenario {
  const o = resolve(options);
  return {
    name: o.name,
    description: 'a fixture for report tests',
    seed: o.seed,
    file: undefined,
    catalogPath: '/fixture/catalog.json',
    servers: o.servers.map((id, i) => ({ id, host: '127.0.0.1', port: 5000 + i, external: false, streamSpeed: 1 })),
    load: { model: 'closed', clients: o.seconds * o.requestsPerSecond, concurrency: 10, workers: 2 },
    client: {
      requests: 1,
      thinkTime: { distribution: 'exponential', meanMs: 100 },
      connection: 'persistent',
      prefer: 'fastest',
      action: { download: 0.8, stream: 0.2 },
      timeoutMs: 5000,
      songs: { popularity: 'zipf', exponent: 1, absent: 0.05, ids: undefined },
    },
    faults: o.fault ? [{ atMs: o.fault.atSec * 1000, server: o.fault.server, action: 'crash', restartAfterMs: o.fault.forSec * 1000 }] : [],
    thresholds: o.thresholds,
  };
}

/** A report from the given events (all of them or a share, for merge tests). */
export function reportFromEvents(events: FixtureEvent[], options: FixtureOptions = {}, durationMs?: number): Report {
  const o = resolve(options);
  let now = 0;
  const recorder = new MetricsRecorder(0, () => now);
  const all = events.flatMap((e) => steps(e, o.servers)).sort((a, b) => a.atMs - b.atMs || a.order - b.order);
  for (const step of all) {
    now = step.atMs;
    step.apply(recorder);
  }
  const metrics = new MetricsAggregator();
  metrics.add(recorder.drain(true));
  const lastEnd = Math.max(0, ...events.map((e) => e.startMs + e.latencyMs));
  const requests = events.length;
  const run: RunResult = {
    scenario: fixtureScenario(options),
    plan: {
      clients: requests,
      requests,
      downloads: events.filter((e) => e.action === 'download' && e.outcome !== 'cancelled').length,
      streams: events.filter((e) => e.action === 'stream' && e.outcome !== 'cancelled').length,
      absent: events.filter((e) => e.outcome === 'cancelled').length,
    },
    startedAtMs: o.startedAtMs,
    durationMs: durationMs ?? Math.ceil(lastEnd),
    metrics,
    resources: { peakRssBytes: 200 * 1024 * 1024, cpuUserMs: 5000, cpuSystemMs: 1000 },
    serverStats: {},
    faults: o.fault ? [{ atMs: o.fault.atSec * 1000, server: o.fault.server, action: 'crash', detail: `restart after ${o.fault.forSec}s` }] : [],
  };
  return buildReport(run, fixtureEnvironment);
}

/** Building a report decodes and encodes many histograms: tests that ask twice get a copy. */
const built = new Map<string, Report>();

/** A realistic report: ~20 s of timeline, two servers, a crash of s1 with its errors. */
export function makeReport(options: FixtureOptions = {}): Report {
  const key = JSON.stringify(options);
  let report = built.get(key);
  if (!report) {
    report = reportFromEvents(fixtureEvents(options), options);
    built.set(key, report);
  }
  return structuredClone(report);
}
