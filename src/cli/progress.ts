// The live view of a run: a one-line bar redrawn on a TTY, plain lines every few seconds otherwise.
import type { Progress } from '../harness/coordinator.js';
import { formatBytes, formatDuration } from '../util/duration.js';

/** Without a TTY (CI logs), a progress line this often. */
const PLAIN_LINE_INTERVAL_MS = 5000;
const BAR_WIDTH = 24;

export type ProgressMode = 'tty' | 'plain' | 'quiet';

export function progressMode(quiet: boolean, stream: NodeJS.WriteStream): ProgressMode {
  if (quiet) return 'quiet';
  return stream.isTTY ? 'tty' : 'plain';
}

export function createProgressPrinter(mode: ProgressMode, stream: NodeJS.WriteStream): { update(p: Progress): void; done(): void } {
  let last: Progress | undefined;
  let lastPlainAt = -Infinity;
  return {
    update(p) {
      const line = describe(p, last);
      last = p;
      if (mode === 'tty') stream.write(`\r${line}\x1b[K`);
      else if (mode === 'plain' && p.elapsedMs - lastPlainAt >= PLAIN_LINE_INTERVAL_MS) {
        lastPlainAt = p.elapsedMs;
        stream.write(`${line}\n`);
      }
    },
    done() {
      if (mode === 'tty' && last) stream.write('\n');
    },
  };
}

function describe(p: Progress, previous: Progress | undefined): string {
  const share = p.clientsTotal === 0 ? 1 : p.clientsDone / p.clientsTotal;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const dt = previous ? (p.elapsedMs - previous.elapsedMs) / 1000 : p.elapsedMs / 1000;
  const rate = (now: number, before: number) => (dt > 0 ? (now - before) / dt : 0);
  const rps = rate(p.requests, previous?.requests ?? 0);
  const bps = rate(p.bytes, previous?.bytes ?? 0);
  return `${bar} ${p.clientsDone}/${p.clientsTotal} clients  ${rps.toFixed(0)} req/s  ${formatBytes(bps)}/s  ${p.failed} errors  ${formatDuration(p.elapsedMs)}`;
}
