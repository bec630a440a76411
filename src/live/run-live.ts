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
import { LIVE_DEFAULT_CLIENTS, type LiveServerCounters, type LiveServerInfo, type LiveTotals } from './events.js';

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

  constructor(options: RunLiveOptions) {
    const sampled = options.sampledClients ?? LIVE_DEFAULT_CLIENTS;
    const clients = Math.min(sampled, countSelected(options.scenario, ALL_CLIENTS));
    this.bus = new LiveBus({
      hello: { servers: serverInfo(options.scenario, options.catalog), scenario: options.scenario.name, clients: Array.from({ length: clients }, (_, i) => clientIdOf(i)) },
      now: sharedNow,
      startedAt: sharedNow(),
      // The servers' ports are known once they listen (serversReady).
      ready: false,
    });
    const bus = this.bus;
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
