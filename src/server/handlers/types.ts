// The shape of a verb handler, typed by the verb it answers.
import type { Verb } from '../../protocol/constants.js';
import type { Request } from '../../protocol/types.js';
import type { Exchange, Pending } from '../context.js';

export type RequestOf<V extends Verb> = Extract<Request, { verb: V }>;

/** Answers one request; returns Pending (undefined once the whole answer is with the socket). */
export type Handler<V extends Verb> = (exchange: Exchange, request: RequestOf<V>) => Pending;
