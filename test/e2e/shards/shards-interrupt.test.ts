// Ctrl-C during `simulate --shards N`: every shard stops like a run does, the merged report is
// written marked interrupted (exit 130), and no process started for the run is left behind.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultCatalogPath, packageRoot } from '../../../src/util/paths.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const tmp = makeTmpDir('jukebox-shards-interrupt-');
afterAll(() => tmp.cleanup());

const TIMEOUT_MS = 180_000;

/** The processes whose parent is `pid` (from /proc: Linux, where these tests run). */
function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        // The fields after the command's closing parenthesis: state, then the parent's pid.
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('Ctrl-C during simulate --shards', () => {
  it(
    'stops every shard, writes the merged report marked interrupted, exits 130 and leaves no process behind',
    async () => {
      const file = tmp.write(
        'long.yaml',
        `name: long\nseed: 4\ncatalog: ${JSON.stringify(defaultCatalogPath)}\nservers:\n  - { id: s1, port: 0, streamSpeed: 200 }\n  - { id: s2, port: 0, streamSpeed: 200 }\nload: { arrivalRate: 5, duration: 120s, workers: 1 }\nclient: { requests: 3, thinkTime: { distribution: constant, mean: 1s } }\n`,
      );
      const out = join(tmp.dir, 'long.json');
      const child = spawn(process.execPath, [join(packageRoot, 'bin', 'simulate.js'), file, '--shards', '2', '--out', out], { cwd: tmp.dir });
      let stderr = '';
      let seen: (() => void) | undefined;
      // A plain progress line with requests going: the shards are under way.
      const underWay = new Promise<void>((resolve) => (seen = resolve));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/clients\s+[1-9]\d* req\/s/.test(stderr)) seen?.();
      });
      child.stdout.resume();
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      await Promise.race([underWay, exited.then(() => Promise.reject(new Error(`simulate ended before its run was under way:\n${stderr}`)))]);
      const started = childrenOf(child.pid ?? -1);
      expect(started.length).toBeGreaterThanOrEqual(4); // two servers, two shards
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(130);
      expect(stderr).toMatch(/stopping \(SIGINT\)/);
      const report = JSON.parse(readFileSync(out, 'utf8')) as { interrupted?: boolean; interruption?: { clientsPlanned: number; clientsStarted: number } };
      expect(report.interrupted).toBe(true);
      expect(report.interruption?.clientsStarted).toBeGreaterThan(0);
      expect(report.interruption?.clientsStarted).toBeLessThan(report.interruption?.clientsPlanned ?? 0);
      expect(started.filter((pid) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'))).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
