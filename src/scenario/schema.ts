// The scenario file's schema (docs/scenarios.md): what each key may hold, with messages that say
// what was expected. Unknown keys are errors.
import { z } from 'zod';
import { parseDuration } from '../util/duration.js';

const positiveInt = z.number({ error: 'expected a positive integer' }).int({ error: 'expected a positive integer' }).positive({ error: 'expected a positive integer' });
const positiveNumber = z.number({ error: 'expected a number > 0' }).positive({ error: 'expected a number > 0' });
const share = z.number({ error: 'expected a share between 0 and 1' }).min(0, { error: 'expected a share between 0 and 1' }).max(1, { error: 'expected a share between 0 and 1' });
const port = z.number({ error: 'expected a port number 0–65535' }).int({ error: 'expected a port number 0–65535' }).min(0, { error: 'expected a port number 0–65535' }).max(65535, { error: 'expected a port number 0–65535' });
const nonEmpty = z.string({ error: 'expected a string' }).min(1, { error: 'expected a non-empty string' });

/** "250ms", "5s", "2m" or a number of milliseconds. */
export const duration = z.unknown().refine((v) => (typeof v === 'string' || typeof v === 'number') && parseDuration(v) !== undefined, {
  error: 'expected a duration like 250ms, 5s or 2m',
});
const positiveDuration = duration.refine((v) => (parseDuration(v as string | number) ?? 0) > 0, { error: 'expected a duration > 0, like 250ms or 5s' });

const serverSchema = z.strictObject({
  id: nonEmpty,
  host: nonEmpty.optional(),
  port: port.optional(),
  external: z.boolean({ error: 'expected true or false' }).optional(),
  streamSpeed: positiveNumber.optional(),
});

const thinkTimeSchema = z.strictObject({
  distribution: z.enum(['constant', 'uniform', 'exponential'], { error: 'expected constant, uniform or exponential' }),
  mean: duration.optional(),
  min: duration.optional(),
  max: duration.optional(),
});

const songsSchema = z.strictObject({
  popularity: z.enum(['zipf', 'uniform'], { error: 'expected zipf or uniform' }).optional(),
  exponent: positiveNumber.optional(),
  absent: share.optional(),
  ids: z.array(nonEmpty, { error: 'expected a list of song ids' }).min(1, { error: 'expected at least one song id' }).optional(),
});

const clientSchema = z.strictObject({
  requests: positiveInt.optional(),
  thinkTime: thinkTimeSchema.optional(),
  connection: z.enum(['persistent', 'per-request'], { error: 'expected persistent or per-request' }).optional(),
  prefer: nonEmpty.optional(),
  action: z.strictObject({ download: share.optional(), stream: share.optional() }).optional(),
  timeout: positiveDuration.optional(),
  songs: songsSchema.optional(),
});

const loadSchema = z.strictObject({
  clients: positiveInt.optional(),
  concurrency: positiveInt.optional(),
  arrivalRate: positiveNumber.optional(),
  duration: positiveDuration.optional(),
  rampUp: duration.optional(),
  workers: positiveInt.optional(),
});

const faultSchema = z.strictObject({
  at: duration,
  server: nonEmpty,
  action: z.enum(['crash', 'delay', 'throttle', 'reset', 'refuse', 'pause'], { error: 'expected crash, delay, throttle, reset, refuse or pause' }),
  restartAfter: duration.optional(),
  for: duration.optional(),
  latency: duration.optional(),
  bandwidth: z.string({ error: 'expected a bandwidth like 1MB/s or 500KB/s' }).regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB)\/s$/i, { error: 'expected a bandwidth like 1MB/s or 500KB/s' }).optional(),
});

export const CONDITION_PATTERN = /^\s*(<=|>=|<|>|==)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

export const scenarioSchema = z.strictObject({
  name: z.string({ error: 'expected a name' }).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, { error: 'expected a name of letters, digits, ".", "_" or "-"' }),
  description: z.string({ error: 'expected a string' }).optional(),
  seed: z.union([z.number(), z.string()], { error: 'expected a number or a string' }).optional(),
  catalog: nonEmpty.optional(),
  servers: z.array(serverSchema, { error: 'expected a list of servers' }).min(1, { error: 'expected at least one server' }).optional(),
  load: loadSchema.optional(),
  client: clientSchema.optional(),
  faults: z.array(faultSchema, { error: 'expected a list of faults' }).optional(),
  thresholds: z
    .record(z.string(), z.string({ error: 'expected a condition like "< 50ms"' }).regex(CONDITION_PATTERN, { error: 'expected a condition like "< 50ms", "> 100" or "< 1%"' }), {
      error: 'expected a map of metric: condition',
    })
    .optional(),
});

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
