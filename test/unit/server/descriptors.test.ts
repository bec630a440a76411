// The descriptor budget: reading the open-file limit, fitting a connection limit into a share of
// it, and the rate-limited out-of-descriptor warnings.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isJukeboxError } from '../../../src/errors.js';
import { DESCRIPTOR_WARNING_INTERVAL_MS, OutOfDescriptorsReporter } from '../../../src/server/descriptor-guard.js';
import {
  ALONE,
  fitConnectionLimit,
  MIN_CONNECTIONS_PER_SERVER,
  parseOpenFileLimit,
  PROCESS_RESERVE_DESCRIPTORS,
  readOpenFileLimit,
  SERVER_DESCRIPTORS,
  THREAD_DESCRIPTORS,
  type ConnectionBudgetInput,
} from '../../../src/server/descriptors.js';
import type { ServerWarning } from '../../../src/server/events.js';
import type { Clock } from '../../../src/util/clock.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            200                  4096                 files
Max locked memory         8388608              8388608              bytes
`;

const TWO_SERVERS = { servers: 2, threads: 0, clientsInProcess: false };

function fit(overrides: Partial<ConnectionBudgetInput>) {
  return fitConnectionLimit({
    serverId: 's1',
    requested: 1024,
    openFileLimit: { kind: 'limited', files: 200 },
    share: TWO_SERVERS,
    readsFromDisk: false,
    ...overrides,
  });
}

describe('the open-file limit', () => {
  it('is the soft "Max open files" of /proc/self/limits', () => {
    expect(parseOpenFileLimit(LIMITS)).toEqual({ kind: 'limited', files: 200 });
    expect(parseOpenFileLimit(LIMITS.replace('200                  4096', 'unlimited            unlimited'))).toEqual({ kind: 'unlimited' });
  });

  it('is unknown, with the reason, when the file is missing or has no such line', () => {
    expect(parseOpenFileLimit('Max cpu time  unlimited  unlimited  seconds\n')).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('Max open files'),
    });
    expect(readOpenFileLimit('/nonexistent/limits')).toEqual({ kind: 'unknown', reason: 'cannot read /nonexistent/limits: ENOENT' });
  });

  it.runIf(process.platform === 'linux')('is read from this process on Linux', () => {
    expect(readOpenFileLimit()).toMatchObject({ kind: expect.stringMatching(/^(limited|unlimited)$/) });
  });
});

describe('fitting a connection limit', () => {
  it('leaves a limit that fits unchanged', () => {
    expect(fit({ requested: 40 })).toEqual({ requested: 40, maxConnections: 40, lowered: false, openFiles: 200, descriptorsPerConnection: 1 });
  });

  it('lowers it to an equal share of what the reserves leave: 2 servers in 200 files hold 49 each', () => {
    const budget = fit({});
    expect(PROCESS_RESERVE_DESCRIPTORS + 2 * SERVER_DESCRIPTORS).toBe(102);
    expect(budget).toMatchObject({ requested: 1024, maxConnections: 49, lowered: true, openFiles: 200 });
  });

  it('counts a song file per connection when songs are read from disk, and the client end when the clients run in the process', () => {
    expect(fit({ readsFromDisk: true, openFileLimit: { kind: 'limited', files: 1000 } })).toMatchObject({
      maxConnections: Math.floor((1000 - 102) / 2 / 2),
      descriptorsPerConnection: 2,
    });
    const simulate = { servers: 2, threads: 4, clientsInProcess: true };
    expect(fit({ requested: 50_000, share: simulate, readsFromDisk: true, openFileLimit: { kind: 'limited', files: 20_000 } })).toMatchObject({
      maxConnections: Math.floor((20_000 - PROCESS_RESERVE_DESCRIPTORS - 4 * THREAD_DESCRIPTORS - 2 * SERVER_DESCRIPTORS) / 2 / 3),
      descriptorsPerConnection: 3,
    });
  });

  it('refuses (E_DESCRIPTORS) when the share cannot hold the minimum, naming the limit and the fix', () => {
    let error: unknown;
    try {
      fit({ openFileLimit: { kind: 'limited', files: 150 } });
    } catch (err) {
      error = err;
    }
    if (!isJukeboxError(error, 'E_DESCRIPTORS')) throw new Error(`expected E_DESCRIPTORS, got ${String(error)}`);
    expect(error.message).toContain('this process may open only 150 files (ulimit -n)');
    expect(error.message).toContain(`even ${MIN_CONNECTIONS_PER_SERVER} connections`);
    expect(error.hint).toContain('ulimit -n');
  });

  it('needs only what was asked when that is below the minimum', () => {
    // One server alone reserves 64 + 19 = 83: 91 files hold the 8 asked, 90 do not.
    expect(fit({ requested: 8, share: ALONE, openFileLimit: { kind: 'limited', files: 91 } })).toMatchObject({ maxConnections: 8, lowered: false });
    expect(() => fit({ requested: 8, share: ALONE, openFileLimit: { kind: 'limited', files: 90 } })).toThrow(/even 8 connections/);
  });

  it('checks nothing when the limit is unlimited or unknown', () => {
    expect(fit({ openFileLimit: { kind: 'unlimited' } })).toMatchObject({ maxConnections: 1024, lowered: false, openFiles: undefined });
    expect(fit({ openFileLimit: { kind: 'unknown', reason: 'no /proc' } })).toMatchObject({ maxConnections: 1024, lowered: false, openFiles: undefined });
  });
});

describe('out-of-descriptor warnings', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('say the first news at once, then at most one line per interval however many connections fail', () => {
    vi.useFakeTimers();
    const clock: Clock = { now: () => Date.now(), wallNow: () => Date.now() };
    const warnings: ServerWarning[] = [];
    let failures = 0;
    const reporter = new OutOfDescriptorsReporter(
      's1',
      200,
      clock,
      () => failures,
      (w) => warnings.push(w),
    );

    reporter.changed(true);
    expect(warnings).toEqual([
      expect.objectContaining({ kind: 'outOfDescriptors', exhausted: true, failed: 0, message: expect.stringContaining('this process may open 200 files') }),
    ]);
    for (let i = 0; i < 1000; i++) {
      failures++;
      reporter.failure();
    }
    expect(warnings).toHaveLength(1);
    vi.advanceTimersByTime(DESCRIPTOR_WARNING_INTERVAL_MS);
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toMatchObject({
      exhausted: true,
      failed: 1000,
      acceptFailures: 1000,
      message: expect.stringContaining('1000 connections answered ERR 503'),
    });

    failures++;
    reporter.failure();
    reporter.changed(false);
    vi.advanceTimersByTime(DESCRIPTOR_WARNING_INTERVAL_MS);
    expect(warnings).toHaveLength(3);
    expect(warnings[2]).toMatchObject({
      exhausted: false,
      failed: 1,
      acceptFailures: 1001,
      message: expect.stringMatching(/^file descriptors available again; 1 connection answered ERR 503/),
    });
    reporter.close();
  });
});
