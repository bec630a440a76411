// Which part of a plan a shard runs (../../../shared/design/shards.md): shard I of N takes the
// plan's clients whose index is congruent to I−1 modulo N, so that every shard sees the same
// shape of load (the open model's arrivals, at the same times) at 1/N of its rate.
import { JukeboxError } from '../errors.js';
import { splitConcurrency } from '../harness/client-pool.js';
import type { ClientSelection } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The most shards one run may be split into. A Kubernetes Indexed Job runs up to 100,000
 * completions, but each shard is a process with its own Node (tens of MiB) and a report that the
 * merge holds in memory: ten thousand already spread 10,000 clients one per process.
 */
export const MAX_SHARDS = 10_000;

/** The environment variable a job runner sets instead of `--shard`. */
export const SHARD_ENV = 'JUKEBOX_SHARD';
/** What Kubernetes sets in each pod of an Indexed Job (0-based); `--shard index/N` reads it. */
export const JOB_INDEX_ENV = 'JOB_COMPLETION_INDEX';

/** The clients of shard I/N: I−1, I−1+N, I−1+2N, … */
export function shardSelection(shard: Shard): ClientSelection {
  return { first: shard.index - 1, stride: shard.count };
}

/**
 * Parses `I/N`, or `index/N` with I = JOB_COMPLETION_INDEX + 1. `source` names where the text came
 * from (`--shard`, JUKEBOX_SHARD) in the message.
 */
export function parseShard(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Shard {
  const match = /^\s*(\d+|index)\s*\/\s*(\d+)\s*$/.exec(text);
  const hint = `give the shard as I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS}, e.g. 2/4; on Kubernetes, index/N takes I from ${JOB_INDEX_ENV}`;
  if (!match) throw new JukeboxError('E_BAD_ARGUMENT', `${source}: expected a shard I/N like 2/4 or index/4, got ${JSON.stringify(text)}`, { hint });
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS)
    throw new JukeboxError('E_BAD_ARGUMENT', `${source}: expected a shard count N from 1 to ${MAX_SHARDS}, got ${match[2]}`, { hint });
  const index = match[1] === 'index' ? indexFromJob(source, env) : Number(match[1]);
  if (!Number.isSafeInteger(index) || index < 1 || index > count)
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `${source}: expected a shard index I from 1 to ${count}, got ${index}${match[1] === 'index' ? ` (${JOB_INDEX_ENV} + 1)` : ''}`,
      {
        hint,
      },
    );
  return { index, count };
}

/** I from Kubernetes' 0-based completion index; refused when the variable is missing or not a whole number. */
function indexFromJob(source: string, env: NodeJS.ProcessEnv): number {
  const raw = env[JOB_INDEX_ENV];
  if (raw === undefined || raw.trim() === '')
    throw new JukeboxError('E_BAD_ARGUMENT', `${source}: index/N takes the shard from ${JOB_INDEX_ENV}, which is not set`, {
      hint: `run it in an Indexed Job (completionMode: Indexed), or give the shard as I/N, e.g. --shard 1/4`,
    });
  if (!/^\d+$/.test(raw.trim()))
    throw new JukeboxError('E_BAD_ARGUMENT', `${source}: ${JOB_INDEX_ENV} must be a whole number from 0, got ${JSON.stringify(raw)}`, {
      hint: `Kubernetes sets it in each pod of an Indexed Job; give the shard as I/N otherwise`,
    });
  return Number(raw.trim()) + 1;
}

/**
 * A sharded run shares its servers with the other shards, so it may only target servers it does
 * not start: a scenario that starts its own is refused, naming them and what to do instead.
 */
export function checkShardable(scenario: ResolvedScenario, shard: Shard): void {
  const own = scenario.servers.filter((s) => !s.external).map((s) => s.id);
  if (own.length === 0) return;
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    `shard ${shard.index}/${shard.count}: scenario "${scenario.name}" starts its own server${own.length === 1 ? '' : 's'} (${own.join(', ')}), which the other shards could not reach; a shard runs only against servers marked external: true`,
    {
      hint: 'run every shard here with one command, simulate <scenario> --shards N (it starts the servers once), or point the scenario at running servers ({ id, host, port, external: true })',
    },
  );
}

/** A closed-model shard's share of the scenario's concurrency (at least 1, so that it can run its clients). */
export function shardConcurrency(concurrency: number, shard: Shard): number {
  return Math.max(1, splitConcurrency(concurrency, shard.count)[shard.index - 1] ?? 0);
}
