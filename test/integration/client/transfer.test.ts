// transferSong against fake servers: sha256 verified, cut transfers resumed from the byte they
// reached (on the other server first), each byte written to the file once, and bounded retries.
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JukeboxConnection } from '../../../src/client/connection.js';
import { transferSong, type TransferOutcome, type TransferSource } from '../../../src/client/transfer.js';
import { closeAllFakes, FAKE_HOST, fakeJukebox, refusingPort, sha256Hex, songBytes, type FakeServer, type TransferFault } from '../../helpers/fake-server.js';
import { makeTmpDir } from '../../helpers/tmp.js';

const DATA = songBytes(7, 200_000);
const SONG = { id: 'tune', bytes: DATA.length, sha256: sha256Hex(DATA) };
const SONGS = new Map([[SONG.id, DATA]]);

const opened = new Set<JukeboxConnection>();
const cleanups: Array<() => void> = [];

afterEach(async () => {
  for (const c of opened) c.destroy();
  opened.clear();
  await closeAllFakes();
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A source that opens a new connection each time it is asked (short request timeout for hang tests). */
function sourceFor(serverId: string, port: number, requestTimeoutMs = 10_000): TransferSource {
  return {
    serverId,
    connect: async () => {
      const c = await JukeboxConnection.connect({ host: FAKE_HOST, port, requestTimeoutMs });
      opened.add(c);
      return c;
    },
  };
}

async function fake(fault?: TransferFault, songs: ReadonlyMap<string, Buffer> = SONGS): Promise<FakeServer> {
  return fault === undefined ? fakeJukebox(songs) : fakeJukebox(songs, { fault });
}

/** Runs a transfer into a real file and returns the outcome with the file's bytes. */
async function toFile(
  sources: TransferSource[],
  extra: { maxResumes?: number; verb?: 'GET' | 'STREAM' } = {},
): Promise<{ outcome: TransferOutcome; file: Buffer }> {
  const tmp = makeTmpDir('jukebox-client-');
  cleanups.push(() => tmp.cleanup());
  const path = join(tmp.dir, 'tune.mp3');
  const sink = createWriteStream(path);
  const outcome = await transferSong({
    song: SONG,
    verb: extra.verb ?? 'GET',
    sources,
    sink,
    ...(extra.maxResumes === undefined ? {} : { maxResumes: extra.maxResumes }),
  });
  await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { outcome, file: readFileSync(path) };
}

describe('transferSong', () => {
  it.each(['GET', 'STREAM'] as const)('%s: verifies the sha256 and writes the song to the sink', async (verb) => {
    const s1 = await fake();
    const progress: number[] = [];
    const outcome = await transferSong({
      song: SONG,
      verb,
      sources: [sourceFor('s1', s1.port)],
      onProgress: (received, total) => progress.push(received / total),
    });
    expect(outcome).toMatchObject({ status: 'verified', sha256: SONG.sha256, bytes: SONG.bytes, resumes: 0, resumedBytes: 0, failovers: 0, servedBy: ['s1'] });
    expect(outcome.ttfbMs).toBeGreaterThanOrEqual(0);
    expect(outcome.totalMs).toBeGreaterThanOrEqual(outcome.ttfbMs);
    expect(progress.at(-1)).toBe(1);
    const { file } = await toFile([sourceFor('s1', s1.port)], { verb });
    expect(file.equals(DATA)).toBe(true);
  });

  it('a transfer cut after N bytes resumes from N on the other server; the file is intact and the resume counted', async () => {
    const s1 = await fake({ cutAfterBytes: 50_000 });
    const s2 = await fake();
    const { outcome, file } = await toFile([sourceFor('s1', s1.port), sourceFor('s2', s2.port)]);
    expect(outcome).toMatchObject({ status: 'verified', bytes: SONG.bytes, resumes: 1, resumedBytes: 150_000, failovers: 1, servedBy: ['s1', 's2'] });
    expect(outcome.segments).toEqual([
      { serverId: 's1', offset: 0, bytes: 50_000, error: 'E_RESET' },
      { serverId: 's2', offset: 50_000, bytes: 150_000 },
    ]);
    expect(s2.requests).toEqual(['GET tune 50000']);
    expect(file.equals(DATA)).toBe(true);
  });

  it('a reset mid-transfer resumes from exactly the bytes received, and the file is intact', async () => {
    const s1 = await fake({ cutAfterBytes: 80_000, cutMode: 'reset' });
    const s2 = await fake();
    const { outcome, file } = await toFile([sourceFor('s1', s1.port), sourceFor('s2', s2.port)]);
    expect(outcome).toMatchObject({ status: 'verified', resumes: 1, failovers: 1 });
    const got = outcome.segments[0]?.bytes ?? -1;
    expect(s2.requests).toEqual([got > 0 ? `GET tune ${got}` : 'GET tune']);
    expect(file.equals(DATA)).toBe(true);
  });

  it('with one server, a cut transfer reconnects to the same server and resumes there', async () => {
    const s1 = await fake({ cutAfterBytes: 30_000, faultyConnections: 1 });
    const { outcome, file } = await toFile([sourceFor('s1', s1.port)]);
    expect(outcome).toMatchObject({ status: 'verified', resumes: 1, failovers: 0, servedBy: ['s1'] });
    expect(s1.requests).toEqual(['GET tune', 'GET tune 30000']);
    expect(s1.accepted).toBe(2);
    expect(file.equals(DATA)).toBe(true);
  });

  it('a hung transfer times out and resumes on the other server', async () => {
    const s1 = await fake({ hang: true });
    const s2 = await fake();
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [sourceFor('s1', s1.port, 200), sourceFor('s2', s2.port)] });
    expect(outcome).toMatchObject({ status: 'verified', resumes: 1, servedBy: ['s2'] });
    expect(outcome.segments[0]).toMatchObject({ serverId: 's1', bytes: 0, error: 'E_TIMEOUT' });
  });

  it('a refused first server fails over to the second', async () => {
    const s2 = await fake();
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [sourceFor('s1', await refusingPort()), sourceFor('s2', s2.port)] });
    expect(outcome).toMatchObject({ status: 'verified', resumes: 1, failovers: 1, servedBy: ['s2'] });
  });

  it('a server that answers NOT_EXIST is skipped without spending a resume', async () => {
    const s1 = await fake(undefined, new Map());
    const s2 = await fake();
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [sourceFor('s1', s1.port), sourceFor('s2', s2.port)], maxResumes: 0 });
    expect(outcome).toMatchObject({ status: 'verified', resumes: 0, failovers: 1, servedBy: ['s2'] });
  });

  it('when no server holds the song the transfer fails E_NOT_FOUND', async () => {
    const s1 = await fake(undefined, new Map());
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [sourceFor('s1', s1.port)] });
    expect(outcome.status).toBe('failed');
    if (outcome.status === 'failed') expect(outcome.error.code).toBe('E_NOT_FOUND');
  });

  it('wrong bytes of the right length fail E_INTEGRITY', async () => {
    const s1 = await fake({ wrongBytes: true });
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [sourceFor('s1', s1.port)] });
    expect(outcome).toMatchObject({ status: 'failed', bytes: SONG.bytes, error: { code: 'E_INTEGRITY' } });
  });

  it('a server announcing another length than the catalog is skipped for the other server', async () => {
    const s1 = await fake({ lengthSkew: 5 });
    const s2 = await fake();
    const { outcome, file } = await toFile([sourceFor('s1', s1.port), sourceFor('s2', s2.port)]);
    expect(outcome).toMatchObject({ status: 'verified', resumes: 0, servedBy: ['s2'] });
    expect(file.equals(DATA)).toBe(true);
  });

  it('gives up after maxResumes with the last error, having written each received byte once', async () => {
    const s1 = await fake({ cutAfterBytes: 10_000 });
    const s2 = await fake({ cutAfterBytes: 10_000 });
    const { outcome, file } = await toFile([sourceFor('s1', s1.port), sourceFor('s2', s2.port)], { maxResumes: 2 });
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'E_RESET' }, resumes: 2, bytes: 30_000 });
    expect(outcome.segments.map((s) => `${s.serverId}@${s.offset}`)).toEqual(['s1@0', 's2@10000', 's1@20000']);
    expect(file.equals(DATA.subarray(0, 30_000))).toBe(true);
  });

  it('uses a given open connection and leaves it open for its owner', async () => {
    const s1 = await fake();
    const connection = await JukeboxConnection.connect({ host: FAKE_HOST, port: s1.port });
    opened.add(connection);
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [{ serverId: 's1', connection }] });
    expect(outcome.status).toBe('verified');
    expect(connection.isOpen).toBe(true);
    expect(s1.accepted).toBe(1);
  });

  it('a sink that asks for a pause (write returns false) still gets every byte once, in order', async () => {
    const s1 = await fake();
    const chunks: Buffer[] = [];
    let drains = 0;
    let onDrain: (() => void) | undefined;
    const sink = {
      write(chunk: Buffer) {
        chunks.push(Buffer.from(chunk));
        return false; // every write: "wait for drain"
      },
      once(_event: 'drain', listener: () => void) {
        onDrain = listener;
        // Drain on the next turn, as a slow file would later.
        setImmediate(() => {
          drains++;
          onDrain?.();
        });
      },
    };
    const outcome = await transferSong({ song: SONG, verb: 'GET', sources: [sourceFor('s1', s1.port)], sink });
    expect(outcome.status).toBe('verified');
    expect(drains).toBeGreaterThan(0);
    expect(Buffer.concat(chunks).equals(DATA)).toBe(true);
  });
});
