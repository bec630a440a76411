// A minimal bulk client: N persistent sockets, each asking for the same file again and again
// (one request in flight per socket), counting the body bytes that arrive inside the measuring
// window. The same code drives jukebox (`GET big\n`) and nginx (`GET /big.mp3 HTTP/1.1`).
// With `verifySha256` it also hashes every body, as a real client must, and checks the digest.
import { createHash, type Hash } from 'node:crypto';
import type { Socket } from 'node:net';
import { withSockets } from './sockets.js';
import { BodyCounter, type BodyListener, type Framing } from './framing.js';
import { DRAIN_TIMEOUT_MS, MeasureWindow, type LoadTiming } from './window.js';

/** A bound on whole transfers per run, whatever the duration. */
export const DEFAULT_MAX_TRANSFERS = 1_000_000;

export interface BulkLoadOptions extends LoadTiming {
  host: string;
  port: number;
  connections: number;
  request: string;
  framing: Framing;
  /** Every response must announce exactly this many body bytes (the file's size). */
  expectBodyBytes: number;
  /** Hash every body and fail the run unless each one has this sha256 (hex). */
  verifySha256?: string;
  maxTransfers?: number;
}

export interface BulkLoadResult {
  connections: number;
  /** Body bytes received inside the window (partial transfers count: a fixed window cuts some). */
  bytes: number;
  /** Body bytes received over the whole run, warm-up and the transfers finished after the window included: what the server sent while the run lasted. */
  totalBytes: number;
  /** Transfers completed inside the window. */
  transfers: number;
  seconds: number;
  /** 10^6 bytes per second. */
  mbPerSecond: number;
}

/**
 * Each socket reads into a buffer of its own this large: with Node's default 64 KiB reads the
 * client, not the server, was the limit (nginx and jukebox alike measured about half of what
 * they reach with 1 MiB reads, in one run here).
 */
export const BULK_READ_BUFFER_BYTES = 1024 * 1024;

export function runBulkLoad(options: BulkLoadOptions): Promise<BulkLoadResult> {
  return withSockets({ ...options, readBufferBytes: BULK_READ_BUFFER_BYTES }, (sockets) => drive(sockets, options));
}

function drive(sockets: Socket[], options: BulkLoadOptions): Promise<BulkLoadResult> {
  const request = Buffer.from(options.request, 'utf8');
  const maxTransfers = options.maxTransfers ?? DEFAULT_MAX_TRANSFERS;
  const window = new MeasureWindow(options);
  let bytes = 0;
  let totalBytes = 0;
  let transfers = 0;
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
      resolve({ connections: sockets.length, bytes, totalBytes, transfers, seconds, mbPerSecond: seconds > 0 ? bytes / seconds / 1e6 : 0 });
    };
    const count = (n: number) => {
      totalBytes += n;
      if (window.measuring) bytes += n;
    };

    for (const socket of sockets) {
      let hash: Hash | undefined = options.verifySha256 === undefined ? undefined : createHash('sha256');
      const onBody: BodyListener = (chunk, start, end) => {
        hash?.update(chunk.subarray(start, end));
        count(end - start);
      };
      const onResponse = (bodyLength: number) => {
        if (bodyLength !== options.expectBodyBytes)
          return finish(new Error(`expected a body of ${options.expectBodyBytes} bytes, the server announced ${bodyLength}`));
        if (hash !== undefined) {
          const sha256 = hash.digest('hex');
          if (sha256 !== options.verifySha256) return finish(new Error(`a body's sha256 is ${sha256}, expected ${options.verifySha256}`));
          hash = createHash('sha256');
        }
        if (window.measuring && ++transfers >= maxTransfers) window.stopNow();
        // After the window, the transfer in flight is finished (so the connection stays in sync) and not renewed.
        if (window.stopped) {
          if (--busy === 0) finish();
          return;
        }
        socket.write(request);
      };
      const counter = new BodyCounter(options.framing, onBody, onResponse);
      socket.on('data', (chunk: Buffer) => {
        try {
          counter.push(chunk);
        } catch (err) {
          finish(err as Error);
        }
      });
      socket.on('error', (err) => finish(err));
      socket.on('close', () => finish(new Error('the server closed a connection during the run')));
      socket.write(request);
    }
    window.start(() => {
      // Unlike answers to small requests, a 4 MB transfer in flight may take a while to finish:
      // the sockets are simply destroyed if it takes too long (the window is already counted).
      drainTimer = setTimeout(() => finish(), DRAIN_TIMEOUT_MS);
    });
  });
}
