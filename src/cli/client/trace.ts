// `--trace`: every protocol line that crosses the wire, both ways, labelled by server and timed
// from the start of the current question: `[s1 +0.4ms] > CHECK song2`.
import type { WireTraceEvent } from '../../client/journey-session.js';
import { escapeForTerminal } from '../../util/terminal-text.js';

/** `>` for what the client sent, `<` for what it received. */
export function formatTrace(event: WireTraceEvent, originMs: number): string {
  const elapsed = event.atMs - originMs;
  const arrow = event.direction === 'sent' ? '>' : '<';
  return `[${event.serverId} +${elapsed.toFixed(1)}ms] ${arrow} ${escapeForTerminal(event.line)}`;
}

export class TracePrinter {
  private originMs = 0;

  constructor(private readonly print: (line: string) => void) {}

  /** Times count from here (the start of the current question). */
  restart(nowMs: number): void {
    this.originMs = nowMs;
  }

  readonly onTrace = (event: WireTraceEvent): void => {
    this.print(formatTrace(event, this.originMs));
  };
}
