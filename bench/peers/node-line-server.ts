// The bare Node baselines: the least a Node net server can do per request, to tell Node's own
// I/O cost from jukebox's. Two listeners in one process, started as
// `node dist/bench/peers/node-line-server.js CLOSE_PORT PERSISTENT_PORT`:
// - CLOSE_PORT reads one line, answers one line and closes (like the seed, in Node);
// - PERSISTENT_PORT answers every line it reads and keeps the connection open.
import { createServer, type Socket } from 'node:net';
import { LOOPBACK } from './process.js';

const LF = 0x0a;
/** Like the seed's recv(1024): a request longer than this is cut off. */
const MAX_REQUEST_BYTES = 1024;
const SONGS = new Set(['song1']);

function answerFor(request: string): string {
  const [verb, song] = request.trim().split(' ');
  return verb === 'CHECK' && song !== undefined && SONGS.has(song) ? 'EXIST\n' : 'NOT_EXIST\n';
}

function answerAndClose(socket: Socket): void {
  let request = '';
  let answered = false;
  socket.on('data', (chunk: Buffer) => {
    if (answered) return;
    request += chunk.toString('utf8');
    if (!chunk.includes(LF) && request.length < MAX_REQUEST_BYTES) return;
    answered = true;
    socket.end(answerFor(request));
  });
}

function answerEveryLine(socket: Socket): void {
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = (lines.pop() ?? '').slice(-MAX_REQUEST_BYTES);
    if (lines.length > 0) socket.write(lines.map(answerFor).join(''));
  });
}

function listen(port: number, handle: (socket: Socket) => void): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    handle(socket);
  });
  server.listen(port, LOOPBACK);
}

const [closePort, persistentPort] = process.argv.slice(2).map(Number);
if (!Number.isInteger(closePort) || !Number.isInteger(persistentPort)) throw new Error('usage: node-line-server.js CLOSE_PORT PERSISTENT_PORT');
// SIGTERM's default action ends the process: nothing here needs a graceful stop.
listen(closePort as number, answerAndClose);
listen(persistentPort as number, answerEveryLine);
