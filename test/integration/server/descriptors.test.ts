// File descriptors, with real processes: `jukebox serve` under a low `ulimit -n` lowers its
// connection limit and says so, answers ERR 503 past it and keeps both servers serving; refuses to
// start when even a few connections do not fit; and a process that runs out of descriptors anyway
// answers ERR 503, counts and logs it, and serves again once descriptors are free.
// Spawns bin/jukebox.js and a forked peer over dist/: run `npm run build` first.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIN_CONNECTIONS_PER_SERVER, PROCESS_RESERVE_DESCRIPTORS, SERVER_DESCRIPTORS } from '../../../src/server/descriptors.js';
import type { ServerWarning } from '../../../src/server/events.js';
import { MAX_LINGERING_REJECTIONS, type ServerLimits } from '../../../src/server/limits.js';
import { packageRoot } from '../../../src/util/paths.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { kindOf, stopAll, TestClient, type Reply } from '../../helpers/server-fixture.js';

const jukebox = join(packageRoot, 'bin', 'jukebox.js');
const eater = join(packageRoot, 'test', 'integration', 'server', 'descriptor-eater.mjs');

let fixture: LibraryFixture | undefined;
const children: ChildProcess[] = [];

afterEach(async () => {
  await stopAll();
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  fixture?.cleanup();
  fixture = undefined;
});

interface Output {
  /** Resolves with the first line (stdout or stderr) matching, seen before or after the call. */
  line(pattern: RegExp): Promise<string>;
  text(): string;
  exit: Promise<number | null>;
}

/** `jukebox <args>` started by bash after `ulimit -n <files>` (soft and hard: Node raises its soft limit to the hard one). */
function jukeboxWithFileLimit(files: number, args: string[]): Output {
  const child = spawn('bash', ['-c', `ulimit -n ${files} && exec "$0" "$@"`, process.execPath, jukebox, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, JUKEBOX_CACHE_DIR: fixture?.dir },
  });
  children.push(child);
  const lines: string[] = [];
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8').on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        for (const waiter of waiters.filter((w) => w.pattern.test(line))) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
  }
  return {
    text: () => lines.join('\n'),
    exit,
    line(pattern) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
        exit.then((code) => Promise.reject(new Error(`jukebox exited (${code}) before printing ${pattern}:\n${lines.join('\n')}`))),
      ]);
    },
  };
}

function errText(reply: Reply): string {
  return reply.response.kind === 'ERR' ? reply.response.text : '';
}

describe('a server process under a low open-file limit', () => {
  it("lowers both servers' connection limits and says so; answers ERR 503 past the lowered limit; both keep serving", async () => {
    fixture = createLibraryFixture();
    const serve = jukeboxWithFileLimit(200, ['serve', '--catalog', fixture.catalogPath, '--host', '127.0.0.1', '--max-connections', '1024']);
    // Every fixture song fits in memory: one descriptor per connection; two servers share what the reserves leave.
    const lowered = Math.floor((200 - PROCESS_RESERVE_DESCRIPTORS - 2 * SERVER_DESCRIPTORS) / 2);
    for (const id of ['s1', 's2']) {
      expect(await serve.line(new RegExp(`^${id}: connection limit`))).toBe(
        `${id}: connection limit 1024 lowered to ${lowered}: this process may open 200 files (ulimit -n), shared by 2 servers, counting 64 for the process, 2 servers × 19 and 1 per connection; raise it with ulimit -n`,
      );
    }
    const port1 = Number((await serve.line(/^Server 1 listening on /)).split(':').at(-1));
    const port2 = Number((await serve.line(/^Server 2 listening on /)).split(':').at(-1));

    const served: TestClient[] = [];
    for (let i = 0; i < lowered; i++) {
      const client = await TestClient.connect(port1);
      expect(kindOf(await client.request('HELLO'))).toBe('OK');
      served.push(client);
    }
    // A burst past the limit, larger than the rejections allowed to linger: every one is told 503.
    const extra = MAX_LINGERING_REJECTIONS + 14;
    const refused = await Promise.all(Array.from({ length: extra }, () => TestClient.connect(port1)));
    const answers = await Promise.all(refused.map((client) => client.next()));
    expect(answers.map(kindOf)).toEqual(Array.from({ length: extra }, () => 'ERR 503'));
    expect(errText(answers[0] as Reply)).toBe(`server is at its connection limit (${lowered})`);
    await Promise.all(refused.map((client) => client.closed));

    for (const client of served) expect(kindOf(await client.request('CHECK tiny'))).toBe('EXIST');
    const other = await TestClient.connect(port2);
    expect(kindOf(await other.request('CHECK other'))).toBe('EXIST');
    const stats = await (served[0] as TestClient).request('STATS');
    expect(stats.response).toMatchObject({
      kind: 'STATS',
      stats: { server: 's1', maxConnections: lowered, connections: lowered, rejectedConnections: extra, acceptFailures: 0 },
    });
  });

  it('refuses to start when even a few connections per server do not fit: E_DESCRIPTORS, the limit and the fix, nothing served', async () => {
    fixture = createLibraryFixture();
    const files = 150;
    expect(Math.floor((files - PROCESS_RESERVE_DESCRIPTORS - 2 * SERVER_DESCRIPTORS) / 2)).toBeLessThan(MIN_CONNECTIONS_PER_SERVER);
    const serve = jukeboxWithFileLimit(files, ['serve', '--catalog', fixture.catalogPath, '--host', '127.0.0.1']);
    // Exit 3 (the environment stopped it) once the CLI's exit-code table maps E_DESCRIPTORS; here: not 0.
    expect(await serve.exit).not.toBe(0);
    expect(serve.text()).toContain(
      `error [E_DESCRIPTORS]: server s1: this process may open only ${files} files (ulimit -n), too few to serve even ${MIN_CONNECTIONS_PER_SERVER} connections`,
    );
    expect(serve.text()).toContain('hint: raise the limit in the shell that starts it, e.g. ulimit -n 4096');
    expect(serve.text()).not.toContain('listening');
  });
});

type PeerMessage =
  | { type: 'listening'; servers: Array<{ id: string; port: number; maxConnections: number }> }
  | { type: 'warning'; warning: ServerWarning }
  | { type: 'ate'; count: number; code: string }
  | { type: 'freed' };

/** The peer of descriptor-eater.mjs, with a way to wait for its messages. */
function startEater(catalogPath: string, limits: Partial<ServerLimits>) {
  const child = fork(eater, [catalogPath, JSON.stringify(limits)], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const seen: PeerMessage[] = [];
  const waiters: Array<{ match: (m: PeerMessage) => boolean; resolve: (m: PeerMessage) => void }> = [];
  child.on('message', (message: PeerMessage) => {
    seen.push(message);
    for (const waiter of waiters.filter((w) => w.match(message))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(message);
    }
  });
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the peer exited (${code}):\n${output}`))));
  return {
    seen,
    send: (command: { type: 'eat' | 'free' | 'stop' }) => child.send(command),
    next<T extends PeerMessage>(match: (m: PeerMessage) => m is T): Promise<T> {
      const already = seen.find(match);
      if (already) return Promise.resolve(already as T);
      return Promise.race([new Promise<T>((resolve) => waiters.push({ match, resolve: resolve as (m: PeerMessage) => void })), exited]);
    },
  };
}

function outOfDescriptors(serverId: string, exhausted: boolean) {
  return (m: PeerMessage): m is { type: 'warning'; warning: ServerWarning & { kind: 'outOfDescriptors' } } =>
    m.type === 'warning' && m.warning.kind === 'outOfDescriptors' && m.warning.serverId === serverId && m.warning.exhausted === exhausted;
}

describe('a server process that runs out of descriptors anyway', () => {
  it('answers new connections ERR 503, counts and logs them, keeps open connections and both listeners, and serves again once descriptors are free', async () => {
    fixture = createLibraryFixture();
    // s2's songs: `other` (2,000 bytes) held in memory, `medium` (300,000) read from disk.
    const peer = startEater(fixture.catalogPath, { memoryBudgetBytes: 100_000 });
    const listening = await peer.next((m): m is Extract<PeerMessage, { type: 'listening' }> => m.type === 'listening');
    const [s1, s2] = listening.servers.map((s) => s.port) as [number, number];
    const open = await TestClient.connect(s2);
    expect(kindOf(await open.request('HELLO'))).toBe('OK');

    peer.send({ type: 'eat' });
    const ate = await peer.next((m): m is Extract<PeerMessage, { type: 'ate' }> => m.type === 'ate');
    expect(ate.code).toBe('EMFILE');
    // Each server's guard notices within a probe interval and gives back its spare descriptor.
    const out = await peer.next(outOfDescriptors('s1', true));
    expect(out.warning.message).toMatch(/^out of file descriptors \(this process may open \d+ files, ulimit -n\): new connections are answered ERR 503/);
    await peer.next(outOfDescriptors('s2', true));

    for (const port of [s1, s1, s1, s2]) {
      const client = await TestClient.connect(port);
      const reply = await client.next();
      expect(kindOf(reply)).toBe('ERR 503');
      expect(errText(reply)).toBe('server is out of file descriptors; try again later');
      await client.closed;
    }
    // A connection made before goes on: a song in memory needs no descriptor. One read from disk
    // does: with the descriptor the guard gave back taken too, it is answered 503 (and the
    // connection closes, as after every 503).
    const song = await open.request('GET other');
    expect(song.body?.length).toBe(2_000);
    peer.send({ type: 'eat' });
    await peer.next((m): m is Extract<PeerMessage, { type: 'ate' }> => m.type === 'ate' && m.count > ate.count);
    const fromDisk = await open.request('GET medium');
    expect(kindOf(fromDisk)).toBe('ERR 503');
    expect(errText(fromDisk)).toBe('server is out of file descriptors; try again later');
    await open.closed;

    peer.send({ type: 'free' });
    await peer.next((m): m is Extract<PeerMessage, { type: 'freed' }> => m.type === 'freed');
    // Warnings are rate-limited: this one may wait out the interval since the first (5 s).
    const back = await peer.next(outOfDescriptors('s1', false));
    expect(back.warning).toMatchObject({
      acceptFailures: 3,
      message: expect.stringMatching(
        /^file descriptors available again; (\d+ connections? answered ERR 503 and closed|no connection was turned away) meanwhile \(3 since start\)$/,
      ),
    });

    const again = await TestClient.connect(s1);
    expect(kindOf(await again.request('CHECK tiny'))).toBe('EXIST');
    expect((await again.request('STATS')).response).toMatchObject({
      kind: 'STATS',
      stats: { server: 's1', acceptFailures: 3, rejectedConnections: 0, connections: 1 },
    });
    const later = await TestClient.connect(s2);
    expect((await later.request('GET medium')).body?.equals(fixture.bytesOf('medium'))).toBe(true);
    expect((await later.request('STATS')).response).toMatchObject({ kind: 'STATS', stats: { server: 's2', acceptFailures: 1 } });
    peer.send({ type: 'stop' });
  });
});
