// A stream's simulated playback, live: a status line on a TTY (playhead, buffer, stalls), a line
// at each start, stall and resume (and every few seconds without a TTY), then the summary.
import type { PlaybackChange, PlaybackSnapshot, PlaybackSummary } from '../../client/journey-playback.js';
import { count, formatAudioClock, formatElapsed } from './format.js';
import type { Screen } from './screen.js';

const BUFFER_BAR_WIDTH = 10;
/** Without a TTY, a playback status line this often. */
const PLAIN_LINE_MS = 2_000;
/** A TTY redraw at most this often. */
const TTY_REDRAW_MS = 100;

export function describePlayback(s: PlaybackSnapshot): string {
  const position = `${formatAudioClock(s.playheadSec)} / ${formatAudioClock(s.durationSec)}`;
  const target = Math.max(s.targetBufferSec, 1e-9);
  const filled = Math.min(BUFFER_BAR_WIDTH, Math.round((s.bufferSec / target) * BUFFER_BAR_WIDTH));
  const buffer = `buffer ${s.bufferSec.toFixed(1)} s [${'#'.repeat(filled)}${'.'.repeat(BUFFER_BAR_WIDTH - filled)}]`;
  const stalls = `stalls ${s.stalls}${s.stalls > 0 ? ` (${formatElapsed(s.stallMs)})` : ''}`;
  switch (s.phase) {
    case 'buffering':
      return `buffering  ${s.bufferSec.toFixed(1)} / ${s.targetBufferSec.toFixed(1)} s of audio before playing  (${formatElapsed(s.atMs)})`;
    case 'playing':
      return `playing    ${position}  ${buffer}  ${stalls}`;
    case 'stalled':
      return `STALLED    ${position}  refilling ${s.bufferSec.toFixed(1)} / ${s.targetBufferSec.toFixed(1)} s  ${stalls}`;
    case 'ended':
      return `ended      ${position}  ${stalls}`;
  }
}

export function describeChange(change: PlaybackChange, snapshot: PlaybackSnapshot): string {
  switch (change.type) {
    case 'playback-started':
      return `Playback started after ${formatElapsed(change.startupDelayMs)} (${snapshot.bufferSec.toFixed(1)} s of audio buffered).`;
    case 'stall-started':
      return `Stall ${change.stall} at ${formatAudioClock(change.playheadSec)}: the buffer ran dry; waiting for ${snapshot.targetBufferSec.toFixed(1)} s of audio…`;
    case 'stall-ended':
      return `Resumed after a ${formatElapsed(change.stallMs)} stall.`;
    case 'playback-ended':
      return 'Playback reached the end of the song.';
  }
}

export class StreamView {
  private lastDrawnMs = -Infinity;

  constructor(private readonly screen: Screen) {}

  update(snapshot: PlaybackSnapshot): void {
    const every = this.screen.tty ? TTY_REDRAW_MS : PLAIN_LINE_MS;
    if (snapshot.atMs - this.lastDrawnMs < every) return;
    this.lastDrawnMs = snapshot.atMs;
    if (this.screen.tty) this.screen.status(describePlayback(snapshot));
    else this.screen.line(describePlayback(snapshot));
  }

  change(change: PlaybackChange, snapshot: PlaybackSnapshot): void {
    this.screen.line(describeChange(change, snapshot));
  }

  end(): void {
    this.screen.clearStatus();
  }
}

/** The figures a student compares between runs, one per line. */
export function describePlaybackSummary(s: PlaybackSummary): string[] {
  const rest = s.playbackEndMs - s.transferMs;
  return [
    `Playback (simulated at ${s.playbackSpeed}× the song's bitrate, starting after ${s.startBufferSec.toFixed(1)} s of audio):`,
    `  Startup delay: ${formatElapsed(s.startupDelayMs)}`,
    `  Stalls: ${s.stalls}`,
    `  Total stall time: ${formatElapsed(s.stallMs)}`,
    rest > 0
      ? `  The last byte arrived at ${formatElapsed(s.transferMs)}; the remaining ${formatElapsed(rest)} of playback is buffered, so no more stalls (${count(s.stalls, 'stall')} in all).`
      : `  Playback ended at ${formatElapsed(s.playbackEndMs)}.`,
  ];
}
