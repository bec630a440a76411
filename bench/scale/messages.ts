// What the scale bench's parent and its child processes say to each other (over fork's IPC).
import type { ServerStats } from '../../src/protocol/types.js';

/** Parent → server process. */
export type ServerCommand = { type: 'stats' } | { type: 'stop' };

/** Server process → parent. */
export type ServerNotice = { type: 'listening'; port: number } | { type: 'stats'; stats: ServerStats } | { type: 'stopped'; peakRssBytes: number };

/** Client process → parent: what the bench needs of its half's report. */
export interface ClientsDone {
  type: 'done';
  clients: number;
  requests: number;
  failed: number;
  verified: number;
  cancelled: number;
  peakRssBytes: number;
  durationMs: number;
  passed: boolean;
}
