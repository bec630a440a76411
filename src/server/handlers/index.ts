// The dispatch table: one handler per verb, typed so that a verb without a handler fails to compile.
import type { Verb } from '../../protocol/constants.js';
import type { Request } from '../../protocol/types.js';
import type { Exchange, Pending } from '../context.js';
import { check } from './check.js';
import { get } from './get.js';
import { hello } from './hello.js';
import { list } from './list.js';
import { quit } from './quit.js';
import { stats } from './stats.js';
import { stream } from './stream.js';
import type { Handler } from './types.js';

export type { Handler, RequestOf } from './types.js';

export const handlers: { readonly [V in Verb]: Handler<V> } = {
  HELLO: hello,
  CHECK: check,
  GET: get,
  STREAM: stream,
  LIST: list,
  STATS: stats,
  QUIT: quit,
};

export function dispatch(exchange: Exchange, request: Request): Pending {
  // TypeScript cannot tie handlers[request.verb] to the same variant of `request`; the table's
  // mapped type above guarantees that each verb's handler takes that verb's request.
  const handler = handlers[request.verb] as Handler<Verb>;
  return handler(exchange, request);
}
