// Idle means no byte moved: a reader taking a GET slowly but steadily (a player doing progressive
// download at the song's own bitrate) is never cut, however large the server's write slices are
// (a slice handed to the socket takes longer than the idle timeout to drain at that rate).
import { afterEach, describe, expect, it } from 'vitest';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../../helpers/server-fixture.js';
import { connect } from 'node:net';

/** Small, so that a slice taking longer than it to drain shows at once. */
const IDLE_TIMEOUT_MS = 300;
/**
 * The song is larger than the kernel's socket buffers (a few MB on loopback), so the server's
 * write waits on the reader. The reader is steady but slower than a slice drains within the idle
 * timeout: the same situation as a 128 kbps player under a 1 MiB slice and a 60 s timeout, scaled
 * down in time (a 14 MB song at 16 KB/s would take 15 minutes).
 */
const READER_BYTES_PER_SEC = 1_500_000;
const SONG_BYTES = 8_000_000;
/** One write slice holds the whole song: it takes seconds to drain, far more than the idle timeout. */
const WRITE_SLICE_BYTES = 16 * 1024 * 1024;

let fixture: LibraryFixture | undefined;
afterEach(async () => {
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

/** Reads `GET song` at `bytesPerSec`, pausing the socket between takes; resolves with the body bytes received before EOF. */
function readAtRate(port: number, song: string, bytesPerSec: number): Promise<{ body: number; expected: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: LOOPBACK });
    let header = '';
    let expected = -1;
    let body = 0;
    const start = Date.now();
    socket.on('error', () => {});
    socket.on('connect', () => socket.write(`GET ${song}\n`));
    socket.on('data', (chunk: Buffer) => {
      let rest = chunk;
      if (expected < 0) {
        header += chunk.toString('latin1');
        const lf = header.indexOf('\n');
        if (lf < 0) return;
        const match = /^DATA (\d+)/.exec(header);
        if (!match) return reject(new Error(`unexpected answer ${header.slice(0, lf)}`));
        expected = Number(match[1]);
        rest = Buffer.from(header.slice(lf + 1), 'latin1');
      }
      body += rest.length;
      if (body >= expected) {
        socket.end();
        return;
      }
      // Take no more until the reader's clock has caught up with what it holds.
      const aheadMs = (body / bytesPerSec) * 1000 - (Date.now() - start);
      if (aheadMs > 0) {
        socket.pause();
        setTimeout(() => socket.resume(), aheadMs);
      }
    });
    socket.on('close', () => resolve({ body, expected }));
  });
}

describe('a reader taking a GET steadily (a progressive-download player)', () => {
  it('receives the whole song although a write slice takes far longer than the idle timeout to drain', async () => {
    fixture = createLibraryFixture({ songs: [{ id: 'big', bytes: SONG_BYTES, servers: ['s1'], bitrateKbps: 320 }] });
    const server = await startTestServer(fixture, 's1', {
      limits: { idleTimeoutMs: IDLE_TIMEOUT_MS, memoryWriteChunkBytes: WRITE_SLICE_BYTES, writeChunkBytes: WRITE_SLICE_BYTES },
    });
    const { body, expected } = await readAtRate(server.port, 'big', READER_BYTES_PER_SEC);
    expect(expected).toBe(SONG_BYTES);
    expect(body).toBe(SONG_BYTES);
  }, 60_000);
});
