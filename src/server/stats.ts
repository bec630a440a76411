// The counters a server reports in STATS (and CHECK's active=).
import type { ServerStats } from '../protocol/types.js';
import type { Clock } from '../util/clock.js';

/** Mutable counters, owned by one server; connections and handlers bump them. */
export class ServerCounters {
  /** Connections open now (rejected ones are not counted). */
  connections = 0;
  /** Connections accepted since start. */
  connectionsTotal = 0;
  /** Request lines received, valid or not (an over-long line counts once). */
  requests = 0;
  /** Body bytes (DATA) handed to sockets. */
  bytesSent = 0;
  /** GET/STREAM transfers between their DATA line and their last byte. */
  activeTransfers = 0;
  /** ERR responses sent, plus transfers cut by an unexpected failure. */
  errors = 0;
  /** Connections answered ERR 503 and closed because of the limit or shutdown. */
  rejectedConnections = 0;
  /** Connections not taken because the process was out of file descriptors (descriptor-guard.ts). */
  acceptFailures = 0;

  private readonly startedAt: number;

  constructor(
    private readonly clock: Clock,
    /** The connection limit in force (after fitting it to the open-file limit). */
    private readonly maxConnections: number,
  ) {
    this.startedAt = clock.now();
  }

  snapshot(server: string): ServerStats {
    return {
      server,
      uptimeMs: Math.round(this.clock.now() - this.startedAt),
      connections: this.connections,
      connectionsTotal: this.connectionsTotal,
      requests: this.requests,
      bytesSent: this.bytesSent,
      activeTransfers: this.activeTransfers,
      errors: this.errors,
      rejectedConnections: this.rejectedConnections,
      acceptFailures: this.acceptFailures,
      maxConnections: this.maxConnections,
    };
  }
}
