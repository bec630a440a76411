// CHECK <song> → EXIST <bytes> <sha256> active=<n> | NOT_EXIST
import type { Exchange, Pending } from '../context.js';
import type { RequestOf } from './types.js';

export function check(exchange: Exchange, request: RequestOf<'CHECK'>): Pending {
  const { store, counters } = exchange.server;
  const stored = store.get(request.song);
  if (!stored) return exchange.reply({ kind: 'NOT_EXIST' });
  return exchange.reply({ kind: 'EXIST', bytes: stored.song.bytes, sha256: stored.song.sha256, active: counters.activeTransfers, extra: {} });
}
