// One load against the jukebox server thread alone, for profiling:
// `node --cpu-prof --cpu-prof-dir=DIR dist/bench/profile-load.js check|connect|get [seconds]`
// writes one profile per thread (the server's is the second file); read them with profile-top.js.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerThread } from '../src/server/thread-host.js';
import { BIG_SONG, createBenchLibrary, SERVER_ID, SMALL_SONG } from './fixture.js';
import { runBulkLoad } from './load/bulk-client.js';
import { runConnectLoad } from './load/connect-client.js';
import { jukeboxFraming } from './load/framing.js';
import { runLineLoad } from './load/line-client.js';
import { LOOPBACK } from './peers/process.js';

const WARMUP_MS = 500;
const DEFAULT_SECONDS = 5;
const MAX_SECONDS = 60;
/** The loads of issue 7's comparisons. */
const CONNECTIONS = { check: 50, connect: 50, get: 16 } as const;
type Load = keyof typeof CONNECTIONS;

const [loadArg = 'check', secondsArg] = process.argv.slice(2);
if (!(loadArg in CONNECTIONS)) throw new Error(`usage: profile-load.js check|connect|get [seconds]; got ${loadArg}`);
const load = loadArg as Load;
const seconds = Math.min(MAX_SECONDS, Number(secondsArg ?? DEFAULT_SECONDS));
if (!(seconds > 0)) throw new Error(`seconds must be a number in (0, ${MAX_SECONDS}]`);

const work = mkdtempSync(join(tmpdir(), 'jukebox-profile-'));
try {
  const library = await createBenchLibrary(work);
  const server = await startServerThread({ serverId: SERVER_ID, catalogPath: library.catalogPath, files: library.files, host: LOOPBACK, port: 0 });
  try {
    const timing = { host: LOOPBACK, port: server.port, warmupMs: WARMUP_MS, durationMs: seconds * 1000 };
    const connections = CONNECTIONS[load];
    let line: string;
    if (load === 'check') {
      const r = await runLineLoad({ ...timing, connections, request: `CHECK ${SMALL_SONG.id}\n`, expectPrefix: 'EXIST ' });
      line = `CHECK x${connections}: ${r.perSecond.toFixed(0)} round trips/s, p99 ${r.latency.p99} ms`;
    } else if (load === 'connect') {
      const r = await runConnectLoad({ ...timing, concurrency: connections, request: `CHECK ${SMALL_SONG.id}\n`, expectPrefix: 'EXIST ' });
      line = `connection per request x${connections}: ${r.perSecond.toFixed(0)} connections/s, p99 ${r.latency.p99} ms`;
    } else {
      const r = await runBulkLoad({ ...timing, connections, request: `GET ${BIG_SONG.id}\n`, framing: jukeboxFraming, expectBodyBytes: library.bigBytes });
      line = `GET x${connections}: ${r.mbPerSecond.toFixed(0)} MB/s`;
    }
    process.stdout.write(`${line}\n`);
  } finally {
    await server.stop({ graceful: false });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
