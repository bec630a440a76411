// A sink that is still full when a transfer ends must not leave the kept connection paused.
import { describe, expect, it } from 'vitest';
import { JukeboxConnection } from '../../../src/client/connection.js';
import { transferSong, type TransferSink } from '../../../src/client/transfer.js';
import { libraryPerTest, LOOPBACK, startTestServer } from '../../helpers/server-fixture.js';

const library = libraryPerTest();

describe('transfer with a sink that never drains', () => {
  it('leaves the connection reading, so its next answer arrives', async () => {
    const fixture = library();
    const server = await startTestServer(fixture, 's1');
    const connection = await JukeboxConnection.connect({ host: LOOPBACK, port: server.port, requestTimeoutMs: 10_000 });
    const song = fixture.loaded.catalog.songs.find((s) => s.id === 'medium');
    if (!song) throw new Error('fixture song missing');
    // Says "wait" to the last write and never emits 'drain' (a file closed before it caught up).
    let written = 0;
    const sink: TransferSink = {
      write: (chunk) => (written += chunk.length) < song.bytes,
      once: () => undefined,
    };
    const outcome = await transferSong({ song, verb: 'GET', sources: [{ serverId: 's1', connection }], sink });
    expect(outcome.status).toBe('verified');
    expect((await connection.check('tiny')).kind).toBe('exist');
    await connection.close();
  });
});
