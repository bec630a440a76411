// One song's download (GET) or stream (STREAM), verified: sha256 computed as the bytes arrive,
// and a transfer cut off part-way resumed from the byte it reached, on the other server when it
// holds the song, else on the same one, a bounded number of times. Each byte reaches the sink once.
import { createHash, type Hash } from 'node:crypto';
import type { CatalogSong } from '../catalog/types.js';
import { JukeboxError, isJukeboxError, type ErrorCode } from '../errors.js';
import { ERR } from '../protocol/constants.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { JukeboxConnection } from './connection.js';
import { serverStatusOf } from './errors.js';
import { DEFAULT_MAX_RESUMES, requireInteger } from './limits.js';

/**
 * Where the song can come from, in order of preference (chooseServer's `order`). A source has a
 * connection, a way to connect, or both; transferSong destroys a connection that broke and
 * leaves a healthy one open for its owner (whoever made it) to reuse or close.
 */
export interface TransferSource {
  serverId: string;
  /** A connection to use first, if it is still open. */
  connection?: JukeboxConnection;
  /** Gives a connection (new or kept open); called again to reconnect after a failure. */
  connect?: () => Promise<JukeboxConnection>;
}

/** Where the bytes go: a fs.WriteStream fits. Never ended by transferSong (the caller owns it). */
export interface TransferSink {
  /** false asks for a pause until 'drain' (Writable backpressure). */
  write(chunk: Buffer): boolean | void;
  once?(event: 'drain', listener: () => void): unknown;
}

export interface TransferOptions {
  song: Pick<CatalogSong, 'id' | 'bytes' | 'sha256'>;
  verb: 'GET' | 'STREAM';
  sources: readonly TransferSource[];
  /** After every chunk: bytes received so far (resumed ones included), the song's size, the server sending. */
  onProgress?: (receivedBytes: number, totalBytes: number, serverId: string) => void;
  sink?: TransferSink;
  /** Retries after a break (reset, timeout, refused, 5xx); default DEFAULT_MAX_RESUMES. */
  maxResumes?: number;
  clock?: Clock;
}

/** One request's part of the transfer. */
export interface TransferSegment {
  serverId: string;
  /** The byte it started from. */
  offset: number;
  /** Body bytes it delivered. */
  bytes: number;
  /** Why it ended early; absent when it delivered the rest of the song. */
  error?: ErrorCode;
}

interface TransferStats {
  songId: string;
  verb: 'GET' | 'STREAM';
  /** The song's size in the catalog. */
  expectedBytes: number;
  /** Body bytes received, each counted once. */
  bytes: number;
  /** Retries after a break: 0 for an uninterrupted transfer. */
  resumes: number;
  /** Bytes received by requests that resumed from an offset past 0. */
  resumedBytes: number;
  /** How many times the next request went to a different server than the one before. */
  failovers: number;
  /** The servers that answered DATA, in order of first use. */
  servedBy: string[];
  segments: TransferSegment[];
  /** From the call to the first body byte (connect included; for an empty song, its DATA line); -1 if none came. */
  ttfbMs: number;
  /** From the call to the verdict. */
  totalMs: number;
}

export type TransferOutcome = (TransferStats & { status: 'verified'; sha256: string }) | (TransferStats & { status: 'failed'; error: JukeboxError });

/** Breaks that another try may get past: the server or the network, not the request. */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set(['E_RESET', 'E_TIMEOUT', 'E_REFUSED', 'E_CLOSED', 'E_PROTOCOL']);
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([ERR.INTERNAL, ERR.UNAVAILABLE]);

function isRetryable(error: JukeboxError): boolean {
  if (error.code === 'E_SERVER_ERROR') return RETRYABLE_STATUS.has(serverStatusOf(error) ?? 0);
  return RETRYABLE.has(error.code);
}

/** Transfers one song and says how it went; it does not throw for a failed transfer (the outcome carries the error). */
export async function transferSong(options: TransferOptions): Promise<TransferOutcome> {
  const maxResumes = requireInteger('maxResumes', options.maxResumes ?? DEFAULT_MAX_RESUMES, 0);
  if (options.sources.length === 0) throw new JukeboxError('E_BAD_ARGUMENT', `no sources for song ${options.song.id}`);
  return new TransferRun(options, maxResumes).run();
}

/** The state of one transfer; its onData is bound once, so chunks cost no allocation here. */
class TransferRun {
  private readonly hash: Hash = createHash('sha256');
  private readonly clock: Clock;
  private readonly startedAt: number;
  private readonly stats: TransferStats;
  /** Indices into sources still worth asking (a source that lacks the song, or cannot reconnect, is dropped). */
  private readonly live: boolean[];
  private received = 0;
  private segment: TransferSegment | undefined;
  private connection: JukeboxConnection | undefined;
  private awaitingDrain = false;

  constructor(
    private readonly options: TransferOptions,
    private readonly maxResumes: number,
  ) {
    this.clock = options.clock ?? systemClock;
    this.startedAt = this.clock.now();
    this.live = options.sources.map(() => true);
    this.stats = {
      songId: options.song.id,
      verb: options.verb,
      expectedBytes: options.song.bytes,
      bytes: 0,
      resumes: 0,
      resumedBytes: 0,
      failovers: 0,
      servedBy: [],
      segments: [],
      ttfbMs: -1,
      totalMs: 0,
    };
  }

  async run(): Promise<TransferOutcome> {
    let index = 0;
    let previous: string | undefined;
    for (;;) {
      const source = this.options.sources[index] as TransferSource;
      if (previous !== undefined && previous !== source.serverId) this.stats.failovers++;
      previous = source.serverId;
      const error = await this.attempt(source, index);
      if (error === undefined) return this.verdict();
      if (!this.canGoOn(error, index)) return this.failed(error);
      const next = this.nextSource(index);
      if (next === -1) return this.failed(error);
      index = next;
    }
  }

  /** One request; undefined when the song's last byte arrived. */
  private async attempt(source: TransferSource, index: number): Promise<JukeboxError | undefined> {
    const offset = this.received;
    try {
      const connection = await this.connectionFor(source, index);
      this.connection = connection;
      const remaining = this.options.song.bytes - offset;
      const request = { offset, onData: this.onData, expectBytes: remaining };
      const pendingAnswer = this.options.verb === 'GET' ? connection.get(this.options.song.id, request) : connection.stream(this.options.song.id, request);
      this.segment = { serverId: source.serverId, offset, bytes: 0 };
      const result = await pendingAnswer;
      if (result.kind === 'not_exist') {
        this.live[index] = false;
        this.endSegment('E_NOT_FOUND');
        return new JukeboxError('E_NOT_FOUND', `server ${source.serverId} does not hold song ${this.options.song.id}`);
      }
      this.noteServed(source.serverId, result.sentAt + result.ttfbMs);
      this.endSegment(undefined);
      return undefined;
    } catch (err) {
      const error = isJukeboxError(err) ? err : new JukeboxError('E_INTERNAL', err instanceof Error ? err.message : String(err), { cause: err });
      // A DATA length that disagrees with the catalog: that server's file differs; try another.
      if (error.code === 'E_INTEGRITY') this.live[index] = false;
      this.endSegment(error.code);
      return error;
    } finally {
      // The body is complete (or broken): a pause for a slow sink must not outlive it, or the
      // kept connection's next answer would never be read.
      if (this.awaitingDrain) {
        this.awaitingDrain = false;
        this.connection?.resumeReading();
      }
      this.connection = undefined;
    }
  }

  private async connectionFor(source: TransferSource, index: number): Promise<JukeboxConnection> {
    if (source.connection?.isOpen) return source.connection;
    if (source.connect) return source.connect();
    // Its only connection broke and there is no way to make another.
    this.live[index] = false;
    throw new JukeboxError('E_CLOSED', `the connection to server ${source.serverId} is closed and the source cannot reconnect`);
  }

  /** Every body chunk: hash, count, hand on. Bound once per transfer. */
  private readonly onData = (chunk: Buffer): void => {
    this.hash.update(chunk);
    this.received += chunk.length;
    // attempt() sets the segment right after sending, before any byte can arrive.
    const segment = this.segment as TransferSegment;
    segment.bytes += chunk.length;
    if (this.stats.ttfbMs === -1) this.stats.ttfbMs = this.clock.now() - this.startedAt;
    const sink = this.options.sink;
    if (sink !== undefined && sink.write(chunk) === false && sink.once !== undefined) this.waitForDrain(sink);
    this.options.onProgress?.(this.received, this.options.song.bytes, segment.serverId);
  };

  /** Pauses the socket until the sink drains; one wait at a time however many writes said false. */
  private waitForDrain(sink: TransferSink): void {
    const connection = this.connection;
    if (connection === undefined || this.awaitingDrain) return;
    this.awaitingDrain = true;
    connection.pauseReading();
    sink.once?.('drain', () => {
      this.awaitingDrain = false;
      connection.resumeReading();
    });
  }

  private noteServed(serverId: string, respondedAt: number): void {
    if (!this.stats.servedBy.includes(serverId)) this.stats.servedBy.push(serverId);
    // A zero-byte song has no body: its first byte is the DATA line.
    if (this.stats.ttfbMs === -1) this.stats.ttfbMs = respondedAt - this.startedAt;
  }

  private endSegment(error: ErrorCode | undefined): void {
    const segment = this.segment;
    if (segment === undefined) return;
    if (error !== undefined) segment.error = error;
    if (segment.bytes > 0 && !this.stats.servedBy.includes(segment.serverId)) this.stats.servedBy.push(segment.serverId);
    this.stats.segments.push(segment);
    if (segment.offset > 0) this.stats.resumedBytes += segment.bytes;
    this.segment = undefined;
  }

  /** Counts a retry when the error allows one; false when the transfer must stop here. */
  private canGoOn(error: JukeboxError, index: number): boolean {
    // A server that lacks the song (or disagrees with the catalog on its size) is skipped, not retried: no resume is spent.
    if (error.code === 'E_NOT_FOUND' || (error.code === 'E_INTEGRITY' && !this.live[index])) return true;
    if (!isRetryable(error) || this.stats.resumes >= this.maxResumes) return false;
    this.stats.resumes++;
    return true;
  }

  /** The next live source after `index`, wrapping round: the other server first, else the same one again. */
  private nextSource(index: number): number {
    const n = this.live.length;
    for (let step = 1; step <= n; step++) {
      const candidate = (index + step) % n;
      if (this.live[candidate]) return candidate;
    }
    return -1;
  }

  private verdict(): TransferOutcome {
    const sha256 = this.hash.digest('hex');
    const { song } = this.options;
    if (this.received !== song.bytes || sha256 !== song.sha256) {
      return this.failed(
        new JukeboxError(
          'E_INTEGRITY',
          `song ${song.id}: received ${this.received} bytes with sha256 ${sha256}, the catalog says ${song.bytes} bytes with sha256 ${song.sha256}`,
          {
            hint: 'a server holds a different file than the catalog describes; run jukebox catalog verify on it',
          },
        ),
      );
    }
    return { ...this.finish(), status: 'verified', sha256 };
  }

  private failed(error: JukeboxError): TransferOutcome {
    return { ...this.finish(), status: 'failed', error };
  }

  private finish(): TransferStats {
    this.stats.bytes = this.received;
    this.stats.totalMs = this.clock.now() - this.startedAt;
    return this.stats;
  }
}
