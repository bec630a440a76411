// redis-server as the small-request peer: no persistence, loopback only, on a free port, with
// key `song1` set so that the inline command `EXISTS song1` answers `:1`.
import { connect } from 'node:net';
import { findExecutable, freePort, LOOPBACK, spawnPeer, versionOf } from './process.js';

export const REDIS_INSTALL_HINT = 'apt-get install -y redis-server';
/** The key the bench asks about, named like the jukebox song so that the lines are alike. */
export const REDIS_KEY = 'song1';
/** A setup command must be answered within this long. */
const SETUP_TIMEOUT_MS = 5_000;

export interface RedisPeer {
  port: number;
  version: string;
  pid: number;
  stop(): Promise<void>;
}

export function findRedis(): string | undefined {
  return findExecutable('redis-server');
}

export async function startRedis(binary: string, workDir: string): Promise<RedisPeer> {
  const port = await freePort();
  const args = ['--port', String(port), '--bind', LOOPBACK, '--save', '', '--appendonly', 'no', '--dir', workDir, '--loglevel', 'warning'];
  const peer = await spawnPeer({ name: 'redis-server', command: binary, args, port });
  try {
    await inlineCommand(port, `SET ${REDIS_KEY} 1\r\n`, '+OK');
  } catch (err) {
    await peer.stop();
    throw err;
  }
  const version = /v=(\S+)/.exec(await versionOf(binary, ['--version']))?.[1] ?? 'unknown';
  return { port, version, pid: peer.pid, stop: () => peer.stop() };
}

/** Sends one inline command and checks that the answer starts as expected. */
function inlineCommand(port: number, command: string, expectPrefix: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: LOOPBACK, port });
    let answer = '';
    const timer = setTimeout(
      () => fail(new Error(`redis-server did not answer ${JSON.stringify(command.trim())} within ${SETUP_TIMEOUT_MS} ms`)),
      SETUP_TIMEOUT_MS,
    );
    const fail = (err: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.on('connect', () => socket.write(command));
    socket.on('error', fail);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('utf8');
      if (!answer.includes('\n')) return;
      clearTimeout(timer);
      socket.destroy();
      if (answer.startsWith(expectPrefix)) resolve();
      else reject(new Error(`redis-server answered ${JSON.stringify(answer.trim())} to ${JSON.stringify(command.trim())}`));
    });
  });
}
