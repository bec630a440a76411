// Asks a server that the harness did not start for its own counters (STATS).
import { JukeboxConnection } from '../client/connection.js';
import type { ServerStats } from '../protocol/types.js';
import type { ServerAddress } from './messages.js';

/** A server that does not answer STATS this fast is reported without its own counters. */
const STATS_TIMEOUT_MS = 5_000;

export async function fetchServerStats(server: ServerAddress): Promise<ServerStats> {
  const connection = await JukeboxConnection.connect({
    host: server.host,
    port: server.port,
    connectTimeoutMs: STATS_TIMEOUT_MS,
    requestTimeoutMs: STATS_TIMEOUT_MS,
  });
  try {
    return (await connection.stats()).stats;
  } finally {
    await connection.close();
  }
}
