// Faults in whole runs: the coordinator applies a scenario's faults to its server threads at their
// times, records each on the report's timeline, and the clients ride them out.
import { describe, expect, it } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { runScenario } from '../../../src/harness/coordinator.js';
import { buildReport } from '../../../src/report/build.js';
import { collectEnvironment } from '../../../src/report/environment.js';
import { loadScenarioFile, parseScenario } from '../../../src/scenario/load.js';
import { defaultCatalogPath, packageRoot } from '../../../src/util/paths.js';
import { join } from 'node:path';

/** Songs both servers of the project catalog hold: with s1 down, s2 can always serve them. */
const SHARED_SONGS = ['song2', 'song4', 'song7', 'song10', 'song13'];
/** Songs only s1 holds. */
const S1_ONLY_SONGS = ['song1', 'song5', 'song8', 'song11', 'song15'];

function scenario(songIds: string[], faults: unknown[], load: Record<string, unknown>, timeout = '1s') {
  return parseScenario(
    {
      name: 'faults-test',
      seed: 3,
      catalog: defaultCatalogPath,
      servers: [
        { id: 's1', port: 0, streamSpeed: 300 },
        { id: 's2', port: 0, streamSpeed: 300 },
      ],
      load: { workers: 2, ...load },
      // Prefer s1, so that its faults hit transfers in flight.
      client: {
        requests: 2,
        prefer: 's1',
        timeout,
        action: { download: 0.5, stream: 0.5 },
        thinkTime: { distribution: 'constant', mean: '50ms' },
        songs: { ids: songIds, absent: 0, popularity: 'uniform' },
      },
      faults,
    },
    undefined,
  );
}

describe('faults in a run', () => {
  it('applies every kind of fault at its time, marks each on the timeline, and every song s2 also holds still ends verified', async () => {
    const faults = [
      { at: '300ms', server: 's1', action: 'delay', latency: '30ms', for: '500ms' },
      { at: '1000ms', server: 's1', action: 'throttle', bandwidth: '2MB/s', for: '500ms' },
      { at: '1700ms', server: 's1', action: 'reset' },
      { at: '2000ms', server: 's1', action: 'refuse', for: '500ms' },
      { at: '2700ms', server: 's1', action: 'pause', for: '1500ms' },
      { at: '4400ms', server: 's1', action: 'crash', restartAfter: '500ms' },
    ];
    const loaded = scenario(SHARED_SONGS, faults, { arrivalRate: 10, duration: '5500ms' });
    const run = await runScenario(loaded.scenario, loaded.catalog);

    const c = run.metrics.counters;
    expect(c.requests).toBe(run.plan.requests);
    expect(c.failed).toBe(0);
    expect(c.verified).toBe(c.requests);
    expect(c.integrityFailures).toBe(0);
    // The reset and the crash cut transfers from s1 in flight: they resumed where they were cut.
    expect(c.resumes).toBeGreaterThan(0);
    expect(c.resumedBytes).toBeGreaterThan(0);

    expect(run.faults.map((f) => f.action)).toEqual([
      'delay',
      'delay-end',
      'throttle',
      'throttle-end',
      'reset',
      'refuse',
      'refuse-end',
      'pause',
      'pause-end',
      'crash',
      'restart',
    ]);
    const due = [300, 800, 1000, 1500, 1700, 2000, 2500, 2700, 4200, 4400, 4900];
    run.faults.forEach((f, i) => {
      expect(f.server).toBe('s1');
      // Never before its time (a timer may be late on a busy machine, never early).
      expect(f.atMs).toBeGreaterThanOrEqual((due[i] ?? 0) - 2);
      expect(f.detail).not.toMatch(/^failed/);
    });
    expect(run.faults.find((f) => f.action === 'restart')?.detail).toMatch(/listening again on port \d+/);

    const report = buildReport(run, collectEnvironment());
    expect(report.faults).toHaveLength(11);
    expect(report.faults[0]).toMatchObject({ server: 's1', action: 'delay', detail: '+30 ms before every response, for 500 ms' });
    expect(report.faults[0]?.t).toBeGreaterThanOrEqual(0.29);
  });

  it('while s1 is down for good, requests for songs only s1 holds fail as refused (unavailable), never as cancelled', async () => {
    const loaded = scenario(S1_ONLY_SONGS, [{ at: '800ms', server: 's1', action: 'crash' }], { arrivalRate: 10, duration: '2s' });
    const run = await runScenario(loaded.scenario, loaded.catalog);
    const c = run.metrics.counters;
    expect(c.cancelled).toBe(0);
    expect(c.failed).toBeGreaterThan(0);
    expect(c.verified + c.failed).toBe(c.requests);
    // Refused at connect, or reset if the crash caught a CHECK or a transfer on the wire.
    expect((c.errors.refused ?? 0) + (c.errors.reset ?? 0)).toBe(c.failed);
    expect(c.integrityFailures).toBe(0);
    expect(run.faults).toHaveLength(1);
    expect(run.faults[0]).toMatchObject({ server: 's1', action: 'crash' });
    expect(run.faults[0]?.detail).toMatch(/down until the end of the run/);
  });

  it('refuses faults it cannot apply before starting anything: an external server, a crash with a duration', () => {
    let err: unknown;
    try {
      parseScenario(
        {
          name: 'external-fault',
          catalog: defaultCatalogPath,
          servers: [
            { id: 's1', host: '127.0.0.1', port: 1, external: true },
            { id: 's2', port: 0 },
          ],
          load: { clients: 1 },
          faults: [
            { at: '1s', server: 's1', action: 'delay', latency: '5ms' },
            { at: '1s', server: 's2', action: 'crash', for: '1s' },
          ],
        },
        undefined,
      );
    } catch (e) {
      err = e;
    }
    expect(isJukeboxError(err, 'E_SCENARIO_INVALID')).toBe(true);
    expect((err as Error).message).toMatch(/faults\.0\.server: "s1" is external/);
    expect((err as Error).message).toMatch(/faults\.1\.for: a crash has no duration \(use restartAfter/);
  });

  it('scenarios/faults.yaml is valid, crashes s1 and restarts it, and stays short', () => {
    const { scenario: resolved } = loadScenarioFile(join(packageRoot, 'scenarios', 'faults.yaml'));
    expect(resolved.faults).toEqual([{ atMs: 3000, server: 's1', action: 'crash', restartAfterMs: 3000 }]);
    expect(resolved.load.model).toBe('open');
    if (resolved.load.model === 'open') expect(resolved.load.durationMs).toBeLessThanOrEqual(10_000);
  });
});
