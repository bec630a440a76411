// The client's connections to the catalog's servers for a journey: one kept open per server,
// greeted with HELLO whose catalog version and identity are checked (a difference is a warning,
// not a failure), CHECK on all of them at once, and transfer sources through the same connections.
import type { Catalog, LoadedCatalog } from '../catalog/types.js';
import { JukeboxError, isJukeboxError } from '../errors.js';
import { systemClock, type Clock } from '../util/clock.js';
import { askServers } from './ask-servers.js';
import type { CheckAnswer } from './choice.js';
import type { HelloResult, JukeboxConnection } from './connection.js';
import { DEFAULT_CHECK_TIMEOUT_MS } from './limits.js';
import { ConnectionCache, type ServerEndpoint } from './pool.js';
import type { TransferSource } from './transfer.js';

/** The name this client gives in HELLO (servers log it). */
export const DEFAULT_CLIENT_NAME = 'jukebox-client';
/** Bound on the first HELLO to each server, connect included: a hung server cannot hold up the start. */
export const PROBE_TIMEOUT_MS = DEFAULT_CHECK_TIMEOUT_MS;

/** A catalog server as the client shows it: `number` is its place in the catalog (Server 1, Server 2). */
export interface JourneyServer extends ServerEndpoint {
  number: number;
}

/** The catalog's servers, in catalog order, optionally all on another host. */
export function journeyServers(catalog: Catalog, host?: string): JourneyServer[] {
  return catalog.servers.map((s, i) => ({ id: s.id, host: host ?? s.host, port: s.port, number: i + 1 }));
}

/** One protocol line crossing the wire, labelled by server. */
export interface WireTraceEvent {
  serverId: string;
  direction: 'sent' | 'received';
  line: string;
  /** The session clock's now() when it crossed. */
  atMs: number;
}

/** Noticed when a connection's HELLO is answered: the server's catalog or identity is not the client's. */
export type SessionEvent =
  | { type: 'catalog-mismatch'; serverId: string; serverVersion: string; clientVersion: string }
  | { type: 'identity-mismatch'; serverId: string; answeredAs: string };

export interface ClientSessionOptions {
  catalog: LoadedCatalog;
  /** Default: the catalog's servers (on `host` when given). */
  servers?: readonly JourneyServer[];
  host?: string;
  clientName?: string;
  clock?: Clock;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Bound on connect + CHECK per server; default DEFAULT_CHECK_TIMEOUT_MS. */
  checkTimeoutMs?: number;
  /** Every request and response line, both ways; off (and free) when absent. */
  trace?: (event: WireTraceEvent) => void;
  /** Each warning once per server per session. */
  onEvent?: (event: SessionEvent) => void;
}

export type ServerStatus = { server: JourneyServer; status: 'up'; hello: HelloResult } | { server: JourneyServer; status: 'down'; error: JukeboxError };

/** One server's answer to CHECK, with the server it came from. */
export interface ServerAnswer {
  server: JourneyServer;
  answer: CheckAnswer;
}

/**
 * The client's connections to the catalog's servers: at most one kept open per server, each
 * greeted with HELLO whose catalog version is compared with the client's (a difference is a
 * warning: the student sees it, the journey goes on, and sha256 verification still guards every byte).
 */
export class ClientSession {
  readonly catalog: LoadedCatalog;
  readonly servers: readonly JourneyServer[];
  readonly clock: Clock;
  private readonly cache: ConnectionCache;
  private readonly checkTimeoutMs: number;
  private readonly hellos = new Map<string, HelloResult>();
  private readonly warned = new Set<string>();
  /** Every connection made, so that close() also ends one still saying HELLO. */
  private readonly connections = new Set<JukeboxConnection>();
  private closed = false;

  constructor(private readonly options: ClientSessionOptions) {
    this.catalog = options.catalog;
    this.servers = options.servers ?? journeyServers(options.catalog.catalog, options.host);
    this.clock = options.clock ?? systemClock;
    this.checkTimeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const byAddress = new Map(this.servers.map((s) => [`${s.host}:${s.port}`, s.id]));
    const trace = options.trace;
    this.cache = new ConnectionCache(this.servers, {
      clientName: options.clientName ?? DEFAULT_CLIENT_NAME,
      clock: this.clock,
      ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(trace === undefined
        ? {}
        : {
            trace: (e) =>
              trace({ serverId: byAddress.get(`${e.host}:${e.port}`) ?? `${e.host}:${e.port}`, direction: e.direction, line: e.line, atMs: e.atMs }),
          }),
      onConnected: (connection, server) => this.greet(connection, server),
    });
  }

  /** The HELLO answer of the server's current connection, if it has one. */
  helloOf(serverId: string): HelloResult | undefined {
    return this.hellos.get(serverId);
  }

  /** Connects to every server at once and says HELLO; each within PROBE_TIMEOUT_MS. Never throws. */
  probe(timeoutMs = PROBE_TIMEOUT_MS): Promise<ServerStatus[]> {
    return Promise.all(
      this.servers.map(async (server): Promise<ServerStatus> => {
        try {
          await withTimeout(
            this.cache.get(server.id),
            timeoutMs,
            () => new JukeboxError('E_TIMEOUT', `no HELLO answer from ${server.id} (${server.host}:${server.port}) within ${timeoutMs} ms`),
          );
          return { server, status: 'up', hello: this.hellos.get(server.id) as HelloResult };
        } catch (err) {
          return { server, status: 'down', error: toJukeboxError(err) };
        }
      }),
    );
  }

  /** CHECK on every server at once (askServers): one answer per server, in catalog order. */
  async ask(songId: string): Promise<ServerAnswer[]> {
    const answers = await askServers(songId, this.servers, { connect: (s) => this.cache.get(s.id), timeoutMs: this.checkTimeoutMs, clock: this.clock });
    return answers.map((answer, i) => ({ server: this.servers[i] as JourneyServer, answer }));
  }

  /** A transfer source through the kept connections; `beforeConnect` runs before each attempt (resume detection, cancelling). */
  source(serverId: string, beforeConnect: (serverId: string) => void): TransferSource {
    return {
      serverId,
      connect: () => {
        beforeConnect(serverId);
        return this.cache.get(serverId);
      },
    };
  }

  /** Cuts every connection now (a cancelled transfer). */
  destroyConnections(): void {
    this.cache.destroyAll();
    for (const c of this.connections) c.destroy();
  }

  /** Closes every connection (politely, then by force for any still greeting). */
  async close(): Promise<void> {
    this.closed = true;
    await this.cache.closeAll();
    for (const c of this.connections) c.destroy();
  }

  private async greet(connection: JukeboxConnection, server: ServerEndpoint): Promise<void> {
    if (this.closed) throw new JukeboxError('E_CLOSED', 'the client session is closed');
    this.connections.add(connection);
    void connection.whenClosed().then(() => this.connections.delete(connection));
    const hello = await connection.hello();
    this.hellos.set(server.id, hello);
    if (hello.catalog !== this.catalog.version) {
      this.warnOnce(`catalog:${server.id}:${hello.catalog}`, {
        type: 'catalog-mismatch',
        serverId: server.id,
        serverVersion: hello.catalog,
        clientVersion: this.catalog.version,
      });
    }
    if (hello.server !== server.id)
      this.warnOnce(`identity:${server.id}:${hello.server}`, { type: 'identity-mismatch', serverId: server.id, answeredAs: hello.server });
  }

  private warnOnce(key: string, event: SessionEvent): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.onEvent?.(event);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, error: () => JukeboxError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function toJukeboxError(err: unknown): JukeboxError {
  return isJukeboxError(err) ? err : new JukeboxError('E_INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
}
