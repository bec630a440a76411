// The live view of one `simulate` run: the bus the coordinator's hooks feed (sampled clients'
// events from the pool threads, ticks, faults) and, for `--live`, its HTTP server.
import type { LoadedCatalog } from '../catalog/types.js';
import type { RunLiveHooks } from '../harness/coordinator.js';
import type { LiveBatch } from './client-probe.js';
import { clientIdOf } from './client-probe.js';
import type { FaultEvent } from '../harness/run-result.js';
import { ALL_CLIENTS, countSelected } from '../scenario/plan.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { sharedNow } from '../util/clock.js';
import { LiveBus } from './bus.js';
import { LIVE_DEFAULT_CLIENTS, type LiveEvent, type LiveServerCounters, type LiveServerInfo, type LiveTotals } from './events.js';

/**
 * Events a run keeps for its report's sequence view (the first ones, ticks aside): a classroom
 * minute needs a few hundred; the start is kept, so recording stops once full and never grows.
 */
export const LIVE_RECORDED_EVENTS = 5000;

export interface RunLiveOptions {
  scenario: ResolvedScenario;
  catalog: LoadedCatalog;
  /** Clients that send per-message events: the first N (default LIVE_DEFAULT_CLIENTS). */
  sampledClients?: number;
}

/** Feeds a LiveBus from a run: give `hooks` to runScenario's `live` option. */
export class RunLive {
  readonly bus: LiveBus;
  readonly hooks: RunLiveHooks;
  /** Events the pool threads dropped because the coordinator did not take them in time. */
  droppedInThreads = 0;
  private readonly recorded: LiveEvent[] = [];

  constructor(options: RunLiveOptions) {
    const sampled = options.sampledClients ?? LIVE_DEFAULT_CLIENTS;
    const clients = Math.min(sampled, countSelected(options.scenario, ALL_CLIENTS));
    this.bus = new LiveBus({
      hello: {
        servers: serverInfo(options.scenario, options.catalog),
        scenario: options.scenario.name,
        clients: Array.from({ length: clients }, (_, i) => clientIdOf(i)),
      },
      now: sharedNow,
      startedAt: sharedNow(),
      // The servers' ports are known once they listen (serversReady).
      ready: false,
    });
    const bus = this.bus;
    bus.subscribe({
      events: (batch) => {
        for (const e of batch) if (this.recorded.length < LIVE_RECORDED_EVENTS) this.recorded.push(e);
      },
      tick: () => undefined,
    });
    this.hooks = {
      sampledClients: sampled,
      started: (runStart: number) => bus.setStart(runStart),
      batch: (batch: LiveBatch) => {
        this.droppedInThreads += batch.dropped;
        bus.publish(batch.events);
      },
      tick: (t: number, servers: Record<string, LiveServerCounters>, totals: LiveTotals) => bus.tick({ type: 'tick', t, servers, totals }),
      fault: (e: FaultEvent) => bus.publish([{ type: 'fault', t: e.atMs, server: e.server, action: e.detail ? `${e.action}: ${e.detail}` : e.action }]),
    };
  }

  /**
   * What the run's report keeps for its sequence view: the `hello`, then the first
   * LIVE_RECORDED_EVENTS events in time order (no ticks: the report has its own timeline).
   */
  sequence(): LiveEvent[] {
    this.bus.flush();
    return [this.bus.hello(), ...this.recorded];
  }

  /** Once the servers listen: later `hello`s give their real ports. */
  serversReady(addresses: ReadonlyArray<{ id: string; host: string; port: number }>): void {
    const hello = this.bus.hello();
    const servers = hello.servers.map((s) => {
      const a = addresses.find((x) => x.id === s.id);
      return a ? { ...s, host: a.host, port: a.port } : s;
    });
    const { type: _type, ...rest } = hello;
    this.bus.setHello({ ...rest, servers });
  }
}

function serverInfo(scenario: ResolvedScenario, catalog: LoadedCatalog): LiveServerInfo[] {
  return scenario.servers.map((s) => ({
    id: s.id,
    host: s.host,
    port: s.port,
    songs: catalog.catalog.songs.filter((song) => song.servers.includes(s.id)).map((song) => song.id),
  }));
}
