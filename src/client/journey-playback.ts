// The simulated listener of a stream: it starts playing once about 2 s of audio is buffered, plays
// in real time (times a playback speed), stalls when the buffer runs dry and resumes once it has
// refilled. What counts as buffered audio is what a decoder could play: with a StreamAudio, the
// whole MP3 frames received, found by the same frame scan as the server's pacing (tags and covers
// are not sound, a VBR file's frames are not all alike); without one, bytes at the bitrate.
// Pure: times are passed in, so the same arrivals give the same figures.
import { FrameScanner } from '../mp3/frames.js';

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
  /** Fed the stream's bytes (by the caller, before each receive): audio time by MP3 frames. */
  audio?: StreamAudio;
  /** The song's length (the catalog's) until the frames have all arrived; default totalBytes at the bitrate. */
  durationSec?: number;
}

/** Float slack for comparing audio positions (seconds) and times (ms) that should be equal. */
const EPSILON_SEC = 1e-9;
const EPSILON_MS = 1e-6;

/** A stream's bytes turned into playable audio time, incrementally, by whole MP3 frames. */
export class StreamAudio {
  private readonly scanner = new FrameScanner();
  private ended = false;

  push(chunk: Uint8Array): void {
    this.scanner.push(chunk);
  }

  /** Every byte is in: a last frame that fills the stream exactly counts too. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.scanner.end();
  }

  /** true once a frame was found right after the tags; false once none was; undefined while it cannot tell yet. */
  get isMp3(): boolean | undefined {
    return this.scanner.isMp3;
  }

  get playableSec(): number {
    return this.scanner.audioSec;
  }
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
  /** Audio seconds the playhead consumes per ms. */
  private readonly playSecPerMs: number;
  private readonly startBufferSec: number;
  private phase: PlaybackPhase = 'buffering';
  private receivedBytes = 0;
  /** Playable audio received, in seconds. */
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
      throw new RangeError(`bad playback options: ${JSON.stringify({ ...options, audio: undefined })}`);
    }
    this.startBufferSec = options.startBufferSec ?? START_BUFFER_SEC;
    this.audioBytesPerSec = (options.bitrateKbps * 1000) / 8;
    this.playSecPerMs = options.playbackSpeed / 1000;
    this.lastMs = options.startMs;
  }

  /** Moves the playhead on to `nowMs`; reports a stall (or the end) at the moment the buffer ran dry. */
  advance(nowMs: number): PlaybackChange[] {
    if (nowMs <= this.lastMs) return [];
    const changes: PlaybackChange[] = [];
    if (this.phase === 'playing') {
      const playableMs = (this.received - this.playhead) / this.playSecPerMs;
      const elapsedMs = nowMs - this.lastMs;
      if (elapsedMs < playableMs - EPSILON_MS) {
        this.playhead += elapsedMs * this.playSecPerMs;
      } else {
        const dryAt = this.lastMs + playableMs;
        this.playhead = this.received;
        if (this.receivedBytes >= this.options.totalBytes) {
          this.phase = 'ended';
          this.endedAtMs = dryAt;
          changes.push({ type: 'playback-ended', atMs: dryAt - this.options.startMs });
        } else {
          this.phase = 'stalled';
          this.stalls++;
          this.stallStartMs = dryAt;
          changes.push({ type: 'stall-started', atMs: dryAt - this.options.startMs, stall: this.stalls, playheadSec: this.playhead });
        }
      }
    }
    this.lastMs = nowMs;
    return changes;
  }

  /** `totalReceived` bytes have arrived by `nowMs` (and were pushed to the StreamAudio): maybe playback starts or a stall ends. */
  receive(totalReceived: number, nowMs: number): PlaybackChange[] {
    const changes = this.advance(nowMs);
    this.receivedBytes = Math.min(totalReceived, this.options.totalBytes);
    this.received = this.playableSec();
    changes.push(...this.startIfBuffered(Math.max(nowMs, this.lastMs)));
    return changes;
  }

  snapshot(nowMs: number): PlaybackSnapshot {
    const at = Math.max(nowMs, this.lastMs);
    return {
      phase: this.phase,
      atMs: at - this.options.startMs,
      playheadSec: this.playhead,
      durationSec: this.durationSec(),
      bufferSec: this.received - this.playhead,
      targetBufferSec: this.threshold(),
      receivedBytes: this.receivedBytes,
      totalBytes: this.options.totalBytes,
      startupDelayMs: this.startupDelayMs,
      stalls: this.stalls,
      stallMs: this.stallMs + (this.phase === 'stalled' ? at - this.stallStartMs : 0),
    };
  }

  /** The transfer is over at `nowMs` (every byte in): starts or un-stalls if it must, and sums up. */
  finish(nowMs: number): { changes: PlaybackChange[]; summary: PlaybackSummary } {
    const changes = this.advance(nowMs);
    this.receivedBytes = this.options.totalBytes;
    this.options.audio?.end();
    this.received = this.playableSec();
    const at = Math.max(nowMs, this.lastMs);
    changes.push(...this.startIfBuffered(at));
    const start = this.options.startMs;
    const remainingMs = (this.received - this.playhead) / this.playSecPerMs;
    const playbackEnd = this.phase === 'ended' ? (this.endedAtMs ?? at) : at + remainingMs;
    return {
      changes,
      summary: {
        playbackSpeed: this.options.playbackSpeed,
        startBufferSec: this.startBufferSec,
        durationSec: this.durationSec(),
        startupDelayMs: this.startupDelayMs ?? at - start,
        stalls: this.stalls,
        stallMs: this.stallMs,
        transferMs: at - start,
        // Seconds summed as floats: rounded to the microsecond, so that exact inputs give exact figures.
        playbackEndMs: Math.round((playbackEnd - start) * 1000) / 1000,
      },
    };
  }

  /** By frames when the stream is MP3 (nothing playable while that is not known yet), else by bytes at the bitrate. */
  private playableSec(): number {
    const audio = this.options.audio;
    const mp3 = audio?.isMp3;
    if (audio && mp3 === true) return audio.playableSec;
    if (audio && mp3 === undefined) return 0;
    return this.receivedBytes / this.audioBytesPerSec;
  }

  private durationSec(): number {
    const audio = this.options.audio;
    if (audio?.isMp3 === true && this.receivedBytes >= this.options.totalBytes) return audio.playableSec;
    if (audio && this.options.durationSec !== undefined && audio.isMp3 !== false) return this.options.durationSec;
    return this.options.totalBytes / this.audioBytesPerSec;
  }

  /** The buffer to wait for: 2 s of audio, or what is left of the song if that is less. */
  private threshold(): number {
    return Math.max(0, Math.min(this.startBufferSec, this.durationSec() - this.playhead));
  }

  private startIfBuffered(nowMs: number): PlaybackChange[] {
    if (this.phase !== 'buffering' && this.phase !== 'stalled') return [];
    const allIn = this.receivedBytes >= this.options.totalBytes;
    if (!allIn && this.received - this.playhead < this.threshold() - EPSILON_SEC) return [];
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
}
