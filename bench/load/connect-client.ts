// A minimal connection-per-request client: C loops, each connecting, sending one request line,
// reading the answer line and closing, then starting over. The same code drives jukebox, the
// seed-like Python server and the bare Node baseline.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createHistogram, recordMs, summarize, type LatencySummary } from '../../src/metrics/histogram.js';
import { DRAIN_TIMEOUT_MS, MeasureWindow, type LoadTiming } from './window.js';

const LF = 0x0a;
/** A bound on connections per run, whatever the duration. */
export const DEFAULT_MAX_REQUESTS = 2_000_000;
/**
 * The client closes each connection with a reset (SO_LINGER 0), on every side alike. A graceful
 * close leaves the socket in TIME_WAIT for 60 s: a 2 s run leaves ~25,000 of them, the kernel's
 * ephemeral-port search in connect() slows down as they pile up, and later runs measured half
 * the rate of earlier ones against the same server. With resets nothing piles up, so the order
 * of the runs no longer matters.
 */
const DEFAULT_CLOSE: CloseMode = 'reset';

export type CloseMode = 'reset' | 'graceful';

/** More failed connections than this fail the run (a few resets are noise; a stream of them is a finding). */
const MAX_ERROR_FRACTION = 0.01;

export interface ConnectLoadOptions extends LoadTiming {
  host: string;
  port: number;
  /** Connections open at once. */
  concurrency: number;
  request: string;
  expectPrefix: string;
  maxRequests?: number;
  /** How the client closes each connection (default: reset, see DEFAULT_CLOSE). */
  close?: CloseMode;
}

export interface ConnectLoadResult {
  concurrency: number;
  /** Connect + request + answer + close, completed inside the window. */
  requests: number;
  /** Connections answered over the whole run, warm-up and those finished after the window included: what the server did while the run lasted. */
  totalConnections: number;
  /** Connections that failed (refused, reset, wrong answer) inside the window. */
  errors: number;
  seconds: number;
  perSecond: number;
  /** Connect started → answer line read, in ms. */
  latency: LatencySummary;
}

export function runConnectLoad(options: ConnectLoadOptions): Promise<ConnectLoadResult> {
  const request = Buffer.from(options.request, 'utf8');
  const prefix = Buffer.from(options.expectPrefix, 'utf8');
  const maxRequests = options.maxRequests ?? DEFAULT_MAX_REQUESTS;
  const resetOnClose = (options.close ?? DEFAULT_CLOSE) === 'reset';
  const histogram = createHistogram();
  const window = new MeasureWindow(options);
  let requests = 0;
  let totalConnections = 0;
  let errors = 0;
  let busy = options.concurrency;
  let settled = false;
  let drainTimer: NodeJS.Timeout | undefined;

  return new Promise((resolve, reject) => {
    const finish = () => {
      if (settled) return;
      settled = true;
      window.stopNow();
      clearTimeout(drainTimer);
      if (requests > 0 && errors > requests * MAX_ERROR_FRACTION) {
        return reject(new Error(`${errors} of ${requests + errors} connections to ${options.host}:${options.port} failed`));
      }
      const seconds = window.seconds;
      resolve({
        concurrency: options.concurrency,
        requests,
        totalConnections,
        errors,
        seconds,
        perSecond: seconds > 0 ? requests / seconds : 0,
        latency: summarize(histogram),
      });
    };

    /** One connection's life; calls `next` once, when it is over either way. */
    const once = (next: () => void) => {
      const startedAt = performance.now();
      const socket = connect({ host: options.host, port: options.port, noDelay: true });
      let answer: Buffer | undefined;
      let over = false;
      const end = (ok: boolean) => {
        if (over) return;
        over = true;
        if (resetOnClose && !socket.destroyed) socket.resetAndDestroy();
        else socket.destroy();
        if (ok) totalConnections++;
        if (window.measuring) {
          if (ok) {
            requests++;
            recordMs(histogram, performance.now() - startedAt);
            if (requests >= maxRequests) window.stopNow();
          } else errors++;
        }
        next();
      };
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk: Buffer) => {
        answer = answer ? Buffer.concat([answer, chunk]) : chunk;
        if (answer[answer.length - 1] !== LF) return;
        end(answer.length >= prefix.length && answer.compare(prefix, 0, prefix.length, 0, prefix.length) === 0);
      });
      socket.on('error', () => end(false));
      socket.on('close', () => end(false));
    };
    const loop = () => {
      if (window.stopped) {
        if (--busy === 0) finish();
        return;
      }
      once(loop);
    };

    for (let i = 0; i < options.concurrency; i++) loop();
    window.start(() => {
      drainTimer = setTimeout(finish, DRAIN_TIMEOUT_MS);
    });
  });
}
