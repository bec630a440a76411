// The plan: which client asks for which song, with which action and think times, and when each
// client starts. A pure function of the scenario, the catalog and the seed, drawn lazily: each
// client's script comes from its own seeded generator (`<seed>/client/<i>`), so any client can be
// drawn on its own, in any thread, and no one ever needs to hold the whole plan.
import type { Catalog } from '../catalog/types.js';
import { createRng, exponential, randomInt, uniform, zipfSampler, type Rng } from '../util/rng.js';
import type { ClientBehaviour, ResolvedScenario, ThinkTime } from './types.js';

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

/** A whole plan, materialised: only for small scenarios (tests, benchmarks); a run draws its clients lazily. */
export interface Plan {
  seed: string | number;
  clients: ClientScript[];
  totals: PlanTotals;
}

/** What a song needs for the plan: its id and the servers that hold it (catalog order matters). */
export interface PlanSong {
  id: string;
  servers: readonly string[];
}

/**
 * Everything needed to draw any client's script: computed once per thread from the scenario and
 * the catalog's songs, small (the song lists), and the same in every thread.
 */
export interface PlanSpec {
  seed: string | number;
  behaviour: ClientBehaviour;
  held: string[];
  absentPool: string[];
  pickHeld: (rng: Rng) => number;
}

/**
 * Which of the plan's clients a part of the run takes: indices first, first + stride, … (in the
 * open model, counted along the arrival sequence). A pool thread's share is one; a shard I/N
 * (../../../shared/design/shards.md) is `{ first: I - 1, stride: N }`, and a thread of a shard is
 * `withinSelection(shard, thread, threads)`.
 */
export interface ClientSelection {
  first: number;
  stride: number;
}

export const ALL_CLIENTS: ClientSelection = { first: 0, stride: 1 };

/** Songs for absent requests when the catalog has none that no server holds. */
const SYNTHETIC_ABSENT_SONGS = ['no-such-song-1', 'no-such-song-2', 'no-such-song-3'];

export function planSpec(scenario: ResolvedScenario, songs: readonly PlanSong[]): PlanSpec {
  const serverIds = new Set(scenario.servers.map((s) => s.id));
  const only = scenario.client.songs.ids;
  const asked = only ? songs.filter((song) => only.includes(song.id)) : songs;
  const held = asked.filter((song) => song.servers.some((id) => serverIds.has(id))).map((s) => s.id);
  const notHeld = songs.filter((song) => !song.servers.some((id) => serverIds.has(id))).map((s) => s.id);
  return {
    seed: scenario.seed,
    behaviour: scenario.client,
    held,
    absentPool: notHeld.length > 0 ? notHeld : SYNTHETIC_ABSENT_SONGS,
    pickHeld: songPicker(held, scenario.client.songs.popularity, scenario.client.songs.exponent),
  };
}

/** Client `client`'s script: a pure function of the spec, its index and its start. */
export function clientScript(spec: PlanSpec, client: number, startMs: number): ClientScript {
  const seed = `${spec.seed}/client/${client}`;
  const rng = createRng(seed);
  const { behaviour, held, absentPool, pickHeld } = spec;
  const requests = Array.from({ length: behaviour.requests }, (_, i): PlannedRequest => {
    const absent = held.length === 0 || rng.next() < behaviour.songs.absent;
    const song = absent ? (absentPool[randomInt(rng, absentPool.length)] ?? 'no-such-song') : (held[pickHeld(rng)] ?? 'no-such-song');
    const action: Action = rng.next() < behaviour.action.stream ? 'stream' : 'download';
    const last = i === behaviour.requests - 1;
    return { song, absent, action, thinkMs: last ? 0 : thinkTime(rng, behaviour.thinkTime) };
  });
  return { client, startMs, seed, requests };
}

/**
 * The selected clients' scripts in start order, each drawn when asked for: memory is one script
 * at a time. Open model: walks the whole arrival sequence (cheap) and keeps the selected ones.
 */
export function* selectedScripts(
  scenario: ResolvedScenario,
  spec: PlanSpec,
  selection: ClientSelection = ALL_CLIENTS,
): Generator<ClientScript, void, undefined> {
  for (const [client, startMs] of selectedStarts(scenario, selection)) yield clientScript(spec, client, startMs);
}

/** How many clients a selection holds, without drawing any script (open model: one walk of the arrivals, O(1) memory). */
export function countSelected(scenario: ResolvedScenario, selection: ClientSelection = ALL_CLIENTS): number {
  const load = scenario.load;
  if (load.model === 'closed') return Math.max(0, Math.ceil((load.clients - selection.first) / selection.stride));
  let n = 0;
  for (const _ of selectedStarts(scenario, selection)) n++;
  return n;
}

/** Part `part` of `parts` of a selection: the same stride pattern one level down (a shard's threads). */
export function withinSelection(outer: ClientSelection, part: number, parts: number): ClientSelection {
  return { first: outer.first + outer.stride * part, stride: outer.stride * parts };
}

/** [client index, start ms] of each selected client, in start order. */
function* selectedStarts(scenario: ResolvedScenario, selection: ClientSelection): Generator<[number, number], void, undefined> {
  const load = scenario.load;
  if (load.model === 'closed') {
    for (let client = selection.first; client < load.clients; client += selection.stride) yield [client, 0];
    return;
  }
  let client = 0;
  for (const startMs of arrivals(scenario)) {
    if (client >= selection.first && (client - selection.first) % selection.stride === 0) yield [client, startMs];
    client++;
  }
}

/** Adds one script's requests to running totals (a plan is counted as it is drawn, never held). */
export function countScript(totals: PlanTotals, script: ClientScript): void {
  totals.clients++;
  for (const request of script.requests) {
    totals.requests++;
    if (request.absent) totals.absent++;
    else if (request.action === 'stream') totals.streams++;
    else totals.downloads++;
  }
}

export function emptyPlanTotals(): PlanTotals {
  return { clients: 0, requests: 0, downloads: 0, streams: 0, absent: 0 };
}

/** Adds `delta` into `into`. */
export function addPlanTotals(into: PlanTotals, delta: PlanTotals): void {
  for (const key of Object.keys(into) as (keyof PlanTotals)[]) into[key] += delta[key];
}

/** The whole plan in memory: for small scenarios only (tests, benchmarks, a look at a plan); runs never call it. */
export function makePlan(scenario: ResolvedScenario, catalog: Catalog): Plan {
  const clients = [...selectedScripts(scenario, planSpec(scenario, catalog.songs))];
  const totals = emptyPlanTotals();
  for (const script of clients) countScript(totals, script);
  return { seed: scenario.seed, clients, totals };
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
 * Open-model client start times, in order, one at a time: a Poisson process whose rate ramps
 * linearly from 0 to arrivalRate over rampUp, then holds, made by inverting the cumulative arrival
 * intensity at unit-exponential steps. Sequential by nature (each start follows the previous
 * one), so every thread that needs it walks the same sequence. Closed model: none.
 */
export function* arrivals(scenario: ResolvedScenario): Generator<number, void, undefined> {
  const load = scenario.load;
  if (load.model === 'closed') return;
  const rng = createRng(`${scenario.seed}/arrivals`);
  const ratePerMs = load.arrivalRate / 1000;
  const ramp = load.rampUpMs;
  const rampArea = (ratePerMs * ramp) / 2;
  const inverse = (area: number): number => (area < rampArea ? Math.sqrt((2 * area * ramp) / ratePerMs) : ramp + (area - rampArea) / ratePerMs);
  let area = exponential(rng, 1);
  for (let t = inverse(area); t < load.durationMs; t = inverse(area)) {
    yield t;
    area += exponential(rng, 1);
  }
}

/** Every client's start time (closed model: all at 0). Holds them all: for tests and small scenarios. */
export function startTimes(scenario: ResolvedScenario): number[] {
  const load = scenario.load;
  if (load.model === 'closed') return new Array<number>(load.clients).fill(0);
  return [...arrivals(scenario)];
}
