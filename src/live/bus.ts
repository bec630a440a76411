// The live view's event bus: one per run (or `serve`). Producers publish events; the bus keeps a
// bounded recent history for browsers that join late and hands batches to every subscriber (the
// `/events` streams, the terminal trace). It never holds more than LIVE_HISTORY_EVENTS events.
import { LIVE_BATCH_MS, LIVE_HISTORY_EVENTS, type HelloEvent, type LiveEvent, type TickEvent } from './events.js';

/** Receives each batch of events in order (never `hello`, which a subscriber asks for itself). */
export interface LiveSubscriber {
  events(batch: readonly LiveEvent[]): void;
  /** Once a second; a stream adds its own drop count before writing it. */
  tick(tick: TickEvent): void;
}

export interface LiveBusOptions {
  hello: Omit<HelloEvent, 'type'>;
  /** The clock `t` counts on, and the run's (or serve's) start on it. */
  now: () => number;
  startedAt: number;
  /** Events kept for late joiners (default LIVE_HISTORY_EVENTS). */
  historyEvents?: number;
  /** False: `hello` is not final yet (the servers' ports are not known); streams wait for `setHello`. Default true. */
  ready?: boolean;
}

export class LiveBus {
  private readonly subscribers = new Set<LiveSubscriber>();
  /** A ring: `history[(head + i) % size]`, oldest first. */
  private readonly history: LiveEvent[] = [];
  private head = 0;
  private readonly historySize: number;
  private pending: LiveEvent[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private helloEvent: HelloEvent;
  private startedAt: number;
  private ready: boolean;
  private readonly waiting: Array<() => void> = [];
  /** Events published since the start (history and drops aside): for tests and the bench. */
  published = 0;

  constructor(private readonly options: LiveBusOptions) {
    this.historySize = options.historyEvents ?? LIVE_HISTORY_EVENTS;
    this.startedAt = options.startedAt;
    this.ready = options.ready ?? true;
    this.helloEvent = { type: 'hello', ...options.hello };
  }

  /** Milliseconds since the start, never negative: an event's `t`. */
  t(): number {
    return Math.max(0, Math.round((this.options.now() - this.startedAt) * 10) / 10);
  }

  /** Moves the start `t` counts from (a run fixes its start only once its threads are ready). */
  setStart(at: number): void {
    this.startedAt = at;
  }

  /** The `hello` every new stream starts with. */
  hello(): HelloEvent {
    return this.helloEvent;
  }

  /** Changes what later `hello`s say (e.g. the servers' ports once they listen). */
  setHello(hello: Omit<HelloEvent, 'type'>): void {
    this.helloEvent = { type: 'hello', ...hello };
    this.ready = true;
    for (const go of this.waiting.splice(0)) go();
  }

  /** Calls `go` once `hello` is final (at once when it is). */
  whenReady(go: () => void): void {
    if (this.ready) go();
    else this.waiting.push(go);
  }

  /** The recent history, oldest first (at most the history size). */
  recent(): LiveEvent[] {
    const n = this.history.length;
    return Array.from({ length: n }, (_, i) => this.history[(this.head + i) % n] as LiveEvent);
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Queues events for the next batch (written within LIVE_BATCH_MS): one write per batch, not per event. */
  publish(events: readonly LiveEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.pending.push(e);
    this.published += events.length;
    this.flushTimer ??= setTimeout(() => this.flush(), LIVE_BATCH_MS);
  }

  tick(tick: TickEvent): void {
    this.flush();
    for (const s of this.subscribers) s.tick(tick);
  }

  /** Hands what is queued to every subscriber now. */
  flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    // Threads send their batches independently: within a batch, time order (a stable sort keeps each thread's own order).
    batch.sort(byTime);
    for (const e of batch) this.remember(e);
    for (const s of this.subscribers) s.events(batch);
  }

  close(): void {
    this.flush();
    this.subscribers.clear();
    this.waiting.length = 0;
  }

  private remember(event: LiveEvent): void {
    if (this.historySize === 0) return;
    if (this.history.length < this.historySize) this.history.push(event);
    else {
      this.history[this.head] = event;
      this.head = (this.head + 1) % this.historySize;
    }
  }
}

function byTime(a: LiveEvent, b: LiveEvent): number {
  return ('t' in a ? a.t : 0) - ('t' in b ? b.t : 0);
}
