// A jukebox server as a peer process: the bench measures it the way it measures nginx and redis,
// each server in a process of its own. (As a worker thread of the bench, its figures depended on
// what the bench's own thread had done before: after the micro-benchmarks, CHECK ran at about
// 0.6 of its rate in a fresh process.)
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerStats } from '../../src/protocol/types.js';

export type JukeboxProcessCommand = { type: 'stats' } | { type: 'stop' };
export type JukeboxProcessNotice = { type: 'listening'; port: number } | { type: 'stats'; stats: ServerStats } | { type: 'stopped'; peakRssBytes: number };

const MAIN = fileURLToPath(new URL('./jukebox-process-main.js', import.meta.url));
/** Loading the catalog, checking every song's sha256 and listening take less than this. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

export interface JukeboxProcess {
  serverId: string;
  port: number;
  /** The server's process id (the bench reads its CPU time from /proc). */
  pid: number;
  /** The server's counters, asked over IPC. */
  stats(): Promise<ServerStats>;
  /** Stops the server and its process; resolves with the process's peak resident memory. */
  stop(): Promise<number>;
  /** Ends the process at once (cleanup after a failure). */
  kill(): void;
}

export async function startJukeboxProcess(serverId: string, catalogPath: string, maxConnections: number): Promise<JukeboxProcess> {
  const child = fork(MAIN, [serverId, catalogPath, String(maxConnections)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await nextNotice(child, 'listening', START_TIMEOUT_MS, `jukebox server ${serverId} starting`);
    return {
      serverId,
      port: port.port,
      // Defined: the process sent its listening notice, so it was spawned.
      pid: child.pid as number,
      stats: async () => {
        const answer = nextNotice(child, 'stats', STOP_TIMEOUT_MS, `jukebox server ${serverId} answering stats`);
        child.send({ type: 'stats' } satisfies JukeboxProcessCommand);
        return (await answer).stats;
      },
      stop: async () => {
        const stopped = nextNotice(child, 'stopped', STOP_TIMEOUT_MS, `jukebox server ${serverId} stopping`);
        child.send({ type: 'stop' } satisfies JukeboxProcessCommand);
        return (await stopped).peakRssBytes;
      },
      kill: () => {
        if (child.exitCode === null) child.kill('SIGKILL');
      },
    };
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
}

/** The child's next notice of this type; rejects if it exits first or takes longer than `ms`. */
function nextNotice<T extends JukeboxProcessNotice['type']>(
  child: ChildProcess,
  type: T,
  ms: number,
  what: string,
): Promise<Extract<JukeboxProcessNotice, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (notice: JukeboxProcessNotice) => {
      if (notice.type !== type) return;
      done();
      resolve(notice as Extract<JukeboxProcessNotice, { type: T }>);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${what}: its process ended (code ${code})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what} took over ${ms / 1000} s`));
    }, ms);
    const done = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
