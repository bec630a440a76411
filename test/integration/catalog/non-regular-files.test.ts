// Song files that are not regular files (a FIFO, a folder): a server refuses them at start naming
// the file, and one swapped in while it runs never blocks the server's other disk reads.
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { startTestServer, stopAll, TestClient } from '../../helpers/server-fixture.js';

/** More GETs than libuv has threads (4): with a blocking open of a FIFO, these would hold them all. */
const FIFO_GETS = 6;

let fixture: LibraryFixture | undefined;
afterEach(async () => {
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

function replaceWithFifo(file: string): void {
  rmSync(file);
  execFileSync('mkfifo', [file]);
}

async function startError(lib: LibraryFixture, memoryBudgetBytes: number): Promise<unknown> {
  return startTestServer(lib, 's1', { limits: { memoryBudgetBytes } }).then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('song files that are not regular files', () => {
  it('a FIFO in place of a song file: the server refuses to start, naming the file, whether the song would be in memory or on disk', async () => {
    fixture = createLibraryFixture();
    const file = fixture.files.get('tiny') ?? '';
    replaceWithFifo(file);
    for (const budget of [1 << 30, 0]) {
      const err = await startError(fixture, budget);
      expect(isJukeboxError(err, 'E_LIBRARY_MISMATCH')).toBe(true);
      expect((err as Error).message).toContain(`song tiny: ${file} is not a regular file (a FIFO)`);
    }
  });

  it('a folder in place of a song file: refused at start, naming it', async () => {
    fixture = createLibraryFixture();
    const file = fixture.files.get('medium') ?? '';
    rmSync(file);
    mkdirSync(file);
    const err = await startError(fixture, 0);
    expect((err as Error).message).toContain(`song medium: ${file} is not a regular file (a folder)`);
  });

  it('a FIFO swapped in while the server runs: its GETs fail, and GETs of other songs from disk still complete', async () => {
    fixture = createLibraryFixture();
    // Budget 0: every song is read from disk at each GET, as large libraries are.
    const server = await startTestServer(fixture, 's1', { limits: { memoryBudgetBytes: 0 } });
    const file = fixture.files.get('large') ?? '';
    renameSync(file, `${file}.away`);
    execFileSync('mkfifo', [file]);

    const fifoClients = await Promise.all(Array.from({ length: FIFO_GETS }, () => TestClient.connect(server.port)));
    const outcomes = await Promise.all(
      fifoClients.map((c) =>
        c.request('GET large').then(
          (reply) => reply.response.kind,
          () => 'closed',
        ),
      ),
    );
    // Each GET of the FIFO ended (an ERR or a closed connection), none waits for a writer.
    for (const outcome of outcomes) expect(['ERR', 'closed']).toContain(outcome);

    const client = await TestClient.connect(server.port);
    const reply = await client.request('GET medium');
    expect(reply.response.kind).toBe('DATA');
    expect(reply.body?.equals(fixture.bytesOf('medium'))).toBe(true);
  });
});
