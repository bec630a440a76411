// The built `simulate` with shards, as a user (or a Kubernetes Indexed Job) runs it: --shard I/N
// against running servers and `simulate merge` of the parts, --shards N in one command, and the refusals.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLibrary } from '../../../src/catalog/library.js';
import { loadCatalog } from '../../../src/catalog/load.js';
import { startServer, type JukeboxServer } from '../../../src/server/server.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';
import { runCli, type CliResult } from '../../helpers/run-cli.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('jukebox-shards-');
const running: JukeboxServer[] = [];
afterAll(async () => {
  await Promise.all(running.map((s) => s.close({ graceful: false })));
  tmp.cleanup();
});

/** Shard runs and a whole run of servers and shard processes, on a busy 2-core machine. */
const TIMEOUT_MS = 240_000;
const LOAD = 'load: { clients: 9, concurrency: 9, workers: 1 }\nclient:\n  requests: 2\n  action: { download: 0.5, stream: 0.5 }\n  songs: { absent: 0.25 }\n';

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runCli('simulate', args, { cwd: tmp.dir, env: { ...process.env, JUKEBOX_SHARD: '', JOB_COMPLETION_INDEX: '', ...env }, timeoutMs: TIMEOUT_MS });
}

function ownServers(name: string): string {
  return tmp.write(
    `${name}.yaml`,
    `name: ${name}\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 200 }\n  - { id: s2, port: 0, streamSpeed: 200 }\n${LOAD}`,
  );
}

interface Written {
  shard?: { index: number; count: number };
  plan: { clients: number; requests: number; fingerprint: string };
  totals: { clients: number; requests: number; failed: number };
  processes?: { name: string; peakRssBytes: number }[];
  mergedFrom?: { shard?: { index: number; count: number } }[];
}
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Written;

describe('simulate --shard and merge', () => {
  it(
    'runs shards against running servers (I/N, JUKEBOX_SHARD, index/N); merge refuses a missing shard and merges the whole set',
    async () => {
      const catalog = loadCatalog(defaultCatalogPath);
      const files = await resolveLibrary(catalog);
      for (const id of ['s1', 's2']) running.push(await startServer({ serverId: id, catalog, files, host: '127.0.0.1', port: 0, streamSpeed: 200 }));
      const file = tmp.write(
        'external.yaml',
        `name: external\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n${running.map((s) => `  - { id: ${s.serverId}, host: 127.0.0.1, port: ${s.port}, external: true, streamSpeed: 200 }`).join('\n')}\n${LOAD}`,
      );
      const out = (i: number) => join(tmp.dir, `part${i}.json`);
      const [one, two, three] = await Promise.all([
        run([file, '--shard', '1/3', '--out', out(1), '--quiet']),
        run([file, '--out', out(2), '--quiet'], { JUKEBOX_SHARD: '2/3' }),
        run([file, '--shard', 'index/3', '--out', out(3), '--quiet'], { JOB_COMPLETION_INDEX: '2' }),
      ]);
      expect([one?.code, two?.code, three?.code]).toEqual([0, 0, 0]);
      const parts = [1, 2, 3].map((i) => read(out(i)));
      expect(parts.map((p) => p.shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
      expect(parts.map((p) => p.totals.clients)).toEqual([3, 3, 3]);
      expect(new Set(parts.map((p) => p.plan.fingerprint)).size).toBe(1);

      const missing = await runCli('simulate', ['merge', out(1), out(3), '-o', join(tmp.dir, 'm.json')], { cwd: tmp.dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/missing shard 2\/3/);
      const merged = await runCli('simulate', ['merge', out(3), out(1), out(2), '-o', join(tmp.dir, 'merged.json'), '--quiet'], { cwd: tmp.dir });
      expect(merged.code).toBe(0);
      const m = read(join(tmp.dir, 'merged.json'));
      expect(m.shard).toBeUndefined();
      expect(m.totals.clients).toBe(9);
      expect(m.totals.failed).toBe(0);
      expect(m.plan.fingerprint).toBe(parts[0]?.plan.fingerprint);
    },
    TIMEOUT_MS,
  );

  it('refuses what cannot be a shard run, exit 2 with the reason', async () => {
    const file = ownServers('own');
    const refusals: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [[file, '--shard', '1/2'], {}, /starts its own servers \(s1, s2\).*\n.*hint: .*--shards N/],
      [[file, '--shard', 'index/2'], {}, /JOB_COMPLETION_INDEX, which is not set/],
      [[file], { JUKEBOX_SHARD: '3/2' }, /JUKEBOX_SHARD: expected a shard index I from 1 to 2, got 3/],
      [[file, '--shards', '0'], {}, /--shards: expected a whole number of shard processes from 1 to 64, or auto, got "0"/],
      [[file, '--shards', '2', '--shard', '1/2'], {}, /got both/],
    ];
    for (const [args, env, message] of refusals) {
      const result = await run(args, env);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('simulate --shards N', () => {
  it(
    'starts the servers once, runs N shard processes, one progress, one merged report like a run',
    async () => {
      const out = join(tmp.dir, 'here.json');
      const result = await run([ownServers('here'), '--shards', '2', '--out', out]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/shards: 2 processes/);
      expect(result.stdout).toMatch(/clients.*requests.*downloads/s);
      expect(result.stderr).toMatch(/peak memory: simulate \(coordinator\) .*server s1 .*server s2 .*shard 1\/2 .*shard 2\/2 .* in all/);
      const report = read(out);
      expect(report.shard).toBeUndefined();
      expect(report.totals.clients).toBe(9);
      expect(report.totals.failed).toBe(0);
      expect(report.plan.clients).toBe(9);
      expect(report.mergedFrom?.map((s) => s.shard)).toEqual([
        { index: 1, count: 2 },
        { index: 2, count: 2 },
      ]);
      expect(report.processes?.map((p) => p.name)).toEqual(['simulate (coordinator)', 'server s1', 'server s2', 'shard 1/2', 'shard 2/2']);
      expect(readFileSync(out.replace(/json$/, 'html'), 'utf8')).toContain('<html');
    },
    TIMEOUT_MS,
  );

  it(
    'a server that cannot start ends the run with its reason (exit 3), nothing else started',
    async () => {
      const taken = createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as { port: number }).port;
      try {
        const file = tmp.write(
          'taken.yaml',
          `name: taken\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: ${port} }\n  - { id: s2, port: 0 }\n${LOAD}`,
        );
        const result = await run([file, '--shards', '2', '--out', join(tmp.dir, 'taken.json')]);
        expect(result.code).toBe(3);
        expect(result.stderr).toMatch(new RegExp(`E_LISTEN.*server s1 cannot listen on 127\\.0\\.0\\.1:${port}`));
        expect(result.stderr).not.toMatch(/report: /);
      } finally {
        taken.close();
      }
    },
    TIMEOUT_MS,
  );
});
