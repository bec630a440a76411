// The project's client library as a load client, without the harness: N clients, each holding one
// JukeboxConnection per server and asking askServers for the same song again as soon as every
// server has answered, as a simulated client's CHECK step does. Its rate and CPU per CHECK beside
// the minimal line client's and simulate's split simulate's cost into the client library's share
// and the harness's (actors, plan, recorder, pool thread).
import { askServers, type AskServersOptions } from '../../src/client/ask-servers.js';
import { JukeboxConnection } from '../../src/client/connection.js';
import { createHistogram, recordMs, summarize, type LatencySummary } from '../../src/metrics/histogram.js';
import { DRAIN_TIMEOUT_MS, MeasureWindow, type LoadTiming } from './window.js';

/** A CHECK whose answer takes longer than this fails the run: the bench measures a server that answers. */
const CHECK_TIMEOUT_MS = 10_000;

export interface AskLoadOptions extends LoadTiming {
  host: string;
  ports: readonly number[];
  clients: number;
  /** Asked of every server, again and again: a song none of them holds makes each answer a NOT_EXIST line. */
  song: string;
}

export interface AskLoadResult {
  clients: number;
  /** CHECK answers inside the window, all servers together. */
  checks: number;
  /** CHECK answers over the whole run, warm-up included: what the process's CPU over the run is divided by. */
  totalChecks: number;
  seconds: number;
  perSecond: number;
  /** CHECK sent → answered (askServers' latencyMs), ms, all servers together. */
  latency: LatencySummary;
}

interface Server {
  id: string;
}

export async function runAskLoad(options: AskLoadOptions): Promise<AskLoadResult> {
  const servers: Server[] = options.ports.map((_, i) => ({ id: `s${i + 1}` }));
  const connected = await Promise.allSettled(
    Array.from({ length: options.clients }, () =>
      Promise.all(
        options.ports.map((port) => JukeboxConnection.connect({ host: options.host, port, sharedReadBuffer: true, requestTimeoutMs: CHECK_TIMEOUT_MS })),
      ),
    ),
  );
  const clients = connected.flatMap((c) => (c.status === 'fulfilled' ? [c.value] : []));
  try {
    const failure = connected.find((c) => c.status === 'rejected');
    if (failure) throw (failure as PromiseRejectedResult).reason;
    return await drive(clients, servers, options);
  } finally {
    await Promise.all(clients.flat().map((c) => c.close()));
  }
}

async function drive(clients: JukeboxConnection[][], servers: Server[], options: AskLoadOptions): Promise<AskLoadResult> {
  const histogram = createHistogram();
  const window = new MeasureWindow(options);
  let checks = 0;
  let totalChecks = 0;
  const ask = async (connections: JukeboxConnection[]) => {
    const through: AskServersOptions<Server> = { connect: (s) => connections[servers.indexOf(s)] as JukeboxConnection, timeoutMs: CHECK_TIMEOUT_MS };
    while (!window.stopped) {
      const answers = await askServers(options.song, servers, through);
      for (const answer of answers) {
        if (answer.outcome !== 'not_exist')
          throw new Error(`CHECK ${options.song} from ${answer.serverId}: ${answer.outcome}${'message' in answer ? ` (${answer.message})` : ''}`);
        totalChecks++;
        if (window.measuring) {
          checks++;
          recordMs(histogram, answer.latencyMs);
        }
      }
    }
  };
  window.start(() => undefined);
  try {
    // A failed loop rejects at once; the finally then stops the others after their answer in flight.
    await withDeadline(
      Promise.all(clients.map(ask)),
      options.warmupMs + options.durationMs + DRAIN_TIMEOUT_MS,
      () => `answers still missing ${DRAIN_TIMEOUT_MS} ms after the run`,
    );
  } finally {
    window.stopNow();
  }
  const seconds = window.seconds;
  return { clients: clients.length, checks, totalChecks, seconds, perSecond: seconds > 0 ? checks / seconds : 0, latency: summarize(histogram) };
}

async function withDeadline<T>(work: Promise<T>, ms: number, what: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what())), ms)));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
