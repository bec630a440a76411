// QUIT → BYE, then the server closes the connection.
import type { Exchange, Pending } from '../context.js';
import type { RequestOf } from './types.js';

export function quit(exchange: Exchange, _request: RequestOf<'QUIT'>): Pending {
  exchange.closeAfterReply();
  return exchange.reply({ kind: 'BYE' });
}
