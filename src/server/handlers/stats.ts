// STATS → STATS <one-line JSON ServerStats>
import type { Exchange } from '../context.js';
import type { RequestOf } from './types.js';

export async function stats(exchange: Exchange, _request: RequestOf<'STATS'>): Promise<void> {
  const { counters, serverId } = exchange.server;
  await exchange.reply({ kind: 'STATS', stats: counters.snapshot(serverId) });
}
