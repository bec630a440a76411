// The server thread's logic in-process: commands in, replies and notices out.
import { afterEach, describe, expect, it } from 'vitest';
import { ALONE } from '../../../src/server/descriptors.js';
import { ServerThreadController } from '../../../src/server/thread-controller.js';
import type { ServerThreadEvent, StartCommand } from '../../../src/server/thread-messages.js';
import { createLibraryFixture, type LibraryFixture } from '../../helpers/library-fixture.js';
import { kindOf, LOOPBACK, TestClient } from '../../helpers/server-fixture.js';

let fixture: LibraryFixture | undefined;
let controller: ServerThreadController | undefined;

afterEach(async () => {
  await controller?.handle({ type: 'stop', id: 999, graceful: false });
  controller = undefined;
  fixture?.cleanup();
});

function startCommand(lib: LibraryFixture, overrides: Partial<StartCommand> = {}): StartCommand {
  return {
    type: 'start',
    id: 1,
    serverId: 's1',
    catalogPath: lib.catalogPath,
    files: [...lib.files],
    host: LOOPBACK,
    port: 0,
    streamSpeed: 1,
    limits: {},
    descriptors: ALONE,
    observe: { connections: false, trace: false },
    ...overrides,
  };
}

describe('ServerThreadController', () => {
  it('answers each command with one reply carrying its id', async () => {
    fixture = createLibraryFixture();
    const posted: ServerThreadEvent[] = [];
    controller = new ServerThreadController((e) => posted.push(e));
    await controller.handle(startCommand(fixture));
    const listening = posted.find((e) => e.type === 'listening');
    expect(listening).toMatchObject({ type: 'listening', replyTo: 1, serverId: 's1', host: LOOPBACK });
    if (listening?.type !== 'listening') throw new Error('not listening');

    await controller.handle({ type: 'stats', id: 2 });
    expect(posted.at(-1)).toMatchObject({ type: 'stats', replyTo: 2, stats: { server: 's1', connections: 0 } });

    await controller.handle({ type: 'observe', id: 3, connections: true, trace: true });
    expect(posted.at(-1)).toEqual({ type: 'done', replyTo: 3 });
    const client = await TestClient.connect(listening.port);
    expect(kindOf(await client.request('HELLO'))).toBe('OK');
    client.destroy();
    await client.closed;
    await expect.poll(() => posted.map((e) => e.type)).toEqual(expect.arrayContaining(['connection', 'request', 'response', 'connectionClosed']));

    await controller.handle({ type: 'stop', id: 4, graceful: true });
    expect(posted.at(-1)).toEqual({ type: 'stopped', replyTo: 4 });
    expect(controller.finished).toBe(true);
    controller = undefined;
  });

  it('posts errors as { code, message } with the command id', async () => {
    fixture = createLibraryFixture();
    const posted: ServerThreadEvent[] = [];
    controller = new ServerThreadController((e) => posted.push(e));
    await controller.handle({ type: 'stats', id: 7 });
    expect(posted).toEqual([expect.objectContaining({ type: 'error', replyTo: 7, code: 'E_WORKER' })]);
    await controller.handle(startCommand(fixture, { id: 8, catalogPath: `${fixture.dir}/missing.json` }));
    expect(posted.at(-1)).toMatchObject({ type: 'error', replyTo: 8, code: 'E_CATALOG_NOT_FOUND' });
    controller = undefined;
  });
});
