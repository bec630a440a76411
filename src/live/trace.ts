// The terminal trace (`jukebox serve --trace`, `simulate --trace`): one line per event of the live
// stream, with a timestamp, the client's name, the server and the line, and one closing line per
// transfer with its bytes, duration and rate. Text from outside (HELLO names, request lines) is
// escaped: no byte a client sends can reach the terminal raw.
import { escapeForTerminal } from '../util/terminal-text.js';
import type { LiveSubscriber } from './bus.js';
import type { LiveEvent, TickEvent } from './events.js';

/** How a line's time is written: `t` is ms since the start. */
export type TraceStamp = (t: number) => string;

/** `   12.345`: seconds since the run began (simulate). */
export const elapsedStamp: TraceStamp = (t) => (t / 1000).toFixed(3).padStart(9);

/** `14:03:07.250`: the wall clock at `startedAtMs + t` (serve, where clients come and go on their own time). */
export function wallStamp(startedAtMs: number): TraceStamp {
  return (t) => {
    const d = new Date(startedAtMs + t);
    const two = (n: number) => String(n).padStart(2, '0');
    return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
  };
}

/** Turns live events into trace lines for `print`; one per subscriber (it remembers when each transfer began). */
export class TraceWriter implements LiveSubscriber {
  /** `client/server` → the transfer that began with a DATA line there and has not ended yet. */
  private readonly open = new Map<string, { began: number; song: string; bytes: number; total: number }>();

  constructor(
    private readonly print: (line: string) => void,
    private readonly stamp: TraceStamp,
  ) {}

  events(batch: readonly LiveEvent[]): void {
    for (const event of batch) for (const line of this.format(event)) this.print(line);
  }

  tick(_tick: TickEvent): void {}

  /** The event's lines: none for ticks and a transfer in progress, two for a close that cut a transfer. */
  format(event: LiveEvent): string[] {
    if (event.type === 'hello' || event.type === 'tick') return [];
    const at = this.stamp(event.t);
    const client = 'client' in event ? safe(event.client) : '';
    switch (event.type) {
      case 'connect':
        return [`${at} ${client} ${event.server} connected`];
      case 'close': {
        const cut = this.transferLine(event.t, at, client, event.client, event.server, true);
        return [...cut, `${at} ${client} ${event.server} closed`];
      }
      case 'request':
        return [`${at} ${client} → ${event.server} ${safe(event.line)}`];
      case 'response': {
        const lines = [`${at} ${client} ← ${event.server} ${safe(event.line)} (${formatMs(event.ms)})`];
        const data = /^DATA (\d+)/.exec(event.line);
        if (data) this.open.set(`${event.client}/${event.server}`, { began: event.t, song: '', bytes: 0, total: Number(data[1]) });
        return lines;
      }
      case 'choice':
        return [`${at} ${client} ${safe(event.song)}: ${event.server ? `chose ${event.server}, ` : ''}${safe(event.reason)}`];
      case 'transfer': {
        const open = this.open.get(`${event.client}/${event.server}`);
        if (!open) return [];
        open.song = event.song;
        open.bytes = event.bytes;
        open.total = event.total;
        return event.bytes >= event.total ? this.transferLine(event.t, at, client, event.client, event.server, false) : [];
      }
      case 'done':
        return [`${at} ${client} ${safe(event.song)} ${safe(event.outcome)} in ${formatMs(event.ms)}`];
      case 'fault':
        return [`${at} ${event.server} fault: ${safe(event.action)}`];
    }
  }

  /** The closing line of the transfer open between them, if any: bytes, time since its DATA line, rate. */
  private transferLine(t: number, at: string, shownClient: string, client: string, server: string, cut: boolean): string[] {
    const key = `${client}/${server}`;
    const open = this.open.get(key);
    if (!open) return [];
    this.open.delete(key);
    const ms = Math.max(0, t - open.began);
    const rate = ms > 0 ? `${formatBytes((open.bytes * 1000) / ms)}/s` : 'at once';
    const what = cut ? `cut after ${formatBytes(open.bytes)} of ${formatBytes(open.total)}` : `done: ${formatBytes(open.bytes)}`;
    return [`${at} ${shownClient} ← ${server} ${safe(open.song || 'transfer')} ${what} in ${formatMs(ms)} (${rate})`];
  }
}

function safe(text: string): string {
  return escapeForTerminal(text);
}

function formatMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(2)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}
