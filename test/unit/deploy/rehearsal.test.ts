// The Kubernetes run rehearsed here, without a cluster: the commands of the manifests, exactly as
// written, run as local processes. Kubernetes' part is played by the test: $(VAR) in args expanded
// from the container's env, JOB_COMPLETION_INDEX set per pod, each volume mount a local folder,
// the Services' names replaced by the local servers' addresses in a copy of the scenario (made
// small: this checks the commands and the paths, not the scale).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../../../src/scenario/load.js';
import { countSelected } from '../../../src/scenario/plan.js';
import { packageRoot } from '../../../src/util/paths.js';
import { DEPLOY_DIR, dockerfileProblems, find, readManifests } from './manifests.js';

const manifests = readManifests();
const WORKDIR = dockerfileProblems(readFileSync(join(DEPLOY_DIR, 'Dockerfile'), 'utf8')).workdir ?? '/app';
const simulateHelp = spawnSync(process.execPath, [join(packageRoot, 'bin', 'simulate.js'), '--help'], { encoding: 'utf8' }).stdout;
/** The sharding options come with issue 16's shards work; until this build has them, there is nothing to rehearse. */
const hasShards = simulateHelp.includes('--shard');
/** Small enough for a busy 2-core machine, long enough that the shards' windows overlap. */
const REHEARSAL_LOAD = { arrivalRate: 20, duration: '3s', rampUp: '0s', workers: 1 };
/** Seven processes (two servers, four shards, the merge) and maybe the song library's first generation, on a busy 2-core machine. */
const REHEARSAL_TIMEOUT_MS = 240_000;

/** Made by the test itself, so that a skipped run leaves nothing behind. */
let dir = '';
const children: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Exited {
  code: number | null;
  output: string;
}

interface Started {
  output: () => string;
  line: (pattern: RegExp) => Promise<RegExpExecArray>;
  exit: Promise<Exited>;
  stop: () => void;
}

/** A container's command and args, as Kubernetes runs them: $(VAR) from its env, paths under a mount moved to the mount's local folder. */
function commandOf(c: IContainer, env: Record<string, string>, mounts: Record<string, string>): string[] {
  const expanded = [...(c.command ?? []), ...(c.args ?? [])].map((a) => a.replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole));
  return expanded.map((a) => {
    const absolute = a.includes('/') && !a.startsWith('-') ? posix.resolve(WORKDIR, a) : undefined;
    const mount = Object.keys(mounts).find((m) => absolute?.startsWith(`${m}/`));
    return mount && absolute ? join(mounts[mount] as string, absolute.slice(mount.length + 1)) : a;
  });
}

function mountsOf(c: IContainer, local: Record<string, string>): Record<string, string> {
  return Object.fromEntries((c.volumeMounts ?? []).filter((m) => local[m.name]).map((m) => [m.mountPath, local[m.name] as string]));
}

/** Runs a container's command here: `node` is this Node, relative paths start at the project root (the image's WORKDIR). */
function start(command: string[], env: Record<string, string>): Started {
  const [program, ...args] = command;
  expect(program).toBe('node');
  const child = spawn(process.execPath, args, { cwd: packageRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      const m = w.pattern.exec(text);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<Exited>((resolve) => child.on('close', (code) => resolve({ code, output: text })));
  return {
    output: () => text,
    line: (pattern) => {
      const m = pattern.exec(text);
      return m ? Promise.resolve(m) : new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    exit,
    stop: () => child.kill('SIGTERM'),
  };
}

describe.skipIf(!hasShards)(`the manifests' commands as local processes${hasShards ? '' : " (skipped: this build's simulate has no --shard yet)"}`, () => {
  it(
    'servers, the wait, N shards picking their shard from JOB_COMPLETION_INDEX, then the merge of their reports',
    async () => {
      dir = mkdtempSync(join(tmpdir(), 'jukebox-k8s-rehearsal-'));
      // The catalog, on ports the system picks (serve listens on the catalog's port for its server).
      const catalog = JSON.parse(readFileSync(join(packageRoot, 'catalog.json'), 'utf8')) as { servers: { id: string; port: number }[] };
      for (const s of catalog.servers) s.port = 0;
      writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));

      const servers = ['jukebox-s1', 'jukebox-s2'].map((name) => {
        const c = find<IDeployment>(manifests, 'Deployment', name).spec?.template.spec?.containers[0] as IContainer;
        const command = commandOf(c, {}, {}).map((a) => (a === '0.0.0.0' ? '127.0.0.1' : a));
        return start([...command, '--catalog', join(dir, 'catalog.json')], {});
      });
      const addresses = await Promise.all(servers.map(async (s) => (await s.line(/listening on (127\.0\.0\.1:\d+)/))[1] as string));

      // The scenario the ConfigMap holds, its Services replaced by the local servers, its load made small.
      const scenarioDir = join(dir, 'scenario');
      mkdirSync(scenarioDir);
      const scenario = parse(readFileSync(join(DEPLOY_DIR, 'scenario', 'load.yaml'), 'utf8')) as Record<string, unknown> & {
        servers: { host: string; port: number }[];
      };
      const byService = new Map(scenario.servers.map((s, i) => [`${s.host}:${s.port}`, addresses[i] as string]));
      scenario.servers.forEach((s, i) => Object.assign(s, { host: '127.0.0.1', port: Number(addresses[i]?.split(':')[1]) }));
      Object.assign(scenario, { catalog: '../catalog.json', load: REHEARSAL_LOAD });
      Object.assign(scenario.client as object, { thinkTime: { distribution: 'constant', mean: '500ms' } });
      writeFileSync(join(scenarioDir, 'load.yaml'), stringify(scenario));

      const job = find<IJob>(manifests, 'Job', 'jukebox-load');
      const pod = job.spec?.template.spec as IPodSpec;
      const n = job.spec?.completions ?? 0;
      const reports = join(dir, 'reports');
      mkdirSync(reports);
      const local = { reports, scenario: scenarioDir };

      const wait = pod.initContainers?.[0] as IContainer;
      const waited = await start(
        commandOf(wait, {}, {}).map((a) => byService.get(a) ?? a),
        {},
      ).exit;
      expect(waited.code, waited.output).toBe(0);

      const shard = pod.containers[0] as IContainer;
      const fieldEnv = (index: number) => ({ JOB_COMPLETION_INDEX: String(index) });
      const shards = await Promise.all(
        Array.from({ length: n }, (_, index) => start(commandOf(shard, fieldEnv(index), mountsOf(shard, local)), fieldEnv(index)).exit),
      );
      shards.forEach((s) => expect(s.code, s.output).toBe(0));
      // Each pod ran another shard of the same N: the report names it (shard.md: `shard: { index, count }`).
      const named = Array.from({ length: n }, (_, index) => {
        const report = JSON.parse(readFileSync(join(reports, `shard-${index}.json`), 'utf8')) as { shard?: { index: number; count: number } };
        expect(report.shard?.count).toBe(n);
        return report.shard?.index;
      });
      expect(new Set(named).size).toBe(n);

      // Without the index Kubernetes gives, `--shard index/N` refuses to run.
      const withoutIndex = await start(commandOf(shard, {}, mountsOf(shard, local)), {}).exit;
      expect(withoutIndex.code, withoutIndex.output).toBe(2);
      expect(withoutIndex.output).toMatch(/JOB_COMPLETION_INDEX/);

      const mergeJob = find<IJob>(manifests, 'Job', 'jukebox-merge');
      const mergePod = mergeJob.spec?.template.spec as IPodSpec;
      const merge = mergePod.containers[0] as IContainer;
      const merged = await start(commandOf(merge, {}, mountsOf(merge, local)), {}).exit;
      expect(merged.code, merged.output).toBe(0);
      const out = JSON.parse(readFileSync(join(reports, 'merged.json'), 'utf8')) as { totals: { clients: number }; shard?: unknown };
      expect(out.shard).toBeUndefined();
      expect(out.totals.clients).toBe(countSelected(loadScenarioFile(join(scenarioDir, 'load.yaml')).scenario));
      expect(existsSync(join(reports, 'merged.html'))).toBe(true);

      servers.forEach((s) => s.stop());
      for (const s of servers) expect((await s.exit).code).toBe(130);
    },
    REHEARSAL_TIMEOUT_MS,
  );
});
