// Starting a server: the library is checked against the catalog; listening errors are clear.
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { startServer } from '../../../src/server/server.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { LOOPBACK, startTestServer, stopAll } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;

afterEach(async () => {
  await stopAll();
  fixture?.cleanup();
  fixture = undefined;
});

async function startError(start: () => Promise<unknown>) {
  const err = await start().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isJukeboxError(err)) throw new Error(`expected a JukeboxError, got ${String(err)}`);
  return err;
}

describe('startup', () => {
  it.each([
    ['in memory', undefined],
    ['on disk', 0],
  ])('refuses to start when a file sha256 does not match the catalog, naming the file and song (%s)', async (_how, memoryBudgetBytes) => {
    fixture = createLibraryFixture();
    const file = fixture.files.get('medium') as string;
    const data = Buffer.from(fixture.bytesOf('medium'));
    data[1000] = (data[1000] ?? 0) ^ 0xff; // same size, different content
    writeFileSync(file, data);
    const lib = fixture;
    const err = await startError(() =>
      startServer({
        serverId: 's1',
        catalog: lib.loaded,
        files: lib.files,
        host: LOOPBACK,
        port: 0,
        limits: memoryBudgetBytes === undefined ? {} : { memoryBudgetBytes },
      }),
    );
    expect(err.code).toBe('E_LIBRARY_MISMATCH');
    expect(err.message).toContain(file);
    expect(err.message).toContain('medium');
    expect(err.message).toContain('sha256');
  });

  it('refuses to start when a file has the wrong size', async () => {
    fixture = createLibraryFixture();
    writeFileSync(fixture.files.get('tiny') as string, 'short');
    const lib = fixture;
    const err = await startError(() => startServer({ serverId: 's1', catalog: lib.loaded, files: lib.files, host: LOOPBACK, port: 0 }));
    expect(err.code).toBe('E_LIBRARY_MISMATCH');
    expect(err.message).toMatch(/song tiny: .*tiny\.bin has the wrong size/);
  });

  it("ignores files of songs that are not the server's", async () => {
    fixture = createLibraryFixture();
    writeFileSync(fixture.files.get('other') as string, 'not the right bytes'); // a song of s2 only
    const server = await startTestServer(fixture, 's1');
    expect(server.port).toBeGreaterThan(0);
  });

  it('a port in use is E_LISTEN naming the port', async () => {
    fixture = createLibraryFixture();
    const first = await startTestServer(fixture, 's1');
    const lib = fixture;
    const err = await startError(() => startServer({ serverId: 's2', catalog: lib.loaded, files: lib.files, host: LOOPBACK, port: first.port }));
    expect(err.code).toBe('E_LISTEN');
    expect(err.message).toContain(String(first.port));
    expect(err.hint).toBeTruthy();
  });

  it('bad limits are reported together', async () => {
    fixture = createLibraryFixture();
    const lib = fixture;
    const err = await startError(() =>
      startServer({ serverId: 's1', catalog: lib.loaded, files: lib.files, port: 0, limits: { maxConnections: 0, idleTimeoutMs: -1 } }),
    );
    expect(err.code).toBe('E_BAD_ARGUMENT');
    expect(err.message).toContain('maxConnections');
    expect(err.message).toContain('idleTimeoutMs');
  });
});
