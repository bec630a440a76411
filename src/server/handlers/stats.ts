// STATS → STATS <one-line JSON ServerStats>
import type { Exchange, Pending } from '../context.js';
import type { RequestOf } from './types.js';

export function stats(exchange: Exchange, _request: RequestOf<'STATS'>): Pending {
  const { counters, serverId } = exchange.server;
  return exchange.reply({ kind: 'STATS', stats: counters.snapshot(serverId) });
}
