// Issue 13: what the live view costs the run it watches. The harness bench's download-only load
// (16 simulated clients, one pool thread, an external server) in alternating rounds: plain, and
// with the live view on (every one of the 16 clients sampled: under the default 20, the worst
// case) and a reader attached to /events that reads everything. Target: at least 0.95x.
import { get } from 'node:http';
import { runScenario } from '../src/harness/coordinator.js';
import { startLiveServer } from '../src/live/http-server.js';
import { RunLive } from '../src/live/run-live.js';
import { buildReport } from '../src/report/build.js';
import { collectEnvironment } from '../src/report/environment.js';
import { parseScenario } from '../src/scenario/load.js';
import { BIG_SONG, SERVER_ID } from './fixture.js';
import { steadyBytesPerSecond, type HarnessBenchInput } from './harness.js';
import { LOOPBACK } from './peers/process.js';
import { ratioOf, spreadOf, type BenchRow } from './results.js';
import { compare, type Log, type Side } from './rounds.js';
import { judgeRatio } from './verdict.js';

const LIVE_CLIENTS = 16;
/** Downloads per client: a few seconds of load, as in the harness bench. */
const LIVE_REQUESTS_PER_CLIENT = 50;
const LIVE_TARGET_RATIO = 0.95;

interface LiveThroughput {
  mbPerSecond: number;
  /** Events the reader received (0 without the live view). */
  events: number;
}

const PLAIN = 'simulate download-only';
const WATCHED = 'simulate download-only --live + reader';

export async function runLiveOverhead(
  input: HarnessBenchInput,
  timing: { rounds: number; requestsPerClient?: number },
  log: Log,
): Promise<{ rows: BenchRow[]; raw: Record<string, unknown> }> {
  log(`live: download-only load at ${LIVE_CLIENTS} clients, without and with --live and a reader of /events`);
  const requests = timing.requestsPerClient ?? LIVE_REQUESTS_PER_CLIENT;
  const sides: Side<LiveThroughput>[] = [
    { name: PLAIN, run: () => runOnce(input, requests, false) },
    { name: WATCHED, run: () => runOnce(input, requests, true) },
  ];
  const measured = await compare(
    sides,
    timing.rounds,
    (r) => r.mbPerSecond,
    (r) => `${r.mbPerSecond.toFixed(0)} MB/s steady${r.events ? `, ${r.events} events read` : ''}`,
    log,
  );
  const plain = measured.get(PLAIN)?.best;
  const watched = measured.get(WATCHED)?.best;
  const ratio = plain && watched ? ratioOf(watched.mbPerSecond, plain.mbPerSecond, 'higher') : undefined;
  const spread = (name: string) => spreadOf(measured.get(name), (r) => r.mbPerSecond, 'higher');
  return {
    rows: [
      {
        group: 'issue 13',
        name: `simulate throughput with --live and a reader attached (${LIVE_CLIENTS} clients, all sampled)`,
        figure: watched?.mbPerSecond ?? 0,
        spread: spread(WATCHED),
        unit: 'MB/s',
        better: 'higher',
        peer: plain && { name: 'without --live', figure: plain.mbPerSecond, spread: spread(PLAIN) },
        ratio,
        target: `≥ ${LIVE_TARGET_RATIO}×`,
        ...judgeRatio(ratio, LIVE_TARGET_RATIO, 'higher', spread(WATCHED), spread(PLAIN)),
        note: undefined,
      },
    ],
    raw: Object.fromEntries(measured),
  };
}

async function runOnce(input: HarnessBenchInput, requests: number, watched: boolean): Promise<LiveThroughput> {
  const { scenario, catalog } = parseScenario(
    {
      name: 'bench-live-overhead',
      seed: 1,
      catalog: input.catalogPath,
      servers: [{ id: SERVER_ID, host: LOOPBACK, port: input.jukeboxPort, external: true }],
      load: { clients: LIVE_CLIENTS, concurrency: LIVE_CLIENTS, workers: 1 },
      client: { requests, connection: 'persistent', action: { download: 1 }, songs: { ids: [BIG_SONG.id], absent: 0 } },
    },
    undefined,
  );
  if (!watched) return { mbPerSecond: steadyBytesPerSecond(buildReport(await runScenario(scenario, catalog), collectEnvironment())) / 1e6, events: 0 };
  const live = new RunLive({ scenario, catalog });
  const server = await startLiveServer({ bus: live.bus });
  let events = 0;
  const reading = new Promise<void>((resolve, reject) => {
    get(new URL('events', server.url), (res) => {
      res.setEncoding('utf8');
      res.on('data', (text: string) => (events += text.split('\n\n').length - 1));
      res.once('end', resolve);
      res.once('error', resolve);
    }).once('error', reject);
  });
  try {
    const run = await runScenario(scenario, catalog, { live: live.hooks, onServersReady: (s) => live.serversReady(s) });
    return { mbPerSecond: steadyBytesPerSecond(buildReport(run, collectEnvironment())) / 1e6, events };
  } finally {
    live.bus.close();
    await server.close();
    await reading.catch(() => undefined);
  }
}
