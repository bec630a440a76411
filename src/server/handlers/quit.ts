// QUIT → BYE, then the server closes the connection.
import type { Exchange } from '../context.js';
import type { RequestOf } from './types.js';

export async function quit(exchange: Exchange, _request: RequestOf<'QUIT'>): Promise<void> {
  exchange.closeAfterReply();
  await exchange.reply({ kind: 'BYE' });
}
