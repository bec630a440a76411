// The body of GET and STREAM: DATA n, then the song from an offset in chunks, each write waiting for the socket.
import { ERR } from '../../protocol/constants.js';
import type { Exchange } from '../context.js';
import { isOutOfDescriptors } from '../descriptor-guard.js';
import type { SongReader, StoredSong } from '../song-store.js';
import { waitMs, type Pace } from '../pacer.js';

/** `pace` returns the pace of the song from the offset for STREAM, or undefined for an unpaced GET. */
export async function transfer(
  exchange: Exchange,
  songId: string,
  offset: number,
  pace: (stored: StoredSong, offset: number) => Pace | undefined,
): Promise<void> {
  const { store, counters } = exchange.server;
  const stored = store.get(songId);
  if (!stored) return exchange.reply({ kind: 'NOT_EXIST' });
  const size = stored.song.bytes;
  if (offset > size) return exchange.reply({ kind: 'ERR', code: ERR.BAD_OFFSET, text: `offset ${offset} is beyond the end of ${songId} (${size} bytes)` });

  const length = size - offset;
  counters.activeTransfers++;
  let reader: SongReader;
  try {
    reader = await store.openReader(stored);
  } catch (err) {
    counters.activeTransfers--;
    if (!isOutOfDescriptors(err)) throw err;
    // Not our failure but the process's (the song file could not be opened): busy, try later or elsewhere.
    exchange.closeAfterReply();
    return exchange.reply({ kind: 'ERR', code: ERR.UNAVAILABLE, text: 'server is out of file descriptors; try again later' });
  }
  // The live view's watch: only while someone watches, so an unwatched transfer builds nothing for it.
  const watch = exchange.onBodyProgress;
  let written = 0;
  const progress = watch ? (sent: number) => watch({ song: songId, bytes: offset + (written = sent), total: size, ended: false }) : undefined;
  try {
    await exchange.reply({ kind: 'DATA', length });
    const chunkBytes = stored.source.kind === 'memory' ? exchange.server.limits.memoryWriteChunkBytes : exchange.server.limits.writeChunkBytes;
    await sendBody(exchange, length, chunkBytes, pace(stored, offset), (sent, n) => reader.read(offset + sent, n), progress);
  } finally {
    counters.activeTransfers--;
    watch?.({ song: songId, bytes: offset + written, total: size, ended: true });
    await reader.close();
  }
}

async function sendBody(
  exchange: Exchange,
  length: number,
  chunkBytes: number,
  pace: Pace | undefined,
  read: (sent: number, n: number) => Promise<Buffer>,
  progress?: (sent: number) => void,
): Promise<void> {
  const { clock, counters, faults } = exchange.server;
  const start = clock.now();
  let sent = 0;
  while (sent < length) {
    let n = Math.min(chunkBytes, length - sent);
    if (pace) {
      // Wait until the next write is due, then send all that is due by now: a late timer is made
      // up by a larger write, because the pace counts from the start.
      const want = Math.min(pace.minWriteBytes, length - sent);
      await waitMs(start + pace.dueAt(sent + want) - clock.now(), exchange.signal);
      n = Math.max(want, Math.min(n, pace.allowedAt(clock.now() - start) - sent));
    }
    // An injected pause or throttle holds the write or shrinks it; one field check otherwise.
    if (faults.gatesBody) n = await faults.gateBody(n, exchange.signal, clock);
    const chunk = await read(sent, n);
    await exchange.write(chunk);
    sent += n;
    counters.bytesSent += n;
    progress?.(sent);
  }
}
