// The bounds of every number a scenario may hold, in one table: the schema and the resolver check
// against it, the command-line overrides too, and docs/scenarios.md shows it (a test keeps the two
// equal). A value past its bound is refused before anything starts, with the bound in the message.
import { CLOCK_RESOLUTION_MS, MAX_TIMER_MS, describeMs } from '../util/duration.js';

/**
 * Clients in all (closed model), and arrivalRate × duration (open model). The plan is made one
 * client at a time as the run goes, so memory follows the clients running at once, not this; the
 * bound keeps a run's length and its report's counters within reason (10 million clients of a few
 * requests is hours of load on one machine).
 */
export const MAX_CLIENTS = 10_000_000;

/**
 * Clients at once (closed model). Each holds a connection to every server (both ends live in this
 * process: two descriptors per pair) and its script; 10,000 stays below the harness servers'
 * connection limit (50,000) and within one machine's descriptors and memory.
 */
export const MAX_CONCURRENCY = 10_000;

/**
 * Client-pool threads. Each is a V8 isolate of its own (tens of MB once busy) and the pool is
 * CPU-bound, so threads beyond the cores add memory and switching, not load; 64 covers the largest
 * common machines (`workers: 1000` grew past 4 GB). The default is the machine's cores, capped here.
 */
export const MAX_WORKERS = 64;

/** Requests per client: a client's script is held whole while it runs (about 64 bytes a request). */
export const MAX_REQUESTS = 10_000;

/**
 * Closed model: clients at once × requests each, the planned requests held in memory at once
 * (about 64 MB at this bound). The open model's clients at once depend on the servers' speed and
 * are bounded by the servers' connection limit instead.
 */
export const MAX_REQUESTS_AT_ONCE = 1_000_000;

/**
 * New clients per second (open model). Every arrival opens connections and arms a timer; past
 * about 20,000 a second one machine's harness falls behind its own schedule, and the report
 * would measure the harness rather than the servers.
 */
export const MAX_ARRIVAL_RATE = 20_000;

/** Servers of a scenario: each one the harness starts is a listener and a thread of this process. */
export const MAX_SERVERS = 32;

/** Faults of a scenario: each is a timer (two with `for`/`restartAfter`) and a line of the report. */
export const MAX_FAULTS = 1_000;

/** `client.songs.ids`: a hand-picked list, checked against the catalog and copied to every thread. */
export const MAX_SONG_IDS = 2_000;

/**
 * STREAM pacing multiplier. Below 0.01 a 5-minute song streams for more than 8 hours and each
 * paced write waits over 10 s; above 10,000 even a 320 kbps song is paced faster than loopback
 * carries it, so pacing does nothing.
 */
export const MIN_STREAM_SPEED = 0.01;
export const MAX_STREAM_SPEED = 10_000;

/** The Zipf exponent: at 10 the first song already takes 99.9% of requests; more only underflows. */
export const MAX_ZIPF_EXPONENT = 10;

/**
 * Throttle bandwidth, bytes per second. 0 would switch the throttle off instead of stalling;
 * above 10 GiB/s it is faster than loopback, so it throttles nothing.
 */
export const MIN_BANDWIDTH = 1;
export const MAX_BANDWIDTH = 10 * 1024 ** 3;

/**
 * The mean of an exponential think time. The generator's floats are multiples of 2^-32, so the
 * longest draw is 32·ln 2 ≈ 22.2 times the mean: capped at MAX_TIMER_MS / 23, every draw fits a
 * timer.
 */
export const MAX_EXPONENTIAL_MEAN_MS = Math.floor(MAX_TIMER_MS / 23);

/** A numeric seed: past 2^53 − 1 numbers are not exact, and two seeds written apart become one plan. */
export const MAX_SEED_NUMBER = Number.MAX_SAFE_INTEGER;

/** A text seed: it is copied into every client's own seed. */
export const MAX_SEED_CHARS = 256;

/** A threshold's number: beyond any count or milliseconds a run can produce, and exact as a double. */
export const MAX_THRESHOLD_VALUE = 1e15;

/** `servers[].host`: the longest DNS name. */
export const MAX_HOST_CHARS = 253;

/**
 * A scenario file's size. A scenario is a page of YAML (the shipped ones are under 2 KB; 2,000
 * song ids fit); parsing 128 KiB of the worst YAML (thousands of keys) takes a few seconds on a
 * busy 2-core machine, so the cap keeps any load that short whatever the file holds.
 */
export const MAX_SCENARIO_BYTES = 128 * 1024;

/**
 * Nesting of YAML collections. A scenario nests 4 deep; the YAML composer recurses, and thousands
 * of levels exhaust the stack (and, repeated, can bring the process down), so deeper is refused
 * before composing.
 */
export const MAX_YAML_DEPTH = 32;

/**
 * YAML alias expansions (the `yaml` package's maxAliasCount, its own default): a scenario needs a
 * few, an alias bomb ("billion laughs") needs many more.
 */
export const MAX_YAML_ALIASES = 100;

/** Problems listed in one error: the rest are counted, so a hostile file cannot flood a terminal. */
export const MAX_PROBLEMS_SHOWN = 50;

/** One row of the table: where the bound applies, the range, the constant and why. */
export interface Bound {
  /** The key path as docs/scenarios.md writes it (`[]` for each list element). */
  key: string;
  kind: 'whole' | 'number' | 'duration' | 'list' | 'text' | 'bandwidth' | 'product';
  min: number;
  /** The value must be above `min`, not equal to it (a rate, a speed). */
  minExclusive?: boolean;
  max: number;
  /** The named constant(s) behind the bound, or what fixes it ("TCP ports"). */
  constant: string;
  why: string;
}

const TIMER_WHY = "Node's timers hold no longer: a longer wait would fire after 1 ms";

/** Every bound, by a short name the code uses. */
export const BOUNDS = {
  seedNumber: {
    key: 'seed (number)',
    kind: 'whole',
    min: -MAX_SEED_NUMBER,
    max: MAX_SEED_NUMBER,
    constant: 'MAX_SEED_NUMBER',
    why: 'past 2^53 − 1 numbers are not exact; write a longer seed as text',
  },
  seedText: { key: 'seed (text)', kind: 'text', min: 1, max: MAX_SEED_CHARS, constant: 'MAX_SEED_CHARS', why: 'copied into every client’s seed' },
  servers: { key: 'servers', kind: 'list', min: 1, max: MAX_SERVERS, constant: 'MAX_SERVERS', why: 'each is a listener and a thread of this process' },
  port: { key: 'servers[].port', kind: 'whole', min: 0, max: 65_535, constant: 'TCP ports', why: 'a TCP port; 0 = any free port' },
  host: { key: 'servers[].host', kind: 'text', min: 1, max: MAX_HOST_CHARS, constant: 'MAX_HOST_CHARS', why: 'the longest DNS name' },
  streamSpeed: {
    key: 'servers[].streamSpeed',
    kind: 'number',
    min: MIN_STREAM_SPEED,
    max: MAX_STREAM_SPEED,
    constant: 'MIN_STREAM_SPEED, MAX_STREAM_SPEED',
    why: 'slower waits hours per song; faster than loopback paces nothing',
  },
  clients: {
    key: 'load.clients',
    kind: 'whole',
    min: 1,
    max: MAX_CLIENTS,
    constant: 'MAX_CLIENTS',
    why: 'clients are planned one at a time as the run goes; this bounds a run’s length and counters',
  },
  concurrency: {
    key: 'load.concurrency',
    kind: 'whole',
    min: 1,
    max: MAX_CONCURRENCY,
    constant: 'MAX_CONCURRENCY',
    why: 'each holds a connection per server and its script; below the servers’ connection limit',
  },
  arrivalRate: {
    key: 'load.arrivalRate',
    kind: 'number',
    min: 0,
    minExclusive: true,
    max: MAX_ARRIVAL_RATE,
    constant: 'MAX_ARRIVAL_RATE',
    why: 'past this one machine’s harness lags its own schedule',
  },
  duration: { key: 'load.duration', kind: 'duration', min: CLOCK_RESOLUTION_MS, max: MAX_TIMER_MS, constant: 'MAX_TIMER_MS', why: TIMER_WHY },
  openClients: {
    key: 'load.arrivalRate × load.duration',
    kind: 'product',
    min: 0,
    max: MAX_CLIENTS,
    constant: 'MAX_CLIENTS',
    why: 'the clients an open run plans in all, bounded like the closed model’s',
  },
  rampUp: { key: 'load.rampUp', kind: 'duration', min: 0, max: MAX_TIMER_MS, constant: 'MAX_TIMER_MS', why: `no longer than load.duration; ${TIMER_WHY}` },
  workers: {
    key: 'load.workers',
    kind: 'whole',
    min: 1,
    max: MAX_WORKERS,
    constant: 'MAX_WORKERS',
    why: 'each thread is a V8 isolate; more threads than cores add memory, not load',
  },
  requests: {
    key: 'client.requests',
    kind: 'whole',
    min: 1,
    max: MAX_REQUESTS,
    constant: 'MAX_REQUESTS',
    why: 'a client’s script is held whole while it runs',
  },
  requestsAtOnce: {
    key: 'load.concurrency × client.requests',
    kind: 'product',
    min: 0,
    max: MAX_REQUESTS_AT_ONCE,
    constant: 'MAX_REQUESTS_AT_ONCE',
    why: 'closed model: the planned requests held in memory at once (concurrency defaults to clients)',
  },
  thinkTime: { key: 'client.thinkTime.mean, .min, .max', kind: 'duration', min: 0, max: MAX_TIMER_MS, constant: 'MAX_TIMER_MS', why: TIMER_WHY },
  exponentialMean: {
    key: 'client.thinkTime.mean (exponential)',
    kind: 'duration',
    min: 0,
    max: MAX_EXPONENTIAL_MEAN_MS,
    constant: 'MAX_EXPONENTIAL_MEAN_MS',
    why: 'the longest draw is 22.2 × the mean, and it must fit a timer',
  },
  timeout: {
    key: 'client.timeout',
    kind: 'duration',
    min: CLOCK_RESOLUTION_MS,
    max: MAX_TIMER_MS,
    constant: 'CLOCK_RESOLUTION_MS, MAX_TIMER_MS',
    why: `timers count whole milliseconds, a shorter timeout cannot be honoured; ${TIMER_WHY}`,
  },
  share: { key: 'client.action.download, .stream, client.songs.absent', kind: 'number', min: 0, max: 1, constant: 'a share', why: 'a share of requests' },
  exponent: {
    key: 'client.songs.exponent',
    kind: 'number',
    min: 0,
    minExclusive: true,
    max: MAX_ZIPF_EXPONENT,
    constant: 'MAX_ZIPF_EXPONENT',
    why: 'at 10 the first song takes 99.9% of requests already',
  },
  songIds: { key: 'client.songs.ids', kind: 'list', min: 1, max: MAX_SONG_IDS, constant: 'MAX_SONG_IDS', why: 'a hand-picked list, copied to every thread' },
  faults: { key: 'faults', kind: 'list', min: 0, max: MAX_FAULTS, constant: 'MAX_FAULTS', why: 'each is a timer or two and a line of the report' },
  faultAt: { key: 'faults[].at, .for, .restartAfter, .latency', kind: 'duration', min: 0, max: MAX_TIMER_MS, constant: 'MAX_TIMER_MS', why: TIMER_WHY },
  faultEnd: {
    key: 'faults[].at + .for, .at + .restartAfter',
    kind: 'product',
    min: 0,
    max: MAX_TIMER_MS,
    constant: 'MAX_TIMER_MS',
    why: `the end of a fault is a timer armed at the run’s start; ${TIMER_WHY}`,
  },
  bandwidth: {
    key: 'faults[].bandwidth',
    kind: 'bandwidth',
    min: MIN_BANDWIDTH,
    max: MAX_BANDWIDTH,
    constant: 'MIN_BANDWIDTH, MAX_BANDWIDTH',
    why: '0 would switch the throttle off; faster than loopback throttles nothing',
  },
  threshold: {
    key: 'thresholds.* (the number)',
    kind: 'number',
    min: 0,
    max: MAX_THRESHOLD_VALUE,
    constant: 'MAX_THRESHOLD_VALUE',
    why: 'beyond any count or milliseconds a run produces',
  },
  fileBytes: {
    key: '(file size)',
    kind: 'whole',
    min: 0,
    max: MAX_SCENARIO_BYTES,
    constant: 'MAX_SCENARIO_BYTES',
    why: 'bytes; a scenario is a page of YAML, and 128 KiB of the worst YAML takes seconds to parse',
  },
  yamlDepth: {
    key: '(YAML nesting)',
    kind: 'whole',
    min: 0,
    max: MAX_YAML_DEPTH,
    constant: 'MAX_YAML_DEPTH',
    why: 'levels of collections; the YAML composer recurses, and thousands of levels exhaust the stack',
  },
  yamlAliases: {
    key: '(YAML aliases)',
    kind: 'whole',
    min: 0,
    max: MAX_YAML_ALIASES,
    constant: 'MAX_YAML_ALIASES',
    why: 'alias expansions; an alias bomb needs many more',
  },
} as const satisfies Record<string, Bound>;

export type BoundName = keyof typeof BOUNDS;

/** 10000000 → "10,000,000"; fractions kept. */
export function formatNumber(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 6 });
}

function formatBytesPerSec(n: number): string {
  for (const [unit, size] of [
    ['GB', 1024 ** 3],
    ['MB', 1024 ** 2],
    ['KB', 1024],
  ] as const)
    if (n >= size && n % size === 0) return `${formatNumber(n / size)}${unit}/s`;
  return `${formatNumber(n)}B/s`;
}

/** The range as a message says it: "from 1 to 64", "above 0, up to 20,000", "from 1ms to …". */
export function describeRange(bound: Bound): string {
  const show = bound.kind === 'duration' ? describeMs : bound.kind === 'bandwidth' ? formatBytesPerSec : formatNumber;
  return bound.minExclusive ? `above ${show(bound.min)}, up to ${show(bound.max)}` : `from ${show(bound.min)} to ${show(bound.max)}`;
}

/** What a message says was expected: "a whole number from 1 to 64 (MAX_WORKERS)". */
export function expected(bound: Bound): string {
  const what = {
    whole: 'a whole number',
    number: 'a number',
    duration: 'a duration',
    list: 'a list of',
    text: 'a text of',
    bandwidth: 'a bandwidth',
    product: 'a product',
  }[bound.kind];
  const count = `${formatNumber(bound.min)} to ${formatNumber(bound.max)}`;
  const range = bound.kind === 'list' ? `${what} ${count} items` : bound.kind === 'text' ? `${what} ${count} characters` : `${what} ${describeRange(bound)}`;
  return `expected ${range} (${bound.constant})`;
}

/** Whether `value` is within `bound` (its kind's whole-number rule included). */
export function withinBound(value: number, bound: Bound): boolean {
  if (Number.isNaN(value)) return false;
  if ((bound.kind === 'whole' || bound.kind === 'list' || bound.kind === 'text') && !Number.isInteger(value)) return false;
  return (bound.minExclusive ? value > bound.min : value >= bound.min) && value <= bound.max;
}

/** The table of docs/scenarios.md, made from BOUNDS (a test checks the doc holds it as it is). */
export function renderBoundsTable(): string {
  const show = (b: Bound) => (b.kind === 'product' ? `at most ${b.constant === 'MAX_TIMER_MS' ? describeMs(b.max) : formatNumber(b.max)}` : describeRange(b));
  const unit = (b: Bound) => (b.kind === 'list' ? ' items' : b.kind === 'text' ? ' characters' : '');
  const constant = (b: Bound) =>
    b.constant
      .split(', ')
      .map((c) => (/^[A-Z_]+$/.test(c) ? `\`${c}\`` : c))
      .join(', ');
  const rows = Object.values(BOUNDS).map((b: Bound) => `| \`${b.key}\` | ${show(b)}${unit(b)} | ${constant(b)} | ${b.why} |`);
  return ['| key | bound | constant | why |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
