// A download's progress: a bar redrawn in place on a TTY (bytes, rate, time left), a plain line
// every few seconds otherwise (logs and pipes get no carriage returns).
import { formatBytes } from '../../util/duration.js';
import { formatElapsed } from './format.js';
import type { Screen } from './screen.js';

const BAR_WIDTH = 24;
/** A TTY redraw at most this often: fast downloads would otherwise spend their time drawing. */
const TTY_REDRAW_MS = 100;
/** Without a TTY, a progress line this often. */
const PLAIN_LINE_MS = 2_000;

export interface DownloadProgress {
  receivedBytes: number;
  totalBytes: number;
  elapsedMs: number;
  serverId: string;
}

/** `[#######.....]  1.2 MiB / 3.7 MiB  5.1 MiB/s  0.49 s left  from s1` */
export function describeDownload(p: DownloadProgress): string {
  const share = p.totalBytes === 0 ? 1 : p.receivedBytes / p.totalBytes;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const perSecond = p.elapsedMs > 0 ? (p.receivedBytes * 1000) / p.elapsedMs : 0;
  const left = perSecond > 0 ? formatElapsed(((p.totalBytes - p.receivedBytes) / perSecond) * 1000) : '?';
  return `${bar} ${formatBytes(p.receivedBytes)} / ${formatBytes(p.totalBytes)}  ${formatBytes(perSecond)}/s  ${left} left  from ${p.serverId}`;
}

export class DownloadProgressView {
  /** On a TTY the bar shows at once; without one the first line waits a period (a quick download needs none). */
  private lastDrawnMs: number;
  private latest: DownloadProgress | undefined;

  constructor(private readonly screen: Screen) {
    this.lastDrawnMs = screen.tty ? -Infinity : 0;
  }

  update(p: DownloadProgress): void {
    this.latest = p;
    const every = this.screen.tty ? TTY_REDRAW_MS : PLAIN_LINE_MS;
    const complete = p.receivedBytes === p.totalBytes;
    if (p.elapsedMs - this.lastDrawnMs < every && !(complete && this.screen.tty)) return;
    this.lastDrawnMs = p.elapsedMs;
    if (this.screen.tty) this.screen.status(describeDownload(p));
    else if (!complete) this.screen.line(describeDownload(p));
  }

  /** The transfer is over: the bar stays where it ended. */
  end(): void {
    if (this.latest && this.screen.tty) this.screen.status(describeDownload(this.latest));
    this.screen.endStatus();
  }
}
