// The values the codec turns bytes into, for both directions.
import type { ErrCode } from './constants.js';

export type Request =
  | { verb: 'HELLO'; clientName?: string }
  | { verb: 'CHECK'; song: string }
  | { verb: 'GET'; song: string; offset: number }
  | { verb: 'STREAM'; song: string; offset: number }
  | { verb: 'LIST' }
  | { verb: 'STATS' }
  | { verb: 'QUIT' };

export interface ListEntry {
  song: string;
  bytes: number;
  sha256: string;
}

/** Extra `key=value` fields of a response line; clients ignore the keys they do not know. */
export type ExtraFields = Readonly<Record<string, string>>;

export type Response =
  | { kind: 'OK'; protocol: string; server: string; catalog: string; songs: number; extra: ExtraFields }
  | { kind: 'EXIST'; bytes: number; sha256: string; active?: number; extra: ExtraFields }
  | { kind: 'NOT_EXIST' }
  | { kind: 'DATA'; length: number }
  | { kind: 'LIST'; count: number }
  | { kind: 'STATS'; stats: ServerStats }
  | { kind: 'BYE' }
  | { kind: 'ERR'; code: ErrCode | number; text: string };

/** What a server reports about itself in `STATS`. */
export interface ServerStats {
  server: string;
  uptimeMs: number;
  connections: number;
  connectionsTotal: number;
  requests: number;
  bytesSent: number;
  activeTransfers: number;
  errors: number;
  rejectedConnections: number;
  /** Connections not taken for lack of file descriptors (answered 503 at once). Optional: servers before issue #11 do not send it. */
  acceptFailures?: number;
  /** The connection limit in force, after fitting it to the process's open-file limit. Optional, as acceptFailures. */
  maxConnections?: number;
}
