// askServers: CHECK every server at once; every failure becomes an `unavailable` answer.
import { afterEach, describe, expect, it } from 'vitest';
import { askServers } from '../../../src/client/ask-servers.js';
import { chooseServer } from '../../../src/client/choice.js';
import { JukeboxConnection } from '../../../src/client/connection.js';
import { createRng } from '../../../src/util/rng.js';
import { closeAllFakes, FAKE_HOST, FakeServer, fakeJukebox, refusingPort, sha256Hex, songBytes } from '../../helpers/fake-server.js';

const DATA = songBytes(11, 1_000);
const SONGS = new Map([['tune', DATA]]);
const opened = new Set<JukeboxConnection>();

afterEach(async () => {
  for (const c of opened) c.destroy();
  opened.clear();
  await closeAllFakes();
});

interface Endpoint {
  id: string;
  port: number;
}

async function connect(server: Endpoint): Promise<JukeboxConnection> {
  const c = await JukeboxConnection.connect({ host: FAKE_HOST, port: server.port });
  opened.add(c);
  return c;
}

describe('askServers', () => {
  it('gives one answer per server in the given order: EXIST with its facts, NOT_EXIST, refused', async () => {
    const holder = await fakeJukebox(SONGS, { active: 4 });
    const lacking = await fakeJukebox(new Map());
    const servers = [
      { id: 's1', port: holder.port },
      { id: 's2', port: lacking.port },
      { id: 's3', port: await refusingPort() },
    ];
    const answers = await askServers('tune', servers, { connect });
    expect(answers).toEqual([
      { serverId: 's1', outcome: 'exist', bytes: 1_000, sha256: sha256Hex(DATA), active: 4, latencyMs: expect.any(Number) },
      { serverId: 's2', outcome: 'not_exist', latencyMs: expect.any(Number) },
      { serverId: 's3', outcome: 'unavailable', error: 'E_REFUSED', message: expect.stringContaining('ECONNREFUSED') },
    ]);
    expect(chooseServer(answers, 'fastest', createRng(1))).toMatchObject({ decision: 'serve', serverId: 's1', fallback: [] });
  });

  it('asks every server at the same time: a hung one is unavailable (E_TIMEOUT) and does not delay the others', async () => {
    const hung = await FakeServer.start(() => {});
    const holder = await fakeJukebox(SONGS);
    const servers = [
      { id: 's1', port: hung.port },
      { id: 's2', port: holder.port },
    ];
    // Generous: the healthy server must answer within it even on a busy machine.
    const answers = await askServers('tune', servers, { connect, timeoutMs: 1_500 });
    expect(answers[0]).toMatchObject({ serverId: 's1', outcome: 'unavailable', error: 'E_TIMEOUT' });
    expect(answers[1]).toMatchObject({ serverId: 's2', outcome: 'exist' });
    // The hung server's connection was destroyed: its stream position is lost.
    expect([...opened].filter((c) => c.port === hung.port).every((c) => !c.isOpen)).toBe(true);
    expect(hung.requests).toEqual(['CHECK tune']);
  });

  it('an ERR answer or garbage is unavailable with its code, never a thrown error', async () => {
    const busy = await FakeServer.start((_line, peer) => peer.writeThenEnd('ERR 503 server is shutting down\n'));
    const garbage = await FakeServer.start((_line, peer) => peer.write('SURE\n'));
    const answers = await askServers(
      'tune',
      [
        { id: 's1', port: busy.port },
        { id: 's2', port: garbage.port },
      ],
      { connect },
    );
    expect(answers).toMatchObject([
      { serverId: 's1', outcome: 'unavailable', error: 'E_SERVER_ERROR' },
      { serverId: 's2', outcome: 'unavailable', error: 'E_PROTOCOL' },
    ]);
    expect(chooseServer(answers, 'fastest', createRng(1))).toEqual({ decision: 'cancel', reason: 'unavailable', unavailable: ['s1', 's2'] });
  });

  it('leaves the healthy connections it was given open for reuse', async () => {
    const holder = await fakeJukebox(SONGS);
    const kept = await connect({ id: 's1', port: holder.port });
    await askServers('tune', [{ id: 's1', port: holder.port }], { connect: async () => kept });
    expect(kept.isOpen).toBe(true);
    expect(holder.accepted).toBe(1);
  });

  it('throws E_BAD_ARGUMENT for a bad song id without asking anyone', async () => {
    const holder = await fakeJukebox(SONGS);
    await expect(askServers('../x', [{ id: 's1', port: holder.port }], { connect })).rejects.toMatchObject({ code: 'E_BAD_ARGUMENT' });
    expect(holder.accepted).toBe(0);
  });
});
