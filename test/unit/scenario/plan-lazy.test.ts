// The lazy plan draws exactly the plan that makePlan used to build whole: same scripts, same
// starts, same totals, whichever way its clients are split among threads.
import { describe, expect, it } from 'vitest';
import type { Catalog } from '../../../src/catalog/types.js';
import { parseScenario } from '../../../src/scenario/load.js';
import {
  ALL_CLIENTS,
  clientScript,
  countScript,
  countSelected,
  emptyPlanTotals,
  makePlan,
  planSpec,
  selectedScripts,
  thinkTime,
  withinSelection,
  type ClientScript,
  type Plan,
  type PlannedRequest,
  type PlanTotals,
} from '../../../src/scenario/plan.js';
import type { ResolvedScenario } from '../../../src/scenario/types.js';
import { createRng, exponential, randomInt, zipfSampler, type Rng } from '../../../src/util/rng.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';

const catalogPath = sampleCatalogFile();

/** makePlan as it was before the plan became lazy (commit 21d2ca9): the reference. */
function materialisedPlan(scenario: ResolvedScenario, catalog: Catalog): Plan {
  const serverIds = new Set(scenario.servers.map((s) => s.id));
  const only = scenario.client.songs.ids;
  const asked = only ? catalog.songs.filter((song) => only.includes(song.id)) : catalog.songs;
  const held = asked.filter((song) => song.servers.some((id) => serverIds.has(id))).map((s) => s.id);
  const notHeld = catalog.songs.filter((song) => !song.servers.some((id) => serverIds.has(id))).map((s) => s.id);
  const absentPool = notHeld.length > 0 ? notHeld : ['no-such-song-1', 'no-such-song-2', 'no-such-song-3'];
  const pickHeld: (rng: Rng) => number =
    held.length === 0
      ? () => 0
      : scenario.client.songs.popularity === 'zipf'
        ? zipfSampler(held.length, scenario.client.songs.exponent)
        : (rng) => randomInt(rng, held.length);
  const clients = oldStartTimes(scenario).map((startMs, client): ClientScript => {
    const seed = `${scenario.seed}/client/${client}`;
    const rng = createRng(seed);
    const requests = Array.from({ length: scenario.client.requests }, (_, i): PlannedRequest => {
      const absent = held.length === 0 || rng.next() < scenario.client.songs.absent;
      const song = absent ? (absentPool[randomInt(rng, absentPool.length)] ?? 'no-such-song') : (held[pickHeld(rng)] ?? 'no-such-song');
      const action = rng.next() < scenario.client.action.stream ? 'stream' : 'download';
      const last = i === scenario.client.requests - 1;
      return { song, absent, action, thinkMs: last ? 0 : thinkTime(rng, scenario.client.thinkTime) };
    });
    return { client, startMs, seed, requests };
  });
  const totals: PlanTotals = { clients: clients.length, requests: 0, downloads: 0, streams: 0, absent: 0 };
  for (const c of clients) {
    for (const r of c.requests) {
      totals.requests++;
      if (r.absent) totals.absent++;
      else if (r.action === 'stream') totals.streams++;
      else totals.downloads++;
    }
  }
  return { seed: scenario.seed, clients, totals };
}

function oldStartTimes(scenario: ResolvedScenario): number[] {
  const load = scenario.load;
  if (load.model === 'closed') return new Array<number>(load.clients).fill(0);
  const rng = createRng(`${scenario.seed}/arrivals`);
  const ratePerMs = load.arrivalRate / 1000;
  const ramp = load.rampUpMs;
  const rampArea = (ratePerMs * ramp) / 2;
  const inverse = (area: number): number => (area < rampArea ? Math.sqrt((2 * area * ramp) / ratePerMs) : ramp + (area - rampArea) / ratePerMs);
  const starts: number[] = [];
  let area = exponential(rng, 1);
  for (let t = inverse(area); t < load.durationMs; t = inverse(area)) {
    starts.push(t);
    area += exponential(rng, 1);
  }
  return starts;
}

function scenarioOf(extra: Record<string, unknown>): { scenario: ResolvedScenario; catalog: Catalog } {
  const { scenario, catalog } = parseScenario({ name: 'lazy', catalog: catalogPath, ...extra }, undefined);
  return { scenario, catalog: catalog.catalog };
}

const scenarios: Record<string, Record<string, unknown>> = {
  'closed, zipf, exponential think, some absent': {
    seed: 42,
    load: { clients: 120, concurrency: 7 },
    client: {
      requests: 4,
      thinkTime: { distribution: 'exponential', mean: '100ms' },
      action: { download: 0.6, stream: 0.4 },
      songs: { popularity: 'zipf', exponent: 1.3, absent: 0.15 },
    },
  },
  'closed, uniform songs, uniform think, a string seed': {
    seed: 'abc',
    load: { clients: 33 },
    client: { requests: 3, thinkTime: { distribution: 'uniform', min: '10ms', max: '50ms' }, songs: { popularity: 'uniform', absent: 0 } },
  },
  'closed, a song list, all absent ones': { seed: 3, load: { clients: 20 }, client: { requests: 2, songs: { ids: ['song2', 'song7'], absent: 1 } } },
  'closed, one server only': { seed: 8, servers: [{ id: 's1', port: 0 }], load: { clients: 25 }, client: { requests: 5 } },
  'open, ramp, streams only': {
    seed: 9,
    load: { arrivalRate: 80, duration: '5s', rampUp: '2s' },
    client: { requests: 2, action: { download: 0, stream: 1 }, songs: { absent: 0.3 } },
  },
  'open, no ramp': { seed: 10, load: { arrivalRate: 300, duration: '2s' }, client: { requests: 1 } },
};

describe('the lazy plan', () => {
  for (const [name, extra] of Object.entries(scenarios)) {
    it(`draws the same scripts and totals as the materialised plan: ${name}`, () => {
      const { scenario, catalog } = scenarioOf(extra);
      const expected = materialisedPlan(scenario, catalog);
      expect(expected.clients.length).toBeGreaterThan(0);
      const spec = planSpec(scenario, catalog.songs);
      expect([...selectedScripts(scenario, spec)]).toEqual(expected.clients);
      expect(makePlan(scenario, catalog)).toEqual(expected);
      expect(countSelected(scenario)).toBe(expected.clients.length);
      // Any client on its own, without the others.
      const last = expected.clients.at(-1) as ClientScript;
      expect(clientScript(spec, last.client, last.startMs)).toEqual(last);
    });
  }

  it('splits the clients among threads round-robin: every client once, same scripts, totals that add up', () => {
    for (const extra of [scenarios['closed, zipf, exponential think, some absent'], scenarios['open, ramp, streams only']]) {
      const { scenario, catalog } = scenarioOf(extra ?? {});
      const expected = materialisedPlan(scenario, catalog);
      const spec = planSpec(scenario, catalog.songs);
      const threads = 3;
      const drawn: ClientScript[] = [];
      const totals = emptyPlanTotals();
      for (let t = 0; t < threads; t++) {
        const selection = withinSelection(ALL_CLIENTS, t, threads);
        const part = [...selectedScripts(scenario, spec, selection)];
        expect(part.every((s) => s.client % threads === t)).toBe(true);
        expect(countSelected(scenario, selection)).toBe(part.length);
        for (const s of part) countScript(totals, s);
        drawn.push(...part);
      }
      expect(drawn.sort((a, b) => a.client - b.client)).toEqual(expected.clients);
      expect(totals).toEqual(expected.totals);
    }
  });

  it('takes a shard as one more level of the same split (clients ≡ I−1 mod N)', () => {
    const { scenario, catalog } = scenarioOf(scenarios['closed, uniform songs, uniform think, a string seed'] ?? {});
    const spec = planSpec(scenario, catalog.songs);
    const shard = { first: 1, stride: 4 }; // shard 2 of 4
    const ofShard = [...selectedScripts(scenario, spec, shard)].map((s) => s.client);
    expect(ofShard).toEqual([1, 5, 9, 13, 17, 21, 25, 29]);
    const byThreads = [0, 1].flatMap((t) => [...selectedScripts(scenario, spec, withinSelection(shard, t, 2))].map((s) => s.client));
    expect(byThreads.sort((a, b) => a - b)).toEqual(ofShard);
  });

  it('counts ten million closed-model clients without drawing them, and draws the last one alone', () => {
    const { scenario, catalog } = scenarioOf({ seed: 1, load: { clients: 10_000_000, concurrency: 10 }, client: { requests: 1 } });
    expect(countSelected(scenario)).toBe(10_000_000);
    expect(countSelected(scenario, withinSelection(ALL_CLIENTS, 1, 3))).toBe(3_333_333);
    const scripts = selectedScripts(scenario, planSpec(scenario, catalog.songs), { first: 9_999_999, stride: 1 });
    expect(scripts.next().value).toMatchObject({ client: 9_999_999, startMs: 0, seed: '1/client/9999999' });
    expect(scripts.next().done).toBe(true);
  });
});
