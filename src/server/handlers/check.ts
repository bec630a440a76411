// CHECK <song> → EXIST <bytes> <sha256> active=<n> | NOT_EXIST
import type { Exchange } from '../context.js';
import type { RequestOf } from './types.js';

export async function check(exchange: Exchange, request: RequestOf<'CHECK'>): Promise<void> {
  const { store, counters } = exchange.server;
  const stored = store.get(request.song);
  if (!stored) return exchange.reply({ kind: 'NOT_EXIST' });
  await exchange.reply({ kind: 'EXIST', bytes: stored.song.bytes, sha256: stored.song.sha256, active: counters.activeTransfers, extra: {} });
}
