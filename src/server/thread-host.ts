// Runs one music server in a worker thread and gives the parent a promise API over its messages.
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { assertNever, fromErrorPayload, JukeboxError } from '../errors.js';
import type { ServerStats } from '../protocol/types.js';
import { workerUrl } from '../util/paths.js';
import { ALONE, type ProcessShare } from './descriptors.js';
import type { ConnectionEvent, RejectionEvent, ServerWarning, TraceEvent } from './events.js';
import type { FaultCommand, FaultResult } from './faults.js';
import { DEFAULT_STREAM_SPEED, type ServerLimits } from './limits.js';
import {
  isReply,
  type ObserveOptions,
  type ServerThreadCommand,
  type ServerThreadEvent,
  type ServerThreadNotice,
  type ServerThreadReply,
} from './thread-messages.js';

export interface ServerThreadOptions {
  serverId: string;
  catalogPath: string;
  files: ReadonlyMap<string, string>;
  /** Default: the catalog's host and port for this server. */
  host?: string;
  port?: number;
  streamSpeed?: number;
  limits?: Partial<ServerLimits>;
  /**
   * Who shares this process's open-file limit (default: this server alone). A thread is no
   * process: the harness's servers and client pool all count (see descriptors.ts).
   */
  descriptors?: ProcessShare;
  observe?: Partial<ObserveOptions>;
}

export interface ServerThreadEventMap {
  connection: [ConnectionEvent];
  connectionClosed: [ConnectionEvent];
  rejected: [RejectionEvent];
  request: [TraceEvent];
  response: [TraceEvent];
  internalError: [{ serverId: string; connectionId: number | undefined; error: JukeboxError }];
  /** A warning while running (those of the start are `startWarnings`). */
  warning: [ServerWarning];
  /** The thread ended without being stopped (a crash); pending calls have been rejected. */
  exit: [{ code: number; error: JukeboxError }];
}

export interface ServerThread {
  readonly serverId: string;
  readonly host: string;
  readonly port: number;
  readonly threadId: number;
  /** The connection limit in force: lower than asked when the process's open-file limit is shared too thin (see startWarnings). */
  readonly maxConnections: number;
  readonly startWarnings: readonly ServerWarning[];
  stats(): Promise<ServerStats>;
  /** Changes which event streams the thread forwards. */
  observe(options: ObserveOptions): Promise<void>;
  /** Injects a fault into the server (the thread stays up through a crash, so it can restart). */
  fault(command: FaultCommand): Promise<FaultResult>;
  /** Stops the server (gracefully by default) and ends the thread. */
  stop(options?: { graceful?: boolean }): Promise<void>;
  on<K extends keyof ServerThreadEventMap>(event: K, listener: (...args: ServerThreadEventMap[K]) => void): this;
  off<K extends keyof ServerThreadEventMap>(event: K, listener: (...args: ServerThreadEventMap[K]) => void): this;
  once<K extends keyof ServerThreadEventMap>(event: K, listener: (...args: ServerThreadEventMap[K]) => void): this;
}

/** Distributes Omit over a union, so each command keeps its own fields. */
type CommandWithoutId = ServerThreadCommand extends infer C ? (C extends ServerThreadCommand ? Omit<C, 'id'> : never) : never;

export async function startServerThread(options: ServerThreadOptions): Promise<ServerThread> {
  const thread = new ServerThreadImpl(new Worker(workerUrl('server.worker')), options.serverId);
  try {
    const reply = await thread.request({
      type: 'start',
      serverId: options.serverId,
      catalogPath: options.catalogPath,
      files: [...options.files],
      host: options.host,
      port: options.port,
      streamSpeed: options.streamSpeed ?? DEFAULT_STREAM_SPEED,
      limits: options.limits ?? {},
      descriptors: options.descriptors ?? ALONE,
      observe: { connections: options.observe?.connections ?? false, trace: options.observe?.trace ?? false },
    });
    if (reply.type !== 'listening') throw unexpectedReply(reply);
    thread.listeningOn(reply);
    return thread;
  } catch (err) {
    await thread.terminate();
    throw err;
  }
}

class ServerThreadImpl extends EventEmitter<ServerThreadEventMap> implements ServerThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (reply: ServerThreadReply) => void; reject: (err: Error) => void }>();
  private stopping = false;
  private exited = false;
  host = '';
  port = 0;
  maxConnections = 0;
  startWarnings: readonly ServerWarning[] = [];

  constructor(
    private readonly worker: Worker,
    readonly serverId: string,
  ) {
    super();
    worker.on('message', (event: ServerThreadEvent) => this.onEvent(event));
    worker.on('error', (err) => this.failAll(new JukeboxError('E_WORKER', `server thread ${serverId} failed: ${err.message}`, { cause: err })));
    worker.on('exit', (code) => this.onExit(code));
  }

  get threadId(): number {
    return this.worker.threadId;
  }

  listeningOn(reply: Extract<ServerThreadReply, { type: 'listening' }>): void {
    this.host = reply.host;
    this.port = reply.port;
    this.maxConnections = reply.maxConnections;
    this.startWarnings = reply.warnings;
  }

  /** Sends a command and resolves with its one reply (an `error` reply rejects). */
  request(command: CommandWithoutId): Promise<ServerThreadReply> {
    if (this.exited) return Promise.reject(new JukeboxError('E_WORKER', `server thread ${this.serverId} has ended`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...command, id } as ServerThreadCommand);
    });
  }

  async stats(): Promise<ServerStats> {
    const reply = await this.request({ type: 'stats' });
    if (reply.type !== 'stats') throw unexpectedReply(reply);
    return reply.stats;
  }

  async observe(options: ObserveOptions): Promise<void> {
    const reply = await this.request({ type: 'observe', connections: options.connections, trace: options.trace });
    if (reply.type !== 'done') throw unexpectedReply(reply);
  }

  async fault(command: FaultCommand): Promise<FaultResult> {
    const reply = await this.request({ type: 'fault', fault: command });
    if (reply.type !== 'fault') throw unexpectedReply(reply);
    return reply.result;
  }

  async stop(options: { graceful?: boolean } = {}): Promise<void> {
    if (this.exited) return;
    this.stopping = true;
    const reply = await this.request({ type: 'stop', graceful: options.graceful ?? true });
    if (reply.type !== 'stopped') throw unexpectedReply(reply);
    await this.terminate();
  }

  async terminate(): Promise<void> {
    this.stopping = true;
    if (!this.exited) await this.worker.terminate();
  }

  private onEvent(event: ServerThreadEvent): void {
    if (isReply(event)) return this.settle(event);
    this.notify(event);
  }

  private settle(reply: ServerThreadReply): void {
    const waiter = this.pending.get(reply.replyTo);
    if (!waiter) return;
    this.pending.delete(reply.replyTo);
    if (reply.type === 'error') waiter.reject(fromErrorPayload(reply));
    else waiter.resolve(reply);
  }

  private notify(notice: ServerThreadNotice): void {
    switch (notice.type) {
      case 'connection':
      case 'connectionClosed':
        this.emit(notice.type, notice.event);
        return;
      case 'rejected':
        this.emit('rejected', notice.event);
        return;
      case 'request':
      case 'response':
        this.emit(notice.type, notice.event);
        return;
      case 'internalError':
        this.emit('internalError', { serverId: notice.serverId, connectionId: notice.connectionId, error: new JukeboxError(notice.code, notice.message) });
        return;
      case 'warning':
        this.emit('warning', notice.warning);
        return;
      default:
        assertNever(notice, 'server thread notice');
    }
  }

  private onExit(code: number): void {
    this.exited = true;
    const error = new JukeboxError('E_WORKER', `server thread ${this.serverId} exited (code ${code})`);
    this.failAll(error);
    if (!this.stopping) this.emit('exit', { code, error });
  }

  private failAll(error: JukeboxError): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}

function unexpectedReply(reply: ServerThreadReply): JukeboxError {
  return new JukeboxError('E_WORKER', `unexpected reply from server thread: ${reply.type}`);
}
