// The scenario file's schema (docs/scenarios.md): what each key may hold, with messages that say
// what was expected. Unknown keys are errors. Every number is checked against its bound in
// bounds.ts here; the bounds that span keys are checked in resolve.ts.
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';
import { BOUNDS, describeRange, expected, withinBound, type Bound } from './bounds.js';
import { shownValue } from './shown.js';

/** A number within `bound`, one message for every way to miss it. */
function bounded(bound: Bound) {
  const error = expected(bound);
  return z.number({ error }).refine((n) => withinBound(n, bound), { error });
}

const port = bounded(BOUNDS.port);
const SHARE = `expected a share between ${BOUNDS.share.min} and ${BOUNDS.share.max}`;
const share = z.number({ error: SHARE }).refine((n) => withinBound(n, BOUNDS.share), { error: SHARE });
const nonEmpty = z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' });

const DURATION_FORMAT = 'expected a duration like 250ms, 5s or 2m';

/** A value checked against a bound: the value (a duration in ms), or what was expected and, when it says more than the value, what was got. */
export type Checked = { value: number } | { message: string; got?: string };

/** A duration within `bound`: the format first, then the range, with the value shown as written and in ms. */
export function checkDuration(value: unknown, bound: Bound): Checked {
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined) return { message: DURATION_FORMAT };
  if (withinBound(ms, bound)) return { value: ms };
  return {
    message: `expected a duration ${describeRange(bound)} (${bound.constant})`,
    got: typeof value === 'string' ? `${shownValue(value)} (${ms}ms)` : `${shownValue(value)}ms`,
  };
}

/** A number within `bound`; anything else (text, NaN, Infinity) is refused with the same message. */
export function checkNumber(value: unknown, bound: Bound): Checked {
  return typeof value === 'number' && withinBound(value, bound) ? { value } : { message: expected(bound) };
}

/** A duration key of the schema: one issue per value, `params.got` saying what was found. */
export function boundedDuration(bound: Bound) {
  return z.unknown().superRefine((value, ctx) => {
    const checked = checkDuration(value, bound);
    if ('message' in checked) ctx.addIssue({ code: 'custom', message: checked.message, params: { got: checked.got } });
  });
}

const BANDWIDTH = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\/s$/i;
const BANDWIDTH_UNITS: Readonly<Record<string, number>> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 };

/** "1MB/s" to bytes per second; undefined when malformed. */
export function parseBandwidth(text: string): number | undefined {
  const m = BANDWIDTH.exec(text);
  return m ? Number(m[1]) * (BANDWIDTH_UNITS[(m[2] ?? 'B').toUpperCase()] ?? 1) : undefined;
}

const bandwidth = z.string({ error: 'expected a bandwidth like 1MB/s or 500KB/s' }).superRefine((text, ctx) => {
  const bytesPerSec = parseBandwidth(text);
  if (bytesPerSec === undefined) return ctx.addIssue({ code: 'custom', message: 'expected a bandwidth like 1MB/s or 500KB/s' });
  if (!withinBound(bytesPerSec, BOUNDS.bandwidth))
    ctx.addIssue({ code: 'custom', message: expected(BOUNDS.bandwidth), params: { got: `${shownValue(text)} (${bytesPerSec} B/s)` } });
});

const seed = z.union([z.number(), z.string()], { error: 'expected a number or a string' }).superRefine((value, ctx) => {
  if (typeof value === 'number' && !withinBound(value, BOUNDS.seedNumber)) ctx.addIssue({ code: 'custom', message: `${expected(BOUNDS.seedNumber)}, or text` });
  if (typeof value === 'string' && !withinBound(value.length, BOUNDS.seedText))
    ctx.addIssue({ code: 'custom', message: expected(BOUNDS.seedText), params: { got: `${value.length} characters` } });
});

const text = (bound: Bound) => z.string({ error: 'expected a string' }).refine((t) => withinBound(t.length, bound), { error: expected(bound) });
const list = <T extends z.ZodType>(item: T, bound: Bound, what: string) =>
  z.array(item, { error: `expected a list of ${what}` }).refine((a) => withinBound(a.length, bound), { error: expected(bound) });

const serverSchema = z.strictObject(
  {
    id: nonEmpty,
    host: text(BOUNDS.host).optional(),
    port: port.optional(),
    external: z.boolean({ error: 'expected true or false' }).optional(),
    streamSpeed: bounded(BOUNDS.streamSpeed).optional(),
  },
  { error: 'expected a server like { id: s1, port: 0 }' },
);

const thinkTimeSchema = z.strictObject(
  {
    distribution: z.enum(['constant', 'uniform', 'exponential'], { error: 'expected constant, uniform or exponential' }),
    mean: boundedDuration(BOUNDS.thinkTime).optional(),
    min: boundedDuration(BOUNDS.thinkTime).optional(),
    max: boundedDuration(BOUNDS.thinkTime).optional(),
  },
  { error: 'expected a think time like { distribution: constant, mean: 100ms }' },
);

const songsSchema = z.strictObject(
  {
    popularity: z.enum(['zipf', 'uniform'], { error: 'expected zipf or uniform' }).optional(),
    exponent: bounded(BOUNDS.exponent).optional(),
    absent: share.optional(),
    ids: list(nonEmpty, BOUNDS.songIds, 'song ids').optional(),
  },
  { error: 'expected a map of popularity, exponent, absent, ids' },
);

const clientSchema = z.strictObject(
  {
    requests: bounded(BOUNDS.requests).optional(),
    thinkTime: thinkTimeSchema.optional(),
    connection: z.enum(['persistent', 'per-request'], { error: 'expected persistent or per-request' }).optional(),
    prefer: nonEmpty.optional(),
    action: z
      .strictObject({ download: share.optional(), stream: share.optional() }, { error: 'expected shares like { download: 0.5, stream: 0.5 }' })
      .optional(),
    timeout: boundedDuration(BOUNDS.timeout).optional(),
    songs: songsSchema.optional(),
  },
  { error: 'expected a map of client keys (requests, thinkTime, connection, prefer, action, timeout, songs)' },
);

const loadSchema = z.strictObject(
  {
    clients: bounded(BOUNDS.clients).optional(),
    concurrency: bounded(BOUNDS.concurrency).optional(),
    arrivalRate: bounded(BOUNDS.arrivalRate).optional(),
    duration: boundedDuration(BOUNDS.duration).optional(),
    rampUp: boundedDuration(BOUNDS.rampUp).optional(),
    workers: bounded(BOUNDS.workers).optional(),
  },
  { error: 'expected a map of load keys (clients, concurrency, workers, or arrivalRate, duration, rampUp, workers)' },
);

const faultSchema = z.strictObject(
  {
    at: boundedDuration(BOUNDS.faultAt),
    server: nonEmpty,
    action: z.enum(['crash', 'delay', 'throttle', 'reset', 'refuse', 'pause'], { error: 'expected crash, delay, throttle, reset, refuse or pause' }),
    restartAfter: boundedDuration(BOUNDS.faultAt).optional(),
    for: boundedDuration(BOUNDS.faultAt).optional(),
    latency: boundedDuration(BOUNDS.faultAt).optional(),
    bandwidth: bandwidth.optional(),
  },
  { error: 'expected a fault like { at: 5s, server: s1, action: crash }' },
);

export const CONDITION_PATTERN = /^\s*(<=|>=|<|>|==)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

const CONDITION = 'expected a condition like "< 50ms", "> 100" or "< 1%"';
const condition = z.string({ error: CONDITION }).regex(CONDITION_PATTERN, { error: CONDITION });
const IF_NO_DATA = 'expected fail or skip';
/** A threshold: its condition, or the condition and what a run with no data for the metric gets (docs/scenarios.md). */
const thresholdSchema = z.union(
  [
    condition,
    z.strictObject(
      {
        condition,
        ifNoData: z
          .string({ error: IF_NO_DATA })
          .refine((v) => v === 'fail' || v === 'skip', { error: IF_NO_DATA })
          .optional(),
      },
      { error: 'expected { condition: "< 50ms", ifNoData: skip }' },
    ),
  ],
  { error: 'expected a condition like "< 50ms" or { condition: "< 50ms", ifNoData: skip }' },
);

export const scenarioSchema = z.strictObject(
  {
    name: z.string({ error: 'expected a name' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected a name of letters, digits, ".", "_" or "-"' }),
    description: z.string({ error: 'expected a string' }).optional(),
    seed: seed.optional(),
    catalog: nonEmpty.optional(),
    servers: list(serverSchema, BOUNDS.servers, 'servers').optional(),
    load: loadSchema.optional(),
    client: clientSchema.optional(),
    faults: list(faultSchema, BOUNDS.faults, 'faults').optional(),
    thresholds: z.record(z.string(), thresholdSchema, { error: 'expected a map of metric: condition' }).optional(),
  },
  { error: 'expected a map of scenario keys (name, load, client, …)' },
);

export type ScenarioInput = z.infer<typeof scenarioSchema>;

/** Every key the schema knows at each level, for "did you mean". */
export const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(scenarioSchema.shape),
  servers: Object.keys(serverSchema.shape),
  load: Object.keys(loadSchema.shape),
  client: Object.keys(clientSchema.shape),
  'client.thinkTime': Object.keys(thinkTimeSchema.shape),
  'client.songs': Object.keys(songsSchema.shape),
  'client.action': ['download', 'stream'],
  faults: Object.keys(faultSchema.shape),
};
