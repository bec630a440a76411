// One simulated client: an actor with its own state following the seed's script for each
// planned song: CHECK both servers at once, cancel if neither holds it, choose by `prefer` if
// both do, download or stream it, verify the sha256, think, next song. A stop (the run is
// interrupted) lets the request in flight finish and plays no next song.
import { debuglog } from 'node:util';
import { askServers, type AskServersOptions } from '../client/ask-servers.js';
import { chooseServer, type CheckAnswer, type ServerPreference } from '../client/choice.js';
import { ConnectionCache, type ConnectionCacheOptions } from '../client/pool.js';
import { transferSong, type TransferOutcome } from '../client/transfer.js';
import type { ErrorCode } from '../errors.js';
import type { ClientProbe, LiveThreadSink } from '../live/client-probe.js';
import type { RequestOutcome } from '../metrics/recorder.js';
import type { MetricsRecorder } from '../metrics/recorder.js';
import type { ErrorKind } from '../metrics/types.js';
import type { ClientScript, PlannedRequest } from '../scenario/plan.js';
import type { ClientBehaviour, Preference } from '../scenario/types.js';
import { createRng, type Rng } from '../util/rng.js';
import { sleep } from './sleep.js';
import type { ServerAddress, SongFacts } from './messages.js';

const debug = debuglog('jukebox:actor');

export interface ActorContext {
  recorder: MetricsRecorder;
  servers: ServerAddress[];
  songs: ReadonlyMap<string, SongFacts>;
  behaviour: ClientBehaviour;
  /** The run's start on the shared clock: no client sends anything before it. */
  runStart: number;
  /** The shared clock, ms. */
  now: () => number;
  /** Aborted when the run stops: no next song, and a client thinking wakes and leaves. */
  stop: AbortSignal;
  /**
   * Open model: a script's start is a time on the schedule, due however late the harness is.
   * Closed model: a client starts when its lane is free (at the run's start at the earliest).
   */
  scheduled: boolean;
  /** The live view's sink (--live, --trace): only its sampled clients get a probe; absent, nothing is built. */
  live?: LiveThreadSink;
}

/** How a client's script ended: played through, or cut short by a stop. */
export type ClientEnd = 'completed' | 'stopped';

const KIND_OF_CODE: Partial<Record<ErrorCode, ErrorKind>> = {
  E_REFUSED: 'refused',
  E_RESET: 'reset',
  E_CLOSED: 'reset',
  E_TIMEOUT: 'timeout',
  E_PROTOCOL: 'protocol',
  E_INTEGRITY: 'integrity',
  E_SERVER_ERROR: 'server',
};

export function errorKindOf(code: ErrorCode): ErrorKind {
  return KIND_OF_CODE[code] ?? 'other';
}

/** How a client holds its connections: one per server for its life, or new ones per request (the seed's way). */
interface Connections {
  /** askServers' options for the next request's CHECKs (persistent: one object for the client's life). */
  forChecks(): AskServersOptions<ServerAddress>;
  forTransfer(): ConnectionCache;
  /** After each song request; undefined when there is nothing to wait for (persistent: no await per request). */
  release(): Promise<void> | undefined;
  /** When the client is done. */
  closeAll(): Promise<void>;
}

export async function runClientActor(script: ClientScript, ctx: ActorContext): Promise<ClientEnd> {
  const rng = createRng(`${script.seed}/prefer`);
  const probe = ctx.live?.forClient(script.client);
  const connections = connectionsFor(ctx, probe);
  ctx.recorder.clientStarted();
  // Open model: the first request is due at the scheduled start, however late the harness is.
  let intendedStart = ctx.scheduled ? ctx.runStart + script.startMs : Math.max(ctx.now(), ctx.runStart);
  try {
    for (const request of script.requests) {
      // A loop, not one timer: timers count whole milliseconds and may fire a fraction early.
      for (let wait = intendedStart - ctx.now(); wait > 0 && !ctx.stop.aborted; wait = intendedStart - ctx.now()) await sleep(Math.ceil(wait), ctx.stop);
      if (ctx.stop.aborted) return 'stopped';
      // Latency counts from the intended start, so a late harness (or a client stuck behind a
      // stalled request) cannot hide a wait; a request never starts before it.
      const countFrom = intendedStart;
      const token = ctx.recorder.requestStarted(countFrom);
      const played = await playRequest(request, ctx, connections, rng, probe);
      const releasing = connections.release();
      if (releasing !== undefined) await releasing;
      // One clock reading for the request's end and the next one's start (the clock is read per request, so once matters).
      const endedAt = ctx.now();
      ctx.recorder.requestEnded(played.outcome, endedAt - countFrom, token);
      probe?.done(request.song, played.kind === undefined ? played.outcome : `failed:${played.kind}`, endedAt - countFrom);
      intendedStart = endedAt + request.thinkMs;
    }
    return 'completed';
  } finally {
    await connections.closeAll();
    ctx.recorder.clientFinished();
  }
}

/** A request's outcome, and for a failure the kind of error that ended it. */
interface Played {
  outcome: RequestOutcome;
  kind?: ErrorKind;
}

function failed(recorder: MetricsRecorder, kind: ErrorKind): Played {
  recorder.error(kind);
  return { outcome: 'failed', kind };
}

async function playRequest(request: PlannedRequest, ctx: ActorContext, connections: Connections, rng: Rng, probe: ClientProbe | undefined): Promise<Played> {
  const { recorder, behaviour } = ctx;
  try {
    const answers = await askServers(request.song, ctx.servers, connections.forChecks());
    recordChecks(answers, recorder);
    const choice = chooseServer(answers, preferenceOf(behaviour.prefer), rng);
    probe?.choice(request.song, answers, choice);
    if (choice.decision === 'cancel') {
      if (choice.reason === 'absent') return { outcome: 'cancelled' };
      return failed(recorder, firstUnavailableKind(answers));
    }
    const facts = ctx.songs.get(request.song);
    // A server holds a song the client's catalog does not know: it cannot be verified.
    if (!facts) return failed(recorder, 'protocol');
    recorder.actionStarted(request.action, choice.serverId);
    const transfers = connections.forTransfer();
    const outcome = await transferSong({
      song: facts,
      verb: request.action === 'stream' ? 'STREAM' : 'GET',
      sources: choice.order.map((id) => transfers.source(id)),
      onProgress: byteCounter(recorder, probe?.progress(request.song)),
    });
    return recordTransfer(outcome, recorder);
  } catch (err) {
    // Nothing above should throw; if it does, the request fails and the client carries on.
    debug('request for %s failed unexpectedly: %O', request.song, err);
    return failed(recorder, 'other');
  }
}

function recordChecks(answers: CheckAnswer[], recorder: MetricsRecorder): void {
  for (const answer of answers) {
    recorder.protocolRequest(answer.serverId);
    if (answer.outcome !== 'unavailable') recorder.recordPhase('check', answer.latencyMs);
  }
}

function recordTransfer(outcome: TransferOutcome, recorder: MetricsRecorder): Played {
  for (const segment of outcome.segments) recorder.protocolRequest(segment.serverId);
  recorder.transferRecovered(outcome.failovers, outcome.resumes, outcome.resumedBytes);
  if (outcome.ttfbMs >= 0) {
    recorder.recordPhase('ttfb', outcome.ttfbMs);
    recorder.recordPhase('transfer', outcome.totalMs - outcome.ttfbMs);
  }
  if (outcome.status === 'verified') return { outcome: 'verified' };
  return failed(recorder, errorKindOf(outcome.error.code));
}

/** Turns transferSong's running total into per-chunk byte counts per server (and, for a sampled client, `transfer` events). */
function byteCounter(
  recorder: MetricsRecorder,
  live?: (received: number, total: number, serverId: string) => void,
): (received: number, total: number, serverId: string) => void {
  let counted = 0;
  if (live)
    return (received, total, serverId) => {
      recorder.bytesReceived(serverId, received - counted);
      counted = received;
      live(received, total, serverId);
    };
  return (received, _total, serverId) => {
    recorder.bytesReceived(serverId, received - counted);
    counted = received;
  };
}

function firstUnavailableKind(answers: CheckAnswer[]): ErrorKind {
  for (const a of answers) if (a.outcome === 'unavailable') return errorKindOf(a.error);
  return 'unavailable';
}

function preferenceOf(prefer: Preference): ServerPreference {
  return typeof prefer === 'string' ? prefer : prefer.server;
}

function connectionsFor(ctx: ActorContext, probe: ClientProbe | undefined): Connections {
  const options: ConnectionCacheOptions = {
    requestTimeoutMs: ctx.behaviour.timeoutMs,
    connectTimeoutMs: ctx.behaviour.timeoutMs,
    // A simulated client hashes and counts each chunk as it comes and keeps none.
    sharedReadBuffer: true,
    onConnected: probe
      ? (c, server) => {
          ctx.recorder.recordPhase('connect', c.connectMs);
          probe.connected(c, server.id);
        }
      : (c) => ctx.recorder.recordPhase('connect', c.connectMs),
    ...(probe ? { trace: probe.onLine } : {}),
  };
  const checksThrough = (cache: ConnectionCache): AskServersOptions<ServerAddress> => ({
    connect: (s) => cache.kept(s.id) ?? cache.get(s.id),
    timeoutMs: ctx.behaviour.timeoutMs,
  });
  if (ctx.behaviour.connection === 'persistent') {
    const kept = new ConnectionCache(ctx.servers, options);
    const checks = checksThrough(kept);
    return { forChecks: () => checks, forTransfer: () => kept, release: () => undefined, closeAll: () => kept.closeAll() };
  }
  let used: ConnectionCache[] = [];
  const fresh = () => {
    const cache = new ConnectionCache(ctx.servers, options);
    used.push(cache);
    return cache;
  };
  const release = async () => {
    const closing = used;
    used = [];
    await Promise.all(closing.map((c) => c.closeAll()));
  };
  return { forChecks: () => checksThrough(fresh()), forTransfer: fresh, release, closeAll: release };
}
