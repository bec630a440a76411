// `simulate … --live 0` and `--trace` as a user runs them: the event stream read with a plain HTTP
// client during a real run (types and fields against the contract's schemas, the sampling of
// --live-clients, ticks counting every client), and the trace's lines.
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { LIVE_TRANSFER_INTERVAL_MS, type LiveEvent, type TickEvent } from '../../../src/live/events.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';
import { runCli, spawnCli, type Spawned } from '../../helpers/run-cli.js';
import { makeTmpDir } from '../../helpers/tmp.js';
import { readEvents } from './live-helpers.js';

const tmp = makeTmpDir('jukebox-live-');
afterAll(() => tmp.cleanup());
let running: Spawned | undefined;
afterEach(() => {
  if (running && running.process.exitCode === null) running.process.kill('SIGKILL');
  running = undefined;
});

/** 8 clients (4 at once) of 3 requests each; streams take about 2 s at 100x; s2 crashes at 1 s for 1 s. */
function scenario(name: string): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}\nseed: 21\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 100 }\n  - { id: s2, port: 0, streamSpeed: 100 }\n` +
      `load: { clients: 8, concurrency: 4, workers: 2 }\nclient:\n  requests: 3\n  thinkTime: { distribution: constant, mean: 300ms }\n  connection: persistent\n  prefer: fastest\n` +
      `  action: { download: 0.5, stream: 0.5 }\n  timeout: 30s\n  songs: { popularity: uniform, ids: [song1, song2, song3], absent: 0.2 }\n` +
      `faults:\n  - { at: 1s, server: s2, action: crash, restartAfter: 1s }\n`,
  );
}

const PER_CLIENT = new Set(['connect', 'request', 'response', 'choice', 'transfer', 'done', 'close']);

describe('simulate --live', () => {
  it('streams the contract’s events of the sampled clients only, and ticks that count every client', async () => {
    running = spawnCli('simulate', [scenario('live-events'), '--live', '0', '--live-clients', '3', '--quiet', '--out', `${tmp.dir}/live-events.json`], {
      cwd: tmp.dir,
    });
    const url = (await running.line(/^live: http:\/\/127\.0\.0\.1:\d+\/$/)).slice('live: '.length);
    const reader = await readEvents(url);
    await reader.ended; // the run ends, and the stream with it
    expect(await running.exit).toBe(0);
    const events = reader.events;

    const hello = events[0];
    expect(hello?.type).toBe('hello');
    if (hello?.type !== 'hello') return;
    expect(hello.clients).toEqual(['c1', 'c2', 'c3']);
    expect(hello.scenario).toBe('live-events');
    expect(hello.servers.map((s) => s.id)).toEqual(['s1', 's2']);
    for (const s of hello.servers) expect(s.port).toBeGreaterThan(0);
    expect(hello.servers[0]?.songs).toContain('song1');
    expect(hello.servers[0]?.songs).not.toContain('song3');

    const types = new Set(events.map((e) => e.type));
    for (const type of ['connect', 'request', 'response', 'choice', 'transfer', 'done', 'close', 'fault', 'tick']) expect(types, type).toContain(type);
    // Sampling: per-message events only from c1..c3, and every one of them ended 3 requests.
    const perClient = events.filter((e): e is Extract<LiveEvent, { client: string }> => PER_CLIENT.has(e.type));
    expect(new Set(perClient.map((e) => e.client))).toEqual(new Set(['c1', 'c2', 'c3']));
    expect(events.filter((e) => e.type === 'done')).toHaveLength(9);
    // Ticks count all 8 clients' 24 requests, not only the sampled ones'.
    const ticks = events.filter((e): e is TickEvent => e.type === 'tick');
    const last = ticks.at(-1) as TickEvent;
    expect(last.totals.requests).toBe(24);
    expect(last.totals.clients).toBe(8);
    expect(Object.keys(last.servers).sort()).toEqual(['s1', 's2']);

    for (const e of events) {
      if (e.type === 'request') expect(e.line).toMatch(/^(CHECK|GET|STREAM) song\d+( \d+)?$/);
      if (e.type === 'choice') expect(e.reason).toMatch(/^(only s[12] holds it( \(s[12]: \w+\))?|both: s[12] answered [\d.]+ ms faster|neither: .+)$/);
      if (e.type === 'done') expect(e.outcome).toMatch(/^(verified|cancelled|failed:\w+)$/);
    }
    expect(events.find((e) => e.type === 'fault')).toMatchObject({ server: 's2', action: expect.stringMatching(/^crash/) });
    // The stream is in time order within a batch, and a transfer's progress comes a few times a second at most.
    // A transfer is known by the GET/STREAM request that began it: the same client may fetch the
    // same song from the same server again right after (the gap between two transfers is no interval).
    const byTransfer = new Map<string, number[]>();
    const current = new Map<string, number>();
    for (const e of events) {
      if (e.type === 'request' && /^(GET|STREAM) /.test(e.line)) current.set(`${e.client}/${e.server}`, (current.get(`${e.client}/${e.server}`) ?? 0) + 1);
      if (e.type === 'transfer' && e.bytes < e.total) {
        const key = `${e.client}/${e.server}/${e.song}#${current.get(`${e.client}/${e.server}`) ?? 0}`;
        byTransfer.set(key, [...(byTransfer.get(key) ?? []), e.t]);
      }
    }
    expect(byTransfer.size).toBeGreaterThan(0);
    for (const times of byTransfer.values()) {
      const tooClose = times.slice(1).filter((t, i) => t - (times[i] as number) < LIVE_TRANSFER_INTERVAL_MS - 1);
      expect(tooClose).toEqual([]);
    }

    // The report keeps the same conversation for its offline sequence view: the hello (real
    // ports), then the sampled clients' events, no ticks.
    const report = JSON.parse(readFileSync(`${tmp.dir}/live-events.json`, 'utf8')) as { sequence?: LiveEvent[] };
    const kept = report.sequence ?? [];
    expect(kept[0]).toMatchObject({ type: 'hello', scenario: 'live-events' });
    expect(kept.some((e) => e.type === 'tick')).toBe(false);
    expect(kept.filter((e) => e.type === 'done')).toHaveLength(9);
    expect(new Set(kept.filter((e): e is Extract<LiveEvent, { client: string }> => PER_CLIENT.has(e.type)).map((e) => e.client))).toEqual(
      new Set(['c1', 'c2', 'c3']),
    );
  });

  it('--trace prints one line per event of the sampled clients, with time, client, server and line, and a closing line per transfer', async () => {
    const result = await runCli('simulate', [scenario('live-trace'), '--trace', '--live-clients', '1', '--quiet', '--out', `${tmp.dir}/live-trace.json`], {
      cwd: tmp.dir,
    });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n').filter((l) => /^\s*\d+\.\d{3} /.test(l));
    expect(lines.some((l) => /^\s*\d+\.\d{3} c1 → s[12] CHECK song\d+$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*\d+\.\d{3} c1 ← s[12] (EXIST \d+ [0-9a-f]{64}.*|NOT_EXIST) \([\d.]+ ms\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*\d+\.\d{3} c1 song\d+: (chose s[12], )?(only|both|neither)/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*\d+\.\d{3} c1 ← s[12] song\d+ done: [\d.]+ (MiB|KiB|B) in [\d.]+ m?s \([\d.]+ (MiB|KiB|B)\/s\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*\d+\.\d{3} c1 song\d+ (verified|cancelled|failed:\w+) in /.test(l))).toBe(true);
    expect(lines.some((l) => /^\s*\d+\.\d{3} s2 fault: crash/.test(l))).toBe(true);
    // Only c1 is sampled.
    expect(lines.filter((l) => / c[2-8] /.test(l))).toEqual([]);
  });

  it('refuses a --live that is not a port, and --live-clients out of bounds, before running (exit 2)', async () => {
    const bad = await runCli('simulate', [scenario('live-bad'), '--live', 'nope'], { cwd: tmp.dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--live: expected a port from 0 to 65535/);
    const many = await runCli('simulate', [scenario('live-bad2'), '--live', '0', '--live-clients', '0'], { cwd: tmp.dir });
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/--live-clients: expected a whole number of clients from 1 to/);
  });
});
