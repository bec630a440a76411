// How an interrupted run is told to a reader: one sentence shared by the console table and the HTML page.
import type { Report } from './model.js';

/** One line: when the run was stopped and how much of its plan ran. */
export function describeInterruption(r: Report): string {
  const i = r.interruption;
  if (!i) return 'interrupted: the run was stopped before the end of its plan';
  const cut = i.clientsCut > 0 ? `; ${i.clientsCut} still in a request when the ${seconds(i.graceMs)} grace ran out (not counted)` : '';
  return `interrupted ${seconds(i.atMs)} into the run: ${i.clientsStarted} of ${i.clientsPlanned} clients started, ${i.clientsDone} played their whole script${cut}; ${i.requestsDone} of ${i.requestsPlanned} song requests done`;
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
