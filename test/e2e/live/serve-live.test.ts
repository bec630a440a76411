// `jukebox serve --live 0 --trace` with two `jukebox client get --name …` processes: both clients
// appear in the event stream by their HELLO names with their CHECKs and transfers, and the trace
// prints timestamped lines naming them, with a closing line per transfer.
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../../src/live/events.js';
import { freePorts } from '../../helpers/free-ports.js';
import { runCli, spawnCli, type Spawned } from '../../helpers/run-cli.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { readEvents } from './live-helpers.js';

let fixture: LibraryFixture | undefined;
let serve: Spawned | undefined;
afterEach(() => {
  if (serve && serve.process.exitCode === null) serve.process.kill('SIGKILL');
  serve = undefined;
  fixture?.cleanup();
  fixture = undefined;
});

const STAMP = String.raw`\d\d:\d\d:\d\d\.\d{3}`;

describe('jukebox serve --live', () => {
  it('shows two `jukebox client get` processes by their HELLO names, with their CHECKs and transfers; --trace names them too', async () => {
    const [p1, p2] = await freePorts(2);
    fixture = createLibraryFixture({
      servers: [
        { id: 's1', host: '127.0.0.1', port: p1 ?? 0 },
        { id: 's2', host: '127.0.0.1', port: p2 ?? 0 },
      ],
    });
    const env = { ...process.env, JUKEBOX_CACHE_DIR: fixture.dir };
    serve = spawnCli('jukebox', ['serve', '--catalog', fixture.catalogPath, '--live', '0', '--trace'], { env });
    const url = (await serve.line(/^live: http:\/\/127\.0\.0\.1:\d+\/$/)).slice('live: '.length);
    const reader = await readEvents(url);
    const hello = await reader.waitFor((e) => e.type === 'hello');
    expect(hello).toMatchObject({
      type: 'hello',
      servers: [
        { id: 's1', port: p1 },
        { id: 's2', port: p2 },
      ],
    });

    const client = (name: string, song: string) =>
      runCli('jukebox', ['client', 'get', song, '--name', name, '--catalog', fixture?.catalogPath ?? '', '--out', join(fixture?.dir ?? '', `${name}.bin`)], {
        env,
        cwd: fixture?.dir,
      });
    const [alice, bob] = await Promise.all([client('alice', 'medium'), client('bob', 'tiny')]);
    expect(alice.code, alice.stderr).toBe(0);
    expect(bob.code, bob.stderr).toBe(0);

    const ofClient = (name: string) => (e: LiveEvent) => 'client' in e && e.client === name;
    // The last transfer event of each (the one with every byte) and both clients' closes.
    await reader.waitFor((e) => e.type === 'transfer' && e.client === 'alice' && e.bytes === 300_000);
    await reader.waitFor((e) => e.type === 'transfer' && e.client === 'bob' && e.bytes === 1024);
    await reader.waitFor((e) => e.type === 'close' && e.client === 'alice');
    await reader.waitFor((e) => e.type === 'close' && e.client === 'bob');
    for (const name of ['alice', 'bob']) {
      const mine = reader.events.filter(ofClient(name));
      // Both servers were asked at once; each connection was announced under the HELLO name from its first event.
      for (const server of ['s1', 's2']) {
        expect(
          mine.some((e) => e.type === 'connect' && e.server === server),
          `${name} connect ${server}`,
        ).toBe(true);
        expect(
          mine.some((e) => e.type === 'request' && e.server === server && /^CHECK /.test(e.line)),
          `${name} CHECK ${server}`,
        ).toBe(true);
      }
      expect(mine.some((e) => e.type === 'response' && /^(EXIST|NOT_EXIST)/.test(e.line))).toBe(true);
    }
    expect(reader.events.find((e) => e.type === 'transfer' && e.client === 'bob')).toMatchObject({ server: 's1', song: 'tiny', total: 1024 });
    // Nobody shows up under an address: every connection said HELLO first.
    expect(reader.events.filter((e) => 'client' in e && /^127\.0\.0\.1:/.test(e.client))).toEqual([]);
    reader.close();

    // The trace: time, client name, arrow, server, line; and a closing line for each transfer.
    await serve.line(new RegExp(`^${STAMP} alice → s[12] CHECK medium$`));
    await serve.line(new RegExp(`^${STAMP} bob ← s[12] (EXIST 1024 [0-9a-f]{64}.*|NOT_EXIST) \\([\\d.]+ ms\\)$`));
    await serve.line(new RegExp(`^${STAMP} alice ← s[12] medium done: 293\\.0 KiB in [\\d.]+ m?s \\(([\\d.]+ (MiB|KiB|B)/s|at once)\\)$`));
    await serve.line(new RegExp(`^${STAMP} bob ← s1 tiny done: 1\\.0 KiB in `));
    serve.process.kill('SIGINT');
    expect(await serve.exit).toBe(130);
  });

  it('escapes a HELLO name with control characters in the trace', async () => {
    const [p1, p2] = await freePorts(2);
    fixture = createLibraryFixture({
      servers: [
        { id: 's1', host: '127.0.0.1', port: p1 ?? 0 },
        { id: 's2', host: '127.0.0.1', port: p2 ?? 0 },
      ],
    });
    serve = spawnCli('jukebox', ['serve', '--catalog', fixture.catalogPath, '--trace'], { env: { ...process.env, JUKEBOX_CACHE_DIR: fixture.dir } });
    await serve.line(/^Server 2 /);
    const { connect } = await import('node:net');
    const socket = connect({ port: p1 ?? 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('HELLO ev\x1b[2Jil\nQUIT\n');
    const line = await serve.line(/ → s1 HELLO /);
    expect(line).toMatch(new RegExp(`^${STAMP} ev\\\\x1b\\[2Jil → s1 HELLO ev\\\\x1b\\[2Jil$`));
    expect(serve.stdout.join('\n')).not.toContain('\x1b');
    socket.destroy();
    serve.process.kill('SIGINT');
    expect(await serve.exit).toBe(130);
  });

  it('refuses a --live port in use (exit 3, naming it) and a client --name with a space (exit 2)', async () => {
    const [p1, p2] = await freePorts(2);
    fixture = createLibraryFixture({
      servers: [
        { id: 's1', host: '127.0.0.1', port: p1 ?? 0 },
        { id: 's2', host: '127.0.0.1', port: p2 ?? 0 },
      ],
    });
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busy = (blocker.address() as AddressInfo).port;
    try {
      const result = await runCli('jukebox', ['serve', '--catalog', fixture.catalogPath, '--live', String(busy)], {
        env: { ...process.env, JUKEBOX_CACHE_DIR: fixture.dir },
      });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(`--live: cannot listen on 127.0.0.1:${busy}: port ${busy} is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    const named = await runCli('jukebox', ['client', 'get', 'tiny', '--name', 'a b', '--catalog', fixture.catalogPath]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/--name: expected 1 to 64 printable characters without spaces, got "a b"/);
  });
});
