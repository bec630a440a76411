// tinybench micro-benchmarks of the hot paths: request parsing, response encoding, histogram
// recording, the metrics path (record + drain + add), plan generation and MP3 generation. Each task runs a batch per call so that the
// timer's own cost (about a microsecond) does not swamp sub-microsecond operations.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench, type Task } from 'tinybench';
import { parse as parseYaml } from 'yaml';
import { createHistogram, recordMs } from '../src/metrics/histogram.js';
import { ERR } from '../src/protocol/constants.js';
import { LineSplitter } from '../src/protocol/line-splitter.js';
import { parseRequest } from '../src/protocol/request.js';
import { encodeResponse } from '../src/protocol/response.js';
import type { Response } from '../src/protocol/types.js';
import { parseScenario } from '../src/scenario/load.js';
import { makePlan } from '../src/scenario/plan.js';
import { packageRoot } from '../src/util/paths.js';
import { benchMetricsPath, metricsPathRows } from './metrics-path.js';
import { benchMp3Generation, MP3_CATALOG_TARGET_MS } from './mp3.js';
import type { BenchRow } from './results.js';

export interface MicroTiming {
  /** Time budget per task (tinybench also runs at least its minimum iterations). */
  taskMs: number;
  warmupMs: number;
}

/** The scenario whose plan is timed: the default load test. */
const PLAN_SCENARIO = join(packageRoot, 'scenarios', '100-clients.yaml');

/** A pipelined burst of typical requests, as one read chunk (CRLF on some, as telnet sends). */
const REQUEST_LINES = ['HELLO bench', 'CHECK song1', 'GET song2', 'GET song2 3858000', 'STREAM song3 1024', 'LIST', 'STATS', 'CHECK no-such-song\r'];
const REQUEST_REPEAT = 8;
const REQUEST_CHUNK = Buffer.from(Array.from({ length: REQUEST_REPEAT }, () => REQUEST_LINES.map((l) => `${l}\n`).join('')).join(''));
const REQUESTS_PER_CHUNK = REQUEST_LINES.length * REQUEST_REPEAT;

const SHA = 'ab'.repeat(32);
const RESPONSES: Response[] = [
  { kind: 'EXIST', bytes: 4_192_170, sha256: SHA, active: 3, extra: {} },
  { kind: 'NOT_EXIST' },
  { kind: 'DATA', length: 4_192_170 },
  { kind: 'OK', protocol: 'jukebox/1', server: 's1', catalog: '3f9a1c0b7e21', songs: 20, extra: {} },
  { kind: 'ERR', code: ERR.BAD_REQUEST, text: 'bad song id' },
  { kind: 'BYE' },
];
const RESPONSE_REPEAT = 10;

/** Latencies spread over the histogram's range (0.05 ms to ~2 s), precomputed. */
const RECORD_VALUES_MS = Array.from({ length: 1000 }, (_, i) => 0.05 * Math.pow(1.0107, i));

/** Keeps results alive so that no work can be optimised away. */
let sink = 0;

export async function runMicroBenchmarks(timing: MicroTiming): Promise<BenchRow[]> {
  const { scenario, catalog } = parseScenario(parseYaml(readFileSync(PLAN_SCENARIO, 'utf8')) as unknown, PLAN_SCENARIO);
  const plannedRequests = scenario.load.model === 'closed' ? scenario.load.clients * scenario.client.requests : 0;
  const splitter = new LineSplitter();
  const histogram = createHistogram();

  const bench = new Bench({ time: timing.taskMs, warmupTime: timing.warmupMs, throws: true });
  bench
    .add('request parser', () => {
      splitter.push(REQUEST_CHUNK, (event) => {
        if (event.type === 'line') sink += parseRequest(event.line).ok ? 1 : 0;
      });
    })
    .add('response encoder', () => {
      for (let r = 0; r < RESPONSE_REPEAT; r++) for (const response of RESPONSES) sink += encodeResponse(response).length;
    })
    .add('histogram record', () => {
      for (const ms of RECORD_VALUES_MS) recordMs(histogram, ms);
    })
    .add('plan generation', () => {
      sink += makePlan(scenario, catalog.catalog).totals.requests;
    });
  await bench.run();
  const metricsPath = await benchMetricsPath(timing);

  // Generating a song encodes seconds of audio: one timed pass over the catalog, not a tinybench loop.
  const mp3 = await benchMp3Generation();
  sink += mp3.bytes;

  const perSecond = (task: Task | undefined, batch: number): number => {
    const result = task?.result;
    if (!result || !('period' in result)) throw new Error(`micro-benchmark ${task?.name ?? '?'} did not complete`);
    return (1000 / result.period) * batch;
  };
  const [parser, encoder, record, plan] = bench.tasks;
  const row = (name: string, figure: number, unit: string): BenchRow => ({ group: 'micro', name, figure, unit, better: 'higher' });
  return [
    row('request parser (LineSplitter + parseRequest)', perSecond(parser, REQUESTS_PER_CHUNK), 'requests/s'),
    row('response encoder (encodeResponse)', perSecond(encoder, RESPONSES.length * RESPONSE_REPEAT), 'responses/s'),
    row('histogram record (recordMs)', perSecond(record, RECORD_VALUES_MS.length), 'records/s'),
    ...metricsPathRows(metricsPath),
    { ...row(`plan generation (makePlan, ${scenario.name}: ${plannedRequests} requests)`, perSecond(plan, 1), 'plans/s') },
    row('MP3 generation (default catalog, composed + encoded + tiled)', (mp3.songs / mp3.ms) * 1000, 'songs/s'),
    {
      group: 'micro',
      name: `MP3 generation: the default catalog's ${mp3.songs} songs`,
      figure: mp3.ms,
      unit: 'ms',
      better: 'lower',
      target: `<= ${MP3_CATALOG_TARGET_MS} ms`,
      met: mp3.ms <= MP3_CATALOG_TARGET_MS,
    },
  ];
}

/** For the JSON file: proves the work was done (and keeps `sink` used). */
export function microSink(): number {
  return sink;
}
