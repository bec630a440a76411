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

/** A GET/STREAM body's progress (only while someone listens for `transfer`): after each chunk, and once when it ends or is cut. */
export interface TransferProgressEvent {
  serverId: string;
  connectionId: number;
  remoteAddress: string;
  remotePort: number;
  song: string;
  /** Bytes of the song written so far, the offset it resumed from included. */
  bytes: number;
  /** The song's size. */
  total: number;
  /** True once: the transfer ended (whole or cut). */
  ended: boolean;
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

/**
 * Something a server operator should read (the CLI prints `<server>: <message>`): a connection
 * limit lowered to fit the process's open-file limit, a limit that could not be read, or the
 * process out of descriptors (rate-limited: see descriptor-guard.ts).
 */
export type ServerWarning =
  | { kind: 'connectionLimitLowered'; serverId: string; requested: number; maxConnections: number; openFiles: number; message: string }
  | { kind: 'openFileLimitUnknown'; serverId: string; message: string }
  | {
      kind: 'outOfDescriptors';
      serverId: string;
      /** Still out when this was said (false: descriptors are available again). */
      exhausted: boolean;
      /** Connections that could not be taken since the last such warning. */
      failed: number;
      /** Since start, as STATS `acceptFailures`. */
      acceptFailures: number;
      message: string;
    };

export interface ServerEventMap {
  connection: [ConnectionEvent];
  connectionClosed: [ConnectionEvent];
  rejected: [RejectionEvent];
  request: [TraceEvent];
  response: [TraceEvent];
  transfer: [TransferProgressEvent];
  /** Something unexpected (answered ERR 500 or a cut transfer); the server keeps serving. */
  internalError: [InternalErrorEvent];
  /** Warnings while running; those of the start are `startWarnings` (given before anyone could listen). */
  warning: [ServerWarning];
}
