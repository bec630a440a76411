// The worker-thread form (what the load harness runs): start, answer, stats, events, stop.
import { afterEach, describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { descriptorsPerConnection, readOpenFileLimit, reservedDescriptors } from '../../../src/server/descriptors.js';
import type { ConnectionEvent, TraceEvent } from '../../../src/server/events.js';
import { startServerThread, type ServerThread } from '../../../src/server/thread-host.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { connectionError, kindOf, LOOPBACK, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;
let thread: ServerThread | undefined;
let client: TestClient | undefined;

afterEach(async () => {
  client?.destroy();
  await thread?.stop({ graceful: false }).catch(() => {});
  thread = undefined;
  fixture?.cleanup();
  fixture = undefined;
});

describe('server thread', () => {
  it('starts, answers over TCP, reports stats and events, and stops', async () => {
    fixture = createLibraryFixture();
    thread = await startServerThread({
      serverId: 's2',
      catalogPath: fixture.catalogPath,
      files: fixture.files,
      host: LOOPBACK,
      port: 0,
      streamSpeed: 5,
      observe: { connections: true },
    });
    expect(thread.port).toBeGreaterThan(0);
    expect(thread.serverId).toBe('s2');
    const opened = new Promise<ConnectionEvent>((resolve) => thread?.once('connection', resolve));

    client = await TestClient.connect(thread.port);
    expect((await opened).open).toBe(1);
    const hello = await client.request('HELLO harness');
    expect(hello.response).toMatchObject({ kind: 'OK', server: 's2', catalog: fixture.loaded.version, songs: 3 });
    expect((await client.request('GET other')).body?.equals(fixture.bytesOf('other'))).toBe(true);

    const stats = await thread.stats();
    expect(stats).toMatchObject({ server: 's2', connections: 1, requests: 2, bytesSent: 2000, activeTransfers: 0 });

    await thread.observe({ connections: true, trace: true });
    const lines: string[] = [];
    thread.on('request', (e: TraceEvent) => lines.push(`< ${e.line}`));
    thread.on('response', (e: TraceEvent) => lines.push(`> ${e.line}`));
    const closed = new Promise<ConnectionEvent>((resolve) => thread?.once('connectionClosed', resolve));
    expect(kindOf(await client.request('QUIT'))).toBe('BYE');
    expect((await closed).open).toBe(0);
    expect(lines).toEqual(['< QUIT', '> BYE']);

    const port = thread.port;
    await thread.stop();
    thread = undefined;
    expect((await connectionError(port)).code).toBe('ECONNREFUSED');
  });

  const openFiles = readOpenFileLimit();
  it.runIf(openFiles.kind === 'limited')("shares the process's open-file limit as told: a limit past it is lowered, and the thread says so", async () => {
    fixture = createLibraryFixture();
    const share = { servers: 2, threads: 3, clientsInProcess: true };
    thread = await startServerThread({
      serverId: 's1',
      catalogPath: fixture.catalogPath,
      files: fixture.files,
      host: LOOPBACK,
      port: 0,
      limits: { maxConnections: 100_000_000 },
      descriptors: share,
    });
    const files = openFiles.kind === 'limited' ? openFiles.files : 0;
    const expected = Math.floor((files - reservedDescriptors(share)) / 2 / descriptorsPerConnection(share, false));
    expect(thread.maxConnections).toBe(expected);
    expect(thread.startWarnings).toEqual([
      expect.objectContaining({ kind: 'connectionLimitLowered', serverId: 's1', requested: 100_000_000, maxConnections: expected, openFiles: files }),
    ]);
    expect(await thread.stats()).toMatchObject({ maxConnections: expected, acceptFailures: 0 });
  });

  it('a start failure rejects with the coded error from the thread', async () => {
    fixture = createLibraryFixture();
    const err = await startServerThread({ serverId: 's9', catalogPath: fixture.catalogPath, files: fixture.files, port: 0 }).catch((e: unknown) => e);
    expect(isJukeboxError(err, 'E_BAD_ARGUMENT')).toBe(true);
  });
});
