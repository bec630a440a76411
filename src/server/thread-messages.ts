// Every message between a server worker thread and its host: one typed file for the boundary.
//
// Each command carries an `id`; the worker answers each with exactly one message carrying
// `replyTo`: its result (`listening`, `stats`, `stopped`, `fault`), `done` for commands without
// a result, or `error`. A fault command carries a FaultCommand (crash, restart, delay, throttle,
// reset, refuse, pause) and is answered with what it touched, or `error`.
import type { ErrorCode } from '../errors.js';
import type { ServerStats } from '../protocol/types.js';
import type { ProcessShare } from './descriptors.js';
import type { ConnectionEvent, RejectionEvent, ServerWarning, TraceEvent } from './events.js';
import type { FaultCommand, FaultResult } from './faults.js';
import type { ServerLimits } from './limits.js';

/** Which event streams the worker forwards; all off by default (they cost a message each). */
export interface ObserveOptions {
  /** connection opened / closed / rejected */
  connections: boolean;
  /** every request and response line */
  trace: boolean;
}

export interface StartCommand {
  type: 'start';
  id: number;
  serverId: string;
  /** The worker loads the catalog itself (LoadedCatalog is plain data, but the path is the contract). */
  catalogPath: string;
  /** song id → absolute file path, as pairs (structured clone of a Map is fine, pairs are plainer). */
  files: Array<[string, string]>;
  /** undefined: the catalog's host / port for this server. Port 0 picks a free one. */
  host: string | undefined;
  port: number | undefined;
  streamSpeed: number;
  limits: Partial<ServerLimits>;
  /** Who shares the process's open-file limit with this server (the threads of one process share one). */
  descriptors: ProcessShare;
  observe: ObserveOptions;
}

export type ServerThreadCommand =
  | StartCommand
  | { type: 'stop'; id: number; graceful: boolean }
  | { type: 'stats'; id: number }
  | ({ type: 'observe'; id: number } & ObserveOptions)
  | { type: 'fault'; id: number; fault: FaultCommand };

export type ServerThreadReply =
  | { type: 'listening'; replyTo: number; serverId: string; host: string; port: number; maxConnections: number; warnings: ServerWarning[] }
  | { type: 'stats'; replyTo: number; stats: ServerStats }
  | { type: 'stopped'; replyTo: number }
  | { type: 'done'; replyTo: number }
  | { type: 'fault'; replyTo: number; result: FaultResult }
  | { type: 'error'; replyTo: number; code: ErrorCode; message: string; hint?: string };

/** Unsolicited: sent while the matching ObserveOptions are on (internal errors and warnings always). */
export type ServerThreadNotice =
  | { type: 'connection'; event: ConnectionEvent }
  | { type: 'connectionClosed'; event: ConnectionEvent }
  | { type: 'rejected'; event: RejectionEvent }
  | { type: 'request'; event: TraceEvent }
  | { type: 'response'; event: TraceEvent }
  | { type: 'internalError'; serverId: string; connectionId: number | undefined; code: ErrorCode; message: string }
  | { type: 'warning'; warning: ServerWarning };

export type ServerThreadEvent = ServerThreadReply | ServerThreadNotice;

export function isReply(event: ServerThreadEvent): event is ServerThreadReply {
  return 'replyTo' in event;
}
