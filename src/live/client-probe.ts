// The live view's side inside a pool thread: per-message events of the sampled clients only,
// gathered in the thread and sent up in batches (one message per LIVE_BATCH_MS, not per event).
// A client that is not sampled gets no probe at all: no hook, no closure, no event object.
import type { CheckAnswer, ChoiceResult } from '../client/choice.js';
import type { ClientTraceEvent, JukeboxConnection } from '../client/connection.js';
import { choiceReason } from './choice-reason.js';
import { LIVE_BATCH_MS, LIVE_TRANSFER_INTERVAL_MS, type ClientLiveEvent } from './events.js';

/** Events a thread holds for its coordinator at most: past it (the coordinator stalled) they are dropped and counted. */
export const LIVE_THREAD_BUFFER_EVENTS = 10_000;

/** What the task tells a thread about the live view. */
export interface LiveTaskOptions {
  /** Clients whose index (0-based) is below this send per-message events. */
  sampledClients: number;
}

/** A batch of events from one thread; `dropped` counts those its bounded buffer could not keep since the last. */
export interface LiveBatch {
  events: ClientLiveEvent[];
  dropped: number;
}

/** The id the live view and the trace give a simulated client: `c1` for index 0. */
export function clientIdOf(index: number): string {
  return `c${index + 1}`;
}

/** One thread's events: buffered, and handed to `send` at most every LIVE_BATCH_MS. */
export class LiveThreadSink {
  private buffer: ClientLiveEvent[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: LiveTaskOptions,
    /** The shared clock and the run's start on it: `t` of every event. */
    private readonly now: () => number,
    private readonly runStart: number,
    private readonly servers: ReadonlyArray<{ id: string; host: string; port: number }>,
    private readonly send: (batch: LiveBatch) => void,
  ) {}

  /** The probe of client `index`, or undefined when it is not sampled. */
  forClient(index: number): ClientProbe | undefined {
    return index < this.options.sampledClients ? new ClientProbe(clientIdOf(index), this) : undefined;
  }

  t(): number {
    return Math.max(0, Math.round((this.now() - this.runStart) * 10) / 10);
  }

  clock(): number {
    return this.now();
  }

  serverIdOf(host: string, port: number): string {
    return this.servers.find((s) => s.port === port && s.host === host)?.id ?? this.servers.find((s) => s.port === port)?.id ?? `${host}:${port}`;
  }

  push(event: ClientLiveEvent): void {
    if (this.buffer.length >= LIVE_THREAD_BUFFER_EVENTS) {
      this.dropped++;
      return;
    }
    this.buffer.push(event);
    this.timer ??= setTimeout(() => this.flush(), LIVE_BATCH_MS);
  }

  /** Sends what is buffered now (the batch's end calls it before its final message). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buffer.length === 0 && this.dropped === 0) return;
    const batch = { events: this.buffer, dropped: this.dropped };
    this.buffer = [];
    this.dropped = 0;
    this.send(batch);
  }
}

/** One sampled client's events: its connections, lines, choice, progress and ends. */
export class ClientProbe {
  /** When each request line went out, per server, oldest first: answers come back in order. */
  private readonly sent = new Map<string, number[]>();

  constructor(
    readonly client: string,
    private readonly sink: LiveThreadSink,
  ) {}

  /** The connection's trace observer: a `request` per line sent, a `response` (with ms) per line received. */
  readonly onLine = (e: ClientTraceEvent): void => {
    const server = this.sink.serverIdOf(e.host, e.port);
    const now = this.sink.clock();
    let times = this.sent.get(server);
    if (!times) this.sent.set(server, (times = []));
    if (e.direction === 'sent') {
      times.push(now);
      this.sink.push({ type: 'request', t: this.sink.t(), client: this.client, server, line: e.line });
    } else {
      const sentAt = times.shift() ?? now;
      this.sink.push({ type: 'response', t: this.sink.t(), client: this.client, server, line: e.line, ms: Math.round((now - sentAt) * 100) / 100 });
    }
  };

  /** A connection opened: `connect` now, `close` when it closes. */
  connected(connection: JukeboxConnection, server: string): void {
    this.sink.push({ type: 'connect', t: this.sink.t(), client: this.client, server });
    void connection.whenClosed().then(() => {
      this.sent.delete(server);
      this.sink.push({ type: 'close', t: this.sink.t(), client: this.client, server });
    });
  }

  choice(song: string, answers: readonly CheckAnswer[], choice: ChoiceResult): void {
    const reason = choiceReason(answers, choice);
    if (choice.decision === 'serve') this.sink.push({ type: 'choice', t: this.sink.t(), client: this.client, song, server: choice.serverId, reason });
    else this.sink.push({ type: 'choice', t: this.sink.t(), client: this.client, song, reason });
  }

  /** A transfer's progress callback: at most one `transfer` per LIVE_TRANSFER_INTERVAL_MS, and always the last. */
  progress(song: string): (received: number, total: number, server: string) => void {
    let lastAt = -Infinity;
    return (received, total, server) => {
      const now = this.sink.clock();
      if (received < total && now - lastAt < LIVE_TRANSFER_INTERVAL_MS) return;
      lastAt = now;
      this.sink.push({ type: 'transfer', t: this.sink.t(), client: this.client, server, song, bytes: received, total });
    };
  }

  done(song: string, outcome: string, ms: number): void {
    this.sink.push({ type: 'done', t: this.sink.t(), client: this.client, song, outcome, ms: Math.round(ms * 10) / 10 });
  }
}
