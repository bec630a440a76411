// The report's `sequence` section: the sampled clients' live events a finished run keeps, bounded,
// and the list the HTML report's sequence view draws from it.
import type { HelloEvent, LiveEvent } from '../live/events.js';
import { REPORT_SEQUENCE_LIMIT, type Report } from './model.js';

/**
 * What a report keeps of a run's live events: the first `hello`, then the first `limit` other
 * events but `tick`s (the report has its own per-second timeline). The start is kept rather than
 * the end so that a recorder can stop appending once full: no memory grows, nothing shifts.
 */
export function limitSequence(events: Iterable<LiveEvent>, limit = REPORT_SEQUENCE_LIMIT): LiveEvent[] {
  let hello: HelloEvent | undefined;
  const kept: LiveEvent[] = [];
  for (const e of events) {
    if (e.type === 'hello') hello ??= e;
    else if (e.type !== 'tick' && kept.length < limit) kept.push(e);
  }
  return hello ? [hello, ...kept] : kept;
}

/**
 * The events the report's sequence view draws, or [] when the run recorded none. Without a `hello`
 * the lanes of the scenario's servers still come first, in the scenario's order.
 */
export function sequenceEvents(report: Report): LiveEvent[] {
  const events = report.sequence ?? [];
  if (events.length === 0 || events.some((e) => e.type === 'hello')) return events;
  const hello: HelloEvent = {
    type: 'hello',
    servers: report.scenario.servers.map((s) => ({ id: s.id, host: s.host, port: s.port, songs: [] })),
    scenario: report.scenario.name,
  };
  return [hello, ...events];
}
