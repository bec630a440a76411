// A recorded classroom-like run as live events (src/live/events.ts), and a small real HTTP server
// that serves the live page and replays them over `/events` (real SSE), then keeps sending new
// ones while a test watches. Every event is checked against the contract's zod schema first.
// Five clients, two servers: songs on s1 only, on both, on s2 only and on neither; s1 crashes
// for one round and comes back.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseLiveEvent, type HelloEvent, type LiveEvent } from '../../src/live/events.js';
import { livePageHtml } from '../../src/live/page/index.js';

const SONGS_S1 = ['song1', 'song2', 'song3', 'song4'];
const SONGS_S2 = ['song3', 'song4', 'song5', 'song6'];
const CLIENTS = ['c1', 'c2', 'c3', 'c4', 'c5'];
/** Each round every client asks for one song; a round lasts this long (ms of run time). */
const ROUND_MS = 5000;
/** s1 is down during this round (0-based). */
const FAULT_ROUND = 2;
const SONG_BYTES = 3_840_268;

export const classroomHello: HelloEvent = {
  type: 'hello',
  servers: [
    { id: 's1', host: '127.0.0.1', port: 40101, songs: SONGS_S1 },
    { id: 's2', host: '127.0.0.1', port: 40102, songs: SONGS_S2 },
  ],
  scenario: 'classroom',
  clients: CLIENTS,
};

/** One client's request for one song, from its CHECKs to its end, starting at t0. */
function story(client: string, song: string, t0: number, s1Down: boolean): LiveEvent[] {
  const out: LiveEvent[] = [];
  const servers = s1Down ? ['s2'] : ['s1', 's2'];
  const holders = servers.filter((s) => (s === 's1' ? SONGS_S1 : SONGS_S2).includes(song));
  let t = t0;
  for (const server of servers) out.push({ type: 'connect', t: t++, client, server });
  for (const server of servers) out.push({ type: 'request', t: t, client, server, line: `CHECK ${song}` });
  const fast = (client.charCodeAt(1) + song.length) % 2 === 0 ? 's1' : 's2';
  servers.forEach((server, i) => {
    const holds = holders.includes(server);
    out.push({
      type: 'response',
      t: t + 2 + i,
      client,
      server,
      line: holds ? `EXIST ${SONG_BYTES} 9f86d081884c7d659a2feaa0c55ad015` : 'NOT_EXIST',
      ms: server === fast ? 0.4 : 0.9,
    });
  });
  t += 40;
  if (holders.length === 0) {
    const onlyS1 = s1Down && SONGS_S1.includes(song);
    out.push({ type: 'choice', t, client, song, reason: onlyS1 ? 'neither: s1 unavailable' : 'neither: cancelled' });
    out.push({ type: 'done', t: t + 1, client, song, outcome: onlyS1 ? 'failed:refused' : 'cancelled', ms: 41 });
  } else {
    const server = holders.length === 1 ? holders[0]! : fast;
    const reason = holders.length === 1 ? `only ${server} holds it` : `both: ${server} answered 0.5 ms faster`;
    out.push({ type: 'choice', t, client, song, server, reason });
    out.push({ type: 'request', t: t + 1, client, server, line: `GET ${song} 0` });
    out.push({ type: 'response', t: t + 3, client, server, line: `DATA ${SONG_BYTES}`, ms: 2 });
    for (let k = 1; k <= 4; k++)
      out.push({ type: 'transfer', t: t + 3 + 300 * k, client, server, song, bytes: Math.round((SONG_BYTES * k) / 4), total: SONG_BYTES });
    out.push({ type: 'done', t: t + 1250, client, song, outcome: 'verified', ms: 1254 });
  }
  for (const server of servers) out.push({ type: 'close', t: t + 1260, client, server });
  return out;
}

/** The events of one round, ticks and the fault included, in time order. */
function round(r: number): LiveEvent[] {
  const t0 = r * ROUND_MS;
  const s1Down = r === FAULT_ROUND;
  const all = ['song1', 'song3', 'song5', 'song7', 'song4', 'song2', 'song6'];
  const events: LiveEvent[] = CLIENTS.flatMap((c, i) => story(c, all[(r + i) % all.length]!, t0 + 100 + 600 * i, s1Down));
  if (r === FAULT_ROUND) events.push({ type: 'fault', t: t0 + 50, server: 's1', action: 'crash' });
  if (r === FAULT_ROUND + 1) events.push({ type: 'fault', t: t0 + 50, server: 's1', action: 'restart' });
  for (let s = 0; s < ROUND_MS / 1000; s++) {
    const t = t0 + 1000 * (s + 1) - 1;
    events.push({
      type: 'tick',
      t,
      servers: {
        s1: { open: s1Down ? 0 : 3, active: s1Down ? 0 : 1, bytesPerSec: s1Down ? 0 : 1_400_000 },
        s2: { open: 4, active: 2, bytesPerSec: 2_100_000 },
      },
      totals: {
        clients: CLIENTS.length,
        requests: r * 5 + s,
        verified: r * 3 + s,
        cancelled: r,
        failed: r > FAULT_ROUND ? 1 : 0,
        bytes: (r * 5 + s) * SONG_BYTES,
      },
    });
  }
  return events.sort((a, b) => ('t' in a ? a.t : 0) - ('t' in b ? b.t : 0)).map((e) => parseLiveEvent(e));
}

/** The classroom run, endless: round after round. */
export function* classroomEvents(): Generator<LiveEvent> {
  for (let r = 0; ; r++) yield* round(r);
}

/** The first `rounds` rounds of the run (the recorded history a late browser gets). */
export function recordedClassroom(rounds: number): LiveEvent[] {
  return Array.from({ length: rounds }, (_, r) => round(r)).flat();
}

export interface ReplayServer {
  /** The page's address: `http://127.0.0.1:<port>/`. */
  url: string;
  /** Events written to `/events` streams so far (all connections). */
  sent(): number;
  /** Sends the next `n` events at once, as a busy run would. */
  burst(n: number): void;
  close(): Promise<void>;
}

export interface ReplayOptions {
  /** Events replayed at once to each new `/events` connection, after `hello`. */
  history: LiveEvent[];
  /** Then one of these every `intervalMs`, until closed. */
  next: Iterator<LiveEvent>;
  intervalMs: number;
}

function write(res: ServerResponse, e: LiveEvent): void {
  res.write(`data: ${JSON.stringify(e)}\n\n`);
}

/** Serves `GET /` (the live page) and `GET /events` (hello, the history, then new events) on 127.0.0.1:0. */
export async function startReplayServer(opts: ReplayOptions): Promise<ReplayServer> {
  const streams = new Set<ServerResponse>();
  let sent = 0;
  const server = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(livePageHtml());
    } else if (req.url === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      for (const e of [classroomHello, ...opts.history]) write(res, e);
      sent += 1 + opts.history.length;
      streams.add(res);
      res.on('close', () => streams.delete(res));
    } else {
      res.writeHead(404).end();
    }
  });
  const sendNext = () => {
    const e = opts.next.next();
    if (e.done) return;
    for (const res of streams) write(res, e.value);
    sent += streams.size;
  };
  const timer = setInterval(sendNext, opts.intervalMs);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    sent: () => sent,
    burst: (n) => {
      for (let i = 0; i < n; i++) sendNext();
    },
    close: async () => {
      clearInterval(timer);
      for (const res of streams) res.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
