// `--shards auto`: how many shard processes a scenario needs here, from its peak connections and
// the open-file limit each process gets (/proc/self/limits; Node has no getrlimit).
import { countSelected } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { PROCESS_RESERVE_DESCRIPTORS, THREAD_DESCRIPTORS, type OpenFileLimit } from '../server/descriptors.js';

/**
 * The most shard processes `--shards` starts on one machine: each is a Node process of its own
 * (40–60 MiB before any client), so 64 of them already take some GiB; beyond, use more machines.
 */
export const MAX_LOCAL_SHARDS = 64;
/**
 * The share of a shard process's open-file limit its clients' sockets may fill: the rest is room
 * for what the count does not see (sockets closing, a report being written, a retry's new socket).
 */
export const SHARD_DESCRIPTOR_USE = 0.75;

export interface AutoShards {
  count: number;
  /** Why, as the CLI says it: "10,000 clients at once × 2 servers = 20,000 sockets; 20,000 files per process (ulimit -n)". */
  reason: string;
}

/**
 * Clients connected at once, at most: the closed model's concurrency; in the open model the
 * arrivals during one client's whole life (its think times and, for each song, its timeout), but
 * never more than the plan's clients. An overestimate costs a process, an underestimate a failed run.
 */
export function peakClients(scenario: ResolvedScenario): number {
  const load = scenario.load;
  if (load.model === 'closed') return Math.min(load.clients, load.concurrency);
  const think = scenario.client.thinkTime;
  const thinkMs = think.distribution === 'uniform' ? think.maxMs : think.meanMs;
  const lifeMs = (scenario.client.requests - 1) * thinkMs + scenario.client.requests * scenario.client.timeoutMs;
  return Math.min(countSelected(scenario), Math.ceil((load.arrivalRate * lifeMs) / 1000));
}

/**
 * Shards so that each process's client sockets (one per server per client connected at once:
 * persistent clients hold one to each server, per-request ones ask both at once) fit
 * SHARD_DESCRIPTOR_USE of its limit after its own reserve. Unlimited or unknown: one.
 */
export function autoShardCount(scenario: ResolvedScenario, limit: OpenFileLimit, workersPerShard: number): AutoShards {
  const clients = peakClients(scenario);
  const sockets = clients * scenario.servers.length;
  const n = (x: number) => x.toLocaleString('en-US');
  const need = `${n(clients)} clients at once × ${scenario.servers.length} server${scenario.servers.length === 1 ? '' : 's'} = ${n(sockets)} sockets`;
  if (limit.kind !== 'limited') return { count: 1, reason: `${need}; the open-file limit is ${limit.kind === 'unlimited' ? 'unlimited' : 'unknown'}` };
  const room = Math.floor(limit.files * SHARD_DESCRIPTOR_USE) - PROCESS_RESERVE_DESCRIPTORS - workersPerShard * THREAD_DESCRIPTORS;
  const count = Math.min(MAX_LOCAL_SHARDS, Math.max(1, Math.ceil(sockets / Math.max(1, room))));
  return { count, reason: `${need}; a process may open ${n(limit.files)} files (ulimit -n), ${Math.round(SHARD_DESCRIPTOR_USE * 100)} % of it for sockets` };
}
