// A jukebox server in a child process, for abuse runs: its memory is its own (the attackers'
// sockets live in the parent), so peak RSS measures the server alone. Typed IPC both ways.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerStats } from '../../src/protocol/types.js';
import type { ServerLimits } from '../../src/server/limits.js';
import { packageRoot } from '../../src/util/paths.js';

/** Every reply from the child must come within this long, or the run fails (and the child is killed). */
export const CHILD_REPLY_TIMEOUT_MS = 15_000;

export interface MemoryReport {
  /** Resident set now (bytes). */
  rss: number;
  heapUsed: number;
  /** Buffers outside the V8 heap (song data, socket chunks). */
  arrayBuffers: number;
  /** Highest RSS sampled (every SAMPLE_INTERVAL_MS) since the last resetPeak. */
  peakRss: number;
  /** The kernel's peak RSS for the whole process life (getrusage), bytes. */
  maxRss: number;
  stats: ServerStats;
  /** Unexpected failures the server reported (ERR 500 or a cut transfer); abuse must cause none. */
  internalErrors: number;
}

export type ChildCommand =
  | { type: 'start'; id: number; catalogPath: string; serverId: string; limits: Partial<ServerLimits> }
  | { type: 'memory'; id: number }
  /** Collects garbage (when exposed), then restarts the peak from the current RSS. */
  | { type: 'resetPeak'; id: number }
  | { type: 'stop'; id: number };

export type ChildReply =
  | { type: 'listening'; replyTo: number; port: number }
  | { type: 'memory'; replyTo: number; memory: MemoryReport }
  | { type: 'stopped'; replyTo: number }
  | { type: 'error'; replyTo: number; message: string };

export function childEntry(): string {
  const file = join(packageRoot, 'dist', 'bench', 'abuse', 'server-process.js');
  if (!existsSync(file)) throw new Error(`${file} is not built; run npm run build`);
  return file;
}

type CommandWithoutId = ChildCommand extends infer C ? (C extends ChildCommand ? Omit<C, 'id'> : never) : never;

export class AbuseServer {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: ChildReply) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly exited: Promise<void>;
  port = 0;

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (reply: ChildReply) => this.settle(reply));
    // A send to a child that has died: the pending request fails through failAll/its timer.
    child.on('error', (err) => this.failAll(err));
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.exited.then(() => this.failAll(new Error('the abuse server process exited')));
  }

  static async start(options: { catalogPath: string; serverId: string; limits?: Partial<ServerLimits> }): Promise<AbuseServer> {
    const child = fork(childEntry(), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const server = new AbuseServer(child);
    try {
      const reply = await server.request({ type: 'start', catalogPath: options.catalogPath, serverId: options.serverId, limits: options.limits ?? {} });
      if (reply.type !== 'listening') throw new Error(`unexpected reply ${reply.type}`);
      server.port = reply.port;
      return server;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  async memory(): Promise<MemoryReport> {
    return this.memoryReply(await this.request({ type: 'memory' }));
  }

  async resetPeak(): Promise<MemoryReport> {
    return this.memoryReply(await this.request({ type: 'resetPeak' }));
  }

  /** Stops the server and waits for the process to end (killed if it does not). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.request({ type: 'stop' }).catch(() => this.child.kill('SIGKILL'));
    const killer = setTimeout(() => this.child.kill('SIGKILL'), CHILD_REPLY_TIMEOUT_MS);
    await this.exited;
    clearTimeout(killer);
  }

  private memoryReply(reply: ChildReply): MemoryReport {
    if (reply.type !== 'memory') throw new Error(`unexpected reply ${reply.type}`);
    return reply.memory;
  }

  private request(command: CommandWithoutId): Promise<ChildReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`the abuse server did not answer ${command.type} within ${CHILD_REPLY_TIMEOUT_MS} ms`));
      }, CHILD_REPLY_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      if (!this.child.connected) return this.failAll(new Error(`the abuse server process has ended (${command.type})`));
      this.child.send({ ...command, id } as ChildCommand);
    });
  }

  private settle(reply: ChildReply): void {
    const waiter = this.pending.get(reply.replyTo);
    if (!waiter) return;
    this.pending.delete(reply.replyTo);
    clearTimeout(waiter.timer);
    if (reply.type === 'error') waiter.reject(new Error(reply.message));
    else waiter.resolve(reply);
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.pending.clear();
  }
}
