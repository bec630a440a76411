// The system benchmarks: jukebox against its peers, side by side in one run, each pair driven by
// the same load client. Each side of a comparison runs `rounds` times in alternating order
// (A B B A …) and keeps its best round: noise on a shared machine only ever slows a run down.
// Under issue 15's rate rows, the server's CPU per request, connection or MB (bench/server-cpu.ts):
// the median of the rounds, which says why a rate ratio is what it is.
import { runBulkLoad, type BulkLoadResult } from './load/bulk-client.js';
import { runConnectLoad, type ConnectLoadResult } from './load/connect-client.js';
import { httpFraming, jukeboxFraming } from './load/framing.js';
import { runLineLoad, type LineLoadResult } from './load/line-client.js';
import type { LoadTiming } from './load/window.js';
import { BIG_SONG, SMALL_SONG } from './fixture.js';
import { runHarnessOverhead } from './harness.js';
import { runSmallHarness } from './harness-small.js';
import { runLiveOverhead } from './live.js';
import type { NginxPeer } from './peers/nginx.js';
import { LOOPBACK } from './peers/process.js';
import { REDIS_KEY, type RedisPeer } from './peers/redis.js';
import { ratioOf, spreadOf, type BenchRow, type PeerFigure, type Spread } from './results.js';
import { compare, type Log, type Measured, type Side } from './rounds.js';
import { runScaleBench } from './scale/run-scale.js';
import { cpuRow, cpuUnmeasured, withServerCpu, type CpuSide, type ServerCpu } from './server-cpu.js';
import { judgeRatio } from './verdict.js';

/** Issue 2: GET throughput at these connection counts, CHECK round trips at these. */
export const GET_CONNECTIONS = [1, 16, 64] as const;
export const CHECK_CONNECTIONS = [1, 50, 500] as const;
/** Issue 7's comparisons, with issue 15's targets where it set new ones. */
const BULK_COMPARE_CONNECTIONS = 16;
const SMALL_COMPARE_CONNECTIONS = 50;
const CONNECT_CONCURRENCY = 50;
/** Issue 15: GET at 16 connections at least nginx in its better setting (sendfile on or off). */
const BULK_TARGET_RATIO = 1.0;
/** Issue 15: CHECK at 50 connections at least 0.95× the bare Node server (which is about redis here); it replaced issue 7's ≥ 1.0× redis. */
const SMALL_TARGET_RATIO = 0.95;
const CHECK_P99_TARGET_MS = 1;
/**
 * The paced CHECK load: each of the 50 connections sends one request per this many ms, at most
 * 25,000/s in all, under half of what the saturating load reaches here: latency under a load the
 * server sustains, where the saturating load's latency is set by Little's law (50 ÷ its rate).
 */
const PACED_INTERVAL_MS = 2;
/** Issue 15: connection per request at least twice the seed's Python threaded server, and 0.95× the bare Node server. */
const CONNECT_TARGET_RATIO = 2.0;
const CONNECT_NODE_TARGET_RATIO = 0.95;
/** The bulk rows' CPU is per MB sent (10^6 body bytes, like MB/s). */
const BYTES_PER_MB = 1e6;

export interface SystemTiming extends LoadTiming {
  /** Rounds per side of a comparison (the best counts). */
  rounds: number;
}

/** What is running for the bench; a missing peer is undefined, with the reason in `missing`. */
export interface SystemPeers {
  /** The bench library's catalog (the harness run reads it). */
  catalogPath: string;
  jukeboxPort: number;
  /** The jukebox server's process, for its CPU time; undefined when it runs in the bench's process (--server thread|in-process). */
  jukeboxPid?: number | undefined;
  bigBytes: number;
  bigSha256: string;
  nginx?: NginxPeer | undefined;
  redis?: RedisPeer | undefined;
  pythonPort?: number | undefined;
  pythonPid?: number | undefined;
  /** The bare Node server: one answer then close / every line answered on a persistent connection. */
  nodeLinePort: number;
  nodePersistentPort: number;
  /** The bare Node server's process (both ports). */
  nodeLinePid: number;
  /** peer name → why it is not running (with how to install it). */
  missing: Record<string, string>;
}

export interface SystemResults {
  rows: BenchRow[];
  /** Every round of every measurement, for the JSON file. */
  raw: Record<string, Measured<unknown>>;
}

const mbps = (r: BulkLoadResult) => `${r.mbPerSecond.toFixed(0)} MB/s (${r.transfers} transfers)`;
const rtps = (r: LineLoadResult) => `${r.perSecond.toFixed(0)} round trips/s, p99 ${r.latency.p99.toFixed(3)} ms`;
const cps = (r: ConnectLoadResult) => `${r.perSecond.toFixed(0)} connections/s, p99 ${r.latency.p99.toFixed(3)} ms${r.errors ? `, ${r.errors} errors` : ''}`;

export type SystemPart = 'bulk' | 'small' | 'connect' | 'harness' | 'harness-small' | 'live' | 'scale';
export const SYSTEM_PARTS: readonly SystemPart[] = ['bulk', 'small', 'connect', 'harness', 'harness-small', 'live', 'scale'];

/** Rows of one part: issue 2's figures, issue 15's targets and issue 7's other comparisons, kept apart so the table groups them. */
interface PartRows {
  issue2: BenchRow[];
  issue15?: BenchRow[];
  issue7: BenchRow[];
}

type Raw = Record<string, Measured<unknown>>;

export async function runSystemBenchmarks(peers: SystemPeers, timing: SystemTiming, parts: ReadonlySet<SystemPart>, log: Log): Promise<SystemResults> {
  const raw: Raw = {};
  const results: PartRows[] = [];
  if (parts.has('bulk')) results.push(await runBulk(peers, timing, raw, log));
  if (parts.has('small')) results.push(await runSmall(peers, timing, raw, log));
  if (parts.has('connect')) results.push(await runConnect(peers, timing, raw, log));
  if (parts.has('harness')) {
    const harness = await runHarnessOverhead(peers, timing, log);
    Object.assign(raw, harness.raw);
    results.push({ issue2: [], issue7: harness.rows });
  }
  if (parts.has('harness-small')) {
    const small = await runSmallHarness(peers, timing, log);
    Object.assign(raw, small.raw);
    results.push({ issue2: [], issue7: small.rows });
  }
  if (parts.has('live')) {
    const live = await runLiveOverhead(peers, timing, log);
    Object.assign(raw, live.raw);
    results.push({ issue2: [], issue7: live.rows });
  }
  if (parts.has('scale')) {
    const scale = await runScaleBench(log);
    raw.scale = { best: scale.raw, rounds: [scale.raw], errors: [] };
    results.push({ issue2: [], issue7: scale.rows });
  }
  return { rows: [...results.flatMap((r) => r.issue2), ...results.flatMap((r) => r.issue15 ?? []), ...results.flatMap((r) => r.issue7)], raw };
}

/** Why a peer has no figure: not installed or failed to start, or every round failed. */
function whyMissing(peers: SystemPeers, missingKey: string, m: Measured<unknown> | undefined): string | undefined {
  return peers.missing[missingKey] ?? (m && !m.best && m.errors[0] ? `failed: ${m.errors[0]}` : undefined);
}

/** One side of a CPU row: the jukebox server's or a peer's rounds, and why there is no figure if there is none. */
function cpuSide(name: string, pid: number | undefined, measured: Measured<ServerCpu> | undefined, missing?: string): CpuSide {
  return { name, measured, unmeasured: cpuUnmeasured(pid, measured, missing) };
}

/** Runs one side alone, one round (issue 2's figures at the connection counts not compared). */
async function alone<R>(side: Side<R>, score: (r: R) => number, describe: (r: R) => string, raw: Raw, log: Log): Promise<R | undefined> {
  const m = await compare([side], 1, score, describe, log);
  const measured = m.get(side.name);
  raw[side.name] = measured as Measured<unknown>;
  return measured?.best;
}

/** Bulk: jukebox GET vs nginx (both sendfile settings; the better is the peer), and issue 2's GET figures. */
async function runBulk(peers: SystemPeers, timing: SystemTiming, raw: Raw, log: Log): Promise<PartRows> {
  const get = (connections: number): Side<BulkLoadResult> => ({
    name: `jukebox GET x${connections}`,
    run: () =>
      runBulkLoad({
        ...timing,
        host: LOOPBACK,
        port: peers.jukeboxPort,
        connections,
        request: `GET ${BIG_SONG.id}\n`,
        framing: jukeboxFraming,
        expectBodyBytes: peers.bigBytes,
      }),
  });
  const httpGet = (name: string, port: number): Side<BulkLoadResult> => ({
    name,
    run: () =>
      runBulkLoad({
        ...timing,
        host: LOOPBACK,
        port,
        connections: BULK_COMPARE_CONNECTIONS,
        request: `GET /${BIG_SONG.id}.mp3 HTTP/1.1\r\nHost: ${LOOPBACK}\r\n\r\n`,
        framing: httpFraming,
        expectBodyBytes: peers.bigBytes,
      }),
  });
  const score = (r: BulkLoadResult) => r.mbPerSecond;

  log(`bulk: GET of a ${(peers.bigBytes / 1e6).toFixed(2)} MB song at ${BULK_COMPARE_CONNECTIONS} connections, jukebox vs nginx`);
  const jukeboxSide = get(BULK_COMPARE_CONNECTIONS);
  const mbSent = (r: BulkLoadResult) => r.totalBytes / BYTES_PER_MB;
  const sides = [withServerCpu(jukeboxSide, peers.jukeboxPid, mbSent)];
  if (peers.nginx) {
    const nginxPid = peers.nginx.pid;
    sides.push(
      ...[httpGet('nginx sendfile on', peers.nginx.sendfilePort), httpGet('nginx sendfile off', peers.nginx.copyPort)].map((side) =>
        withServerCpu(side, nginxPid, mbSent),
      ),
    );
  }
  const bulk = await compare(sides, timing.rounds, score, mbps, log);
  for (const [name, m] of bulk) raw[name] = m;
  const jukebox = bulk.get(jukeboxSide.name)?.best;
  const spread = (side: string) => spreadOf(bulk.get(side), score, 'higher');

  const figures = new Map<number, BulkLoadResult | undefined>([[BULK_COMPARE_CONNECTIONS, jukebox]]);
  for (const connections of GET_CONNECTIONS) {
    if (figures.has(connections)) continue;
    log(`bulk: jukebox GET at ${connections} connection(s)`);
    figures.set(connections, await alone(get(connections), score, mbps, raw, log));
  }
  const issue2 = GET_CONNECTIONS.map((connections): BenchRow => ({
    group: 'issue 2',
    name: `GET 4 MB song, ${connections} connection(s)`,
    figure: figures.get(connections)?.mbPerSecond ?? 0,
    spread: connections === BULK_COMPARE_CONNECTIONS ? spread(jukeboxSide.name) : undefined,
    unit: 'MB/s',
    better: 'higher',
  }));

  const on = bulk.get('nginx sendfile on')?.best;
  const off = bulk.get('nginx sendfile off')?.best;
  const figure = { value: jukebox?.mbPerSecond ?? 0, spread: spread(jukeboxSide.name) };
  const name = `GET 4 MB song, ${BULK_COMPARE_CONNECTIONS} connections`;
  const nginxPeer = (setting: 'on' | 'off', r: BulkLoadResult, only = '') => ({
    name: `nginx (sendfile ${setting}${only})`,
    figure: r.mbPerSecond,
    spread: spread(`nginx sendfile ${setting}`),
  });
  const cpuRows = (['on', 'off'] as const).map((setting) =>
    cpuRow(
      `  same, server CPU per MB sent (user + system), vs nginx sendfile ${setting}`,
      'µs/MB',
      cpuSide('jukebox', peers.jukeboxPid, bulk.get(jukeboxSide.name)),
      cpuSide(
        `nginx (sendfile ${setting})`,
        peers.nginx?.pid,
        bulk.get(`nginx sendfile ${setting}`),
        whyMissing(peers, 'nginx', bulk.get(`nginx sendfile ${setting}`)),
      ),
    ),
  );
  if (!on || !off) {
    const missing = whyMissing(peers, 'nginx', bulk.get('nginx sendfile on') ?? bulk.get('nginx sendfile off'));
    const peer = on ? nginxPeer('on', on, ' only') : off ? nginxPeer('off', off, ' only') : undefined;
    return { issue2, issue15: [comparedRow('issue 15', name, figure, 'MB/s', 'higher', peer, BULK_TARGET_RATIO, missing), ...cpuRows], issue7: [] };
  }
  const [best, other] = on.mbPerSecond >= off.mbPerSecond ? [nginxPeer('on', on), nginxPeer('off', off)] : [nginxPeer('off', off), nginxPeer('on', on)];
  return {
    issue2,
    issue15: [
      comparedRow('issue 15', `${name}, vs nginx's better setting`, figure, 'MB/s', 'higher', best, BULK_TARGET_RATIO, undefined),
      comparedRow('issue 15', "  same, vs nginx's other setting", figure, 'MB/s', 'higher', other, undefined, undefined),
      ...cpuRows,
    ],
    issue7: [],
  };
}

/** Small requests: CHECK vs redis EXISTS at 50 persistent connections (one request in flight each), and issue 2's CHECK figures. */
async function runSmall(peers: SystemPeers, timing: SystemTiming, raw: Raw, log: Log): Promise<PartRows> {
  const lineSide = (name: string, port: number, request: string, expectPrefix: string, connections: number, intervalMs?: number): Side<LineLoadResult> => ({
    name,
    run: () => runLineLoad({ ...timing, host: LOOPBACK, port, connections, request, expectPrefix, intervalMs }),
  });
  const check = (connections: number, intervalMs?: number) =>
    lineSide(`jukebox CHECK x${connections}${intervalMs ? ' paced' : ''}`, peers.jukeboxPort, `CHECK ${SMALL_SONG.id}\n`, 'EXIST ', connections, intervalMs);
  const redisPort = peers.redis?.port;
  const exists = (intervalMs?: number) =>
    redisPort === undefined
      ? []
      : [
          lineSide(
            `redis EXISTS x${SMALL_COMPARE_CONNECTIONS}${intervalMs ? ' paced' : ''}`,
            redisPort,
            `EXISTS ${REDIS_KEY}\r\n`,
            ':1',
            SMALL_COMPARE_CONNECTIONS,
            intervalMs,
          ),
        ];
  const score = (r: LineLoadResult) => r.perSecond;

  log(`small: CHECK vs redis EXISTS at ${SMALL_COMPARE_CONNECTIONS} persistent connections`);
  const jukeboxSide = check(SMALL_COMPARE_CONNECTIONS);
  const [redisSide] = exists();
  const bareSide = lineSide(
    `bare Node x${SMALL_COMPARE_CONNECTIONS}`,
    peers.nodePersistentPort,
    `CHECK ${SMALL_SONG.id}\n`,
    'EXIST',
    SMALL_COMPARE_CONNECTIONS,
  );
  const roundTrips = (r: LineLoadResult) => r.totalRoundTrips;
  const small = await compare(
    [
      withServerCpu(jukeboxSide, peers.jukeboxPid, roundTrips),
      ...exists().map((side) => withServerCpu(side, peers.redis?.pid, roundTrips)),
      withServerCpu(bareSide, peers.nodeLinePid, roundTrips),
    ],
    timing.rounds,
    score,
    rtps,
    log,
  );
  for (const [name, m] of small) raw[name] = m;
  const jukebox = small.get(jukeboxSide.name)?.best;
  const redis = redisSide && small.get(redisSide.name)?.best;
  const bareNode = small.get(bareSide.name)?.best;
  const rateSpread = (side: Side<LineLoadResult> | undefined) => (side ? spreadOf(small.get(side.name), score, 'higher') : undefined);
  const p99 = (r: LineLoadResult) => r.latency.p99;

  log(`small: CHECK latency at ${SMALL_COMPARE_CONNECTIONS} connections paced at one request per ${PACED_INTERVAL_MS} ms each, jukebox vs redis`);
  const pacedSide = check(SMALL_COMPARE_CONNECTIONS, PACED_INTERVAL_MS);
  const [redisPacedSide] = exists(PACED_INTERVAL_MS);
  const paced = await compare([pacedSide, ...exists(PACED_INTERVAL_MS)], timing.rounds, (r) => -r.latency.p99, rtps, log);
  for (const [name, m] of paced) raw[name] = m;
  const jukeboxPaced = paced.get(pacedSide.name)?.best;
  const redisPaced = redisPacedSide && paced.get(redisPacedSide.name)?.best;
  const p99Spread = (m: Map<string, Measured<LineLoadResult>>, side: Side<LineLoadResult> | undefined) =>
    side ? spreadOf(m.get(side.name), p99, 'lower') : undefined;

  const figures = new Map<number, LineLoadResult | undefined>([[SMALL_COMPARE_CONNECTIONS, jukebox]]);
  for (const connections of CHECK_CONNECTIONS) {
    if (figures.has(connections)) continue;
    log(`small: jukebox CHECK at ${connections} connection(s)`);
    figures.set(connections, await alone(check(connections), score, rtps, raw, log));
  }
  const issue2 = CHECK_CONNECTIONS.map((connections): BenchRow => ({
    group: 'issue 2',
    name: `CHECK, ${connections} persistent connection(s)`,
    figure: figures.get(connections)?.perSecond ?? 0,
    spread: connections === SMALL_COMPARE_CONNECTIONS ? rateSpread(jukeboxSide) : undefined,
    unit: 'round trips/s',
    better: 'higher',
  }));

  const missing = whyMissing(peers, 'redis', redisSide && small.get(redisSide.name));
  const p99Row = (
    name: string,
    result: LineLoadResult | undefined,
    peer: LineLoadResult | undefined,
    m: Map<string, Measured<LineLoadResult>>,
    sides: [Side<LineLoadResult>, Side<LineLoadResult> | undefined],
  ): BenchRow => ({
    ...comparedRow(
      'issue 7',
      name,
      { value: result?.latency.p99 ?? 0, spread: p99Spread(m, sides[0]) },
      'ms',
      'lower',
      peer && { name: 'redis EXISTS', figure: peer.latency.p99, spread: p99Spread(m, sides[1]) },
      undefined,
      missing,
    ),
    target: `< ${CHECK_P99_TARGET_MS} ms`,
    met: result ? result.latency.p99 < CHECK_P99_TARGET_MS : undefined,
  });
  const offered = Math.round((SMALL_COMPARE_CONNECTIONS * 1000) / PACED_INTERVAL_MS);
  const rate = { value: jukebox?.perSecond ?? 0, spread: rateSpread(jukeboxSide) };
  return {
    issue2,
    issue15: [
      comparedRow(
        'issue 15',
        `CHECK, ${SMALL_COMPARE_CONNECTIONS} persistent connections, vs a bare Node net server`,
        rate,
        'round trips/s',
        'higher',
        bareNode && { name: 'bare Node', figure: bareNode.perSecond, spread: rateSpread(bareSide) },
        SMALL_TARGET_RATIO,
        whyMissing(peers, 'node', small.get(bareSide.name)),
      ),
      cpuRow(
        '  same, server CPU per request (user + system)',
        'µs/request',
        cpuSide('jukebox', peers.jukeboxPid, small.get(jukeboxSide.name)),
        cpuSide('bare Node', peers.nodeLinePid, small.get(bareSide.name), whyMissing(peers, 'node', small.get(bareSide.name))),
      ),
    ],
    issue7: [
      comparedRow(
        'issue 7',
        `CHECK, ${SMALL_COMPARE_CONNECTIONS} persistent connections, vs redis`,
        rate,
        'round trips/s',
        'higher',
        redis && { name: 'redis EXISTS', figure: redis.perSecond, spread: rateSpread(redisSide) },
        undefined,
        missing,
      ),
      p99Row(`CHECK p99 latency, ${SMALL_COMPARE_CONNECTIONS} connections, saturating`, jukebox, redis, small, [jukeboxSide, redisSide]),
      p99Row(`CHECK p99 latency, ${SMALL_COMPARE_CONNECTIONS} connections, paced (≤ ${offered.toLocaleString('en-US')}/s)`, jukeboxPaced, redisPaced, paced, [
        pacedSide,
        redisPacedSide,
      ]),
    ],
  };
}

/** Connection per request: jukebox vs the seed-like Python threaded server and a bare Node net server. */
async function runConnect(peers: SystemPeers, timing: SystemTiming, raw: Raw, log: Log): Promise<PartRows> {
  const side = (name: string, port: number, expectPrefix: string): Side<ConnectLoadResult> => ({
    name,
    run: () => runConnectLoad({ ...timing, host: LOOPBACK, port, concurrency: CONNECT_CONCURRENCY, request: `CHECK ${SMALL_SONG.id}\n`, expectPrefix }),
  });
  log(`connect: connection per request (connect + CHECK + answer + close) at concurrency ${CONNECT_CONCURRENCY}`);
  const connections = (r: ConnectLoadResult) => r.totalConnections;
  const sides = [
    withServerCpu(side('jukebox conn/req', peers.jukeboxPort, 'EXIST '), peers.jukeboxPid, connections),
    withServerCpu(side('bare Node net', peers.nodeLinePort, 'EXIST'), peers.nodeLinePid, connections),
  ];
  if (peers.pythonPort !== undefined) sides.push(withServerCpu(side('Python threaded', peers.pythonPort, 'EXIST'), peers.pythonPid, connections));
  const connect = await compare(sides, timing.rounds, (r) => r.perSecond, cps, log);
  for (const [name, m] of connect) raw[name] = m;

  const spread = (side: string) => spreadOf(connect.get(side), (r) => r.perSecond, 'higher');
  const figure = { value: connect.get('jukebox conn/req')?.best?.perSecond ?? 0, spread: spread('jukebox conn/req') };
  const python = connect.get('Python threaded')?.best;
  const bareNode = connect.get('bare Node net')?.best;
  // One CPU row under each target row: Python's CPU ratio is where its rate ratio falls when the machine is busy, bare Node's is the floor.
  const connectCpu = (peer: CpuSide) =>
    cpuRow(
      `  same, server CPU per connection (user + system), vs ${peer.name}`,
      'µs/connection',
      cpuSide('jukebox', peers.jukeboxPid, connect.get('jukebox conn/req')),
      peer,
    );
  return {
    issue2: [],
    issue15: [
      comparedRow(
        'issue 15',
        `connection per request, concurrency ${CONNECT_CONCURRENCY}, vs Python`,
        figure,
        'requests/s',
        'higher',
        python && { name: 'Python threaded', figure: python.perSecond, spread: spread('Python threaded') },
        CONNECT_TARGET_RATIO,
        whyMissing(peers, 'python', connect.get('Python threaded')),
      ),
      connectCpu(cpuSide('Python', peers.pythonPid, connect.get('Python threaded'), whyMissing(peers, 'python', connect.get('Python threaded')))),
      comparedRow(
        'issue 15',
        '  same, vs a bare Node net server',
        figure,
        'requests/s',
        'higher',
        bareNode && { name: 'bare Node', figure: bareNode.perSecond, spread: spread('bare Node net') },
        CONNECT_NODE_TARGET_RATIO,
        whyMissing(peers, 'node', connect.get('bare Node net')),
      ),
      connectCpu(cpuSide('bare Node', peers.nodeLinePid, connect.get('bare Node net'), whyMissing(peers, 'node', connect.get('bare Node net')))),
    ],
    issue7: [],
  };
}

/** A figure of jukebox's: the best round, and how far its rounds spread. */
interface Figure {
  value: number;
  spread: Spread | undefined;
}

function comparedRow(
  group: string,
  name: string,
  figure: Figure,
  unit: string,
  better: 'higher' | 'lower',
  peer: PeerFigure | undefined,
  targetRatio: number | undefined,
  missing: string | undefined,
): BenchRow {
  const ratio = peer ? ratioOf(figure.value, peer.figure, better) : undefined;
  return {
    group,
    name,
    figure: figure.value,
    spread: figure.spread,
    unit,
    better,
    peer,
    ratio,
    target: targetRatio === undefined ? undefined : `≥ ${Number.isInteger(targetRatio) ? targetRatio.toFixed(1) : String(targetRatio)}×`,
    ...(targetRatio === undefined ? {} : judgeRatio(ratio, targetRatio, better, figure.spread, peer?.spread)),
    note: peer ? undefined : missing,
  };
}
