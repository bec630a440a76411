// The built CLIs (`bin/jukebox.js`, `bin/simulate.js`) spawned as a user runs them, with their
// exit code and everything they printed. A run that outlives its timeout is killed and fails the
// test: a command that should refuse at once must never hang instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/util/paths.js';

export const CLI_BINS = { jukebox: join(packageRoot, 'bin', 'jukebox.js'), simulate: join(packageRoot, 'bin', 'simulate.js') } as const;

/** Long enough for a small scenario on a busy 2-core machine. */
export const CLI_TIMEOUT_MS = 60_000;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function runCli(program: keyof typeof CLI_BINS, args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BINS[program], ...args], {
      cwd: options.cwd ?? packageRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${program} ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A CLI left running (a server, a watched run) whose stdout lines can be waited for as they come. */
export interface Spawned {
  process: ChildProcess;
  stdout: string[];
  stderr: () => string;
  /** The first stdout line matching (already printed or to come); rejects if the process exits first. */
  line(pattern: RegExp): Promise<string>;
  exit: Promise<number | null>;
}

export function spawnCli(program: keyof typeof CLI_BINS, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Spawned {
  const proc = spawn(process.execPath, [CLI_BINS[program], ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout: string[] = [];
  let err = '';
  let partial = '';
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  proc.stdout?.setEncoding('utf8').on('data', (text: string) => {
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stdout.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  proc.stderr?.setEncoding('utf8').on('data', (text: string) => (err += text));
  const exit = new Promise<number | null>((resolve) => proc.once('close', (code) => resolve(code)));
  return {
    process: proc,
    stdout,
    stderr: () => err,
    exit,
    line(pattern) {
      const seen = stdout.find((l) => pattern.test(l));
      if (seen) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
        exit.then((code) => Promise.reject(new Error(`${program} exited (${code}) before printing ${pattern}:\n${stdout.join('\n')}\n${err}`))),
      ]);
    },
  };
}
