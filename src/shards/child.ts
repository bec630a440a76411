// The parent's side of a forked child of `--shards N` (a shard or a server process): its entry
// file in dist/, its notices awaited one type at a time, the tail of what it wrote to stderr
// kept for the message if it fails, and a kill that is safe to call at any time.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, JukeboxError, type ErrorCode } from '../errors.js';
import { packageRoot } from '../util/paths.js';

/** Lines of a child's stderr kept for the message when it fails: enough for a stack trace. */
const STDERR_TAIL_LINES = 20;

/** The compiled entry `dist/src/shards/<name>.js` (under vitest this module runs as source, the child needs JavaScript). */
export function childEntry(name: 'shard-child' | 'server-child'): string {
  const file = join(packageRoot, 'dist', 'src', 'shards', `${name}.js`);
  if (!existsSync(file)) throw new Error(`${file} is not built; run npm run build`);
  return file;
}

export interface Child<Notice extends { type: string }> {
  readonly process: ChildProcess;
  /** What it is, for messages: "shard 2/3", "server s1". */
  readonly name: string;
  /** The next notice of this type; rejects (E_WORKER) if it fails, exits first, or takes longer than `timeoutMs` (undefined: no limit). */
  next<T extends Notice['type']>(type: T, timeoutMs: number | undefined): Promise<Extract<Notice, { type: T }>>;
  on(listener: (notice: Notice) => void): void;
  send(command: unknown): void;
  /** Resolves when it has exited. */
  exited: Promise<number | null>;
  kill(): void;
}

export function forkChild<Notice extends { type: string }>(entry: string, args: string[], name: string): Child<Notice> {
  const child = fork(entry, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter((l) => l.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - STDERR_TAIL_LINES));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  const describeEnd = (code: number | null) =>
    `${name} ended (${code === -1 ? 'killed' : `exit code ${code}`})${tail.length > 0 ? `: ${tail.join('\n')}` : ''}`;
  return {
    process: child,
    name,
    exited,
    on: (listener) => child.on('message', listener as (m: unknown) => void),
    send: (command) => {
      if (child.connected) child.send(command as never);
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
    next<T extends Notice['type']>(type: T, timeoutMs: number | undefined) {
      return new Promise<Extract<Notice, { type: T }>>((resolve, reject) => {
        const onMessage = (notice: Notice) => {
          if (notice.type === 'failed') {
            const failed = notice as unknown as { message: string; code?: string; hint?: string };
            done();
            reject(failedError(name, failed));
          } else if (notice.type === type) {
            done();
            resolve(notice as Extract<Notice, { type: T }>);
          }
        };
        const onExit = (code: number | null) => {
          done();
          reject(new JukeboxError('E_WORKER', describeEnd(code), { hint: 'run it again with --debug; a shard alone is simulate <scenario> --shard I/N' }));
        };
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                done();
                reject(
                  new JukeboxError('E_WORKER', `${name}: no "${type}" within ${timeoutMs / 1000} s`, {
                    hint: 'the machine may be overloaded: try fewer shards',
                  }),
                );
              }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
      });
    },
  };
}

/** A child's own failure, as the error it was (its code kept when it is one of ours, so the exit code is the same as in one process). */
function failedError(name: string, failed: { message: string; code?: string; hint?: string }): JukeboxError {
  const code: ErrorCode = failed.code !== undefined && Object.hasOwn(ErrorCodes, failed.code) ? (failed.code as ErrorCode) : 'E_WORKER';
  // A message that names the child already ("server s1 cannot listen …") is not prefixed twice.
  const message = failed.message.startsWith(name) ? failed.message : `${name}: ${failed.message}`;
  return new JukeboxError(code, message, failed.hint ? { hint: failed.hint } : {});
}
