// A minimal line client: N persistent sockets, each with exactly one request in flight (no
// pipelining), counting round trips and recording each one's latency in an HDR histogram. The
// same code drives jukebox (`CHECK song1\n` → `EXIST …\n`) and redis (`EXISTS song1\r\n` → `:1\r\n`).
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createHistogram, recordMs, summarize, type LatencySummary } from '../../src/metrics/histogram.js';
import { withSockets } from './sockets.js';
import { DRAIN_TIMEOUT_MS, MeasureWindow, type LoadTiming } from './window.js';

const LF = 0x0a;
/** A bound on round trips per run, whatever the duration (10 M is far beyond what 3 s can reach). */
export const DEFAULT_MAX_ROUND_TRIPS = 10_000_000;

export interface LineLoadOptions extends LoadTiming {
  host: string;
  port: number;
  connections: number;
  /** The request with its line ending. */
  request: string;
  /** Every answer must start with this (a wrong answer fails the run: we measure correct answers only). */
  expectPrefix: string;
  maxRoundTrips?: number;
  /**
   * Paced load: each connection sends its next request no sooner than this long after its last
   * one (so at most connections ÷ interval requests per second in all). Without it, each sends
   * again as soon as its answer arrives: the saturating load.
   */
  intervalMs?: number;
}

export interface LineLoadResult {
  connections: number;
  roundTrips: number;
  /** Round trips over the whole run, warm-up and the answers after the window included: the interval the client's and the server's CPU are read over. */
  totalRoundTrips: number;
  seconds: number;
  perSecond: number;
  /** Request written → answer line read, in ms. */
  latency: LatencySummary;
}

/** Each socket reads into a small buffer of its own, reused: no allocation per answer read. */
const LINE_READ_BUFFER_BYTES = 16 * 1024;

export function runLineLoad(options: LineLoadOptions): Promise<LineLoadResult> {
  return withSockets({ ...options, readBufferBytes: LINE_READ_BUFFER_BYTES }, (sockets) => drive(sockets, options));
}

function drive(sockets: Socket[], options: LineLoadOptions): Promise<LineLoadResult> {
  const request = Buffer.from(options.request, 'utf8');
  const prefix = Buffer.from(options.expectPrefix, 'utf8');
  const maxRoundTrips = options.maxRoundTrips ?? DEFAULT_MAX_ROUND_TRIPS;
  const interval = options.intervalMs;
  const histogram = createHistogram();
  const window = new MeasureWindow(options);
  let roundTrips = 0;
  let totalRoundTrips = 0;
  let busy = sockets.length;
  let settled = false;
  let drainTimer: NodeJS.Timeout | undefined;

  return new Promise((resolve, reject) => {
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      window.stopNow();
      clearTimeout(drainTimer);
      if (err) return reject(err);
      const seconds = window.seconds;
      resolve({
        connections: sockets.length,
        roundTrips,
        totalRoundTrips,
        seconds,
        perSecond: seconds > 0 ? roundTrips / seconds : 0,
        latency: summarize(histogram),
      });
    };
    const idle = () => {
      if (--busy === 0) finish();
    };

    for (const socket of sockets) {
      let sentAt = 0;
      /** The start of an answer split over chunks, until its prefix can be checked. */
      let head: Buffer | undefined;
      let checked = false;
      let pacing: NodeJS.Timeout | undefined;
      /** Paced: when this connection's next request is due (one per interval, never two in one). */
      let due = 0;
      const send = () => {
        sentAt = performance.now();
        socket.write(request);
      };
      const sendNext = () => {
        if (interval === undefined) return send();
        due = Math.max(due + interval, sentAt);
        const wait = due - performance.now();
        if (wait <= 0) return send();
        pacing = setTimeout(send, wait);
      };
      socket.once('close', () => clearTimeout(pacing));
      socket.on('data', (chunk: Buffer) => {
        if (!checked) {
          // A copy when the prefix is split over reads: the read buffer is reused.
          head = head ? Buffer.concat([head, chunk]) : Buffer.from(chunk);
          const complete = chunk[chunk.length - 1] === LF;
          if (head.length < prefix.length && !complete) return;
          if (head.length < prefix.length || head.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) {
            return finish(new Error(`unexpected answer ${JSON.stringify(head.toString('utf8', 0, 80))} to ${JSON.stringify(options.request.trim())}`));
          }
          checked = true;
          head = undefined;
        }
        // One request in flight: the answer is complete when a chunk ends its line.
        if (chunk[chunk.length - 1] !== LF) return;
        checked = false;
        totalRoundTrips++;
        if (window.measuring) {
          roundTrips++;
          recordMs(histogram, performance.now() - sentAt);
          if (roundTrips >= maxRoundTrips) window.stopNow();
        }
        if (window.stopped) return idle();
        sendNext();
      });
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new Error('the server closed a connection during the run')));
      send();
    }
    window.start(() => {
      drainTimer = setTimeout(() => finish(new Error(`${busy} answers still missing ${DRAIN_TIMEOUT_MS} ms after the run`)), DRAIN_TIMEOUT_MS);
    });
  });
}
