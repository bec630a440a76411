// The plan: which client asks for which song, with which action and think times, and when each
// client starts. A pure function of the scenario, the catalog and the seed.
import type { Catalog } from '../catalog/types.js';
import { createRng, exponential, randomInt, uniform, zipfSampler, type Rng } from '../util/rng.js';
import type { ResolvedScenario, ThinkTime } from './types.js';

export type Action = 'download' | 'stream';

export interface PlannedRequest {
  song: string;
  /** No server of the scenario holds it: the client is expected to cancel. */
  absent: boolean;
  action: Action;
  /** Pause after this request, before the next one (0 after the last). */
  thinkMs: number;
}

export interface ClientScript {
  client: number;
  /** When the client is scheduled to start, in ms from the run's start (0 in the closed model). */
  startMs: number;
  /** Seeds this client's own random choices (prefer: random). */
  seed: string;
  requests: PlannedRequest[];
}

export interface PlanTotals {
  clients: number;
  requests: number;
  downloads: number;
  streams: number;
  absent: number;
}

export interface Plan {
  seed: string | number;
  clients: ClientScript[];
  totals: PlanTotals;
}

/** Songs for absent requests when the catalog has none that no server holds. */
const SYNTHETIC_ABSENT_SONGS = ['no-such-song-1', 'no-such-song-2', 'no-such-song-3'];

export function makePlan(scenario: ResolvedScenario, catalog: Catalog): Plan {
  const serverIds = new Set(scenario.servers.map((s) => s.id));
  const only = scenario.client.songs.ids;
  const asked = only ? catalog.songs.filter((song) => only.includes(song.id)) : catalog.songs;
  const held = asked.filter((song) => song.servers.some((id) => serverIds.has(id))).map((s) => s.id);
  const notHeld = catalog.songs.filter((song) => !song.servers.some((id) => serverIds.has(id))).map((s) => s.id);
  const absentPool = notHeld.length > 0 ? notHeld : SYNTHETIC_ABSENT_SONGS;
  const pickHeld = songPicker(held, scenario.client.songs.popularity, scenario.client.songs.exponent);
  const starts = startTimes(scenario);
  const clients = starts.map((startMs, client): ClientScript => {
    const seed = `${scenario.seed}/client/${client}`;
    const rng = createRng(seed);
    const requests = Array.from({ length: scenario.client.requests }, (_, i): PlannedRequest => {
      const absent = held.length === 0 || rng.next() < scenario.client.songs.absent;
      const song = absent ? (absentPool[randomInt(rng, absentPool.length)] ?? 'no-such-song') : (held[pickHeld(rng)] ?? 'no-such-song');
      const action: Action = rng.next() < scenario.client.action.stream ? 'stream' : 'download';
      const last = i === scenario.client.requests - 1;
      return { song, absent, action, thinkMs: last ? 0 : thinkTime(rng, scenario.client.thinkTime) };
    });
    return { client, startMs, seed, requests };
  });
  return { seed: scenario.seed, clients, totals: totalsOf(clients) };
}

function songPicker(songs: string[], popularity: 'zipf' | 'uniform', exponent: number): (rng: Rng) => number {
  if (songs.length === 0) return () => 0;
  return popularity === 'zipf' ? zipfSampler(songs.length, exponent) : (rng) => randomInt(rng, songs.length);
}

export function thinkTime(rng: Rng, think: ThinkTime): number {
  switch (think.distribution) {
    case 'constant':
      return think.meanMs;
    case 'uniform':
      return uniform(rng, think.minMs, think.maxMs);
    case 'exponential':
      return exponential(rng, think.meanMs);
  }
}

/**
 * Client start times. Closed model: all at 0 (the concurrency limit spaces them). Open model:
 * a Poisson process whose rate ramps linearly from 0 to arrivalRate over rampUp, then holds,
 * made by inverting the cumulative arrival intensity at unit-exponential steps.
 */
export function startTimes(scenario: ResolvedScenario): number[] {
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

function totalsOf(clients: ClientScript[]): PlanTotals {
  const totals: PlanTotals = { clients: clients.length, requests: 0, downloads: 0, streams: 0, absent: 0 };
  for (const script of clients) {
    for (const request of script.requests) {
      totals.requests++;
      if (request.absent) totals.absent++;
      else if (request.action === 'stream') totals.streams++;
      else totals.downloads++;
    }
  }
  return totals;
}
