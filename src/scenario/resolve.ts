// From a parsed scenario file to a ResolvedScenario: checks that span keys, fills defaults,
// converts units. Every problem is collected; nothing is thrown half-way.
import { availableParallelism } from 'node:os';
import { dirname, resolve as resolvePath } from 'node:path';
import type { Catalog } from '../catalog/types.js';
import { describeMs, parseDuration } from '../util/duration.js';
import { closestWords } from '../util/suggest.js';
import { BOUNDS, MAX_WORKERS, expected, formatNumber, withinBound } from './bounds.js';
import { CONDITION_UNITS, findMetric, METRIC_KEYS, type MetricDef } from '../report/metrics.js';
import { CONDITION_PATTERN, parseBandwidth, type ScenarioInput } from './schema.js';
import { shownKey, shownText, shownValue } from './shown.js';
import type { ClientBehaviour, Fault, LoadModel, Preference, ResolvedScenario, ScenarioServer, ThinkTime, Threshold } from './types.js';

export const DEFAULTS = {
  seed: 1,
  clients: 10,
  requests: 5,
  timeoutMs: 30_000,
  exponent: 1.0,
  absent: 0,
  streamSpeed: 1,
  rampUpMs: 0,
} as const;

/** A problem found while resolving: the key path and what is wrong there. */
export interface Problem {
  path: string;
  message: string;
  /** The keys whose values make the problem, when more than `path` (a bound on a product). */
  keys?: string[];
}

/** The metrics a threshold may name: the registry's (docs/scenarios.md shows its table). */
export const THRESHOLD_METRICS: readonly string[] = METRIC_KEYS;

const ms = (value: unknown): number => (typeof value === 'string' || typeof value === 'number' ? (parseDuration(value) ?? 0) : 0);

export function resolveScenario(
  input: ScenarioInput,
  file: string | undefined,
  catalog: Catalog,
  catalogPath: string,
): { scenario?: ResolvedScenario; problems: Problem[] } {
  const problems: Problem[] = [];
  const servers = resolveServers(input, catalog, problems);
  const serverIds = servers.map((s) => s.id);
  const scenario: ResolvedScenario = {
    name: input.name,
    description: input.description ?? '',
    seed: input.seed ?? DEFAULTS.seed,
    file,
    catalogPath,
    servers,
    load: resolveLoad(input, problems),
    client: resolveClient(input, serverIds, catalog, problems),
    faults: resolveFaults(input, servers, problems),
    thresholds: resolveThresholds(input, problems),
  };
  checkLoadBounds(input, scenario, problems);
  return problems.length > 0 ? { problems } : { scenario, problems };
}

/** The bounds that span keys: how many clients an open run plans, how many requests a closed run holds at once. */
function checkLoadBounds(input: ScenarioInput, scenario: ResolvedScenario, problems: Problem[]): void {
  const load = scenario.load;
  if (load.model === 'open') {
    const clients = (load.arrivalRate * load.durationMs) / 1000;
    if (input.load?.arrivalRate !== undefined && input.load.duration !== undefined && !withinBound(clients, BOUNDS.openClients)) {
      const message = `expected arrivalRate × duration (the clients planned in all) of at most ${formatNumber(BOUNDS.openClients.max)} (${BOUNDS.openClients.constant}), got ${formatNumber(load.arrivalRate)}/s × ${formatNumber(load.durationMs / 1000)}s = ${formatNumber(Math.ceil(clients))} clients`;
      problems.push({ path: 'load', message, keys: ['load.arrivalRate', 'load.duration'] });
    }
    return;
  }
  const given = input.load?.concurrency !== undefined;
  if (!given && !withinBound(load.concurrency, BOUNDS.concurrency)) {
    problems.push({
      path: 'load.concurrency',
      message: `not given, so it is clients (${formatNumber(load.clients)}), above ${formatNumber(BOUNDS.concurrency.max)} at once (${BOUNDS.concurrency.constant}); give load.concurrency`,
      keys: ['load.clients'],
    });
    return;
  }
  const atOnce = Math.min(load.concurrency, load.clients);
  const requests = scenario.client.requests;
  if (!withinBound(atOnce * requests, BOUNDS.requestsAtOnce)) {
    const message = `expected clients at once × client.requests of at most ${formatNumber(BOUNDS.requestsAtOnce.max)} (${BOUNDS.requestsAtOnce.constant}), got ${formatNumber(atOnce)} × ${formatNumber(requests)} = ${formatNumber(atOnce * requests)}`;
    problems.push({ path: given ? 'load.concurrency' : 'client.requests', message, keys: ['load.clients', 'load.concurrency', 'client.requests'] });
  }
}

/** The catalog named by a scenario, relative to the scenario file. */
export function scenarioCatalogPath(input: ScenarioInput, file: string | undefined, fallback: string): string {
  if (input.catalog === undefined) return fallback;
  return file ? resolvePath(dirname(file), input.catalog) : resolvePath(input.catalog);
}

function resolveServers(input: ScenarioInput, catalog: Catalog, problems: Problem[]): ScenarioServer[] {
  const known = catalog.servers.map((s) => s.id);
  const entries: NonNullable<ScenarioInput['servers']> = input.servers ?? catalog.servers.map((s) => ({ id: s.id, port: 0 }));
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const path = `servers.${i}`;
    if (!known.includes(entry.id)) {
      problems.push({
        path: `${path}.id`,
        message: `expected a server of the catalog (${known.join(', ')})${didYouMean(entry.id, known)}, got ${shownValue(entry.id)}`,
      });
    }
    if (seen.has(entry.id)) problems.push({ path: `${path}.id`, message: `server ${shownText(entry.id)} is listed twice` });
    seen.add(entry.id);
    const external = entry.external ?? false;
    if (external && (entry.port === undefined || entry.port === 0)) {
      problems.push({ path: `${path}.port`, message: `an external server needs its real port, got ${entry.port ?? 'nothing'}` });
    }
    return { id: entry.id, host: entry.host ?? '127.0.0.1', port: entry.port ?? 0, external, streamSpeed: entry.streamSpeed ?? DEFAULTS.streamSpeed };
  });
}

function resolveLoad(input: ScenarioInput, problems: Problem[]): LoadModel {
  const load = input.load ?? {};
  // The default follows the machine, within the same bound as a value written in the file.
  const workers = load.workers ?? Math.min(MAX_WORKERS, Math.max(1, availableParallelism()));
  const open = load.arrivalRate !== undefined || load.duration !== undefined;
  if (open) {
    if (load.clients !== undefined || load.concurrency !== undefined) {
      problems.push({ path: 'load', message: 'expected either the closed model (clients, concurrency) or the open model (arrivalRate, duration), got both' });
    }
    if (load.arrivalRate === undefined)
      problems.push({ path: 'load.arrivalRate', message: 'the open model needs arrivalRate (clients per second), got nothing' });
    if (load.duration === undefined) problems.push({ path: 'load.duration', message: 'the open model needs duration (like 30s), got nothing' });
    const durationMs = ms(load.duration);
    const rampUpMs = load.rampUp === undefined ? DEFAULTS.rampUpMs : ms(load.rampUp);
    if (rampUpMs > durationMs && load.duration !== undefined)
      problems.push({
        path: 'load.rampUp',
        message: `expected a ramp-up no longer than duration (${shownValue(load.duration)}), got ${shownValue(load.rampUp)}`,
        keys: ['load.duration'],
      });
    return { model: 'open', arrivalRate: load.arrivalRate ?? 1, durationMs, rampUpMs, workers };
  }
  if (load.rampUp !== undefined) problems.push({ path: 'load.rampUp', message: 'rampUp belongs to the open model (arrivalRate, duration)' });
  const clients = load.clients ?? DEFAULTS.clients;
  return { model: 'closed', clients, concurrency: load.concurrency ?? clients, workers };
}

/** Unknown song ids that get a "did you mean" (each compares the id with every song of the catalog). */
const SUGGESTED_SONG_IDS = 10;

function resolveClient(input: ScenarioInput, serverIds: string[], catalog: Catalog, problems: Problem[]): ClientBehaviour {
  const client = input.client ?? {};
  const songIds = catalog.songs.map((s) => s.id);
  const known = new Set(songIds);
  let unknown = 0;
  (client.songs?.ids ?? []).forEach((id, i) => {
    if (known.has(id)) return;
    // A suggestion costs a pass over the catalog: only the first few unknown ids get one.
    const suggestion = unknown++ < SUGGESTED_SONG_IDS ? didYouMean(id, songIds) : '';
    problems.push({ path: `client.songs.ids.${i}`, message: `expected a song of the catalog${suggestion}, got ${shownValue(id)}` });
  });
  return {
    requests: client.requests ?? DEFAULTS.requests,
    thinkTime: resolveThinkTime(client.thinkTime, problems),
    connection: client.connection ?? 'persistent',
    prefer: resolvePreference(client.prefer, serverIds, problems),
    action: resolveAction(client.action, problems),
    timeoutMs: client.timeout === undefined ? DEFAULTS.timeoutMs : ms(client.timeout),
    songs: {
      popularity: client.songs?.popularity ?? 'zipf',
      exponent: client.songs?.exponent ?? DEFAULTS.exponent,
      absent: client.songs?.absent ?? DEFAULTS.absent,
      ids: client.songs?.ids,
    },
  };
}

function resolveThinkTime(think: NonNullable<ScenarioInput['client']>['thinkTime'], problems: Problem[]): ThinkTime {
  if (think === undefined) return { distribution: 'constant', meanMs: 0 };
  const path = 'client.thinkTime';
  switch (think.distribution) {
    case 'constant':
    case 'exponential':
      if (think.mean === undefined) problems.push({ path: `${path}.mean`, message: `${think.distribution} think time needs mean (like 100ms), got nothing` });
      if (think.min !== undefined || think.max !== undefined)
        problems.push({ path, message: `min and max belong to the uniform distribution, not ${think.distribution}` });
      if (think.distribution === 'exponential' && ms(think.mean) > BOUNDS.exponentialMean.max) {
        problems.push({
          path: `${path}.mean`,
          message: `expected an exponential mean of at most ${describeMs(BOUNDS.exponentialMean.max)} (${BOUNDS.exponentialMean.constant}: the longest draw is 22.2 × the mean and must fit a timer), got ${shownValue(think.mean)}`,
        });
      }
      return { distribution: think.distribution, meanMs: ms(think.mean) };
    case 'uniform': {
      if (think.min === undefined || think.max === undefined) problems.push({ path, message: 'uniform think time needs min and max (like 50ms and 150ms)' });
      if (think.mean !== undefined) problems.push({ path: `${path}.mean`, message: 'uniform think time takes min and max, not mean' });
      const minMs = ms(think.min);
      const maxMs = ms(think.max);
      if (minMs > maxMs)
        problems.push({ path: `${path}.min`, message: `expected min ≤ max, got min ${shownValue(think.min)} and max ${shownValue(think.max)}` });
      return { distribution: 'uniform', minMs, maxMs };
    }
  }
}

function resolvePreference(prefer: string | undefined, serverIds: string[], problems: Problem[]): Preference {
  if (prefer === undefined || prefer === 'fastest' || prefer === 'random' || prefer === 'least-loaded') return prefer ?? 'fastest';
  if (serverIds.includes(prefer)) return { server: prefer };
  const options = ['fastest', 'random', 'least-loaded', ...serverIds];
  problems.push({
    path: 'client.prefer',
    message: `expected fastest, random, least-loaded or a server id (${serverIds.join(', ')})${didYouMean(prefer, options)}, got ${shownValue(prefer)}`,
  });
  return 'fastest';
}

function resolveAction(
  action: { download?: number | undefined; stream?: number | undefined } | undefined,
  problems: Problem[],
): { download: number; stream: number } {
  if (action === undefined) return { download: 1, stream: 0 };
  const download = action.download ?? 1 - (action.stream ?? 0);
  const stream = action.stream ?? 1 - download;
  if (Math.abs(download + stream - 1) > 1e-9) {
    problems.push({ path: 'client.action', message: `expected download and stream shares that add up to 1, got ${download} + ${stream}` });
  }
  return { download, stream };
}

function resolveFaults(input: ScenarioInput, servers: ScenarioServer[], problems: Problem[]): Fault[] {
  const serverIds = servers.map((s) => s.id);
  return (input.faults ?? []).map((f, i) => {
    const path = `faults.${i}`;
    if (servers.find((s) => s.id === f.server)?.external) {
      problems.push({ path: `${path}.server`, message: `${shownText(f.server)} is external; faults can only be injected into servers the harness starts` });
    }
    if (f.for !== undefined && (f.action === 'crash' || f.action === 'reset')) {
      problems.push({
        path: `${path}.for`,
        message: `a ${f.action} has no duration${f.action === 'crash' ? ' (use restartAfter to bring the server back)' : ''}`,
      });
    }
    if (!serverIds.includes(f.server))
      problems.push({
        path: `${path}.server`,
        message: `expected a server of this scenario (${serverIds.join(', ')})${didYouMean(f.server, serverIds)}, got ${shownValue(f.server)}`,
      });
    checkFaultEnd(f.at, 'for', f.for, path, problems);
    checkFaultEnd(f.at, 'restartAfter', f.restartAfter, path, problems);
    if (f.restartAfter !== undefined && f.action !== 'crash')
      problems.push({ path: `${path}.restartAfter`, message: `restartAfter belongs to crash, not ${f.action}` });
    if (f.action === 'delay' && f.latency === undefined)
      problems.push({ path: `${path}.latency`, message: 'a delay fault needs latency (like 20ms), got nothing' });
    if (f.action === 'throttle' && f.bandwidth === undefined)
      problems.push({ path: `${path}.bandwidth`, message: 'a throttle fault needs bandwidth (like 1MB/s), got nothing' });
    const fault: Fault = { atMs: ms(f.at), server: f.server, action: f.action };
    if (f.restartAfter !== undefined) fault.restartAfterMs = ms(f.restartAfter);
    if (f.for !== undefined) fault.forMs = ms(f.for);
    if (f.latency !== undefined) fault.latencyMs = ms(f.latency);
    if (f.bandwidth !== undefined) fault.bytesPerSec = parseBandwidth(f.bandwidth) ?? 0;
    return fault;
  });
}

/** A fault's end (`at + for`, `at + restartAfter`) is a timer armed at the run's start: it must fit one too. */
function checkFaultEnd(at: unknown, key: 'for' | 'restartAfter', value: unknown, path: string, problems: Problem[]): void {
  if (value === undefined) return;
  const end = ms(at) + ms(value);
  if (withinBound(end, BOUNDS.faultEnd)) return;
  problems.push({
    path: `${path}.${key}`,
    message: `expected at + ${key} of at most ${describeMs(BOUNDS.faultEnd.max)} (${BOUNDS.faultEnd.constant}: the end is a timer armed at the run's start), got ${shownValue(at)} + ${shownValue(value)} = ${end}ms`,
    keys: [`${path}.at`],
  });
}

function resolveThresholds(input: ScenarioInput, problems: Problem[]): Threshold[] {
  return Object.entries(input.thresholds ?? {}).map(([metric, given]) => {
    const path = `thresholds.${shownKey(metric)}`;
    const condition = typeof given === 'string' ? given : given.condition;
    const def = findMetric(metric);
    if (!def) problems.push({ path, message: `unknown metric${didYouMean(metric, METRIC_KEYS)}; see docs/scenarios.md for the list` });
    const m = CONDITION_PATTERN.exec(condition);
    const op = (m?.[1] ?? '<') as Threshold['op'];
    const raw = Number(m?.[2] ?? 0);
    if (!withinBound(raw, BOUNDS.threshold)) problems.push({ path, message: `${expected(BOUNDS.threshold)} in the condition, got ${shownValue(condition)}` });
    const suffix = m?.[3] ?? '';
    const value = suffix === 's' ? raw * 1000 : suffix === '%' ? raw / 100 : raw;
    if (def && m) checkConditionUnit(def, suffix, value, condition, path, problems);
    const threshold: Threshold = { metric, condition, op, value };
    if (typeof given !== 'string' && given.ifNoData === 'skip') threshold.ifNoData = 'skip';
    return threshold;
  });
}

const SUFFIX_TEXT: Record<string, string> = { '': 'a bare number', ms: 'a duration', s: 'a duration', '%': 'a percentage' };

/**
 * A condition's unit must fit its metric's: `errors.rate: "< 5ms"` compares a ratio with a
 * duration and would hold or fail for no reason. A ratio over 1 (`errors.rate: "< 5"`) always
 * holds or never does: most likely a percentage without its `%`.
 */
function checkConditionUnit(def: MetricDef, suffix: string, value: number, condition: string, path: string, problems: Problem[]): void {
  const unit = CONDITION_UNITS[def.unit];
  if (!unit.suffixes.includes(suffix)) {
    problems.push({
      path,
      message: `expected ${unit.what} (${def.key} is in ${def.unit}) like ${unit.example}, got ${SUFFIX_TEXT[suffix] ?? shownValue(suffix)} ${shownValue(condition)}`,
    });
  } else if (def.unit === 'ratio' && value > 1) {
    problems.push({
      path,
      message: `expected a ratio from 0 to 1 like "< 0.01", or a percentage like "< 1%", got ${shownValue(condition)}, over 1 (a ratio never is)`,
    });
  }
}

/** Words longer than this get no suggestion: no key is that long, and the distance costs length². */
const MAX_SUGGESTED_WORD = 100;

export function didYouMean(word: string, known: readonly string[]): string {
  if (word.length > MAX_SUGGESTED_WORD) return '';
  const close = closestWords(word, known, 1);
  return close.length > 0 ? `; did you mean ${JSON.stringify(close[0])}?` : '';
}
