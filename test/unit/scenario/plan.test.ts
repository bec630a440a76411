import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../src/scenario/load.js';
import { makePlan, startTimes } from '../../../src/scenario/plan.js';
import { sampleCatalogFile } from '../../helpers/catalog-data.js';

const defaultCatalogPath = sampleCatalogFile();

function planFor(extra: Record<string, unknown>, seed: number | string = 42) {
  const { scenario, catalog } = parseScenario({ name: 'p', catalog: defaultCatalogPath, seed, ...extra }, undefined);
  return { plan: makePlan(scenario, catalog.catalog), scenario, catalog };
}

const base = {
  load: { clients: 50 },
  client: { requests: 5, thinkTime: { distribution: 'exponential', mean: '100ms' }, action: { download: 0.7, stream: 0.3 }, songs: { absent: 0.1 } },
};

describe('plan', () => {
  it('is the same for the same seed', () => {
    expect(planFor(base, 7).plan).toEqual(planFor(base, 7).plan);
  });

  it('differs for another seed', () => {
    const a = planFor(base, 7).plan;
    const b = planFor(base, 8).plan;
    expect(a.clients.map((c) => c.requests.map((r) => r.song))).not.toEqual(b.clients.map((c) => c.requests.map((r) => r.song)));
  });

  it('gives each client its requests, with no think after the last', () => {
    const { plan } = planFor(base);
    expect(plan.clients).toHaveLength(50);
    for (const c of plan.clients) {
      expect(c.requests).toHaveLength(5);
      expect(c.requests.at(-1)?.thinkMs).toBe(0);
    }
    expect(plan.totals.requests).toBe(250);
    expect(plan.totals.downloads + plan.totals.streams + plan.totals.absent).toBe(250);
  });

  it('asks for absent songs about as often as the scenario says, and only for songs no server holds', () => {
    const { plan, catalog } = planFor({ ...base, load: { clients: 400 } });
    const share = plan.totals.absent / plan.totals.requests;
    expect(share).toBeGreaterThan(0.06);
    expect(share).toBeLessThan(0.14);
    const held = new Set(catalog.catalog.songs.filter((s) => s.servers.length > 0).map((s) => s.id));
    for (const c of plan.clients) for (const r of c.requests) expect(held.has(r.song)).toBe(!r.absent);
  });

  it('makes zipf popularity favour the first songs', () => {
    const { plan } = planFor({ ...base, load: { clients: 400 }, client: { ...base.client, songs: { popularity: 'zipf', exponent: 1.2, absent: 0 } } });
    const counts = new Map<string, number>();
    for (const c of plan.clients) for (const r of c.requests) counts.set(r.song, (counts.get(r.song) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    expect(sorted[0]).toBeGreaterThan(3 * (sorted.at(-1) ?? 0));
  });

  it('spreads open-model arrivals over the duration at about the arrival rate', () => {
    const { scenario } = planFor({ load: { arrivalRate: 100, duration: '10s' } });
    const starts = startTimes(scenario);
    expect(starts.length).toBeGreaterThan(850);
    expect(starts.length).toBeLessThan(1150);
    expect(Math.max(...starts)).toBeLessThan(10_000);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('ramps arrivals up: fewer clients in the ramp than after it', () => {
    const { scenario } = planFor({ load: { arrivalRate: 200, duration: '10s', rampUp: '5s' } });
    const starts = startTimes(scenario);
    const inRamp = starts.filter((t) => t < 5000).length;
    const after = starts.filter((t) => t >= 5000).length;
    expect(inRamp).toBeGreaterThan(300);
    expect(inRamp).toBeLessThan(700);
    expect(after).toBeGreaterThan(800);
  });
});

describe('plan with a song list', () => {
  it('asks only for the listed songs, absent requests aside', () => {
    const { plan } = planFor({ load: { clients: 40 }, client: { requests: 3, songs: { ids: ['song1', 'song2', 'song3'], absent: 0.2 } } });
    const asked = new Set(plan.clients.flatMap((c) => c.requests.filter((r) => !r.absent).map((r) => r.song)));
    expect([...asked].sort()).toEqual(['song1', 'song2', 'song3']);
  });
});
