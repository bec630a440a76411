// LIST → LIST n, then n lines `<song> <bytes> <sha256>` (the body is encoded once, at start).
import type { Exchange, Pending } from '../context.js';
import type { RequestOf } from './types.js';

export function list(exchange: Exchange, _request: RequestOf<'LIST'>): Pending {
  const { store } = exchange.server;
  const line = exchange.reply({ kind: 'LIST', count: store.count });
  if (store.listBody.length === 0) return line;
  const writeBody = () => exchange.write(store.listBody);
  return line === undefined ? writeBody() : line.then(writeBody);
}
