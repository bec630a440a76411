// What makes a set of reports the shards of one run (../../../shared/design/shards.md, "Merging"):
// one plan, every shard once, all running at one time. Anything else is refused with the parts named.
import { JukeboxError } from '../errors.js';
import type { Report } from '../report/model.js';

export interface ShardPart {
  report: Report;
  file?: string;
}

const HINT = 'merge the N reports of one sharded run: each shard 1/N … N/N once, from the same scenario, seed and catalog, run at the same time';

/** True when any part is a shard: the set must then be a whole, sound set of shards (checkShardSet). */
export function hasShards(parts: readonly ShardPart[]): boolean {
  return parts.some((p) => p.report.shard !== undefined);
}

/** Refuses (E_BAD_ARGUMENT) a set of shard reports with a part missing, repeated, of another plan, or run at another time. */
export function checkShardSet(parts: readonly ShardPart[]): void {
  const label = (i: number) => parts[i]?.file ?? `report ${i + 1}`;
  const unsharded = parts.map((p, i) => (p.report.shard ? -1 : i)).filter((i) => i >= 0);
  if (unsharded.length > 0)
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `${unsharded.map(label).join(', ')}: not a shard, merged with shards of a run; a shard's report has "shard": { index, count }`,
      { hint: HINT },
    );
  const shards = parts.map((p) => p.report.shard as NonNullable<Report['shard']>);
  const count = shards[0]?.count ?? 0;
  const otherCount = shards.findIndex((s) => s.count !== count);
  if (otherCount >= 0)
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `${label(otherCount)} is shard ${shards[otherCount]?.index}/${shards[otherCount]?.count} but ${label(0)} is shard ${shards[0]?.index}/${count}: parts of runs split differently`,
      { hint: HINT },
    );
  checkOnePlan(parts, label);
  const byIndex = new Map<number, number[]>();
  shards.forEach((s, i) => byIndex.set(s.index, [...(byIndex.get(s.index) ?? []), i]));
  const repeated = [...byIndex.entries()].filter(([, at]) => at.length > 1);
  if (repeated.length > 0)
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `repeated shard${repeated.length === 1 ? '' : 's'}: ${repeated.map(([index, at]) => `${index}/${count} in ${at.map(label).join(' and ')}`).join('; ')}; each shard's clients would be counted twice`,
      { hint: HINT },
    );
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((index) => !byIndex.has(index));
  if (missing.length > 0)
    throw new JukeboxError(
      'E_BAD_ARGUMENT',
      `missing shard${missing.length === 1 ? '' : 's'} ${missing.map((i) => `${i}/${count}`).join(', ')} (got ${parts.length} of ${count}): the merge would lack ${missing.length === 1 ? 'its' : 'their'} clients`,
      { hint: `${HINT}; a shard that failed can be run again alone with simulate <scenario> --shard I/${count}` },
    );
  // A shard stopped early (Ctrl-C) may have ended before another began: its window says nothing of the plan's.
  if (!parts.some((p) => p.report.interrupted)) checkOverlap(parts, label);
}

/** Every part from the same plan: the same fingerprint (shards/fingerprint.ts), and one at all. */
function checkOnePlan(parts: readonly ShardPart[], label: (i: number) => string): void {
  const first = parts[0]?.report.plan.fingerprint;
  const other = parts.findIndex((p) => p.report.plan.fingerprint === undefined || p.report.plan.fingerprint !== first);
  if (other < 0) return;
  const shown = (f: string | undefined) => (f === undefined ? 'none' : f.slice(0, 12));
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    `${label(other)} is of another plan than ${label(0)} (plan fingerprint ${shown(parts[other]?.report.plan.fingerprint)}, not ${shown(first)}): another scenario, seed or catalog`,
    { hint: HINT },
  );
}

/**
 * The parts ran at one time: some instant lies in every part's window [startedAt, startedAt +
 * durationMs]. Shards that ran one after the other were not the load the plan describes.
 */
function checkOverlap(parts: readonly ShardPart[], label: (i: number) => string): void {
  const windows = parts.map((p) => {
    const start = Date.parse(p.report.startedAt);
    return { start, end: start + p.report.durationMs };
  });
  const latest = windows.reduce((best, w, i) => (w.start > (windows[best]?.start ?? -Infinity) ? i : best), 0);
  const earliestEnd = windows.reduce((best, w, i) => (w.end < (windows[best]?.end ?? Infinity) ? i : best), 0);
  const late = windows[latest];
  const early = windows[earliestEnd];
  if (!late || !early || late.start <= early.end) return;
  throw new JukeboxError(
    'E_BAD_ARGUMENT',
    `${label(latest)} started at ${new Date(late.start).toISOString()}, after ${label(earliestEnd)} had ended at ${new Date(early.end).toISOString()}: the shards did not run at the same time`,
    { hint: `${HINT}; start the shards together (one Indexed Job, or simulate <scenario> --shards N)` },
  );
}
