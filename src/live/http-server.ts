// The live view's HTTP server: `GET /` the page, `GET /events` the event stream (text/event-stream,
// one JSON object per `data:`), on 127.0.0.1 unless told otherwise. A browser that does not read
// never makes it buffer without bound: each stream writes only while its socket holds less than
// LIVE_SOCKET_HIGH_WATER_BYTES, queues at most LIVE_QUEUE_BYTES more, and drops (counting) the rest.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { JukeboxError } from '../errors.js';
import type { LiveBus, LiveSubscriber } from './bus.js';
import { LIVE_SOCKET_HIGH_WATER_BYTES, type LiveEvent, type TickEvent } from './events.js';
import { livePageHtml } from './page/index.js';

/** Bytes one stream may queue beyond its socket before it drops events: a few seconds of a busy sampled run. */
export const LIVE_QUEUE_BYTES = 1024 * 1024;
/** A batch is written in pieces of about this size, so that one write never overshoots the high water by much. */
export const LIVE_WRITE_CHUNK_BYTES = 64 * 1024;
/**
 * The most one stream can hold in memory at once: its socket's high water plus one piece written
 * past it, plus its queue. What a reader that never reads costs, whatever the run.
 */
export const LIVE_STREAM_MAX_BUFFERED_BYTES = LIVE_SOCKET_HIGH_WATER_BYTES + LIVE_WRITE_CHUNK_BYTES + LIVE_QUEUE_BYTES;
/** At close, how long a reader has to take what was written (the run's last tick) before its socket is cut: a reader that keeps up needs far less. */
export const LIVE_CLOSE_GRACE_MS = 1000;

export interface LiveStreamStats {
  /** Bytes held for this stream now: unwritten in its socket plus queued. */
  bufferedBytes: number;
  /** The most it ever held. */
  peakBufferedBytes: number;
  /** Events dropped because the reader was too slow. */
  dropped: number;
  /** Events written. */
  sent: number;
}

export interface LiveServer {
  host: string;
  port: number;
  /** `http://host:port/` */
  url: string;
  /** One entry per `/events` stream open now. */
  streams(): LiveStreamStats[];
  close(): Promise<void>;
}

export interface LiveServerOptions {
  bus: LiveBus;
  /** Default 127.0.0.1: the live view shows client names and songs, so it is not offered to the network unless asked. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export async function startLiveServer(options: LiveServerOptions): Promise<LiveServer> {
  const host = options.host ?? '127.0.0.1';
  const streams = new Set<EventStream>();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => route(req, res, options.bus, streams));
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await listen(server, host, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    host,
    port,
    url: `http://${shownHost}:${port}/`,
    streams: () => [...streams].map((s) => s.stats()),
    async close() {
      // Each stream ends (its socket closes once its last bytes are out: `connection: close`);
      // a reader that does not read is cut after the grace.
      for (const s of streams) s.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cut = setTimeout(() => {
        for (const socket of sockets) socket.destroy();
      }, LIVE_CLOSE_GRACE_MS);
      try {
        await closed;
      } finally {
        clearTimeout(cut);
      }
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      const why = err.code === 'EADDRINUSE' ? `port ${port} is already in use` : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(
        new JukeboxError('E_LISTEN', `--live: cannot listen on ${where}: ${why}`, {
          hint: 'give --live another port, or --live 0 for any free one',
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function route(req: IncomingMessage, res: ServerResponse, bus: LiveBus, streams: Set<EventStream>): void {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('only GET\n');
    return;
  }
  if (path === '/' || path === '/index.html') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(livePageHtml());
    return;
  }
  if (path === '/events' && req.method === 'HEAD') {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' }).end();
    return;
  }
  if (path === '/events') {
    const stream = new EventStream(res);
    streams.add(stream);
    res.once('close', () => {
      stream.end();
      streams.delete(stream);
    });
    stream.start(bus);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the page is at /, the event stream at /events\n');
}

interface Queued {
  text: string;
  events: number;
}

/** One `/events` reader: writes while its socket keeps up, queues a bounded amount, drops the rest. */
class EventStream implements LiveSubscriber {
  private readonly queue: Queued[] = [];
  private queuedBytes = 0;
  private dropped = 0;
  private sent = 0;
  private peak = 0;
  private unsubscribe: (() => void) | undefined;
  private ended = false;

  constructor(private readonly res: ServerResponse) {}

  start(bus: LiveBus): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'close',
      'x-accel-buffering': 'no',
    });
    this.res.on('drain', () => this.pump());
    bus.whenReady(() => {
      if (this.ended) return;
      this.events([bus.hello(), ...bus.recent()]);
      this.unsubscribe = bus.subscribe(this);
    });
  }

  events(batch: readonly LiveEvent[]): void {
    if (this.ended) return;
    let text = '';
    let count = 0;
    for (const e of batch) {
      text += frame(e);
      count++;
      if (text.length >= LIVE_WRITE_CHUNK_BYTES) {
        this.send(text, count);
        text = '';
        count = 0;
      }
    }
    if (count > 0) this.send(text, count);
  }

  tick(tick: TickEvent): void {
    if (this.ended) return;
    this.send(frame(this.dropped > 0 ? { ...tick, dropped: this.dropped } : tick), 1);
  }

  stats(): LiveStreamStats {
    return { bufferedBytes: this.buffered(), peakBufferedBytes: this.peak, dropped: this.dropped, sent: this.sent };
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe?.();
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.res.end();
  }

  private buffered(): number {
    return this.res.writableLength + this.queuedBytes;
  }

  private send(text: string, events: number): void {
    if (this.queue.length === 0 && this.res.writableLength < LIVE_SOCKET_HIGH_WATER_BYTES) this.write(text, events);
    else if (this.queuedBytes + text.length <= LIVE_QUEUE_BYTES) {
      this.queue.push({ text, events });
      this.queuedBytes += text.length;
    } else this.dropped += events;
    this.peak = Math.max(this.peak, this.buffered());
  }

  private write(text: string, events: number): void {
    this.res.write(text);
    this.sent += events;
  }

  /** The socket drained: write what is queued until it holds the high water again. */
  private pump(): void {
    while (this.queue.length > 0 && this.res.writableLength < LIVE_SOCKET_HIGH_WATER_BYTES && !this.ended) {
      const next = this.queue.shift() as Queued;
      this.queuedBytes -= next.text.length;
      this.write(next.text, next.events);
    }
  }
}

/** One server-sent event: `data: <json>` and a blank line (JSON has no raw newline, so one data line). */
function frame(event: LiveEvent): string {
  return `data: ${JSON.stringify(event)}\n\n`;
}
