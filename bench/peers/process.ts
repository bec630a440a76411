// Peer processes of the benchmarks (nginx, redis-server, Python, a bare Node server): free
// loopback ports, finding a program, spawning, waiting until it accepts, and stopping it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const LOOPBACK = '127.0.0.1';

/** A peer must accept connections within this long of being spawned. */
const READY_TIMEOUT_MS = 10_000;
/** Pause between two readiness probes. */
const READY_POLL_MS = 50;
/** A peer that ignores SIGTERM this long is killed. */
const STOP_TIMEOUT_MS = 3_000;
/** How much of a peer's output is kept for error messages. */
const OUTPUT_TAIL_BYTES = 4096;
/** Where system daemons live even when they are not on a user's PATH. */
const EXTRA_BIN_DIRS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** Every child still running, so that an abrupt exit (SIGINT, a crash) can still kill them. */
const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A port that was free a moment ago (the peer binds it right after; good enough on loopback). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The absolute path of an executable on PATH (or in an sbin folder), or undefined. */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...EXTRA_BIN_DIRS];
  for (const dir of dirs) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here; try the next folder
    }
  }
  return undefined;
}

export interface PeerProcess {
  readonly name: string;
  readonly port: number;
  /** Its process id (the bench reads its CPU time from /proc). */
  readonly pid: number;
  /** SIGTERM, then SIGKILL after a while; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface SpawnPeerOptions {
  name: string;
  command: string;
  args: string[];
  /** The port it will listen on: it counts as started once a connection to it succeeds. */
  port: number;
  cwd?: string;
}

/** Spawns a peer and waits until it accepts connections on its port. */
export async function spawnPeer(options: SpawnPeerOptions): Promise<PeerProcess> {
  const child = spawn(options.command, options.args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => running.delete(child));
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await accepts(options.port))) {
    const gone = spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    if (gone || Date.now() > deadline) {
      await stop();
      const why = spawnError
        ? spawnError.message
        : gone
          ? `exited (code ${child.exitCode ?? child.signalCode})`
          : `did not listen on port ${options.port} within ${READY_TIMEOUT_MS} ms`;
      throw new Error(`${options.name} ${why}; its output:\n${output.trim() || '(none)'}`);
    }
    await sleep(READY_POLL_MS);
  }
  // Defined: the process accepted a connection, so it was spawned.
  return { name: options.name, port: options.port, pid: child.pid as number, stop };
}

/** True when a TCP connection to the port succeeds (it is closed at once). */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** What `binary args` prints (on stdout or stderr), trimmed: for version strings. */
export function versionOf(binary: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(binary, args, (_err, stdout, stderr) => resolve(`${stdout}${stderr}`.trim()));
  });
}
