// The plan's fingerprint: what makes two reports parts of one plan (and a merge of them sound).
import { createHash } from 'node:crypto';
import canonicalizeModule from 'canonicalize';
import type { ResolvedScenario } from '../scenario/types.js';

// canonicalize is CommonJS whose .d.ts declares an ES default export (see catalog/version.ts).
const canonicalize = canonicalizeModule as unknown as (input: unknown) => string | undefined;

/**
 * sha256 (hex) of the RFC 8785 canonical JSON of what decides the plan and how its report is
 * judged: the resolved scenario and its seed, and the catalog's identity (its version). Left out
 * is what differs between the machines or processes running one plan without changing it: the
 * scenario's file path and catalog path, where the servers are (host, port, started here or
 * external: `--shards N` points its shards at the servers it started) and the pool's threads.
 */
export function planFingerprint(scenario: ResolvedScenario, catalogVersion: string): string {
  const { file: _file, catalogPath: _catalogPath, description: _description, load, servers, ...rest } = scenario;
  const { workers: _workers, ...plannedLoad } = load;
  const identity = {
    ...rest,
    load: plannedLoad,
    servers: servers.map((s) => ({ id: s.id, streamSpeed: s.streamSpeed })),
    catalog: catalogVersion,
  };
  const canonical = canonicalize(identity);
  if (canonical === undefined) throw new TypeError('scenario cannot be canonicalized');
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}
