// What a server tells observers (the CLI's connection lines and --trace, the thread host): plain data only.

export interface ConnectionEvent {
  serverId: string;
  connectionId: number;
  remoteAddress: string;
  remotePort: number;
  /** Connections open after this one opened or closed. */
  open: number;
}

export interface TraceEvent {
  serverId: string;
  connectionId: number;
  remoteAddress: string;
  remotePort: number;
  /** The request line as received (without its terminator), or the response line sent. */
  line: string;
}

export interface RejectionEvent {
  serverId: string;
  remoteAddress: string;
  remotePort: number;
  reason: 'limit' | 'shutdown';
}

export interface InternalErrorEvent {
  serverId: string;
  connectionId: number | undefined;
  error: unknown;
}

export interface ServerEventMap {
  connection: [ConnectionEvent];
  connectionClosed: [ConnectionEvent];
  rejected: [RejectionEvent];
  request: [TraceEvent];
  response: [TraceEvent];
  /** Something unexpected (answered ERR 500 or a cut transfer); the server keeps serving. */
  internalError: [InternalErrorEvent];
}
