// A shard I/N is the plan's clients ≡ I−1 (mod N): N shards together are the plan, each client with its own script and start.
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../../src/catalog/load.js';
import { countScript, emptyPlanTotals, makePlan, planSpec, selectedScripts, type ClientScript } from '../../../src/scenario/plan.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { autoShardCount } from '../../../src/shards/auto.js';
import { planFingerprint } from '../../../src/shards/fingerprint.js';
import { checkShardable, parseShard, shardSelection } from '../../../src/shards/selection.js';
import { defaultCatalogPath, packageRoot } from '../../../src/util/paths.js';
import { loadScenarioFile } from '../../../src/scenario/load.js';
import { join } from 'node:path';

const catalog = loadCatalog(defaultCatalogPath);

function scenario(
  load: Record<string, unknown>,
  servers: unknown[] = [
    { id: 's1', port: 0 },
    { id: 's2', port: 0 },
  ],
  seed: number = 9,
) {
  return parseScenario({ name: 'shards', seed, catalog: defaultCatalogPath, servers, load, client: { requests: 3, songs: { absent: 0.2 } } }, undefined)
    .scenario;
}

function perSong(scripts: ClientScript[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of scripts)
    for (const r of s.requests) counts.set(`${r.song}/${r.action}/${r.absent}`, (counts.get(`${r.song}/${r.action}/${r.absent}`) ?? 0) + 1);
  return counts;
}

describe('shard selection', () => {
  for (const [model, load] of [
    ['closed', { clients: 100, concurrency: 10 }],
    ['open', { arrivalRate: 40, duration: '3s', rampUp: '1s' }],
  ] as const) {
    it(`${model} model: 3 shards hold every client once, with the same script and start, and add up to the plan`, () => {
      const s = scenario(load);
      const whole = makePlan(s, catalog.catalog);
      const spec = planSpec(s, catalog.catalog.songs);
      const shards = [1, 2, 3].map((index) => [...selectedScripts(s, spec, shardSelection({ index, count: 3 }))]);
      shards.forEach((scripts, i) => expect(scripts.every((c) => c.client % 3 === i)).toBe(true));
      const together = shards.flat().sort((a, b) => a.client - b.client);
      expect(together).toEqual(whole.clients);
      const totals = emptyPlanTotals();
      for (const c of together) countScript(totals, c);
      expect(totals).toEqual(whole.totals);
      expect(perSong(together)).toEqual(perSong(whole.clients));
    });
  }

  it('parses I/N, index/N from JOB_COMPLETION_INDEX, and refuses the rest with the reason', () => {
    expect(parseShard('2/4', '--shard')).toEqual({ index: 2, count: 4 });
    expect(parseShard('index/4', '--shard', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(() => parseShard('index/4', '--shard', {})).toThrow(/JOB_COMPLETION_INDEX, which is not set/);
    expect(() => parseShard('index/4', '--shard', { JOB_COMPLETION_INDEX: 'two' })).toThrow(/must be a whole number from 0, got "two"/);
    expect(() => parseShard('index/4', '--shard', { JOB_COMPLETION_INDEX: '4' })).toThrow(/index I from 1 to 4, got 5/);
    expect(() => parseShard('0/4', '--shard')).toThrow(/index I from 1 to 4, got 0/);
    expect(() => parseShard('5/4', 'JUKEBOX_SHARD')).toThrow(/^JUKEBOX_SHARD: expected a shard index I from 1 to 4, got 5/);
    expect(() => parseShard('1/0', '--shard')).toThrow(/count N from 1 to 10000, got 0/);
    expect(() => parseShard('half', '--shard')).toThrow(/expected a shard I\/N like 2\/4 or index\/4, got "half"/);
  });

  it('refuses to shard a scenario that starts its own servers, saying what to do', () => {
    expect(() => checkShardable(scenario({ clients: 4 }), { index: 1, count: 2 })).toThrow(/starts its own servers \(s1, s2\)/);
    expect(() =>
      checkShardable(
        scenario({ clients: 4 }, [
          { id: 's1', port: 9, external: true },
          { id: 's2', port: 10, external: true },
        ]),
        { index: 1, count: 2 },
      ),
    ).not.toThrow();
  });
});

describe('plan fingerprint', () => {
  it('names the plan: the same wherever the servers run and whatever the threads, another for another seed or catalog', () => {
    const own = scenario({ clients: 10, workers: 2 });
    const external = scenario({ clients: 10, workers: 1 }, [
      { id: 's1', host: '10.0.0.5', port: 5000, external: true },
      { id: 's2', host: '10.0.0.6', port: 5001, external: true },
    ]);
    expect(planFingerprint(own, catalog.version)).toMatch(/^[0-9a-f]{64}$/);
    expect(planFingerprint(external, catalog.version)).toBe(planFingerprint(own, catalog.version));
    expect(planFingerprint(scenario({ clients: 10 }, undefined, 10), catalog.version)).not.toBe(planFingerprint(own, catalog.version));
    expect(planFingerprint(scenario({ clients: 11 }), catalog.version)).not.toBe(planFingerprint(own, catalog.version));
    expect(planFingerprint(own, 'another0cat')).not.toBe(planFingerprint(own, catalog.version));
  });
});

describe('--shards auto', () => {
  it('splits 10,000 clients connected at once so that each process fits its open-file limit', () => {
    const { scenario: s } = loadScenarioFile(join(packageRoot, 'scenarios', '10000-clients.yaml'));
    expect(autoShardCount(s, { kind: 'limited', files: 20_000 }, 1).count).toBe(2);
    expect(autoShardCount(s, { kind: 'limited', files: 1_000_000 }, 1).count).toBe(1);
    expect(autoShardCount(s, { kind: 'limited', files: 4096 }, 1).count).toBe(7);
    expect(autoShardCount(s, { kind: 'unlimited' }, 1)).toMatchObject({ count: 1 });
  });
});
