// The live view's event stream (contract: shared/design/live-view.md). One zod schema per event
// type, from which the TypeScript types derive: outside tools read `/events` too, so the schema is
// the stream's documentation and what the tests check every event against. Every event but `hello`
// carries `t`, milliseconds since the run (or `serve`) began.
import { z } from 'zod';

/** Per-message events come only from the first N clients unless `--live-clients` says otherwise. */
export const LIVE_DEFAULT_CLIENTS = 20;
/** Upper bound of `--live-clients`: beyond a few hundred lanes the page is unreadable and the stream costly. */
export const LIVE_MAX_CLIENTS = 1000;
/** `tick` is sent once a second: the page's counters move at the pace a human reads them. */
export const LIVE_TICK_MS = 1000;
/** At most one `transfer` per transfer in this interval (plus the last one): "a few times a second". */
export const LIVE_TRANSFER_INTERVAL_MS = 250;
/** Events are gathered and written (and cross threads) in batches at most this often: one write per batch, not per event. */
export const LIVE_BATCH_MS = 50;
/** The recent history replayed to a browser that joins late (events, not bytes): a few screens of the sequence view. */
export const LIVE_HISTORY_EVENTS = 2000;
/** Events queued for one `/events` connection that is not reading: beyond this they are dropped (and counted), never buffered. */
export const LIVE_QUEUE_EVENTS = 5000;
/** Bytes a connection's socket may hold unwritten before we stop writing to it and queue (then drop) instead. */
export const LIVE_SOCKET_HIGH_WATER_BYTES = 256 * 1024;

const t = z.number().nonnegative();
const id = z.string().min(1);

export const liveServerInfoSchema = z.object({
  id,
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  /** The song ids this server holds. */
  songs: z.array(z.string()),
});

export const helloEventSchema = z.object({
  type: z.literal('hello'),
  servers: z.array(liveServerInfoSchema),
  /** The scenario's name (simulate only). */
  scenario: z.string().optional(),
  /** The sampled client ids, the page's lanes known up front (simulate only; `serve` learns them as they connect). */
  clients: z.array(id).optional(),
});

export const connectEventSchema = z.object({ type: z.literal('connect'), t, client: id, server: id });

export const requestEventSchema = z.object({
  type: z.literal('request'),
  t,
  client: id,
  server: id,
  /** The request line as sent, without the line end: `CHECK song3`, `GET song3 0`. */
  line: z.string(),
});

export const responseEventSchema = z.object({
  type: z.literal('response'),
  t,
  client: id,
  server: id,
  /** The answer line, without the line end: `EXIST 3840268 …`, `NOT_EXIST`, `DATA n`, `ERR …`. */
  line: z.string(),
  /** Milliseconds since its request was sent. */
  ms: z.number().nonnegative(),
});

export const choiceEventSchema = z.object({
  type: z.literal('choice'),
  t,
  client: id,
  song: z.string(),
  /** The chosen server; absent when none was (`neither: …`). */
  server: id.optional(),
  /** Why, in words: `only s1 holds it`, `both: s2 answered 0.4 ms faster`, `neither: cancelled`. */
  reason: z.string(),
});

export const transferEventSchema = z.object({
  type: z.literal('transfer'),
  t,
  client: id,
  server: id,
  song: z.string(),
  /** Body bytes received (simulate) or sent (serve) so far. */
  bytes: z.number().int().nonnegative(),
  /** The body's length. */
  total: z.number().int().nonnegative(),
});

/** `verified`, `cancelled`, or `failed:<kind>` (the error code's kind, e.g. `failed:refused`). */
export const doneOutcomeSchema = z.string().regex(/^(verified|cancelled|failed:.+)$/);

export const doneEventSchema = z.object({
  type: z.literal('done'),
  t,
  client: id,
  song: z.string(),
  outcome: doneOutcomeSchema,
  /** The request's duration, from its first CHECK to its end. */
  ms: z.number().nonnegative(),
});

export const closeEventSchema = z.object({ type: z.literal('close'), t, client: id, server: id });

export const faultEventSchema = z.object({
  type: z.literal('fault'),
  t,
  server: id,
  /** What happened, as the scenario says it: `crash`, `restart`, `slow 100KB/s`, … */
  action: z.string(),
});

export const liveServerCountersSchema = z.object({
  /** Connections open now. */
  open: z.number().int().nonnegative(),
  /** Transfers (GET bodies) in progress now. */
  active: z.number().int().nonnegative(),
  /** Body bytes sent in the last second. */
  bytesPerSec: z.number().nonnegative(),
});

export const liveTotalsSchema = z.object({
  /** Clients running now (every client, sampled or not). */
  clients: z.number().int().nonnegative(),
  /** Requests started so far. */
  requests: z.number().int().nonnegative(),
  verified: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** Body bytes received (simulate) or sent (serve) so far. */
  bytes: z.number().nonnegative(),
});

export const tickEventSchema = z.object({
  type: z.literal('tick'),
  t,
  servers: z.record(z.string(), liveServerCountersSchema),
  totals: liveTotalsSchema,
  /** Events this `/events` connection has dropped so far because it did not read fast enough (absent when none). */
  dropped: z.number().int().nonnegative().optional(),
});

export const liveEventSchema = z.discriminatedUnion('type', [
  helloEventSchema,
  connectEventSchema,
  requestEventSchema,
  responseEventSchema,
  choiceEventSchema,
  transferEventSchema,
  doneEventSchema,
  closeEventSchema,
  faultEventSchema,
  tickEventSchema,
]);

export type LiveServerInfo = z.infer<typeof liveServerInfoSchema>;
export type HelloEvent = z.infer<typeof helloEventSchema>;
export type ConnectEvent = z.infer<typeof connectEventSchema>;
export type RequestEvent = z.infer<typeof requestEventSchema>;
export type ResponseEvent = z.infer<typeof responseEventSchema>;
export type ChoiceEvent = z.infer<typeof choiceEventSchema>;
export type TransferEvent = z.infer<typeof transferEventSchema>;
export type DoneEvent = z.infer<typeof doneEventSchema>;
export type CloseEvent = z.infer<typeof closeEventSchema>;
export type FaultEvent = z.infer<typeof faultEventSchema>;
export type LiveServerCounters = z.infer<typeof liveServerCountersSchema>;
export type LiveTotals = z.infer<typeof liveTotalsSchema>;
export type TickEvent = z.infer<typeof tickEventSchema>;
export type LiveEvent = z.infer<typeof liveEventSchema>;
export type LiveEventType = LiveEvent['type'];

/** Per-message events: the ones only sampled clients send (`tick`, `fault`, `hello` are for everyone). */
export type ClientLiveEvent = ConnectEvent | RequestEvent | ResponseEvent | ChoiceEvent | TransferEvent | DoneEvent | CloseEvent;

export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ['hello', 'connect', 'request', 'response', 'choice', 'transfer', 'done', 'close', 'fault', 'tick'];

/** One `data:` payload of the stream, checked; throws zod's error naming the field when it does not match. */
export function parseLiveEvent(json: unknown): LiveEvent {
  return liveEventSchema.parse(json);
}
