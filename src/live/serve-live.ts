// The live view of `jukebox serve`: every connection's lines, transfers and closes, seen from the
// servers, with each client named by its HELLO name (else its address:port). A connection's
// `connect` is published with its first request line (so that a HELLO names it from its first
// event on), or with its close when it never sent one; its `t` is still when it was accepted.
import type { ServerStats } from '../protocol/types.js';
import type { ConnectionEvent, JukeboxServer, TraceEvent, TransferProgressEvent } from '../server/server.js';
import { systemClock } from '../util/clock.js';
import { LiveBus } from './bus.js';
import { LIVE_TICK_MS, LIVE_TRANSFER_INTERVAL_MS, type LiveEvent, type LiveServerCounters, type LiveServerInfo } from './events.js';

/** `HELLO alice` names the client `alice`; the name is what the protocol allows (no spaces), shown escaped wherever printed. */
const HELLO_NAME = /^HELLO\s+(\S+)/i;

interface Peer {
  client: string;
  /** `t` when accepted. */
  acceptedT: number;
  announced: boolean;
  /** When each request line arrived (answers go out in order). */
  asked: number[];
  /** `t` of the last `transfer` published. */
  lastTransferT: number;
}

export interface ServeLive {
  bus: LiveBus;
  stop(): void;
}

/** Watches `servers` and feeds a new bus; `songs` are the song ids each server holds. */
export function watchServers(servers: readonly JukeboxServer[], songs: (serverId: string) => string[]): ServeLive {
  const info: LiveServerInfo[] = servers.map((s) => ({ id: s.serverId, host: s.host, port: s.port, songs: songs(s.serverId) }));
  const bus = new LiveBus({ hello: { servers: info }, now: () => systemClock.now(), startedAt: systemClock.now() });
  const peers = new Map<string, Peer>();
  const names = new Set<string>();
  const key = (e: { serverId: string; connectionId: number }) => `${e.serverId}/${e.connectionId}`;
  const publish = (event: LiveEvent) => bus.publish([event]);
  const announce = (peer: Peer, server: string) => {
    if (peer.announced) return;
    peer.announced = true;
    names.add(peer.client);
    publish({ type: 'connect', t: peer.acceptedT, client: peer.client, server });
  };

  for (const server of servers) {
    const id = server.serverId;
    server.on('connection', (e: ConnectionEvent) => {
      peers.set(key(e), { client: `${e.remoteAddress}:${e.remotePort}`, acceptedT: bus.t(), announced: false, asked: [], lastTransferT: -Infinity });
    });
    server.on('request', (e: TraceEvent) => {
      const peer = peers.get(key(e));
      if (!peer) return;
      if (!peer.announced) {
        const hello = HELLO_NAME.exec(e.line);
        if (hello) peer.client = hello[1] as string;
        announce(peer, id);
      }
      peer.asked.push(systemClock.now());
      publish({ type: 'request', t: bus.t(), client: peer.client, server: id, line: e.line });
    });
    server.on('response', (e: TraceEvent) => {
      const peer = peers.get(key(e));
      if (!peer) return;
      announce(peer, id);
      const askedAt = peer.asked.shift() ?? systemClock.now();
      publish({ type: 'response', t: bus.t(), client: peer.client, server: id, line: e.line, ms: Math.round((systemClock.now() - askedAt) * 100) / 100 });
    });
    server.on('transfer', (e: TransferProgressEvent) => {
      const peer = peers.get(key(e));
      if (!peer) return;
      const t = bus.t();
      // A few a second at most, and always the last: the page's progress, not a packet log.
      if (!e.ended && t - peer.lastTransferT < LIVE_TRANSFER_INTERVAL_MS) return;
      peer.lastTransferT = t;
      publish({ type: 'transfer', t, client: peer.client, server: id, song: e.song, bytes: e.bytes, total: e.total });
    });
    server.on('connectionClosed', (e: ConnectionEvent) => {
      const peer = peers.get(key(e));
      if (!peer) return;
      peers.delete(key(e));
      announce(peer, id);
      publish({ type: 'close', t: bus.t(), client: peer.client, server: id });
    });
  }

  let last = new Map<string, { bytes: number; at: number }>();
  const timer = setInterval(() => {
    const now = systemClock.now();
    const counters: Record<string, LiveServerCounters> = {};
    const next = new Map<string, { bytes: number; at: number }>();
    let requests = 0;
    let bytes = 0;
    for (const server of servers) {
      const s: ServerStats = server.stats();
      const before = last.get(server.serverId);
      const perSec = before ? ((s.bytesSent - before.bytes) * 1000) / Math.max(1, now - before.at) : 0;
      counters[server.serverId] = { open: s.connections, active: s.activeTransfers, bytesPerSec: Math.max(0, Math.round(perSec)) };
      next.set(server.serverId, { bytes: s.bytesSent, at: now });
      requests += s.requests;
      bytes += s.bytesSent;
    }
    last = next;
    // A server does not know how its clients' requests ended: those totals stay 0 for `serve`.
    bus.tick({ type: 'tick', t: bus.t(), servers: counters, totals: { clients: names.size, requests, verified: 0, cancelled: 0, failed: 0, bytes } });
  }, LIVE_TICK_MS);
  timer.unref();
  return {
    bus,
    stop() {
      clearInterval(timer);
      bus.close();
    },
  };
}
