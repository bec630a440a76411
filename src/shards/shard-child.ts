// One shard of `simulate <scenario> --shards N` in a process of its own (forked by
// local-runner.ts with an IPC channel): runs its part of the plan against the servers the parent
// started, sends its progress each second and its whole report at the end. A process entry, like
// the worker files: it writes nothing to stdout/stderr (the parent owns the terminal).
import { isJukeboxError } from '../errors.js';
import { runScenario } from '../harness/coordinator.js';
import { buildReport } from '../report/build.js';
import { startConditions } from '../report/conditions.js';
import { collectEnvironment } from '../report/environment.js';
import { loadCatalog } from '../catalog/load.js';
import type { ShardCommand, ShardNotice } from './messages.js';

if (!process.send) throw new Error('shard-child: fork it with an IPC channel (local-runner.ts does)');
const send = (notice: ShardNotice): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send?.(notice, undefined, {}, () => resolve());
  });

const stop = new AbortController();
let startAt: ((atMs: number) => void) | undefined;
const started = new Promise<number>((resolve) => (startAt = resolve));
// Ctrl-C reaches every process of the terminal's group: the first one stops the shard gracefully,
// like the parent's stop; the parent kills it if asked again.
for (const name of ['SIGINT', 'SIGTERM'] as const) process.on(name, () => stop.abort());
// The parent gone (killed): stop, and no one will wait for the grace.
process.on('disconnect', () => {
  stop.abort();
  startAt?.(Date.now());
});
stop.signal.addEventListener('abort', () => startAt?.(Date.now()), { once: true });

process.once('message', (first: ShardCommand) => {
  if (first.type !== 'run') return;
  process.on('message', (command: ShardCommand) => {
    if (command.type === 'start') startAt?.(command.atMs);
    else if (command.type === 'stop') stop.abort();
  });
  void run(first).then(
    () => process.disconnect(),
    async (err: unknown) => {
      const failed: ShardNotice = isJukeboxError(err)
        ? { type: 'failed', message: err.message, code: err.code, ...(err.hint ? { hint: err.hint } : {}) }
        : { type: 'failed', message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      await send(failed);
      process.exitCode = 1;
      if (process.connected) process.disconnect();
    },
  );
});

async function run(command: Extract<ShardCommand, { type: 'run' }>): Promise<void> {
  const catalog = loadCatalog(command.scenario.catalogPath);
  const probe = startConditions();
  const result = await runScenario(command.scenario, catalog, {
    shard: command.shard,
    signal: stop.signal,
    graceMs: command.graceMs,
    onProgress: (progress) => void send({ type: 'progress', progress }),
    startBarrier: async () => {
      await send({ type: 'warm' });
      return started;
    },
  });
  await send({ type: 'report', report: buildReport(result, collectEnvironment(probe.finish())) });
}
