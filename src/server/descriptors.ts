// The file-descriptor budget of a process's servers: the process's open-file limit, read once at
// start, and each server's connection limit fitted into its share of it (lowered with a warning,
// or refused) before the server listens, so that a server answers ERR 503 at its own limit
// before the process runs out of descriptors.
import { readFileSync } from 'node:fs';
import { JukeboxError } from '../errors.js';
import { MAX_LINGERING_REJECTIONS } from './limits.js';

/** Where Linux shows a process its limits. Other systems have no such file: the check is skipped, with a warning. */
export const PROC_LIMITS_PATH = '/proc/self/limits';

/**
 * Descriptors a process holds besides its servers': stdio, the main event loop (epoll, eventfds,
 * signal pipes), libuv's own spare descriptor, V8's platform, and the CLI's files (the catalog,
 * generated songs, a report). Measured: 20 in an idle `jukebox serve` before it listens; three
 * times that leaves room for what was not there when we looked.
 */
export const PROCESS_RESERVE_DESCRIPTORS = 64;
/**
 * Each worker thread has an event loop of its own: epoll, eventfd, libuv's spare, its message
 * port (measured: about 3 per thread in `simulate`, whose servers and clients are threads).
 */
export const THREAD_DESCRIPTORS = 4;
/**
 * One server's own descriptors besides its connections: its listener, the spare kept to answer
 * 503 when the process runs out anyway and the probe beside it (descriptor-guard.ts: one per
 * thread, counted per server to stay on the safe side), and the rejected connections still
 * draining their answer (MAX_LINGERING_REJECTIONS).
 */
export const SERVER_DESCRIPTORS = 3 + MAX_LINGERING_REJECTIONS;
/**
 * A server whose share fits fewer connections than this is refused rather than started: a few
 * dozen users would already be turned away, and the cause is almost always a tiny `ulimit -n`
 * left in the shell, which the error names with the fix. With two servers the refusal starts
 * below 166 files: Node itself needs about 120 while it loads its modules, so a limit that low
 * fails before any check anyway. (A server asked for fewer than this needs only what it asked for.)
 */
export const MIN_CONNECTIONS_PER_SERVER = 32;

/** Who else in this process draws on the same open-file limit. */
export interface ProcessShare {
  /** Servers of this process (`jukebox serve` runs every catalog server in one); each gets an equal part. */
  servers: number;
  /** Worker threads of this process besides the main one (`simulate`: its server threads and client pool). */
  threads: number;
  /** The process also holds the client end of each connection (`simulate` with the servers it starts): two descriptors per connection. */
  clientsInProcess: boolean;
}

/** A server alone in its process, as `startServer` assumes unless told otherwise. */
export const ALONE: Readonly<ProcessShare> = Object.freeze({ servers: 1, threads: 0, clientsInProcess: false });

export type OpenFileLimit = { kind: 'limited'; files: number } | { kind: 'unlimited' } | { kind: 'unknown'; reason: string };

/**
 * The soft "Max open files" of /proc/self/limits: the one that makes open() and accept() fail.
 * (Node raises its soft limit to the hard one when it starts, so this is `ulimit -Hn` of the
 * shell that started it.)
 */
export function parseOpenFileLimit(text: string): OpenFileLimit {
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === 'unlimited') return { kind: 'unlimited' };
  if (soft !== undefined && /^\d+$/.test(soft)) return { kind: 'limited', files: Number(soft) };
  return { kind: 'unknown', reason: `no "Max open files" line with a number in ${PROC_LIMITS_PATH}` };
}

export function readOpenFileLimit(path = PROC_LIMITS_PATH): OpenFileLimit {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { kind: 'unknown', reason: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  return parseOpenFileLimit(text);
}

let unknownLimitReported = false;

/** True the first time it is called in this thread: an unreadable limit is said once, not once per server. */
export function firstUnknownLimitNotice(): boolean {
  if (unknownLimitReported) return false;
  unknownLimitReported = true;
  return true;
}

export interface ConnectionBudgetInput {
  serverId: string;
  /** The connection limit the server was given. */
  requested: number;
  openFileLimit: OpenFileLimit;
  share: ProcessShare;
  /** Some of the server's songs are read from disk: a transfer then holds the song file open too. */
  readsFromDisk: boolean;
}

export interface ConnectionBudget {
  requested: number;
  /** What the server will hold: `requested`, or less when its share of the limit is smaller. */
  maxConnections: number;
  lowered: boolean;
  /** The process's open-file limit; undefined when unlimited or unknown (nothing was checked). */
  openFiles: number | undefined;
  descriptorsPerConnection: number;
}

/** A socket, plus the song file of a transfer read from disk, plus the client's socket when the client runs here. */
export function descriptorsPerConnection(share: ProcessShare, readsFromDisk: boolean): number {
  return 1 + (readsFromDisk ? 1 : 0) + (share.clientsInProcess ? 1 : 0);
}

/** Everything the process needs besides its servers' connections. */
export function reservedDescriptors(share: ProcessShare): number {
  return PROCESS_RESERVE_DESCRIPTORS + share.threads * THREAD_DESCRIPTORS + share.servers * SERVER_DESCRIPTORS;
}

/**
 * Fits a server's connection limit into its equal share of what the open-file limit leaves after
 * the reserves. Unchanged when it fits; lowered when it does not; refused (E_DESCRIPTORS) when
 * the share cannot hold even MIN_CONNECTIONS_PER_SERVER (or the limit asked for, if smaller).
 */
export function fitConnectionLimit(input: ConnectionBudgetInput): ConnectionBudget {
  const { requested, share } = input;
  const perConnection = descriptorsPerConnection(share, input.readsFromDisk);
  if (input.openFileLimit.kind !== 'limited')
    return { requested, maxConnections: requested, lowered: false, openFiles: undefined, descriptorsPerConnection: perConnection };
  const files = input.openFileLimit.files;
  const reserved = reservedDescriptors(share);
  const fitting = Math.max(0, Math.floor((files - reserved) / share.servers / perConnection));
  const budget = { requested, openFiles: files, descriptorsPerConnection: perConnection };
  if (requested <= fitting) return { ...budget, maxConnections: requested, lowered: false };
  const least = Math.min(requested, MIN_CONNECTIONS_PER_SERVER);
  if (fitting < least) {
    const needed = reserved + share.servers * least * perConnection;
    throw new JukeboxError(
      'E_DESCRIPTORS',
      `server ${input.serverId}: this process may open only ${files} files (ulimit -n), too few to serve even ${least} connections: ${describeBudget(share, perConnection)} need at least ${needed}`,
      { hint: `raise the limit in the shell that starts it, e.g. ulimit -n 4096 (Node takes its soft limit up to the hard one, ulimit -Hn)` },
    );
  }
  return { ...budget, maxConnections: fitting, lowered: true };
}

/** How the budget was counted, for messages: "64 for the process, 2 servers × 19, 1 per connection". */
export function describeBudget(share: ProcessShare, perConnection: number): string {
  const threads = share.threads > 0 ? `, ${share.threads} threads × ${THREAD_DESCRIPTORS}` : '';
  const servers = share.servers === 1 ? `1 server × ${SERVER_DESCRIPTORS}` : `${share.servers} servers × ${SERVER_DESCRIPTORS}`;
  return `${PROCESS_RESERVE_DESCRIPTORS} for the process${threads}, ${servers} and ${perConnection} per connection`;
}

/** The warning a lowered limit gives, as the CLI prints it after the server's id. */
export function loweredMessage(budget: ConnectionBudget, share: ProcessShare): string {
  const sharing = share.servers > 1 ? `, shared by ${share.servers} servers` : '';
  return (
    `connection limit ${budget.requested} lowered to ${budget.maxConnections}: this process may open ${budget.openFiles ?? '?'} files (ulimit -n)${sharing}, ` +
    `counting ${describeBudget(share, budget.descriptorsPerConnection)}; raise it with ulimit -n`
  );
}
