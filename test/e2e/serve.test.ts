// `jukebox serve` as a user runs it: the built CLI, a real catalog, real ports, SIGINT.
import type { ChildProcess } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../helpers/free-ports.js';
import { createLibraryFixture, type LibraryFixture } from '../helpers/library-fixture.js';
import { spawnCli, type Spawned } from '../helpers/run-cli.js';
import { kindOf, TestClient } from '../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;
let child: ChildProcess | undefined;
let client: TestClient | undefined;

afterEach(() => {
  client?.destroy();
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = undefined;
  fixture?.cleanup();
  fixture = undefined;
});

function run(args: string[]): Spawned {
  const spawned = spawnCli('jukebox', args, { env: { ...process.env, JUKEBOX_CACHE_DIR: fixture?.dir } });
  child = spawned.process;
  return spawned;
}

describe('jukebox serve', () => {
  it('prints both listening lines, answers HELLO, logs connections, and exits 130 on SIGINT, saying it stops', async () => {
    const [p1, p2] = await freePorts(2);
    fixture = createLibraryFixture({
      servers: [
        { id: 's1', host: 'localhost', port: p1 ?? 0 },
        { id: 's2', host: 'localhost', port: p2 ?? 0 },
      ],
    });
    const serve = run(['serve', '--catalog', fixture.catalogPath, '--trace']);
    await serve.line(/^Server 2 /);
    expect(serve.stdout.slice(0, 2)).toEqual([`Server 1 listening on localhost:${p1}`, `Server 2 listening on localhost:${p2}`]);

    client = await TestClient.connect(p2 ?? 0);
    const hello = await client.request('HELLO e2e');
    expect(hello.response).toMatchObject({ kind: 'OK', server: 's2', catalog: fixture.loaded.version, songs: 3 });
    await serve.line(/^s2: connection from 127\.0\.0\.1:\d+ \(1 open\)$/);
    // The trace (test/e2e/live/serve-live.test.ts covers it): time, the HELLO name, the server, the line.
    await serve.line(/^\d\d:\d\d:\d\d\.\d{3} e2e → s2 HELLO e2e$/);
    await serve.line(/^\d\d:\d\d:\d\d\.\d{3} e2e ← s2 OK jukebox\/1 server=s2.* \([\d.]+ ms\)$/);
    expect(kindOf(await client.request('QUIT'))).toBe('BYE');
    await serve.line(/^s2: 127\.0\.0\.1:\d+ closed \(0 open\)$/);

    serve.process.kill('SIGINT');
    await serve.line(/^stopping: no transfer in flight; press Ctrl-C again to stop at once$/);
    expect(await serve.exit).toBe(130);
  });

  it('on Ctrl-C during a transfer, says at once how many transfers it lets finish and for how long; a second Ctrl-C stops at once', async () => {
    const [p1, p2] = await freePorts(2);
    fixture = createLibraryFixture({
      servers: [
        { id: 's1', host: 'localhost', port: p1 ?? 0 },
        { id: 's2', host: 'localhost', port: p2 ?? 0 },
      ],
    });
    // Real time: the 4 MiB song streams for minutes, so it is surely in flight when the signal comes.
    const serve = run(['serve', '--catalog', fixture.catalogPath, '--stream-speed', '1']);
    await serve.line(/^Server 2 /);
    const listener = connect({ port: p1 ?? 0, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      // The first bytes back are the DATA line: the transfer has begun.
      listener.once('data', () => resolve());
      listener.write('STREAM large\n');
    });
    try {
      serve.process.kill('SIGINT');
      await serve.line(/^stopping: letting 1 transfer finish \(up to 10 s\); press Ctrl-C again to stop at once$/);
      // Still draining: the stream goes on until the grace period or a second Ctrl-C.
      expect(serve.process.exitCode).toBeNull();
      serve.process.kill('SIGINT');
      await serve.line(/^stopping at once/);
      expect(await serve.exit).toBe(130);
    } finally {
      listener.destroy();
    }
  });

  it('a port in use is a clear error naming the port, exit 3 (the environment stopped it)', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const [free] = await freePorts(1);
      fixture = createLibraryFixture({
        servers: [
          { id: 's1', host: 'localhost', port: free ?? 0 },
          { id: 's2', host: 'localhost', port: busy },
        ],
      });
      const serve = run(['serve', '--catalog', fixture.catalogPath]);
      expect(await serve.exit).toBe(3);
      expect(serve.stderr()).toContain(`port ${busy} is already in use`);
      expect(serve.stderr()).toContain('hint:');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
