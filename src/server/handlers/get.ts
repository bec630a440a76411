// GET <song> [offset] → DATA n + the file from offset to its end, as fast as the reader takes it.
import type { Exchange, Pending } from '../context.js';
import { transfer } from './transfer.js';
import type { RequestOf } from './types.js';

export function get(exchange: Exchange, request: RequestOf<'GET'>): Pending {
  return transfer(exchange, request.song, request.offset, () => undefined);
}
