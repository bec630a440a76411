// A jukebox/1 server's lifecycle: verify the library, listen, accept (within the connection
// limit), count, report, and shut down gracefully.
import { channel } from 'node:diagnostics_channel';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { debuglog } from 'node:util';
import { findServer } from '../catalog/load.js';
import type { LoadedCatalog } from '../catalog/types.js';
import { JukeboxError } from '../errors.js';
import { ERR } from '../protocol/constants.js';
import { encodeResponse } from '../protocol/response.js';
import type { ServerStats } from '../protocol/types.js';
import { systemClock, type Clock } from '../util/clock.js';
import { Connection, type ConnectionHooks } from './connection.js';
import type { BodyProgress, ServerContext } from './context.js';
import { isOutOfDescriptors, joinDescriptorGuard, OutOfDescriptorsReporter, type GuardMembership } from './descriptor-guard.js';
import {
  ALONE,
  firstUnknownLimitNotice,
  fitConnectionLimit,
  loweredMessage,
  readOpenFileLimit,
  type ConnectionBudget,
  type ProcessShare,
} from './descriptors.js';
import type { ServerEventMap, ServerWarning } from './events.js';
import { FaultInjector, FaultState, type FaultCommand, type FaultResult } from './faults.js';
import { IDLE_CHECKS_PER_TIMEOUT, MAX_LINGERING_REJECTIONS, REJECT_LINGER_MS, resolveLimits, resolveStreamSpeed, type ServerLimits } from './limits.js';
import { openSongStore, type SongStore } from './song-store.js';
import { ServerCounters } from './stats.js';

export type { ConnectionEvent, InternalErrorEvent, RejectionEvent, ServerEventMap, ServerWarning, TraceEvent, TransferProgressEvent } from './events.js';
export type { FaultCommand, FaultResult } from './faults.js';
export type { ProcessShare } from './descriptors.js';

/** `NODE_DEBUG=jukebox` prints unexpected server failures to stderr. */
const debug = debuglog('jukebox');
/** Subscribers get `{ serverId, connectionId, error }` for every unexpected failure. */
export const serverErrorChannel = channel('jukebox:server:error');

export interface ServerOptions {
  serverId: string;
  catalog: LoadedCatalog;
  /** song id → absolute path of its file (from resolveLibrary); only this server's songs are read. */
  files: ReadonlyMap<string, string>;
  /** Default: the catalog's host for this server. */
  host?: string;
  /** Default: the catalog's port for this server; 0 picks a free port (see `port` on the result). */
  port?: number;
  /** STREAM pace = bitrate × streamSpeed; default 1 (real time). */
  streamSpeed?: number;
  limits?: Partial<ServerLimits>;
  /**
   * Who else in this process draws on its open-file limit (default: this server alone). The
   * connection limit is lowered to fit this server's share, or the start refused (E_DESCRIPTORS).
   */
  descriptors?: ProcessShare;
  clock?: Clock;
}

export interface CloseOptions {
  /** true (default): finish transfers in flight (within the grace timeout); false: cut every connection now. */
  graceful?: boolean;
}

export interface JukeboxServer {
  readonly serverId: string;
  readonly host: string;
  /** The port it listens on (the real one when 0 was asked). */
  readonly port: number;
  readonly catalogVersion: string;
  /** In force: `maxConnections` may be lower than asked, to fit the process's open-file limit (see startWarnings). */
  readonly limits: Readonly<ServerLimits>;
  /** What the start had to say (a lowered connection limit, an open-file limit it could not read); later ones are 'warning' events. */
  readonly startWarnings: readonly ServerWarning[];
  readonly streamSpeed: number;
  /** How many bytes of songs are held in memory (the rest are read from disk). */
  readonly memoryBytes: number;
  stats(): ServerStats;
  /** Stops accepting at once; resolves when every connection is closed. Calling it again returns the same promise. */
  close(options?: CloseOptions): Promise<void>;
  /** Injects a fault (load tests, chaos tests): see FaultCommand. Commands are applied one at a time, in order. */
  fault(command: FaultCommand): Promise<FaultResult>;
  on<K extends keyof ServerEventMap>(event: K, listener: (...args: ServerEventMap[K]) => void): this;
  off<K extends keyof ServerEventMap>(event: K, listener: (...args: ServerEventMap[K]) => void): this;
  once<K extends keyof ServerEventMap>(event: K, listener: (...args: ServerEventMap[K]) => void): this;
}

/** Verifies this server's songs against the catalog (refusing to start on a mismatch), then listens. */
export async function startServer(options: ServerOptions): Promise<JukeboxServer> {
  const entry = findServer(options.catalog.catalog, options.serverId);
  const asked = resolveLimits(options.limits);
  const streamSpeed = resolveStreamSpeed(options.streamSpeed);
  const clock = options.clock ?? systemClock;
  const store = await openSongStore({ catalog: options.catalog, serverId: options.serverId, files: options.files, memoryBudgetBytes: asked.memoryBudgetBytes });
  const { budget, warnings } = fitToOpenFileLimit(options.serverId, asked.maxConnections, options.descriptors ?? ALONE, store);
  const limits = { ...asked, maxConnections: budget.maxConnections };
  const context: ServerContext = {
    serverId: options.serverId,
    catalogVersion: options.catalog.version,
    store,
    counters: new ServerCounters(clock, limits.maxConnections),
    streamSpeed,
    limits,
    clock,
    faults: new FaultState(),
  };
  const server = new ServerImpl(context, options.host ?? entry.host, budget.openFiles, warnings);
  try {
    await server.listen(options.port ?? entry.port);
  } catch (err) {
    await server.close({ graceful: false });
    throw err;
  }
  return server;
}

/** The connection limit fitted to this server's share of the process's open-file limit (throws E_DESCRIPTORS when even a few do not fit). */
function fitToOpenFileLimit(
  serverId: string,
  requested: number,
  share: ProcessShare,
  store: SongStore,
): { budget: ConnectionBudget; warnings: ServerWarning[] } {
  const openFileLimit = readOpenFileLimit();
  const readsFromDisk = store.songs().some((stored) => stored.source.kind === 'file');
  const budget = fitConnectionLimit({ serverId, requested, openFileLimit, share, readsFromDisk });
  const warnings: ServerWarning[] = [];
  if (budget.lowered && budget.openFiles !== undefined) {
    warnings.push({
      kind: 'connectionLimitLowered',
      serverId,
      requested,
      maxConnections: budget.maxConnections,
      openFiles: budget.openFiles,
      message: loweredMessage(budget, share),
    });
  }
  if (openFileLimit.kind === 'unknown' && firstUnknownLimitNotice()) {
    warnings.push({
      kind: 'openFileLimitUnknown',
      serverId,
      message: `the open-file limit is not checked (${openFileLimit.reason}): make sure ulimit -n allows the connection limit (${requested} per server) and more`,
    });
  }
  return { budget, warnings };
}

class ServerImpl extends EventEmitter<ServerEventMap> implements JukeboxServer {
  private readonly net: Server;
  private readonly connections = new Set<Connection>();
  /** Every socket, rejected ones too, so that a forced stop can cut them all. */
  private readonly sockets = new Set<Socket>();
  private nextConnectionId = 1;
  private shuttingDown = false;
  private closing: Promise<void> | undefined;
  private boundPort = 0;
  private readonly hooks: ConnectionHooks;
  private readonly injector: FaultInjector;
  private readonly idleSweep: NodeJS.Timeout;
  /** Rejected sockets still draining their 503 (at most MAX_LINGERING_REJECTIONS). */
  private lingering = 0;
  private readonly guard: GuardMembership;
  private readonly outOfDescriptors: OutOfDescriptorsReporter;

  constructor(
    private readonly context: ServerContext,
    readonly host: string,
    openFiles: number | undefined,
    readonly startWarnings: readonly ServerWarning[],
  ) {
    super();
    // allowHalfOpen: a client that sends its requests and then shuts its side still gets every answer.
    this.net = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    this.net.on('error', (err) => this.onListenerError(err));
    const warn = (warning: ServerWarning) => void this.emit('warning', warning);
    this.outOfDescriptors = new OutOfDescriptorsReporter(context.serverId, openFiles, context.clock, () => context.counters.acceptFailures, warn);
    this.guard = joinDescriptorGuard((exhausted) => this.outOfDescriptors.changed(exhausted));
    this.hooks = this.makeHooks();
    this.injector = this.makeInjector();
    const sweepMs = Math.max(1, Math.floor(context.limits.idleTimeoutMs / IDLE_CHECKS_PER_TIMEOUT));
    this.idleSweep = setInterval(() => this.cutIdleConnections(), sweepMs);
    this.idleSweep.unref(); // it never keeps a process alive on its own
  }

  private cutIdleConnections(): void {
    const now = this.context.clock.now();
    for (const connection of this.connections) connection.cutIfIdle(now);
  }

  get serverId(): string {
    return this.context.serverId;
  }
  get port(): number {
    return this.boundPort;
  }
  get catalogVersion(): string {
    return this.context.catalogVersion;
  }
  get limits(): Readonly<ServerLimits> {
    return this.context.limits;
  }
  get streamSpeed(): number {
    return this.context.streamSpeed;
  }
  get memoryBytes(): number {
    return this.context.store.memoryBytes;
  }

  stats(): ServerStats {
    return this.context.counters.snapshot(this.serverId);
  }

  listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => reject(listenError(err, this.serverId, this.host, port));
      this.net.once('error', onError);
      this.net.listen({ port, host: this.host }, () => {
        this.net.off('error', onError);
        this.boundPort = (this.net.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  close(options: CloseOptions = {}): Promise<void> {
    if (!this.closing) this.closing = this.shutdown(options.graceful ?? true);
    else if (options.graceful === false) this.destroyAll();
    return this.closing;
  }

  fault(command: FaultCommand): Promise<FaultResult> {
    return this.injector.apply(command);
  }

  private async shutdown(graceful: boolean): Promise<void> {
    this.shuttingDown = true;
    // Paused or throttled writes go on, so that a graceful stop is not held up by an injected fault.
    this.context.faults.clear();
    // net.Server calls back once the listener is closed and every connection has ended.
    const closed = new Promise<void>((resolve) => this.net.close(() => resolve()));
    for (const connection of this.connections) connection.shutdown();
    if (!graceful) this.destroyAll();
    const grace = setTimeout(() => this.destroyAll(), this.context.limits.graceTimeoutMs);
    try {
      await closed;
    } finally {
      clearTimeout(grace);
      clearInterval(this.idleSweep);
      this.guard.leave();
      this.outOfDescriptors.close();
    }
  }

  private destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  private accept(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const { counters, limits } = this.context;
    if (this.guard.isExhausted) {
      this.refuseForDescriptors(socket);
      return;
    }
    if (this.shuttingDown || this.connections.size >= limits.maxConnections) {
      this.reject(socket, this.shuttingDown ? 'shutdown' : 'limit');
      return;
    }
    const connection = new Connection(socket, this.hooks, this.nextConnectionId++);
    this.connections.add(connection);
    counters.connections = this.connections.size;
    counters.connectionsTotal++;
    if (this.listenerCount('connectionClosed') > 0) connection.rememberPeer(); // named when it closes, when the kernel no longer tells
    if (this.listenerCount('connection') > 0) this.emit('connection', this.connectionEvent(connection));
  }

  /** ERR 503, then close; input is drained meanwhile so that the kernel does not reset the answer away. */
  private reject(socket: Socket, reason: 'limit' | 'shutdown'): void {
    const { counters, limits } = this.context;
    counters.rejectedConnections++;
    const text = reason === 'limit' ? `server is at its connection limit (${limits.maxConnections})` : 'server is shutting down';
    socket.on('error', () => {});
    if (this.lingering >= MAX_LINGERING_REJECTIONS) {
      // A flood: its descriptors are part of the budget, so this one is answered and closed now.
      answerAndClose(socket, text);
    } else {
      this.lingering++;
      socket.resume();
      socket.end(encodeResponse({ kind: 'ERR', code: ERR.UNAVAILABLE, text }));
      const linger = setTimeout(() => socket.destroy(), REJECT_LINGER_MS);
      socket.once('close', () => {
        clearTimeout(linger);
        this.lingering--;
      });
    }
    if (this.listenerCount('rejected') > 0) {
      this.emit('rejected', { serverId: this.serverId, remoteAddress: socket.remoteAddress ?? 'unknown', remotePort: socket.remotePort ?? 0, reason });
    }
  }

  /**
   * The process is out of descriptors: this socket took the one the guard gave back. Answered and
   * closed at once so that the next connection finds the descriptor free; counted, and said in
   * the log at most every few seconds (no 'rejected' event per connection: a flood would flood).
   */
  private refuseForDescriptors(socket: Socket): void {
    this.context.counters.acceptFailures++;
    socket.on('error', () => {});
    answerAndClose(socket, 'server is out of file descriptors; try again later');
    this.outOfDescriptors.failure();
  }

  /** The listener's own errors. A failed accept for lack of descriptors is counted, never fatal: the listener stays open. */
  private onListenerError(err: NodeJS.ErrnoException): void {
    if (err.syscall !== 'accept' || !isOutOfDescriptors(err)) return this.reportInternalError(undefined, err);
    this.context.counters.acceptFailures++;
    this.outOfDescriptors.failure();
    this.guard.probe();
  }

  private makeHooks(): ConnectionHooks {
    // Plain fields, set while someone listens and cleared when the last listener goes: an
    // untraced server decodes nothing for them, and a request reads a field instead of asking
    // the emitter for its listener count (three times per request, once a getter each).
    const server = this;
    const traces = {
      request: (c: Connection, line: string) => void server.emit('request', server.traceEvent(c, line)),
      response: (c: Connection, line: string) => void server.emit('response', server.traceEvent(c, line)),
      transfer: (c: Connection, p: BodyProgress) =>
        void server.emit('transfer', { serverId: server.serverId, connectionId: c.id, remoteAddress: c.remoteAddress, remotePort: c.remotePort, ...p }),
    };
    const hooks: ConnectionHooks = {
      context: this.context,
      isShuttingDown: () => this.shuttingDown,
      onRequestLine: undefined,
      onResponseLine: undefined,
      onBodyProgress: undefined,
      onInternalError: (connection, error) => this.reportInternalError(connection.id, error),
      onClosed: (connection) => {
        this.connections.delete(connection);
        this.context.counters.connections = this.connections.size;
        if (this.listenerCount('connectionClosed') > 0) this.emit('connectionClosed', this.connectionEvent(connection));
      },
    };
    const set = (event: string | symbol, listening: boolean) => {
      // Closed connections are named by their peer, which the kernel no longer tells once closed: ask now for the open ones.
      if (event === 'connectionClosed' && listening) for (const connection of this.connections) connection.rememberPeer();
      else if (event === 'request') hooks.onRequestLine = listening ? traces.request : undefined;
      else if (event === 'response') hooks.onResponseLine = listening ? traces.response : undefined;
      else if (event === 'transfer') hooks.onBodyProgress = listening ? traces.transfer : undefined;
    };
    // 'newListener' comes before the listener is added, 'removeListener' after it is removed.
    // The typed event map has no entry for the emitter's own two events: listen as a plain emitter.
    const emitter = this as unknown as EventEmitter;
    emitter.on('newListener', (event: string | symbol) => set(event, true));
    emitter.on('removeListener', (event: string | symbol) => set(event, emitter.listenerCount(event) > 0));
    return hooks;
  }

  /** The injector's view of this server: it closes and reopens the listener and cuts sockets. */
  private makeInjector(): FaultInjector {
    const server = this;
    return new FaultInjector({
      faults: this.context.faults,
      connections: this.connections,
      sockets: this.sockets,
      get port() {
        return server.boundPort;
      },
      get isListening() {
        return server.net.listening;
      },
      isShuttingDown: () => this.shuttingDown,
      // Without a callback: net.Server keeps its open connections, which carry on.
      closeListener: () => void this.net.close(),
      openListener: () => this.listen(this.boundPort),
    });
  }

  private reportInternalError(connectionId: number | undefined, error: unknown): void {
    debug(
      'server %s connection %s: unexpected error: %s',
      this.serverId,
      connectionId ?? '-',
      error instanceof Error ? (error.stack ?? error.message) : String(error),
    );
    if (serverErrorChannel.hasSubscribers) serverErrorChannel.publish({ serverId: this.serverId, connectionId, error });
    if (connectionId === undefined) this.context.counters.errors++;
    if (this.listenerCount('internalError') > 0) this.emit('internalError', { serverId: this.serverId, connectionId, error });
  }

  private connectionEvent(connection: Connection) {
    return {
      serverId: this.serverId,
      connectionId: connection.id,
      remoteAddress: connection.remoteAddress,
      remotePort: connection.remotePort,
      open: this.connections.size,
    };
  }

  private traceEvent(connection: Connection, line: string) {
    return { serverId: this.serverId, connectionId: connection.id, remoteAddress: connection.remoteAddress, remotePort: connection.remotePort, line };
  }
}

/**
 * ERR 503 and close now. The line goes to the kernel at once (a fresh socket's buffer is empty),
 * and close() sends it before the FIN; only a client that had already sent something unread gets
 * a reset instead (the kernel's rule for closing with unread input).
 */
function answerAndClose(socket: Socket, text: string): void {
  socket.end(encodeResponse({ kind: 'ERR', code: ERR.UNAVAILABLE, text }));
  socket.destroy();
}

function listenError(err: NodeJS.ErrnoException, serverId: string, host: string, port: number): JukeboxError {
  const where = `${host}:${port}`;
  switch (err.code) {
    case 'EADDRINUSE':
      return new JukeboxError('E_LISTEN', `server ${serverId} cannot listen on ${where}: port ${port} is already in use`, {
        hint: `stop the program using port ${port} (another 'jukebox serve'?), or give server ${serverId} another port in the catalog`,
        cause: err,
      });
    case 'EACCES':
      return new JukeboxError('E_LISTEN', `server ${serverId} cannot listen on ${where}: permission denied`, {
        hint: 'ports below 1024 need privileges; use a port above 1024',
        cause: err,
      });
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new JukeboxError('E_LISTEN', `server ${serverId} cannot listen on ${where}: no such local address`, {
        hint: 'use localhost or an address of this machine',
        cause: err,
      });
    default:
      return new JukeboxError('E_LISTEN', `server ${serverId} cannot listen on ${where}: ${err.code ?? err.message}`, { cause: err });
  }
}
