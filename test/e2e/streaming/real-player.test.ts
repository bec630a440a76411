// A stream into a real player: `jukebox client get X --action stream --out -` piped into
// `mpg123 -` (decoding to raw PCM, timestamped here as it comes out), for a song with a ~440 KB
// cover and a VBR song without a Xing header, made by ffmpeg. The server paces by audio time:
// the decoder starts within 1 s and the audio arrives at the song's real rate (within 3 %); the
// client's playback model (its --json figures) agrees with what the real decoder saw.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogFromFolder } from '../../../src/catalog/folder.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { PlaybackSimulation, START_BUFFER_SEC } from '../../../src/client/journey-playback.js';
import { packageRoot } from '../../../src/util/paths.js';
import { installHint, missingTools, mp3Fixtures, type Mp3Fixtures } from '../../integration/mp3/fixtures.js';
import { startServer, type JukeboxServer } from '../../../src/server/server.js';
import { LOOPBACK } from '../../helpers/server-fixture.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const TOOLS = ['ffmpeg', 'ffprobe', 'sox', 'mpg123'];
const missing = missingTools(TOOLS);
if (missing.length > 0) console.warn(installHint(missing));

const jukebox = join(packageRoot, 'bin', 'jukebox.js');
/** mpg123 -s writes signed 16-bit samples. */
const BYTES_PER_SAMPLE = 2;
/** A 12 s song streams in about 10 s after the lead; far more than that on a busy machine is a failure. */
const RUN_TIMEOUT_MS = 60_000;

let fx: Mp3Fixtures;
const tmps: Array<{ cleanup(): void }> = [];
const servers: JukeboxServer[] = [];
beforeAll(() => {
  if (missing.length === 0) fx = mp3Fixtures();
}, 120_000);
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ graceful: false })));
  for (const t of tmps.splice(0)) t.cleanup();
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((done) => s.listen(0, LOOPBACK, done));
  const port = (s.address() as AddressInfo).port;
  await new Promise((done) => s.close(done));
  return port;
}

/** A catalog of one song on one server (a free port), built by `catalog build`'s code, and that server. */
async function serve(file: string): Promise<{ catalogFile: string; songId: string; cwd: string }> {
  const tmp = makeTmpDir('jukebox-real-player-');
  tmps.push(tmp);
  copyFileSync(file, join(tmp.dir, basename(file)));
  const port = await freePort();
  const catalogFile = join(tmp.dir, 'catalog.json');
  const { catalog } = await buildCatalogFromFolder(tmp.dir, { servers: [{ id: 's1', host: LOOPBACK, port }], assign: 'all', catalogFile });
  writeFileSync(catalogFile, JSON.stringify(catalog, null, 2));
  const loaded = loadCatalog(catalogFile);
  const files = new Map(loaded.catalog.songs.map((s) => [s.id, resolve(tmp.dir, s.file ?? '')]));
  servers.push(await startServer({ serverId: 's1', catalog: loaded, files, host: LOOPBACK, port }));
  return { catalogFile, songId: loaded.catalog.songs[0]?.id ?? '', cwd: tmp.dir };
}

interface PlayerRun {
  /** ms since the client started: when the first song byte reached the player. */
  firstByteMs: number;
  /** [ms since the client started, song bytes that reached the player so far], one per chunk. */
  arrived: Array<[number, number]>;
  /** [ms since the client started, decoded audio seconds so far], one per PCM chunk. */
  decoded: Array<[number, number]>;
  pcmBytesPerSec: number;
  /** The client's --json outcome. */
  outcome: { status: string; playback: { startupDelayMs: number; stalls: number; stallMs: number; durationSec: number } | null; timings: { ttfbMs: number } };
  mpg123Errors: string;
}

/** client get --action stream --out - | mpg123 -s -: the pipe goes through this process, which notes when bytes pass. */
function streamIntoPlayer(catalogFile: string, songId: string, cwd: string, sampleRate: number, channels: number): Promise<PlayerRun> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const client = spawn(process.execPath, [jukebox, 'client', 'get', songId, '--action', 'stream', '--out', '-', '--json', '--catalog', catalogFile], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // --no-seekbuffer: mpg123 reads a pipe frame by frame, not in blocks that make it wait for more.
    const player = spawn('mpg123', ['--no-seekbuffer', '-s', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => {
      client.kill('SIGKILL');
      player.kill('SIGKILL');
      fail(new Error('the stream did not finish in time'));
    }, RUN_TIMEOUT_MS);
    const pcmBytesPerSec = sampleRate * channels * BYTES_PER_SAMPLE;
    let firstByteMs = -1;
    let pcm = 0;
    const decoded: Array<[number, number]> = [];
    const arrived: Array<[number, number]> = [];
    let bytes = 0;
    let clientErr = '';
    let playerErr = '';
    client.stdout.on('data', (chunk: Buffer) => {
      if (firstByteMs < 0) firstByteMs = performance.now() - started;
      bytes += chunk.length;
      arrived.push([performance.now() - started, bytes]);
      player.stdin.write(chunk);
    });
    client.stdout.on('end', () => player.stdin.end());
    client.stderr.setEncoding('utf8').on('data', (t: string) => (clientErr += t));
    player.stdout.on('data', (chunk: Buffer) => {
      pcm += chunk.length;
      decoded.push([performance.now() - started, pcm / pcmBytesPerSec]);
    });
    player.stderr.setEncoding('utf8').on('data', (t: string) => (playerErr += t));
    let exits = 0;
    const exited = () => {
      if (++exits < 2) return;
      clearTimeout(timer);
      const json = clientErr.slice(clientErr.indexOf('{'));
      try {
        done({ firstByteMs, arrived, decoded, pcmBytesPerSec, outcome: JSON.parse(json) as PlayerRun['outcome'], mpg123Errors: playerErr });
      } catch (err) {
        fail(new Error(`no JSON outcome on the client's stderr: ${clientErr}\n${String(err)}`));
      }
    };
    client.on('close', exited);
    player.on('close', exited);
  });
}

/**
 * What a player with the client's policy (start once 2 s are buffered, play in real time, stall
 * when dry, resume at 2 s) experiences given the decoder's output: the same model, fed decoded
 * PCM bytes at the PCM byte rate, so its "audio" is what the real decoder produced, when it did.
 */
function realPlayer(run: PlayerRun): { startupDelayMs: number; stalls: number; stallMs: number } {
  const total = Math.round((run.decoded.at(-1)?.[1] ?? 0) * run.pcmBytesPerSec);
  const model = new PlaybackSimulation({ bitrateKbps: (run.pcmBytesPerSec * 8) / 1000, totalBytes: total, playbackSpeed: 1, startMs: run.firstByteMs });
  for (const [ms, sec] of run.decoded) model.receive(Math.round(sec * run.pcmBytesPerSec), ms);
  const { summary } = model.finish(run.decoded.at(-1)?.[0] ?? run.firstByteMs);
  return summary;
}

/** Each audio frame's end in the file and its end in play time, by ffprobe (not our scanner). */
function frameEnds(file: string): Array<{ endByte: number; endSec: number }> {
  const csv = execFileSync(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pos,size,pts_time,duration_time', '-of', 'csv=p=0', file],
    { encoding: 'utf8' },
  );
  return csv
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [pts, duration, size, pos] = line.split(',').map(Number) as [number, number, number, number];
      return { endByte: pos + size, endSec: pts + duration };
    });
}

/**
 * Audio seconds that reached the player per wall second over the paced part (from when 1 s
 * more than the lead had arrived, to the end): whole frames received, placed by ffprobe. Not
 * measured at mpg123's output, which lags its input by up to a read block (about 1 s of a quiet VBR stretch).
 */
function arrivalRate(run: PlayerRun, file: string): number {
  const frames = frameEnds(file);
  let f = 0;
  const audioAt: Array<[number, number]> = [];
  for (const [ms, bytes] of run.arrived) {
    while (f < frames.length && (frames[f]?.endByte ?? Infinity) <= bytes) f++;
    audioAt.push([ms, f === 0 ? 0 : (frames[f - 1]?.endSec ?? 0)]);
  }
  const from = audioAt.find(([, sec]) => sec >= START_BUFFER_SEC + 1);
  const to = audioAt.at(-1);
  if (!from || !to) throw new Error('no audio arrived');
  return (to[1] - from[1]) / ((to[0] - from[0]) / 1000);
}

describe.skipIf(missing.length > 0)('a stream played by a real decoder (mpg123) as it arrives', () => {
  for (const which of ['cover', 'vbrNoXing'] as const) {
    it(`${which === 'cover' ? 'a song with a ~440 KB cover' : 'a VBR song without a Xing header'}: decoding starts within 1 s, audio arrives at its real rate within 3 %, and the playback model agrees with the decoder within 0.3 s`, async () => {
      const { catalogFile, songId, cwd } = await serve(fx[which]);
      const run = await streamIntoPlayer(catalogFile, songId, cwd, 44100, 2);
      expect(run.outcome.status).toBe('verified');
      expect(run.mpg123Errors).not.toMatch(/error|warning/i);
      const firstPcm = run.decoded[0];
      expect(firstPcm).toBeDefined();
      expect((firstPcm?.[0] ?? Infinity) - run.firstByteMs).toBeLessThan(1000);
      expect(Math.abs(arrivalRate(run, fx[which]) - 1)).toBeLessThan(0.03);
      const real = realPlayer(run);
      const model = run.outcome.playback;
      expect(model).not.toBeNull();
      // The model counts from its request; the real player from the first byte, which came one ttfb later.
      const modelStartup = (model?.startupDelayMs ?? Infinity) - run.outcome.timings.ttfbMs;
      expect(Math.abs(modelStartup - real.startupDelayMs)).toBeLessThan(300);
      expect(Math.abs((model?.stallMs ?? Infinity) - real.stallMs)).toBeLessThan(300);
      expect(model?.stalls).toBe(real.stalls);
      // Paced by its frames, the loud second half of the VBR song comes as fast as it plays.
      expect(real.stalls).toBe(0);
    }, 90_000);
  }
});
