// The bound of every number option of both CLIs, checked before any work (program.ts runs the
// check for every command). An option name means one thing across both CLIs, so one table serves.
// The run command's scenario overrides (--clients, --workers, …) are not here: the scenario
// loader bounds them with the scenario's own keys.
import { JukeboxError } from '../errors.js';
import { MAX_ROUNDS } from '../harness/rounds.js';
import { MAX_LOCAL_SHARDS } from '../shards/auto.js';
import { MAX_SHARDS } from '../shards/selection.js';
import { LIVE_MAX_CLIENTS } from '../live/events.js';

export interface NumberBound {
  min: number;
  max: number;
  /** A whole number only. */
  integer: boolean;
  /** What the option holds, as the message says it: "a multiple of real time". */
  what: string;
  hint: string;
}

/** `jukebox serve --stream-speed`: 1/100 of real time (a 4-minute song in under 7 hours) to 1000× (a song's 128 kbps at 16 MB/s). */
export const STREAM_SPEED_BOUND: NumberBound = {
  min: 0.01,
  max: 1000,
  integer: false,
  what: 'a multiple of real time',
  hint: '1 streams in real time, 10 ten times faster',
};
/** `jukebox serve --max-connections`: beyond 100,000 open sockets one process runs out of descriptors on any usual system. */
export const MAX_CONNECTIONS_BOUND: NumberBound = {
  min: 1,
  max: 100_000,
  integer: true,
  what: 'a whole number of connections',
  hint: 'the default is 1024 per server',
};
/** `jukebox client --playback-speed`: the same range as the server's --stream-speed, which it is meant to match. */
export const PLAYBACK_SPEED_BOUND: NumberBound = { ...STREAM_SPEED_BOUND, hint: "set it to the server's --stream-speed (1 = real time)" };
/** `simulate compare --threshold/--fail-on-regression`: a percentage; a latency ten times worse is 900 %. */
export const REGRESSION_PCT_BOUND: NumberBound = {
  min: 0,
  max: 10_000,
  integer: false,
  what: 'a percentage',
  hint: 'e.g. 10 flags a metric more than 10% worse',
};
/** `simulate --repeat`: each run is a whole load test; a hundred of them already take hours. */
export const REPEAT_BOUND: NumberBound = { min: 1, max: 100, integer: true, what: 'a whole number of runs', hint: '5 runs give a usable 95% interval' };
/** `simulate compare --run --rounds`: each round is two whole load tests (MAX_ROUNDS in harness/rounds.ts says why 50). */
export const ROUNDS_BOUND: NumberBound = {
  min: 1,
  max: MAX_ROUNDS,
  integer: true,
  what: 'a whole number of rounds',
  hint: 'each round runs both scenarios once; 4 rounds give 4 runs per side, the fewest the rank test can judge',
};
/** `jukebox catalog build --servers`: ids s1…sN on consecutive ports from 5000; more than 64 servers is no longer one machine's catalog. */
export const CATALOG_SERVERS_BOUND: NumberBound = {
  min: 1,
  max: 64,
  integer: true,
  what: 'a whole number of servers',
  hint: '2 makes s1 and s2 on ports 5000 and 5001',
};

/**
 * `simulate --shard I/N`: N up to MAX_SHARDS (shards/selection.ts says why). Checked by the shard
 * parser, since the option is text (I/N, index/N), not a number.
 */
export const SHARD_COUNT_BOUND: NumberBound = {
  min: 1,
  max: MAX_SHARDS,
  integer: true,
  what: 'a whole number of shards',
  hint: 'give the shard as I/N with 1 ≤ I ≤ N, e.g. 2/4',
};
/** `simulate --shards N`: processes on this machine, up to MAX_LOCAL_SHARDS (shards/auto.ts says why); the option also takes `auto`. */
export const LOCAL_SHARDS_BOUND: NumberBound = {
  min: 1,
  max: MAX_LOCAL_SHARDS,
  integer: true,
  what: 'a whole number of shard processes',
  hint: 'auto picks the count from the peak connections and ulimit -n',
};
/** `--live-clients`: clients with their own lane and trace lines; LIVE_MAX_CLIENTS says why the top. */
export const LIVE_CLIENTS_BOUND: NumberBound = {
  min: 1,
  max: LIVE_MAX_CLIENTS,
  integer: true,
  what: 'a whole number of clients',
  hint: 'the default 20 gives each client a readable lane',
};

/** Every bounded option, by its name on the command line. */
export const NUMBER_BOUNDS: Readonly<Record<string, NumberBound>> = {
  'stream-speed': STREAM_SPEED_BOUND,
  'max-connections': MAX_CONNECTIONS_BOUND,
  'playback-speed': PLAYBACK_SPEED_BOUND,
  threshold: REGRESSION_PCT_BOUND,
  'fail-on-regression': REGRESSION_PCT_BOUND,
  repeat: REPEAT_BOUND,
  rounds: ROUNDS_BOUND,
  servers: CATALOG_SERVERS_BOUND,
  'live-clients': LIVE_CLIENTS_BOUND,
};

/** "from 0.01 to 1000" as the help texts and messages write it. */
export function describeBound(bound: NumberBound): string {
  const n = (x: number) => x.toLocaleString('en-US', { maximumFractionDigits: 6 });
  return `from ${n(bound.min)} to ${n(bound.max)}`;
}

/**
 * Checks every bounded option present in parsed arguments; all problems together, as one
 * E_BAD_ARGUMENT. `raw` is the command line as typed, to quote a value yargs turned into NaN.
 */
export function checkNumberBounds(parsed: Readonly<Record<string, unknown>>, raw: readonly string[]): void {
  const problems: string[] = [];
  const hints: string[] = [];
  for (const [option, bound] of Object.entries(NUMBER_BOUNDS)) {
    if (!Object.hasOwn(parsed, option)) continue;
    // Present but undefined: typed without a value (`--stream-speed` last on the line).
    const value = parsed[option];
    const problem = Array.isArray(value)
      ? `--${option}: expected one value, got ${value.length}: ${value.map(String).join(', ')}`
      : boundProblem(option, value, bound, raw);
    if (problem === undefined) continue;
    problems.push(problem);
    hints.push(Array.isArray(value) ? `give --${option} once` : bound.hint);
  }
  if (problems.length > 0) throw new JukeboxError('E_BAD_ARGUMENT', problems.join('\n  '), { hint: hints.join('; ') });
}

function boundProblem(option: string, value: unknown, bound: NumberBound, raw: readonly string[]): string | undefined {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= bound.min && value <= bound.max && (!bound.integer || Number.isInteger(value));
  if (ok) return undefined;
  if (value === undefined) return `--${option}: expected ${bound.what} ${describeBound(bound)}, got none`;
  const typed = typeof value === 'number' && Number.isNaN(value) ? (rawValue(raw, option) ?? 'no number') : String(value);
  return `--${option}: expected ${bound.what} ${describeBound(bound)}, got ${/^[\w.+-]+$/.test(typed) ? typed : JSON.stringify(typed)}`;
}

/** The text typed after `--option` (or `--option=`), for the message; the last one wins, as in yargs. */
function rawValue(raw: readonly string[], option: string): string | undefined {
  const camel = option.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  let found: string | undefined;
  raw.forEach((token, i) => {
    for (const name of [option, camel]) {
      if (token === `--${name}`) found = raw[i + 1];
      else if (token.startsWith(`--${name}=`)) found = token.slice(name.length + 3);
    }
  });
  return found;
}
