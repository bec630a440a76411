// Interrupting a whole run in-process (real servers, real pool threads, real sockets): the abort
// of the run's signal stops new clients and songs, lets requests in flight finish within the
// grace, and the run returns what it measured, marked interrupted.
import { describe, expect, it } from 'vitest';
import { runScenario, type Progress } from '../../../src/harness/coordinator.js';
import { buildReport } from '../../../src/report/build.js';
import { renderConsole } from '../../../src/report/console.js';
import { collectEnvironment } from '../../../src/report/environment.js';
import { renderHtml } from '../../../src/report/html.js';
import { parseScenario } from '../../../src/scenario/load.js';
import { defaultCatalogPath } from '../../../src/util/paths.js';

function scenario(streamSpeed: number, client: Record<string, unknown>) {
  return parseScenario(
    {
      name: 'interrupt',
      seed: 6,
      catalog: defaultCatalogPath,
      servers: [
        { id: 's1', port: 0, streamSpeed },
        { id: 's2', port: 0, streamSpeed },
      ],
      load: { clients: 300, concurrency: 4, workers: 2 },
      client,
    },
    undefined,
  );
}

/** Aborts at the first progress report that shows a request done: the run is under way. */
function abortOnceUnderWay(controller: AbortController): (p: Progress) => void {
  return (p) => {
    if (p.requests > 0) controller.abort();
  };
}

describe('an interrupted run', () => {
  it('starts no client or song after the stop, wakes the thinkers, and counts what ran with the servers agreeing', async () => {
    // Each client thinks for an hour after its first song: only the stop can end this run.
    const { scenario: s, catalog } = scenario(200, {
      requests: 3,
      thinkTime: { distribution: 'constant', mean: '1h' },
      action: { download: 0.5, stream: 0.5 },
    });
    const controller = new AbortController();
    const run = await runScenario(s, catalog, { signal: controller.signal, onProgress: abortOnceUnderWay(controller) });
    const i = run.interrupted;
    expect(i).toBeDefined();
    if (!i) return;
    expect(i).toMatchObject({ clientsPlanned: 300, requestsPlanned: 900, graceMs: 5000, clientsDone: 0, clientsCut: 0 });
    // The four lanes' clients started, played one song each, and were stopped in their think.
    expect(i.clientsStarted).toBe(4);
    expect(i.requestsDone).toBe(4);
    expect(i.atMs).toBeGreaterThan(0);
    const c = run.metrics.counters;
    expect(c.requests).toBe(4);
    expect(c.clients).toBe(4);
    expect(c.failed).toBe(0);
    expect(run.plan).toMatchObject({ clients: 300, requests: 900 });
    expect(run.plan.downloads + run.plan.streams + run.plan.absent).toBe(3 * 4);
    for (const id of ['s1', 's2']) expect(run.serverStats[id]?.requests).toBe(c.servers[id]?.requests);

    const report = buildReport(run, collectEnvironment());
    expect(report.interrupted).toBe(true);
    expect(report.interruption).toEqual(i);
    expect(renderConsole(report)).toMatch(/INTERRUPTED/);
    expect(renderConsole(report)).toMatch(/4 of 300 clients started/);
    expect(renderHtml(report)).toMatch(/INTERRUPTED/);
  });

  it('ends when the grace runs out, leaving the requests still in flight out of every count', async () => {
    // Streams at real time take minutes: with no grace, the ones in flight are cut.
    const { scenario: s, catalog } = scenario(1, { requests: 2, action: { download: 0, stream: 1 }, songs: { absent: 0 } });
    const controller = new AbortController();
    let streaming = false;
    const run = await runScenario(s, catalog, {
      signal: controller.signal,
      graceMs: 0,
      onProgress: (p) => {
        // Bytes arriving: the streams are in flight.
        if (p.bytes > 0 && !streaming) {
          streaming = true;
          controller.abort();
        }
      },
    });
    expect(run.interrupted).toMatchObject({ clientsStarted: 4, clientsCut: 4, clientsDone: 0, requestsDone: 0, graceMs: 0 });
    expect(run.metrics.counters.requests).toBe(0);
  });

  it('does not mark a run that ended before any abort', async () => {
    const { scenario: s, catalog } = scenario(200, { requests: 1 });
    const small = { ...s, load: { model: 'closed' as const, clients: 4, concurrency: 4, workers: 2 } };
    const controller = new AbortController();
    const run = await runScenario(small, catalog, { signal: controller.signal });
    controller.abort();
    expect(run.interrupted).toBeUndefined();
    expect(run.plan.clients).toBe(4);
    expect(buildReport(run, collectEnvironment()).interrupted).toBeUndefined();
  });
});
