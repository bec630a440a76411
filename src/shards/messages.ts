// What `--shards N` (local-runner.ts) and its child processes say to each other over fork's IPC
// channel: one way each, JSON, so that a shard's whole report travels up as it would be written.
import type { Progress } from '../harness/coordinator.js';
import type { ServerStats } from '../protocol/types.js';
import type { Report } from '../report/model.js';
import type { ResolvedScenario } from '../scenario/types.js';
import type { ServerWarning } from '../server/events.js';
import type { Shard } from './selection.js';

/** Parent → shard: what to run, when to start, when to stop. */
export type ShardCommand =
  | { type: 'run'; scenario: ResolvedScenario; shard: Shard; graceMs: number }
  /** The schedule's start, ms since the epoch, once every shard is warm. */
  | { type: 'start'; atMs: number }
  | { type: 'stop' };

/** Shard → parent. */
export type ShardNotice =
  /** Its pool threads are warm: waiting for `start`. */
  | { type: 'warm' }
  | { type: 'progress'; progress: Progress }
  | { type: 'report'; report: Report }
  /** It could not run; `code` is the JukeboxError code when it had one. */
  | { type: 'failed'; message: string; code?: string; hint?: string };

/** Parent → server process. */
export type ServerCommand = { type: 'stats' } | { type: 'stop' };

/** Server process → parent. */
export type ServerNotice =
  | { type: 'listening'; host: string; port: number; maxConnections: number; warnings: ServerWarning[] }
  | { type: 'stats'; stats: ServerStats }
  | { type: 'stopped'; peakRssBytes: number }
  | { type: 'failed'; message: string; code?: string; hint?: string };

/** What a server process is started with (its one argument, as JSON). */
export interface ServerProcessSpec {
  serverId: string;
  catalogPath: string;
  host: string;
  port: number;
  streamSpeed: number;
  maxConnections: number;
  idleTimeoutMs: number;
}
