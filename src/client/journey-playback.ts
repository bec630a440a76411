// The simulated listener of a stream: it starts playing once about 2 s of audio is buffered, plays
// at the song's bitrate (times a playback speed) in real time, stalls when the buffer runs dry and
// resumes once it has refilled. Pure: times are passed in, so the same arrivals give the same figures.

/** Audio buffered before playback starts, and again before it resumes after a stall. */
export const START_BUFFER_SEC = 2;

export type PlaybackPhase = 'buffering' | 'playing' | 'stalled' | 'ended';

export interface PlaybackOptions {
  bitrateKbps: number;
  totalBytes: number;
  /** 1 plays one second of audio per second; 10 plays ten. */
  playbackSpeed: number;
  /** Clock time (ms) the stream was asked for: startup delay counts from here. */
  startMs: number;
  /** Default START_BUFFER_SEC. */
  startBufferSec?: number;
}

/** What the listener hears at one moment. Times in ms are since `startMs`; audio positions in seconds. */
export interface PlaybackSnapshot {
  phase: PlaybackPhase;
  atMs: number;
  playheadSec: number;
  durationSec: number;
  /** Audio received and not yet played. */
  bufferSec: number;
  /** What the listener waits for before (re)starting. */
  targetBufferSec: number;
  receivedBytes: number;
  totalBytes: number;
  /** Undefined until playback has started. */
  startupDelayMs: number | undefined;
  stalls: number;
  /** Total stall time, the one in progress included. */
  stallMs: number;
}

export type PlaybackChange =
  | { type: 'playback-started'; atMs: number; startupDelayMs: number }
  /** `atMs` is when the buffer ran dry, which may be a little before it was noticed. */
  | { type: 'stall-started'; atMs: number; stall: number; playheadSec: number }
  | { type: 'stall-ended'; atMs: number; stall: number; stallMs: number }
  | { type: 'playback-ended'; atMs: number };

/** The figures of a whole stream, once its last byte has arrived. */
export interface PlaybackSummary {
  playbackSpeed: number;
  startBufferSec: number;
  durationSec: number;
  startupDelayMs: number;
  stalls: number;
  stallMs: number;
  /** When the last byte arrived (since the request). */
  transferMs: number;
  /**
   * When the last audio will have played (since the request). Everything left is buffered by
   * then, so no stall can follow: the simulation computes this instead of waiting for it.
   */
  playbackEndMs: number;
}

export class PlaybackSimulation {
  private readonly audioBytesPerSec: number;
  /** Bytes the playhead consumes per ms. */
  private readonly playBytesPerMs: number;
  private readonly startBytes: number;
  private readonly startBufferSec: number;
  private phase: PlaybackPhase = 'buffering';
  private received = 0;
  private playhead = 0;
  private lastMs: number;
  private startupDelayMs: number | undefined;
  private stalls = 0;
  private stallMs = 0;
  private stallStartMs = 0;
  private endedAtMs: number | undefined;

  constructor(private readonly options: PlaybackOptions) {
    if (!(options.bitrateKbps > 0) || !(options.playbackSpeed > 0) || !(options.totalBytes >= 0)) {
      throw new RangeError(`bad playback options: ${JSON.stringify(options)}`);
    }
    this.startBufferSec = options.startBufferSec ?? START_BUFFER_SEC;
    this.audioBytesPerSec = (options.bitrateKbps * 1000) / 8;
    this.playBytesPerMs = (this.audioBytesPerSec / 1000) * options.playbackSpeed;
    this.startBytes = Math.round(this.audioBytesPerSec * this.startBufferSec);
    this.lastMs = options.startMs;
  }

  /** Moves the playhead on to `nowMs`; reports a stall (or the end) at the moment the buffer ran dry. */
  advance(nowMs: number): PlaybackChange[] {
    if (nowMs <= this.lastMs) return [];
    const changes: PlaybackChange[] = [];
    if (this.phase === 'playing') {
      const playableMs = (this.received - this.playhead) / this.playBytesPerMs;
      const elapsedMs = nowMs - this.lastMs;
      if (elapsedMs < playableMs) {
        this.playhead += elapsedMs * this.playBytesPerMs;
      } else {
        const dryAt = this.lastMs + playableMs;
        this.playhead = this.received;
        if (this.received >= this.options.totalBytes) {
          this.phase = 'ended';
          this.endedAtMs = dryAt;
          changes.push({ type: 'playback-ended', atMs: dryAt - this.options.startMs });
        } else {
          this.phase = 'stalled';
          this.stalls++;
          this.stallStartMs = dryAt;
          changes.push({ type: 'stall-started', atMs: dryAt - this.options.startMs, stall: this.stalls, playheadSec: this.seconds(this.playhead) });
        }
      }
    }
    this.lastMs = nowMs;
    return changes;
  }

  /** `totalReceived` bytes have arrived by `nowMs`: maybe playback starts or a stall ends. */
  receive(totalReceived: number, nowMs: number): PlaybackChange[] {
    const changes = this.advance(nowMs);
    this.received = Math.min(totalReceived, this.options.totalBytes);
    changes.push(...this.startIfBuffered(Math.max(nowMs, this.lastMs)));
    return changes;
  }

  snapshot(nowMs: number): PlaybackSnapshot {
    const at = Math.max(nowMs, this.lastMs);
    return {
      phase: this.phase,
      atMs: at - this.options.startMs,
      playheadSec: this.seconds(this.playhead),
      durationSec: this.seconds(this.options.totalBytes),
      bufferSec: this.seconds(this.received - this.playhead),
      targetBufferSec: this.seconds(this.threshold()),
      receivedBytes: this.received,
      totalBytes: this.options.totalBytes,
      startupDelayMs: this.startupDelayMs,
      stalls: this.stalls,
      stallMs: this.stallMs + (this.phase === 'stalled' ? at - this.stallStartMs : 0),
    };
  }

  /** The transfer is over at `nowMs` (every byte in): starts or un-stalls if it must, and sums up. */
  finish(nowMs: number): { changes: PlaybackChange[]; summary: PlaybackSummary } {
    const changes = this.advance(nowMs);
    this.received = this.options.totalBytes;
    const at = Math.max(nowMs, this.lastMs);
    changes.push(...this.startIfBuffered(at));
    const start = this.options.startMs;
    const remainingMs = (this.options.totalBytes - this.playhead) / this.playBytesPerMs;
    const playbackEnd = this.phase === 'ended' ? (this.endedAtMs ?? at) : at + remainingMs;
    return {
      changes,
      summary: {
        playbackSpeed: this.options.playbackSpeed,
        startBufferSec: this.startBufferSec,
        durationSec: this.seconds(this.options.totalBytes),
        startupDelayMs: this.startupDelayMs ?? at - start,
        stalls: this.stalls,
        stallMs: this.stallMs,
        transferMs: at - start,
        playbackEndMs: playbackEnd - start,
      },
    };
  }

  /** The buffer to wait for: 2 s of audio, or what is left of the song if that is less. */
  private threshold(): number {
    return Math.min(this.startBytes, this.options.totalBytes - this.playhead);
  }

  private startIfBuffered(nowMs: number): PlaybackChange[] {
    if (this.phase !== 'buffering' && this.phase !== 'stalled') return [];
    if (this.received - this.playhead < this.threshold()) return [];
    const at = nowMs - this.options.startMs;
    let change: PlaybackChange;
    if (this.phase === 'buffering') {
      this.startupDelayMs = at;
      change = { type: 'playback-started', atMs: at, startupDelayMs: at };
    } else {
      const stallMs = nowMs - this.stallStartMs;
      this.stallMs += stallMs;
      change = { type: 'stall-ended', atMs: at, stall: this.stalls, stallMs };
    }
    this.phase = 'playing';
    return [change];
  }

  private seconds(bytes: number): number {
    return bytes / this.audioBytesPerSec;
  }
}
