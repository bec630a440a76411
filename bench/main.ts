// `npm run bench`: the project's performance figures in one run. Micro-benchmarks (tinybench),
// then jukebox against nginx, redis-server, a seed-like Python server and a bare Node server,
// each started here on a free loopback port and stopped at the end (also on Ctrl-C). Prints one
// table and writes the figures to .cache/bench/. Options: --quick (shorter, one round),
// --only micro,bulk,small,connect,harness,harness-small,live,scale (or system), --server process|thread|in-process
// (default process: the jukebox server in a process of its own, as every peer).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONNECTIONS } from '../src/server/limits.js';
import { startServer } from '../src/server/server.js';
import { startServerThread } from '../src/server/thread-host.js';
import { packageRoot } from '../src/util/paths.js';
import { Cleanup } from './cleanup.js';
import { createBenchLibrary, SERVER_ID, type BenchLibrary } from './fixture.js';
import { microSink, runMicroBenchmarks, type MicroTiming } from './micro.js';
import { startJukeboxProcess } from './peers/jukebox-process.js';
import { findNginx, NGINX_INSTALL_HINT, startNginx, type NginxPeer } from './peers/nginx.js';
import { findExecutable, freePort, LOOPBACK, spawnPeer, versionOf } from './peers/process.js';
import { findRedis, REDIS_INSTALL_HINT, startRedis, type RedisPeer } from './peers/redis.js';
import { formatNumber, formatRatio, renderTable, type BenchRow } from './results.js';
import { runSystemBenchmarks, SYSTEM_PARTS, type SystemPart, type SystemPeers, type SystemTiming } from './suite.js';

/**
 * Full run: about 4 minutes on a 2-core machine (the scale part alone about 45 s). Many short
 * rounds rather than a few long ones: the machine is shared, other work comes in bursts of
 * seconds, and the best of five rounds gives each side a fair chance at a quiet moment.
 */
const FULL_SYSTEM: SystemTiming = { warmupMs: 500, durationMs: 1_000, rounds: 5 };
/** A 1-minute load average above this when the bench starts means others are busy too. */
const BUSY_LOAD_AVERAGE = 1.0;
const FULL_MICRO: MicroTiming = { taskMs: 500, warmupMs: 100 };
/** --quick: for profiling and trying things out. */
const QUICK_SYSTEM: SystemTiming = { warmupMs: 300, durationMs: 1_000, rounds: 1 };
const QUICK_MICRO: MicroTiming = { taskMs: 200, warmupMs: 50 };
/** Well beyond a full run: if this passes, something hangs; stop everything and say so. */
const WHOLE_BENCH_TIMEOUT_MS = 8 * 60_000;
const PYTHON_SERVER = join(packageRoot, 'bench', 'peers', 'threaded_line_server.py');
const NODE_LINE_SERVER = fileURLToPath(new URL('./peers/node-line-server.js', import.meta.url));
const OUTPUT_DIR = join(packageRoot, '.cache', 'bench');

type ServerMode = 'process' | 'thread' | 'in-process';
const SERVER_MODES: readonly ServerMode[] = ['process', 'thread', 'in-process'];

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, server: { type: 'string', default: 'process' } },
  });
  const only = parseOnly(values.only);
  const serverMode = values.server as ServerMode;
  if (!SERVER_MODES.includes(serverMode)) throw new Error(`--server takes ${SERVER_MODES.join(', ')}, got ${JSON.stringify(values.server)}`);
  const systemTiming = values.quick ? QUICK_SYSTEM : FULL_SYSTEM;
  const microTiming = values.quick ? QUICK_MICRO : FULL_MICRO;

  const cleanup = new Cleanup();
  const interrupted = () => {
    log('\ninterrupted: stopping what the bench started');
    void cleanup.runAll().then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  const watchdog = setTimeout(() => {
    log(`the bench took over ${WHOLE_BENCH_TIMEOUT_MS / 1000} s: stopping`);
    void cleanup.runAll().then(() => process.exit(1));
  }, WHOLE_BENCH_TIMEOUT_MS);
  watchdog.unref();

  const startedAt = new Date();
  const loadBefore = loadavg();
  const rows: BenchRow[] = [];
  let raw: Record<string, unknown> = {};
  let peerVersions: Record<string, string> = {};
  try {
    if (only.micro) {
      log('micro-benchmarks (tinybench)…');
      rows.push(...(await runMicroBenchmarks(microTiming)));
    }
    if (only.parts.size > 0) {
      const work = mkdtempSync(join(tmpdir(), 'jukebox-bench-'));
      // nginx's workers run as nobody when the bench runs as root: they must reach the library.
      chmodSync(work, 0o755);
      cleanup.add('temp folder', () => rmSync(work, { recursive: true, force: true }));
      const library = await createBenchLibrary(work);
      const { peers, versions } = await startPeers(library, work, serverMode, cleanup);
      peerVersions = versions;
      for (const [name, why] of Object.entries(peers.missing)) log(`${name} is not available: ${why}; its comparison is skipped`);
      const system = await runSystemBenchmarks(peers, systemTiming, only.parts, log);
      rows.push(...system.rows);
      raw = system.raw;
    }
  } finally {
    const failures = await cleanup.runAll();
    for (const failure of failures) log(`cleanup: ${failure}`);
    clearTimeout(watchdog);
  }

  process.stdout.write(`${renderTable(rows)}\n`);
  const environment = {
    startedAt: startedAt.toISOString(),
    node: process.version,
    os: `${osType()} ${release()}`,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    loadAverage1mBefore: loadBefore[0],
    loadAverage1mAfter: loadavg()[0],
    jukeboxServer: {
      process: 'a process of its own (startServer), like every peer',
      thread: 'worker thread (startServerThread); load clients on the main thread',
      'in-process': 'in-process (startServer), same thread as the load clients',
    }[serverMode],
    timing: { system: systemTiming, micro: microTiming },
    peers: peerVersions,
  };
  const file = writeResults({ environment, rows, raw, sink: microSink() }, startedAt);
  process.stdout.write(`figures written to ${file}\n`);
  const before = environment.loadAverage1mBefore ?? 0;
  if (before > BUSY_LOAD_AVERAGE)
    process.stdout.write(
      `note: the machine was already busy when the bench started (1-minute load average ${before.toFixed(2)}): figures are noisier than usual\n`,
    );
  process.stdout.write(targetStatus(rows));
  const unmet = rows.filter((r) => r.met === false).map((r) => r.name.trim());
  if (unmet.length > 0) process.stdout.write(`targets not met: ${unmet.join('; ')}\n`);
  const undecided = rows.filter((r) => r.undecided !== undefined).map((r) => r.name.trim());
  if (undecided.length > 0) process.stdout.write(`targets the rounds cannot decide: ${undecided.join('; ')}\n`);
  return 0;
}

/** Every target of the run, one line each: met, not met, can't tell (the rounds overlap it), or not measured (a peer missing, every round failed). */
function targetStatus(rows: BenchRow[]): string {
  const lines: string[] = [];
  let lastMain = '';
  for (const r of rows) {
    // An indented row ("  same, vs …") qualifies the row above it: named with it.
    const name = r.name.startsWith(' ') ? `${lastMain} — ${r.name.trim()}` : r.name;
    if (!r.name.startsWith(' ')) lastMain = r.name;
    if (!r.target) continue;
    const status = r.undecided !== undefined ? `can't tell: ${r.undecided}` : r.met === undefined ? 'not measured' : r.met ? 'met' : 'NOT met';
    // A ratio target (≥ 2.0×) is judged on the ratio; any other (< 1 ms) on the figure.
    const byRatio = r.target.endsWith('×');
    const got = byRatio
      ? r.ratio !== undefined
        ? `${formatRatio(r.ratio)}×`
        : 'no ratio'
      : r.met !== undefined || r.undecided !== undefined
        ? `${formatNumber(r.figure)} ${r.unit}`
        : 'no figure';
    lines.push(`  ${r.group}: ${name}: ${status} (${got}; target ${r.target})\n`);
  }
  return lines.length > 0 ? `targets:\n${lines.join('')}` : '';
}

/** `--only micro,bulk,small,connect,harness,harness-small,live,scale` (any of them; `system` = all but micro); default everything. */
function parseOnly(text: string | undefined): { micro: boolean; parts: Set<SystemPart> } {
  if (text === undefined) return { micro: true, parts: new Set(SYSTEM_PARTS) };
  const words = text.split(',').map((w) => w.trim());
  const known = ['micro', 'system', ...SYSTEM_PARTS];
  const unknown = words.filter((w) => !known.includes(w));
  if (unknown.length > 0) throw new Error(`--only takes ${known.join(', ')} (comma-separated), got ${unknown.join(', ')}`);
  const parts = new Set(SYSTEM_PARTS.filter((p) => words.includes(p) || words.includes('system')));
  return { micro: words.includes('micro'), parts };
}

/** Starts the jukebox server and every peer that is installed; registers each with `cleanup`. */
async function startPeers(
  library: BenchLibrary,
  work: string,
  mode: ServerMode,
  cleanup: Cleanup,
): Promise<{ peers: SystemPeers; versions: Record<string, string> }> {
  const missing: Record<string, string> = {};
  const versions: Record<string, string> = { node: process.version };

  let jukeboxPort: number;
  // Only a server in a process of its own has CPU time of its own to read.
  let jukeboxPid: number | undefined;
  if (mode === 'process') {
    const server = await startJukeboxProcess(SERVER_ID, library.catalogPath, DEFAULT_MAX_CONNECTIONS);
    cleanup.add('jukebox server process', async () => {
      await server.stop().catch(() => server.kill());
    });
    jukeboxPort = server.port;
    jukeboxPid = server.pid;
  } else if (mode === 'thread') {
    const thread = await startServerThread({ serverId: SERVER_ID, catalogPath: library.catalogPath, files: library.files, host: LOOPBACK, port: 0 });
    cleanup.add('jukebox server thread', () => thread.stop({ graceful: false }));
    jukeboxPort = thread.port;
  } else {
    const server = await startServer({ serverId: SERVER_ID, catalog: library.loaded, files: library.files, host: LOOPBACK, port: 0 });
    cleanup.add('jukebox server', () => server.close({ graceful: false }));
    jukeboxPort = server.port;
  }

  const nginxBinary = findNginx();
  let nginx: NginxPeer | undefined;
  if (!nginxBinary) missing.nginx = `nginx not installed (${NGINX_INSTALL_HINT})`;
  else {
    nginx = await tryStart('nginx', missing, () => startNginx(nginxBinary, library.dir, join(work, 'nginx')));
    if (nginx) {
      cleanup.add('nginx', nginx.stop);
      versions.nginx = nginx.version;
    }
  }

  const redisBinary = findRedis();
  let redis: RedisPeer | undefined;
  if (!redisBinary) missing.redis = `redis-server not installed (${REDIS_INSTALL_HINT})`;
  else {
    mkdirSync(join(work, 'redis'));
    redis = await tryStart('redis', missing, () => startRedis(redisBinary, join(work, 'redis')));
    if (redis) {
      cleanup.add('redis-server', redis.stop);
      versions.redis = redis.version;
    }
  }

  const python = findExecutable('python3');
  let pythonPort: number | undefined;
  let pythonPid: number | undefined;
  if (!python) missing.python = 'python3 not installed (apt-get install -y python3)';
  else {
    const port = await freePort();
    const peer = await tryStart('python', missing, () =>
      spawnPeer({ name: 'Python threaded server', command: python, args: [PYTHON_SERVER, String(port)], port }),
    );
    if (peer) {
      cleanup.add('Python server', peer.stop);
      pythonPort = port;
      pythonPid = peer.pid;
      versions.python = await versionOf(python, ['--version']);
    }
  }

  const [nodeLinePort, nodePersistentPort] = [await freePort(), await freePort()];
  const nodeLine = await spawnPeer({
    name: 'bare Node server',
    command: process.execPath,
    args: [NODE_LINE_SERVER, String(nodeLinePort), String(nodePersistentPort)],
    port: nodeLinePort,
  });
  cleanup.add('bare Node server', nodeLine.stop);

  return {
    peers: {
      catalogPath: library.catalogPath,
      jukeboxPort,
      jukeboxPid,
      bigBytes: library.bigBytes,
      bigSha256: library.bigSha256,
      nginx,
      redis,
      pythonPort,
      pythonPid,
      nodeLinePort,
      nodeLinePid: nodeLine.pid,
      nodePersistentPort,
      missing,
    },
    versions,
  };
}

/** A peer that fails to start is reported and skipped: the rest of the bench still runs. */
async function tryStart<T>(name: string, missing: Record<string, string>, start: () => Promise<T>): Promise<T | undefined> {
  try {
    return await start();
  } catch (err) {
    missing[name] = `${name} failed to start: ${(err as Error).message.split('\n')[0] ?? ''}`;
    return undefined;
  }
}

function writeResults(data: unknown, startedAt: Date): string {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const file = join(OUTPUT_DIR, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(data, null, 2)}\n`;
  writeFileSync(file, text);
  writeFileSync(join(OUTPUT_DIR, 'latest.json'), text);
  return file;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
