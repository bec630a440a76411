// `simulate merge` of shards: a whole set of one plan merges exactly; anything else is refused, naming the part.
import { describe, expect, it } from 'vitest';
import { decodeHistogram, PHASES } from '../../../src/metrics/histogram.js';
import { mergeReports } from '../../../src/report/merge.js';
import type { Report } from '../../../src/report/model.js';
import { reportSchema } from '../../../src/report/report-schema.js';
import { fixtureEvents, reportFromEvents } from '../../helpers/report-fixture.js';

const options = { name: 'sharded', seed: 5 };
const events = fixtureEvents(options);
const durationMs = Math.ceil(Math.max(...events.map((e) => e.startMs + e.latencyMs)));
const whole = reportFromEvents(events, options, durationMs);
const FINGERPRINT = 'a'.repeat(64);

/** The fixture's clients ≡ index−1 (mod 3), built once per index (building a report takes seconds on a busy machine). */
const built = new Map<number, Report>();

/** Shard `index` of 3, as a shard's report names itself. */
function shard(index: number, changes: Partial<Report> = {}): Report {
  let report = built.get(index);
  if (!report) {
    report = reportFromEvents(
      events.filter((e) => e.client % 3 === index - 1),
      options,
      durationMs,
    );
    built.set(index, report);
  }
  return { ...report, plan: { ...report.plan, fingerprint: FINGERPRINT }, shard: { index, count: 3 }, ...changes };
}

const parts = (reports: Report[]) => reports.map((report, i) => ({ report, file: `part${i + 1}.json` }));

describe('merging the shards of one run', () => {
  it('adds a whole set exactly: totals, plan and histograms of the whole, without a shard of its own', () => {
    const shards = [shard(2), shard(3), shard(1)];
    const merged = mergeReports(parts(shards));
    expect(merged.totals).toEqual(whole.totals);
    expect(merged.latency).toEqual(whole.latency);
    for (const phase of PHASES)
      expect(decodeHistogram(merged.histograms[phase]).totalCount).toBe(shards.reduce((a, r) => a + decodeHistogram(r.histograms[phase]).totalCount, 0));
    expect(merged.plan).toEqual({ ...whole.plan, fingerprint: FINGERPRINT });
    expect(merged.shard).toBeUndefined();
    // A shard's report, and the merge, load back through the schema with what shards added.
    expect(reportSchema.parse(JSON.parse(JSON.stringify(shards[0]))).shard).toEqual({ index: 2, count: 3 });
    expect(reportSchema.parse(JSON.parse(JSON.stringify(merged))).plan.fingerprint).toBe(FINGERPRINT);
  });

  it('refuses a missing shard, naming it', () => {
    expect(() => mergeReports(parts([shard(1), shard(3)]))).toThrow(/missing shard 2\/3 \(got 2 of 3\)/);
  });

  it('refuses a repeated shard, naming the files', () => {
    expect(() => mergeReports(parts([shard(1), shard(2), shard(2), shard(3)]))).toThrow(/repeated shard: 2\/3 in part2\.json and part3\.json/);
  });

  it('refuses a shard of another plan (another scenario, seed or catalog), naming it', () => {
    const other = shard(2);
    expect(() => mergeReports(parts([shard(1), { ...other, plan: { ...other.plan, fingerprint: 'b'.repeat(64) } }, shard(3)]))).toThrow(
      /part2\.json is of another plan than part1\.json \(plan fingerprint bbbbbbbbbbbb, not aaaaaaaaaaaa\)/,
    );
    const { fingerprint: _none, ...plan } = other.plan;
    expect(() => mergeReports(parts([shard(1), { ...other, plan }, shard(3)]))).toThrow(/part2\.json is of another plan .*fingerprint none/);
  });

  it('refuses shards of runs split differently', () => {
    expect(() => mergeReports(parts([shard(1), { ...shard(2), shard: { index: 2, count: 4 } }]))).toThrow(
      /part2\.json is shard 2\/4 but part1\.json is shard 1\/3/,
    );
  });

  it('refuses shards that did not run at the same time, naming which', () => {
    const late = shard(3);
    const startedAt = new Date(Date.parse(late.startedAt) + durationMs + 60_000).toISOString();
    expect(() => mergeReports(parts([shard(1), shard(2), { ...late, startedAt }]))).toThrow(
      /part3\.json started at .*, after part1\.json had ended at .*did not run at the same time/,
    );
  });

  it('refuses a report that is no shard among shards', () => {
    expect(() => mergeReports(parts([shard(1), shard(2), whole]))).toThrow(/part3\.json: not a shard/);
  });

  it('makes the merge interrupted when a shard was stopped early, and then does not ask that the windows overlap', () => {
    const stopped = shard(2);
    const interruption = { atMs: 500, graceMs: 5000, clientsPlanned: 4, clientsStarted: 2, clientsDone: 1, clientsCut: 0, requestsPlanned: 8, requestsDone: 3 };
    const early = { ...stopped, startedAt: new Date(Date.parse(stopped.startedAt) - durationMs - 60_000).toISOString(), interrupted: true, interruption };
    const merged = mergeReports(parts([shard(1), early, shard(3)]));
    expect(merged.interrupted).toBe(true);
    expect(merged.interruption).toMatchObject({ atMs: 500, clientsStarted: 2 + shard(1).totals.clients + shard(3).totals.clients, clientsCut: 0 });
  });
});
