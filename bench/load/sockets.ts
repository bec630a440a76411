// Opening the persistent sockets of a load run: all of them, or none (a failure closes the rest).
import { connect, type Socket } from 'node:net';
import { CONNECT_TIMEOUT_MS } from './window.js';

/**
 * Connects `count` sockets (Nagle off) and resolves once every one is connected. With
 * `readBufferBytes`, each socket reads into one buffer of that size of its own, reused for every
 * read, and emits each read as a 'data' event that is only valid during the event: far fewer
 * read(2)s and allocations than Node's 64 KiB reads, so that a bulk load measures the server.
 */
export async function openSockets(host: string, port: number, count: number, readBufferBytes?: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const timer = setTimeout(
    () => sockets.forEach((s) => s.destroy(new Error(`connecting ${count} sockets to ${host}:${port} took over ${CONNECT_TIMEOUT_MS} ms`))),
    CONNECT_TIMEOUT_MS,
  );
  try {
    await Promise.all(
      Array.from({ length: count }, () => {
        const socket: Socket = connect({ host, port, noDelay: true, ...(readBufferBytes ? { onread: reusedReadBuffer(() => socket, readBufferBytes) } : {}) });
        sockets.push(socket);
        return new Promise<void>((resolve, reject) => {
          socket.once('connect', resolve);
          socket.once('error', reject);
        });
      }),
    );
    return sockets;
  } catch (err) {
    sockets.forEach((s) => s.destroy());
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

function reusedReadBuffer(socket: () => Socket, bytes: number): { buffer: Buffer; callback: (n: number, buffer: Buffer) => boolean } {
  return {
    buffer: Buffer.allocUnsafe(bytes),
    callback: (n, buffer) => socket().emit('data', buffer.subarray(0, n)),
  };
}

/** Destroys every socket and waits for each to close. */
export async function closeSockets(sockets: Socket[]): Promise<void> {
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.closed) return resolve();
          socket.once('close', () => resolve());
          socket.destroy();
        }),
    ),
  );
}

/** Opens `count` connections, runs `drive` over them, and closes them whatever happens. */
export async function withSockets<R>(
  target: { host: string; port: number; connections: number; readBufferBytes?: number },
  drive: (sockets: Socket[]) => Promise<R>,
): Promise<R> {
  const sockets = await openSockets(target.host, target.port, target.connections, target.readBufferBytes);
  try {
    return await drive(sockets);
  } finally {
    await closeSockets(sockets);
  }
}
