// LIST → LIST n, then n lines `<song> <bytes> <sha256>` (the body is encoded once, at start).
import type { Exchange } from '../context.js';
import type { RequestOf } from './types.js';

export async function list(exchange: Exchange, _request: RequestOf<'LIST'>): Promise<void> {
  const { store } = exchange.server;
  await exchange.reply({ kind: 'LIST', count: store.count });
  if (store.listBody.length > 0) await exchange.write(store.listBody);
}
