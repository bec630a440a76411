// What each request resolves with, by verb: the result map that types `send<V>()` without a cast,
// the request waiting for its answer, and how an answer becomes its result.
import { JukeboxError } from '../errors.js';
import type { Verb } from '../protocol/constants.js';
import type { ExtraFields, ListEntry, Response, ServerStats } from '../protocol/types.js';

/** When a request was written and how long its answer took (ms, on the connection's clock). */
export interface RequestTiming {
  /** clock.now() when the request line was written. */
  sentAt: number;
  /** Until the answer's response line arrived (for a pipelined request this includes waiting behind earlier answers). */
  ttfbMs: number;
  /** Until the answer was complete, body or LIST entries included. */
  totalMs: number;
}

export interface HelloResult extends RequestTiming {
  protocol: string;
  server: string;
  catalog: string;
  songs: number;
  /** key=value fields this client does not know. */
  extra: ExtraFields;
}

export type CheckResult = RequestTiming & ({ kind: 'exist'; bytes: number; sha256: string; active?: number; extra: ExtraFields } | { kind: 'not_exist' });

export type DataResult = RequestTiming &
  (
    | {
        kind: 'data';
        /** The offset that was asked for. */
        offset: number;
        /** The byte count announced by `DATA n`. */
        length: number;
        /** Body bytes handed to onData (equal to length on success). */
        bytesReceived: number;
      }
    | { kind: 'not_exist' }
  );

export interface ListResult extends RequestTiming {
  entries: ListEntry[];
}

export interface StatsResult extends RequestTiming {
  stats: ServerStats;
}

export type QuitResult = RequestTiming;

export interface TransferRequestOptions {
  /** Resume from this byte (default 0). */
  offset?: number;
  /**
   * Receives each body chunk as it arrives. The connection keeps no copy: a chunk the caller
   * wants after the call returns it must keep (the Buffer is not reused by Node).
   */
  onData?: (chunk: Buffer) => void;
  /** If set and `DATA n` announces another n, the request fails E_INTEGRITY before any body byte is handed on. */
  expectBytes?: number;
}

/** The result each verb resolves with. */
export interface ResultOf {
  HELLO: HelloResult;
  CHECK: CheckResult;
  GET: DataResult;
  STREAM: DataResult;
  LIST: ListResult;
  STATS: StatsResult;
  QUIT: QuitResult;
}

/** The response kinds each verb may be answered with (ERR is allowed for every verb). */
export const EXPECTED: Readonly<Record<Verb, ReadonlySet<Response['kind']>>> = {
  HELLO: new Set(['OK']),
  CHECK: new Set(['EXIST', 'NOT_EXIST']),
  GET: new Set(['DATA', 'NOT_EXIST']),
  STREAM: new Set(['DATA', 'NOT_EXIST']),
  LIST: new Set(['LIST']),
  STATS: new Set(['STATS']),
  QUIT: new Set(['BYE']),
};

/**
 * How a request's promise is settled. Methods, not function-typed fields: a Pending<'CHECK'>
 * then fits the connection's one queue of Pending<Verb>, each still resolving with its own type.
 */
interface Settle<V extends Verb> {
  resolve(value: ResultOf[V]): void;
  reject(error: Error): void;
}

/** One request waiting for its answer; a class so that every request has the same shape. */
export class Pending<V extends Verb = Verb> {
  /** clock.now() of the response line; -1 until it arrives. */
  respondedAt = -1;
  response: Response | undefined = undefined;
  /** Body bytes handed on so far (DATA). */
  received = 0;

  constructor(
    readonly verb: V,
    private readonly settle: Settle<V>,
    /** The song of CHECK/GET/STREAM, else ''. */
    readonly song: string,
    readonly sentAt: number,
    readonly offset: number,
    readonly onData: ((chunk: Buffer) => void) | undefined,
    readonly expectBytes: number,
  ) {}

  /** The request as a person would read it, for error messages (built only when one is needed). */
  describe(): string {
    if (this.song === '') return this.verb;
    return this.offset > 0 ? `${this.verb} ${this.song} ${this.offset}` : `${this.verb} ${this.song}`;
  }

  /** Resolves with the verb's result; the response was checked against EXPECTED when it arrived. */
  complete(response: Response, entries: ListEntry[] | undefined, now: number): void {
    this.settle.resolve(BUILD[this.verb](response, this, entries, now - this.sentAt));
  }

  fail(error: Error): void {
    this.settle.reject(error);
  }
}

/** The verb's result from its (EXPECTED) response; built field by field, no intermediate objects: this runs once per request. */
type Build<V extends Verb> = (response: Response, pending: Pending<V>, entries: ListEntry[] | undefined, totalMs: number) => ResultOf[V];

/** A response kind EXPECTED does not allow for the verb reached a builder: a bug in the connection, not the server's fault. */
function unexpected(verb: Verb, response: Response): never {
  throw new JukeboxError('E_INTERNAL', `a ${response.kind} answer to ${verb} reached the result builder`);
}

const ttfbOf = (p: Pending<Verb>) => p.respondedAt - p.sentAt;

const BUILD: { readonly [V in Verb]: Build<V> } = {
  HELLO: (r, p, _entries, totalMs) => {
    if (r.kind !== 'OK') return unexpected('HELLO', r);
    return { protocol: r.protocol, server: r.server, catalog: r.catalog, songs: r.songs, extra: r.extra, sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs };
  },
  CHECK: (r, p, _entries, totalMs) => {
    if (r.kind === 'NOT_EXIST') return { kind: 'not_exist', sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs };
    if (r.kind !== 'EXIST') return unexpected('CHECK', r);
    return r.active === undefined
      ? { kind: 'exist', bytes: r.bytes, sha256: r.sha256, extra: r.extra, sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs }
      : { kind: 'exist', bytes: r.bytes, sha256: r.sha256, active: r.active, extra: r.extra, sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs };
  },
  GET: (r, p, _entries, totalMs) => dataResult('GET', r, p, totalMs),
  STREAM: (r, p, _entries, totalMs) => dataResult('STREAM', r, p, totalMs),
  LIST: (r, p, entries, totalMs) => (r.kind === 'LIST' ? { entries: entries ?? [], sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs } : unexpected('LIST', r)),
  STATS: (r, p, _entries, totalMs) => (r.kind === 'STATS' ? { stats: r.stats, sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs } : unexpected('STATS', r)),
  QUIT: (r, p, _entries, totalMs) => (r.kind === 'BYE' ? { sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs } : unexpected('QUIT', r)),
};

function dataResult(verb: 'GET' | 'STREAM', r: Response, p: Pending<'GET' | 'STREAM'>, totalMs: number): DataResult {
  if (r.kind === 'NOT_EXIST') return { kind: 'not_exist', sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs };
  if (r.kind !== 'DATA') return unexpected(verb, r);
  return { kind: 'data', offset: p.offset, length: r.length, bytesReceived: p.received, sentAt: p.sentAt, ttfbMs: ttfbOf(p), totalMs };
}
