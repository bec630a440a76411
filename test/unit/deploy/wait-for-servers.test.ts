// The load pods' init container (deploy/kubernetes/wait-for-servers.mjs), run as the image runs
// it: it returns once every server accepts a connection, gives up with exit 3 naming who did not
// answer, refuses bad arguments with exit 2, and stops on SIGTERM with 130.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEPLOY_DIR } from './manifests.js';

const SCRIPT = join(DEPLOY_DIR, 'wait-for-servers.mjs');
const started: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Run {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the output holds `text`. */
  saw: (text: string) => Promise<void>;
  exit: Promise<number | null>;
}

function run(...args: string[]): Run {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let text = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const onData = (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of waiters.filter((x) => text.includes(x.text))) w.resolve();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = once(child, 'close').then(() => child.exitCode);
  return {
    child,
    output: () => text,
    saw: (wanted) => (text.includes(wanted) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text: wanted, resolve }))),
    exit,
  };
}

async function listen(port = 0): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  servers.push(server);
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** A port nothing listens on (just released by a listener of our own). */
async function freePort(): Promise<number> {
  const server = await listen();
  const { port } = server.address() as AddressInfo;
  servers.splice(servers.indexOf(server), 1);
  await new Promise((r) => server.close(r));
  return port;
}

describe('wait-for-servers.mjs', () => {
  it('waits for a server that starts later, then exits 0', async () => {
    const up = await listen();
    const upPort = (up.address() as AddressInfo).port;
    const laterPort = await freePort();
    const r = run('--timeout', '120', `127.0.0.1:${upPort}`, `127.0.0.1:${laterPort}`);
    await r.saw(`127.0.0.1:${laterPort}: waiting (ECONNREFUSED)`);
    expect(r.output()).toContain(`127.0.0.1:${upPort}: accepts connections`);
    expect(r.child.exitCode).toBeNull();
    await listen(laterPort);
    expect(await r.exit).toBe(0);
    expect(r.output()).toContain(`127.0.0.1:${laterPort}: accepts connections`);
  });

  it('gives up after --timeout with exit 3, naming the server that did not answer and why', async () => {
    const port = await freePort();
    const r = run('--timeout', '1', `127.0.0.1:${port}`);
    expect(await r.exit).toBe(3);
    expect(r.output()).toContain(`no connection within 1 s: 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(r.output()).toMatch(/hint: check the server pods/);
  });

  it.each([
    [['--timeout', '0', 'a:1'], /--timeout: expected whole seconds from 1 to 3600, got 0/],
    [['--timeout'], /--timeout: expected whole seconds .* got nothing/],
    [['jukebox-s1'], /"jukebox-s1": expected host:port/],
    [['jukebox-s1:70000'], /expected host:port \(port 1 to 65535\)/],
    [[], /expected at least one host:port/],
  ])('refuses %j with exit 2 and the usage', async (args, message) => {
    const r = run(...args);
    expect(await r.exit).toBe(2);
    expect(r.output()).toMatch(message);
    expect(r.output()).toContain('hint: usage: node deploy/kubernetes/wait-for-servers.mjs');
  });

  it('stops on SIGTERM with exit 130 (a pod being deleted does not wait out its grace period)', async () => {
    const port = await freePort();
    const r = run('--timeout', '600', `127.0.0.1:${port}`);
    await r.saw('waiting (ECONNREFUSED)');
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(130);
  });
});
