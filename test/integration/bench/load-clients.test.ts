// The bench's load clients measure only correct answers: the bulk client that verifies sha256
// fails the run on a body whose digest differs, and the harness's steady rate leaves out the
// first and last seconds of a run, and the scale rows judge what the issue asks. Against a real
// server on loopback where a server is involved.
import { describe, expect, it } from 'vitest';
import { steadyBytesPerSecond } from '../../../bench/harness.js';
import { runAskLoad } from '../../../bench/load/ask-client.js';
import { runBulkLoad } from '../../../bench/load/bulk-client.js';
import { jukeboxFraming } from '../../../bench/load/framing.js';
import { runLineLoad } from '../../../bench/load/line-client.js';
import { scaleRows } from '../../../bench/scale/run-scale.js';
import { libraryPerTest, LOOPBACK, startTestServer } from '../../helpers/server-fixture.js';

const library = libraryPerTest();
// A window long enough that a busy machine still completes a 300 KB transfer inside it.
const SHORT = { warmupMs: 50, durationMs: 1000 };

describe('bulk load client', () => {
  it('hashes every body and counts transfers whose sha256 matches', async () => {
    const fixture = library();
    const server = await startTestServer(fixture, 's1');
    const result = await runBulkLoad({
      ...SHORT,
      host: LOOPBACK,
      port: server.port,
      connections: 2,
      request: 'GET medium\n',
      framing: jukeboxFraming,
      expectBodyBytes: fixture.bytesOf('medium').length,
      verifySha256: fixture.sha256Of('medium'),
    });
    expect(result.transfers).toBeGreaterThan(0);
    expect(result.bytes).toBeGreaterThan(0);
  });

  it('fails the run when a body does not have the expected sha256', async () => {
    const fixture = library();
    const server = await startTestServer(fixture, 's1');
    const run = runBulkLoad({
      ...SHORT,
      host: LOOPBACK,
      port: server.port,
      connections: 1,
      request: 'GET medium\n',
      framing: jukeboxFraming,
      expectBodyBytes: fixture.bytesOf('medium').length,
      verifySha256: fixture.sha256Of('tiny'),
    });
    await expect(run).rejects.toThrow(`expected ${fixture.sha256Of('tiny')}`);
  });
});

// The harness-small part divides the process's CPU over a whole run by what the run completed,
// warm-up included: a count of the window alone would overstate the CPU per CHECK.
describe('small-request load clients', () => {
  it('the line client counts the round trips of the warm-up in its total, not in its rate', async () => {
    const server = await startTestServer(library(), 's1');
    const result = await runLineLoad({ ...SHORT, host: LOOPBACK, port: server.port, connections: 2, request: 'CHECK absent\n', expectPrefix: 'NOT_EXIST' });
    expect(result.roundTrips).toBeGreaterThan(0);
    expect(result.totalRoundTrips).toBeGreaterThan(result.roundTrips);
  });

  it('the client library alone asks every server and counts both answers of each round', async () => {
    const fixture = library();
    const servers = [await startTestServer(fixture, 's1'), await startTestServer(fixture, 's2')];
    const result = await runAskLoad({ ...SHORT, host: LOOPBACK, ports: servers.map((s) => s.port), clients: 3, song: 'absent' });
    expect(result.checks).toBeGreaterThan(0);
    expect(result.totalChecks).toBeGreaterThan(result.checks);
    // Each round's two answers are counted together: whole rounds, so an even total.
    expect(result.totalChecks % 2).toBe(0);
    expect(result.latency.p99).toBeGreaterThan(0);
  });

  it('the client library alone fails the run when a server answers anything but NOT_EXIST', async () => {
    const fixture = library();
    const server = await startTestServer(fixture, 's1');
    await expect(runAskLoad({ ...SHORT, host: LOOPBACK, ports: [server.port], clients: 2, song: 'medium' })).rejects.toThrow('CHECK medium from s1: exist');
  });
});

describe('steady rate of a simulate run', () => {
  const second = (bytesPerSec: number) => ({ t: 0, requestsPerSec: 0, bytesPerSec, p50: 0, p90: 0, p99: 0, errors: 0, active: 0 });

  it('is the mean of the interior seconds, leaving out start-up and tail', () => {
    const report = { timeline: [second(100), second(900), second(1100), second(50)], throughput: { bytesPerSec: 537 } } as Parameters<
      typeof steadyBytesPerSecond
    >[0];
    expect(steadyBytesPerSecond(report)).toBe(1000);
  });

  it('is the whole-run rate when the run is too short to have an interior', () => {
    const report = { timeline: [second(100), second(50)], throughput: { bytesPerSec: 75 } } as Parameters<typeof steadyBytesPerSecond>[0];
    expect(steadyBytesPerSecond(report)).toBe(75);
  });
});

describe('scale rows', () => {
  const result = {
    clients: 10_023,
    requests: 30_069,
    failed: 0,
    verified: 1_500,
    cancelled: 28_569,
    thresholdsPassed: true,
    peakConnections: { s1: 10_023, s2: 10_001 },
    peakRssBytes: { 'server s1': 200 * 2 ** 20, 'server s2': 200 * 2 ** 20, 'clients, seed 1': 300 * 2 ** 20, 'clients, seed 2': 300 * 2 ** 20 },
    totalPeakRssBytes: 1000 * 2 ** 20,
  };

  it('judge the four processes together against 1 GiB, and no failed request', () => {
    const rows = scaleRows(result);
    expect(rows.find((r) => r.name.includes('peak memory'))).toMatchObject({ figure: 1000, met: true });
    expect(rows.find((r) => r.name.includes('failed'))).toMatchObject({ figure: 0, met: true });
    expect(rows.find((r) => r.name.includes('connected at once'))?.figure).toBe(10_001);
    const over = scaleRows({ ...result, failed: 3, totalPeakRssBytes: 1100 * 2 ** 20 });
    expect(over.filter((r) => r.met === false).map((r) => r.name.trim())).toEqual(['failed requests', 'peak memory, 4 processes together']);
  });
});
