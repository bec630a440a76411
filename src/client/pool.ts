// Kept-open connections, at most one per server: what askServers and transferSong connect
// through, so that a client (interactive or simulated) reuses one connection per server and
// closes them all at the end.
import { JukeboxError } from '../errors.js';
import { JukeboxConnection, type ConnectOptions } from './connection.js';
import type { TransferSource } from './transfer.js';

export interface ServerEndpoint {
  id: string;
  host: string;
  port: number;
}

export interface ConnectionCacheOptions extends Omit<ConnectOptions, 'host' | 'port'> {
  /** Runs once on each new connection before it is handed out (e.g. HELLO and a catalog version check); a throw fails the connect and destroys it. */
  onConnected?: (connection: JukeboxConnection, server: ServerEndpoint) => Promise<void> | void;
}

export class ConnectionCache {
  private readonly open = new Map<string, JukeboxConnection>();
  /** A connect in progress is shared, so that two asks at once make one connection. */
  private readonly connecting = new Map<string, Promise<JukeboxConnection>>();
  private readonly servers: ReadonlyMap<string, ServerEndpoint>;

  constructor(
    servers: readonly ServerEndpoint[],
    private readonly options: ConnectionCacheOptions = {},
  ) {
    this.servers = new Map(servers.map((s) => [s.id, s]));
  }

  /** An open connection to the server: the kept one if it is still usable, else a new one. */
  get(serverId: string): Promise<JukeboxConnection> {
    const kept = this.open.get(serverId);
    if (kept?.isOpen) return Promise.resolve(kept);
    const inProgress = this.connecting.get(serverId);
    if (inProgress) return inProgress;
    const server = this.servers.get(serverId);
    if (!server)
      return Promise.reject(new JukeboxError('E_BAD_ARGUMENT', `unknown server ${JSON.stringify(serverId)}; known: ${[...this.servers.keys()].join(', ')}`));
    const made = this.make(server).finally(() => this.connecting.delete(serverId));
    this.connecting.set(serverId, made);
    return made;
  }

  /** The kept connection if it is still usable, now (no promise): for a caller that sends at once when it can. */
  kept(serverId: string): JukeboxConnection | undefined {
    const kept = this.open.get(serverId);
    return kept?.isOpen ? kept : undefined;
  }

  /** A transfer source that connects through this cache. */
  source(serverId: string): TransferSource {
    return { serverId, connect: () => this.get(serverId) };
  }

  /** Closes every kept connection (answers in flight are still received first). */
  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    await Promise.all(all.map((c) => c.close()));
  }

  destroyAll(): void {
    for (const c of this.open.values()) c.destroy();
    this.open.clear();
  }

  private async make(server: ServerEndpoint): Promise<JukeboxConnection> {
    const { onConnected, ...connectOptions } = this.options;
    const connection = await JukeboxConnection.connect({ ...connectOptions, host: server.host, port: server.port });
    try {
      await onConnected?.(connection, server);
    } catch (err) {
      connection.destroy();
      throw err;
    }
    this.open.set(server.id, connection);
    return connection;
  }
}
