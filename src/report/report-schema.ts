// The zod schema `jukebox-report/1` is read back with (simulate reports, compare, merge). Loose on
// purpose: every field a reader uses is checked, extra fields are kept (a newer jukebox may add
// some), and fields added after the first reports (timeline p50/p90, the jukebox totals) default
// to 0 so that old reports keep loading.
import { z } from 'zod';
import { liveEventSchema, LIVE_EVENT_TYPES } from '../live/events.js';
import { PHASES } from '../metrics/histogram.js';
import { ERROR_KINDS } from '../metrics/types.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { REPORT_SCHEMA, type Report } from './model.js';

const count = z.number().nonnegative();
/** A counter some older reports do not have: absent reads as 0. */
const laterCount = count.default(0);

/** An object with one `value` schema per key of `keys`; zod cannot infer a shape built from a list, so its type is stated. */
function shapeOf<const K extends readonly string[], S extends z.ZodType>(keys: K, value: S): { [P in K[number]]: S } {
  return Object.fromEntries(keys.map((k) => [k, value])) as { [P in K[number]]: S };
}

const latencySummary = z.looseObject({
  count,
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
});

const threshold = z.looseObject({ metric: z.string(), condition: z.string(), op: z.enum(['<', '<=', '>', '>=', '==']), value: z.number() });

/**
 * The resolved scenario: only what readers use is checked (name, load, thresholds, servers);
 * the rest is shown as it is (the HTML lists every key).
 */
const scenario = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  seed: z.union([z.string(), z.number()]),
  load: z.discriminatedUnion('model', [
    z.looseObject({ model: z.literal('closed'), clients: count, concurrency: count }),
    z.looseObject({ model: z.literal('open'), arrivalRate: count, durationMs: count }),
  ]),
  servers: z.array(z.looseObject({ id: z.string() })),
  thresholds: z.array(threshold),
});

const serverStats = z.looseObject({
  server: z.string(),
  uptimeMs: count,
  connections: count,
  connectionsTotal: count,
  requests: count,
  bytesSent: count,
  activeTransfers: count,
  errors: count,
  rejectedConnections: laterCount,
});

/**
 * The sequence view's events. An event of a type a newer jukebox added is left out rather than
 * failing the whole report (the view ignores what it does not know anyway).
 */
const sequence = z.preprocess(
  (v) =>
    Array.isArray(v)
      ? v.filter((e) => typeof e === 'object' && e !== null && (LIVE_EVENT_TYPES as readonly unknown[]).includes((e as { type?: unknown }).type))
      : v,
  z.array(liveEventSchema),
);

export const reportSchema = z.looseObject({
  schema: z.literal(REPORT_SCHEMA),
  name: z.string(),
  seed: z.union([z.string(), z.number()]),
  startedAt: z.string(),
  durationMs: count,
  scenario,
  environment: z.looseObject({
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
    cpus: count,
    cpuModel: z.string(),
    totalMemoryBytes: count,
    jukebox: z.string(),
    gitCommit: z.string().optional(),
    // Kept since issue #12: older reports have none.
    conditions: z
      .looseObject({
        loadAvgStart: z.array(z.number()),
        loadAvgEnd: z.array(z.number()),
        stealPct: z.number().nullable(),
        calibrationMBps: z.number(),
      })
      .optional(),
  }),
  // The fingerprint and the shard came with shards (issue 16): older reports have neither.
  plan: z.looseObject({ clients: count, requests: count, downloads: count, streams: count, absent: count, fingerprint: z.string().optional() }),
  shard: z
    .looseObject({ index: z.number().int().positive(), count: z.number().int().positive() })
    .refine((s) => s.index <= s.count, { message: 'shard.index must be at most shard.count' })
    .optional(),
  totals: z.looseObject({
    clients: count,
    requests: count,
    downloads: count,
    streams: count,
    cancelled: count,
    failed: count,
    verified: count,
    bytes: count,
    failovers: laterCount,
    resumes: laterCount,
    resumedBytes: laterCount,
    integrityFailures: laterCount,
  }),
  throughput: z.looseObject({ requestsPerSec: count, bytesPerSec: count, sessionsPerSec: count }),
  latency: z.looseObject(shapeOf(PHASES, latencySummary)),
  servers: z.record(z.string(), z.looseObject({ requests: count, bytes: count, chosen: count, stats: serverStats.optional() })),
  errors: z.looseObject(shapeOf(ERROR_KINDS, laterCount)),
  schedule: z.looseObject({
    model: z.enum(['closed', 'open']),
    lagMs: z.looseObject({ p50: z.number(), p99: z.number(), max: z.number() }),
    behind: z.boolean(),
  }),
  // A second in which no request ended has null percentiles (a gap, not 0); older reports lack p50/p90.
  timeline: z.array(
    z.looseObject({
      t: z.number(),
      requestsPerSec: count,
      bytesPerSec: count,
      p50: count.nullable().default(0),
      p90: count.nullable().default(0),
      p99: count.nullable(),
      errors: count,
      active: count,
    }),
  ),
  faults: z.array(z.looseObject({ t: z.number(), server: z.string(), action: z.string(), detail: z.string() })),
  histograms: z.looseObject(shapeOf(PHASES, z.string())),
  thresholds: z.array(z.looseObject({ metric: z.string(), condition: z.string(), actual: z.number().nullable(), passed: z.boolean() })),
  passed: z.boolean(),
  resources: z.looseObject({ peakRssBytes: count, cpuUserMs: count, cpuSystemMs: count }).optional(),
  interrupted: z.boolean().optional(),
  interruption: z
    .looseObject({
      atMs: z.number(),
      graceMs: count,
      clientsPlanned: count,
      clientsStarted: count,
      clientsDone: count,
      clientsCut: count,
      requestsPlanned: count,
      requestsDone: count,
    })
    .optional(),
  sequence: sequence.optional(),
});

export type CheckedReport = z.output<typeof reportSchema>;

/**
 * A checked report as the Report type. Every field but the scenario's unchecked keys has been
 * validated and has the type Report gives it (the compiler checks that here); the scenario is
 * checked for the keys readers use and is otherwise shown as written.
 */
export function asReport(checked: CheckedReport): Report {
  const { scenario: checkedScenario, ...rest } = checked;
  const report: Omit<Report, 'scenario'> = rest;
  // The one unchecked step: a scenario's other keys (client, faults, …) are read only to be shown.
  return { ...report, scenario: checkedScenario as unknown as ResolvedScenario };
}
